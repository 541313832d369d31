import crypto from "node:crypto";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import type { ValidationError } from "class-validator";
import { isDatabaseUnavailable, translateDbError } from "../db";
import { ErrorCode, type ErrorDetails } from "./errors";
import { logger } from "./logger";

/** Codes a client may see as they are; everything else is masked as INTERNAL_SERVER_ERROR. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** Extension keys a public error may carry. */
const PUBLIC_EXTENSIONS = ["code", "details", "field", "permission", "retryAfter", "cost", "budget", "correlationId"];

/** class-validator errors -> { "field.path": [messages] }. */
export function validationDetails(errors: ValidationError[], prefix = ""): ErrorDetails {
  const details: ErrorDetails = {};
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints)
      details[field] = Object.values(error.constraints).map((m) => m.replace(`${error.property} `, ""));
    if (error.children?.length) Object.assign(details, validationDetails(error.children, field));
  }
  return details;
}

/**
 * The last stop before a client: contract errors pass with their code and whitelisted
 * extensions; validation errors become BAD_USER_INPUT with details; anything unexpected is logged
 * with a correlation id and answered as INTERNAL_SERVER_ERROR without stack, SQL or driver text.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof ArgumentValidationError) {
    const errors = original.extensions.validationErrors;
    if (!Array.isArray(errors)) {
      // A validator threw on the value itself (validator.js throws URIError on lone surrogates):
      // the input is at fault, not the service.
      return {
        ...base,
        message: "Invalid input: a value is not well-formed text",
        extensions: { code: ErrorCode.BAD_USER_INPUT, details: {} },
      };
    }
    const details = validationDetails(errors as ValidationError[]);
    const fields = Object.entries(details).map(([field, messages]) => `${field}: ${messages.join(", ")}`);
    return {
      ...base,
      message: `Invalid input: ${fields.join("; ")}`,
      extensions: { code: ErrorCode.BAD_USER_INPUT, details },
    };
  }

  const translated = translateDbError(original);
  const candidate = translated instanceof GraphQLError ? translated : undefined;
  const code = (candidate?.extensions.code ?? formatted.extensions?.code) as string | undefined;
  if (candidate && code && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const source = { ...formatted.extensions, ...candidate.extensions };
    const extensions: Record<string, unknown> = {};
    for (const key of PUBLIC_EXTENSIONS) if (source[key] !== undefined) extensions[key] = source[key];
    if (code === ErrorCode.BAD_USER_INPUT && !extensions.details) extensions.details = {};
    return { ...base, message: candidate.message, extensions };
  }

  const correlationId = crypto.randomUUID();
  const unavailable = isDatabaseUnavailable(original);
  logger.error(unavailable ? "database unavailable" : "unexpected error", {
    correlationId,
    path: formatted.path,
    error: original,
  });
  return {
    ...base,
    message: unavailable
      ? `Internal server error: the database is unavailable, retry shortly (correlation id ${correlationId})`
      : `Internal server error (correlation id ${correlationId})`,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId },
  };
}
