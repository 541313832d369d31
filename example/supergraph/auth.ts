import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";
import { bearerToken, createVerifier, type TokenVerifier } from "../../src/auth";
import { loadConfig } from "../../src/config";
import { UnauthenticatedError } from "../../src/shared/errors";

/**
 * Authentication of the example subgraphs (accounts, courses).
 *
 * They verify the caller's bearer token exactly as the groups subgraph does, with the same
 * verifier (`createVerifier` from src/auth: HS256 with the groups service's secret, or JWKS when
 * the service uses JWKS_URL). Nothing but the gateway's forwarding of `Authorization` can get a
 * token to them, so an answer from accounts or courses proves that the gateway forwarded it. As
 * in groups, only an operation that reads nothing but `_service` (what composition reads) needs
 * no token; `_entities` does.
 */

/** The authenticated caller of an example subgraph. */
export interface Caller {
  id: string;
  isGlobalAdmin: boolean;
}

/** The per-request context of the example subgraphs. */
export interface ExampleContext {
  /** null without a (valid) token; the guard plugin then refuses every operation but `_service`. */
  caller: Caller | null;
  /** Why the token was refused, when one was sent. */
  authError?: Error;
}

/** A verifier for HS256 tokens signed with `secret`, the way the groups service verifies them. */
export function verifierFor(secret: string): TokenVerifier {
  return createVerifier(loadConfig({}, { jwtSecret: secret, jwksUrl: undefined }), secret);
}

/** Builds the context from an Authorization header value; never throws (the guard decides). */
export function contextFrom(verify: TokenVerifier) {
  return async (authorization: string | undefined): Promise<ExampleContext> => {
    try {
      const token = bearerToken(authorization);
      if (!token) return { caller: null };
      const claims = await verify(token);
      return { caller: { id: claims.sub, isGlobalAdmin: claims.isGlobalAdmin } };
    } catch (error) {
      return { caller: null, authError: error as Error };
    }
  };
}

function isServiceOnly(operation: OperationDefinitionNode): boolean {
  return (
    operation.operation === "query" &&
    operation.selectionSet.selections.every(
      (s) => s.kind === Kind.FIELD && (s.name.value === "_service" || s.name.value === "__typename"),
    )
  );
}

/** Refuses (UNAUTHENTICATED, HTTP 401) every operation without a valid token, except `_service` alone. */
export function requireTokenPlugin(): ApolloServerPlugin<ExampleContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (operation && !contextValue.caller && !isServiceOnly(operation)) {
            throw contextValue.authError ?? new UnauthenticatedError();
          }
        },
      };
    },
  };
}

/** The caller, or UNAUTHENTICATED (the guard makes this unreachable for operations it let through). */
export function callerOf(ctx: ExampleContext): Caller {
  if (!ctx.caller) throw ctx.authError ?? new UnauthenticatedError();
  return ctx.caller;
}
