import type { IncomingMessage } from "node:http";

/** The value of the first key of `params` equal to `name` ignoring case, when it is a non-empty string. */
function param(params: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(params).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : params[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The Authorization value a graphql-ws connection authenticates with, from the first source that
 * has one: `connection_init`'s `Authorization`, then its `token` (keys matched ignoring case), then
 * the upgrade request's `Authorization` header. An empty or non-string value counts as absent; a
 * present value is the one verified, with no fallback to a later source when it is invalid.
 *
 * Gateways and routers put the client's token under `token`; Hive Gateway's own connectionParams
 * lookup (`extractFromConnectionParams`) reads it there without a scheme, so a bare JWT under
 * `token` is taken as `Bearer <jwt>`. `Authorization`, in the payload or the header, must be
 * `Bearer <jwt>` as over HTTP.
 */
export function connectionToken(
  params: Record<string, unknown> | undefined,
  request: Pick<IncomingMessage, "headers"> | undefined,
): string | undefined {
  const payload = params ?? {};
  const authorization = param(payload, "authorization");
  if (authorization !== undefined) return authorization;
  const token = param(payload, "token");
  if (token !== undefined) return /^\S+$/.test(token) ? `Bearer ${token}` : token;
  return request?.headers.authorization || undefined;
}
