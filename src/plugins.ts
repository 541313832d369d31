import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";
import type { Config } from "./config";
import type { AppContext } from "./shared/context";
import { RateLimitedError, UnauthenticatedError } from "./shared/errors";
import { costLimitError, operationCost } from "./shared/limits";
import { logger, requestScope } from "./shared/logger";
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
 * checked with variables known.
 */
export function guardPlugin(config: Config, limiter: RateLimiter): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document, schema, request }) {
          if (!operation) return;
          if (isServiceOnly(operation)) return;
          if (!contextValue.viewer) throw contextValue.authError ?? new UnauthenticatedError();
          const wait = limiter.take(contextValue.viewer.id);
          if (wait > 0) throw new RateLimitedError(wait);
          const cost = operationCost(schema, document, operation, request.variables ?? {});
          if (cost > config.maxQueryCost) throw costLimitError(cost, config.maxQueryCost);
        },
      };
    },
  };
}

/** Adds `extensions.sqlStatements` (tests, benchmarks) and logs each operation. */
export function observabilityPlugin(config: Config): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart({ request }) {
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
