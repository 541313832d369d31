import { GraphQLError } from "graphql";

/** The error codes of the contract; nothing else reaches a client (plus Apollo's own parse/validation codes). */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** field -> messages, as `extensions.details` of BAD_USER_INPUT. */
export type ErrorDetails = Record<string, string[]>;

export class UnauthenticatedError extends GraphQLError {
  constructor(message = "A valid bearer token is required") {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
  }
}

export class ForbiddenError extends GraphQLError {
  /** @param permission the permission the caller lacks; the message names it. */
  constructor(permission: string, where?: string) {
    super(`Missing permission ${permission}${where ? ` in ${where}` : ""}`, {
      extensions: { code: ErrorCode.FORBIDDEN, permission },
    });
  }
}

export class ForbiddenRuleError extends GraphQLError {
  /** A refusal that is not about one permission key (e.g. "owners only by owners"). */
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

export class NotFoundError extends GraphQLError {
  /** @param what the kind of thing not found ("Group", "User"): a caller may retry on one kind. */
  constructor(
    readonly what: string,
    id: string,
  ) {
    super(`${what} ${id} not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, details } });
  }

  /** One field, one message: the common case. */
  static field(field: string, message: string): BadUserInputError {
    return new BadUserInputError(`${field}: ${message}`, { [field]: [message] });
  }
}

export class ConflictError extends GraphQLError {
  /** @param field the input field(s) whose value is already taken. */
  constructor(field: string, message: string) {
    super(message, { extensions: { code: ErrorCode.CONFLICT, field } });
  }
}

export class RateLimitedError extends GraphQLError {
  constructor(retryAfterSeconds: number) {
    super(`Too many requests; retry in ${retryAfterSeconds}s`, {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryAfter: retryAfterSeconds,
        // Apollo Server reads the headers as a Map. (graphql-yoga, under the Hive Gateway dev
        // dependency, declares them as a record in the same global type: hence the cast.)
        http: {
          status: 429,
          headers: new Map([["retry-after", String(retryAfterSeconds)]]) as unknown as Record<string, string>,
        },
      },
    });
  }
}

export class InternalError extends GraphQLError {
  constructor(correlationId: string) {
    super(`Internal server error (correlation id ${correlationId})`, {
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId },
    });
  }
}
