import {
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import type { Config } from "./config";
import { isServiceOnly } from "./plugins";
import { RateLimitedError } from "./shared/errors";
import { aliasLimitRule, costLimitError, depthLimitRule, MAX_DOCUMENT_TOKENS, operationCost } from "./shared/limits";
import type { RateLimiter } from "./shared/rate-limit";

/** An operation as a streaming transport (graphql-ws, GraphQL over SSE) receives it. */
export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/** The code Apollo gives parse and validation errors over HTTP, for the same errors over the streaming transports. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

/**
 * The checks an operation passes before it runs on a transport Apollo Server does not serve
 * (graphql-ws, GraphQL over SSE), the same as over HTTP: the document size (parse), validation
 * with depth, alias and introspection rules, the rate limit and the operation cost. `_service`
 * alone takes neither the rate limit nor the cost. `admit` is the transport's own step between
 * validation and the rate limit (graphql-ws's subscription slots): an error from it refuses the
 * operation before it costs the caller any of its allowance.
 */
export function operationPreparer(deps: { schema: GraphQLSchema; config: Config; limiter: RateLimiter }) {
  const { schema, config, limiter } = deps;
  const rules = [
    ...specifiedRules,
    depthLimitRule(config.maxQueryDepth),
    aliasLimitRule,
    ...(config.allowIntrospection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return (
    request: OperationRequest,
    viewerId: string,
    admit?: (operation: OperationDefinitionNode) => GraphQLError | undefined,
  ): PreparedOperation | readonly GraphQLError[] => {
    let document;
    try {
      document = parse(request.query, { maxTokens: MAX_DOCUMENT_TOKENS });
    } catch (error) {
      return [withCode(error as GraphQLError, "GRAPHQL_PARSE_FAILED")];
    }
    const errors = validate(schema, document, rules);
    if (errors.length) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
    const operation = getOperationAST(document, request.operationName);
    if (!operation) return [new GraphQLError("Unable to identify the operation: name it with operationName")];
    const refused = admit?.(operation);
    if (refused) return [refused];
    if (isServiceOnly(operation)) return { document, operation };
    const wait = limiter.take(viewerId);
    if (wait > 0) return [new RateLimitedError(wait)];
    const cost = operationCost(schema, document, operation, request.variables ?? {});
    if (cost > config.maxQueryCost) return [costLimitError(cost, config.maxQueryCost)];
    return { document, operation };
  };
}
