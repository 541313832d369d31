import crypto from "node:crypto";
import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import {
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from "graphql";
import { callbackAllowed } from "./callback";
import { contextFactory, type ContextDeps } from "./context";
import type { Metrics } from "./metrics";
import type { AppContext, StreamTransport } from "./shared/context";
import { ErrorCode, RateLimitedError, UnauthenticatedError } from "./shared/errors";
import { formatError } from "./shared/format-error";
import { aliasLimitRule, costLimitError, depthLimitRule, MAX_DOCUMENT_TOKENS, operationCost } from "./shared/limits";
import { tagWithRequest } from "./shared/logger";
import type { RateLimiter } from "./shared/rate-limit";

/**
 * One pipeline for every transport: HTTP (Apollo Server), graphql-ws, GraphQL over SSE and Apollo
 * Router's subscription callbacks all authenticate, build contexts, validate, admit (rate limit,
 * cost, transport rules) and format errors here. A transport adapter only moves bytes: it asks
 * the pipeline for a context, hands it the operation, and sends what comes back.
 */

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

/** How an operation arrived: what admission depends on beyond the document. */
export type Transport =
  /** A single HTTP answer: queries and mutations; a subscription only with a router's callback. */
  | { kind: "http"; callbackUrl?: string }
  /** A stream (graphql-ws, GraphQL over SSE): any operation. */
  | { kind: "stream" };

export interface PipelineDeps extends ContextDeps {
  schema: GraphQLSchema;
  limiter: RateLimiter;
  metrics?: Metrics;
}

/** True when the operation reads only `_service` (routers compose without a token). */
export function isServiceOnly(operation: OperationDefinitionNode): boolean {
  return (
    operation.operation === "query" &&
    operation.selectionSet.selections.every(
      (s) => s.kind === Kind.FIELD && (s.name.value === "_service" || s.name.value === "__typename"),
    )
  );
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

export type Pipeline = ReturnType<typeof createPipeline>;

export function createPipeline(deps: PipelineDeps) {
  const { schema, config, limiter, metrics } = deps;
  const buildContext = contextFactory(deps);
  /** The service's own rules; Apollo adds graphql-js's specified ones and its introspection switch. */
  const serviceRules: ValidationRule[] = [depthLimitRule(config.maxQueryDepth), aliasLimitRule];
  /** The same set for the transports Apollo does not serve. */
  const streamRules: ValidationRule[] = [
    ...specifiedRules,
    ...serviceRules,
    ...(config.allowIntrospection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];

  /**
   * Whether an operation may run, once its document is valid: every operation needs a valid token
   * except `_service`; a subscription over HTTP needs a router's callback to an allowed host; then
   * the caller's rate limit and the operation's cost (each document's cost is worked out once, see
   * operationCost). Returns the refusal, or undefined.
   */
  function refusal(
    ctx: AppContext,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
    transport: Transport,
  ): GraphQLError | undefined {
    if (isServiceOnly(operation)) return undefined;
    if (transport.kind === "http" && operation.operation === "subscription") {
      if (transport.callbackUrl === undefined) {
        return new GraphQLError(
          "Subscriptions are served over WebSocket (protocol graphql-transport-ws) or GraphQL over SSE (Accept: text/event-stream) on this path, or to a router's callback; not as a plain HTTP request",
          { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
        );
      }
      if (!callbackAllowed(transport.callbackUrl, config.subscriptionCallbackHosts)) {
        return new GraphQLError(
          "The subscription's callback URL is not allowed: its host must be listed in SUBSCRIPTION_CALLBACK_HOSTS",
          { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } },
        );
      }
    }
    if (!ctx.viewer) return (ctx.authError as GraphQLError | undefined) ?? new UnauthenticatedError();
    const wait = limiter.take(ctx.viewer.id);
    if (wait > 0) return new RateLimitedError(wait);
    const cost = operationCost(schema, document, operation, variables ?? {});
    if (cost > config.maxQueryCost) return costLimitError(cost, config.maxQueryCost);
    return undefined;
  }

  return {
    schema,
    config,

    /** Authentication: the context of a caller from an Authorization value (refusals are kept, not thrown). */
    authenticate: buildContext,

    /**
     * The context of one operation on a long-lived connection (graphql-ws, SSE): the caller's, with
     * its own loader caches and request id, and the transport's way to end it early.
     */
    operationContext(ctx: AppContext, transport?: StreamTransport): AppContext {
      return { ...ctx, cache: new Map(), requestId: crypto.randomUUID(), transport };
    },

    /** The service's validation rules, for Apollo Server (which adds graphql-js's own). */
    validationRules: serviceRules,

    /**
     * Parse, validate and admit an operation on a transport Apollo Server does not serve
     * (graphql-ws, GraphQL over SSE): the same checks as over HTTP. `admit` is the transport's own
     * step between validation and the rate limit (graphql-ws's subscription slots): an error from it
     * refuses the operation before it costs the caller any of its allowance.
     */
    prepare(
      request: OperationRequest,
      ctx: AppContext,
      admit?: (operation: OperationDefinitionNode) => GraphQLError | undefined,
    ): PreparedOperation | readonly GraphQLError[] {
      let document;
      try {
        document = parse(request.query, { maxTokens: MAX_DOCUMENT_TOKENS });
      } catch (error) {
        return [withCode(error as GraphQLError, "GRAPHQL_PARSE_FAILED")];
      }
      const errors = validate(schema, document, streamRules);
      if (errors.length) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
      const operation = getOperationAST(document, request.operationName);
      if (!operation) return [new GraphQLError("Unable to identify the operation: name it with operationName")];
      const refused = admit?.(operation) ?? refusal(ctx, document, operation, request.variables, { kind: "stream" });
      return refused ? [refused] : { document, operation };
    },

    /** Errors as clients see them (src/shared/format-error.ts), counted by code when metrics are on. */
    format(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
      metrics?.countErrors(errors);
      return errors.map((e) => formatError(e.toJSON(), e));
    },

    /**
     * Admission for operations over HTTP, as an Apollo Server plugin (after validation, with
     * variables known). Errors are tagged with their request's id, so the line formatError logs for
     * an unexpected one names the request. The hooks hold no per-request state: one listener serves
     * every request.
     */
    plugin(): ApolloServerPlugin<AppContext> {
      const listener: GraphQLRequestListener<AppContext> = {
        async didResolveOperation({ contextValue, operation, document, request }) {
          if (!operation) return;
          const subscription = request.extensions?.subscription as
            { callbackUrl?: unknown; callback_url?: unknown } | undefined;
          const callbackUrl = subscription ? String(subscription.callbackUrl ?? subscription.callback_url) : undefined;
          const refused = refusal(contextValue, document, operation, request.variables, { kind: "http", callbackUrl });
          if (refused) throw refused;
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
    },
  };
}
