import type { ApolloServerPlugin } from "@apollo/server";
import type { Config } from "./config";
import type { AppContext } from "./shared/context";
import { logger, requestScope } from "./shared/logger";

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
