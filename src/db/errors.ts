import { GraphQLError } from "graphql";
import { QueryFailedError } from "typeorm";
import { BadUserInputError, ConflictError, NotFoundError } from "../shared/errors";

/** How a named database constraint is explained to a client when the database enforces it. */
export type ConstraintRule =
  | { kind: "conflict"; field: string; message: string }
  | { kind: "input"; field: string; message: string }
  | { kind: "notFound"; what: string };

const rules = new Map<string, ConstraintRule>();

/** Each domain registers the constraints its tables declare (in its own module), so errors name fields. */
export function registerConstraints(entries: Record<string, ConstraintRule>): void {
  for (const [name, rule] of Object.entries(entries)) rules.set(name, rule);
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

function pgErrorOf(error: unknown): PgError | undefined {
  if (error instanceof QueryFailedError) return error.driverError as PgError;
  if (error && typeof error === "object" && "code" in error && typeof (error as PgError).code === "string") {
    return error as PgError;
  }
  return undefined;
}

/** SQLSTATEs worth retrying the whole transaction for. */
export function isRetryable(error: unknown): boolean {
  const code = pgErrorOf(error)?.code;
  return code === "40001" || code === "40P01";
}

/** Network errors and SQLSTATEs that mean the database cannot be reached (down, restarting, refusing). */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);

/** Whether `error` says the database is unreachable (as opposed to refusing this request). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // graphql-js wraps a thrown non-Error (the pool rejects with a bare { code: "ECONNREFUSED" }).
  const thrown = (error as { thrownValue?: unknown } | null)?.thrownValue;
  if (thrown !== undefined) return isDatabaseUnavailable(thrown);
  const code = pgErrorOf(error)?.code;
  if (code && UNAVAILABLE.has(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(message);
}

/**
 * Turns a database error into the contract's error when a rule explains it; anything else is
 * returned unchanged and becomes INTERNAL_SERVER_ERROR (masked) in format-error.
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  const pg = pgErrorOf(error);
  if (!pg?.code) return error;
  const rule = pg.constraint ? rules.get(pg.constraint) : undefined;
  if (rule) {
    switch (rule.kind) {
      case "conflict":
        return new ConflictError(rule.field, rule.message);
      case "input":
        return BadUserInputError.field(rule.field, rule.message);
      case "notFound":
        return new NotFoundError(rule.what, "referenced");
    }
  }
  switch (pg.code) {
    case "22001": // string_data_right_truncation
      return new BadUserInputError("A value is too long");
    case "22021": // character_not_in_repertoire (e.g. NUL)
    case "22003": // numeric_value_out_of_range
    case "22P02": // invalid_text_representation (e.g. a malformed uuid)
    case "22007": // invalid_datetime_format
    case "22008": // datetime_field_overflow
      return new BadUserInputError("A value has an invalid format");
    case "54001": // statement_too_complex
      return new BadUserInputError("The input is too deeply nested");
    default:
      return error;
  }
}
