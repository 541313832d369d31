import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";
import type { Config } from "./config";
import type { AppContext } from "./shared/context";
import { RateLimitedError, UnauthenticatedError } from "./shared/errors";
import { costLimitError, operationCost } from "./shared/limits";
import { logger, requestScope, tagWithRequest } from "./shared/logger";
import type { RateLimiter } from "./shared/rate-limit";

/** True when the operation reads only `_service` (routers compose without a token). */
export function isServiceOnly(operation: OperationDefinitionNode): boolean {
  return (
    operation.operation === "query" &&
    operation.selectionSet.selections.every(
      (s) => s.kind === Kind.FIELD && (s.name.value === "_service" || s.name.value === "__typename"),
    )
  );
}

/**
 * Every operation needs a valid token except `_service`; then the caller's rate limit; costs are
 * checked with variables known (each document's cost is worked out once, see operationCost).
 * Errors are tagged with their request's id, so the line formatError logs for an unexpected one
 * names the request. The hooks hold no per-request state: one listener serves every request.
 */
export function guardPlugin(config: Config, limiter: RateLimiter): ApolloServerPlugin<AppContext> {
  const listener: GraphQLRequestListener<AppContext> = {
    async didResolveOperation({ contextValue, operation, document, schema, request }) {
      if (!operation) return;
      if (isServiceOnly(operation)) return;
      if (!contextValue.viewer) throw contextValue.authError ?? new UnauthenticatedError();
      const wait = limiter.take(contextValue.viewer.id);
      if (wait > 0) throw new RateLimitedError(wait);
      const cost = operationCost(schema, document, operation, request.variables ?? {});
      if (cost > config.maxQueryCost) throw costLimitError(cost, config.maxQueryCost);
    },
    async didEncounterErrors({ contextValue, errors }) {
      for (const error of errors) {
        tagWithRequest(error, contextValue.requestId);
        if (error.originalError) tagWithRequest(error.originalError, contextValue.requestId);
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/**
 * Adds `extensions.sqlStatements` (tests, benchmarks) and logs each operation at debug level. With
 * neither, it adds nothing to a request (and requests run without a scope: see requestScope).
 */
export function observabilityPlugin(config: Config): ApolloServerPlugin<AppContext> {
  // The count lives in the request's scope.
  if (config.exposeSqlCount) requestScope.track();
  return {
    async requestDidStart({ request }) {
      if (!config.exposeSqlCount && !logger.enabled("debug")) return;
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, errors }) {
          const scope = requestScope.getStore();
          if (config.exposeSqlCount && scope && response.body.kind === "single") {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              sqlStatements: scope.sqlStatements,
            };
          }
          logger.debug("graphql", {
            operationName: request.operationName,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            errors: errors?.length ?? 0,
            sqlStatements: scope?.sqlStatements,
          });
        },
      };
    },
  };
}
