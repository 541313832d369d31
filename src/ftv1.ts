import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import { ApolloServerPluginInlineTrace } from "@apollo/server/plugin/inlineTrace";
import { mapSchema } from "@graphql-tools/utils";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { ErrorCode } from "./shared/errors";
import { formatError } from "./shared/format-error";

/**
 * Federated traces (ftv1): a router or gateway asks a subgraph for a trace of its part of an
 * operation with `apollo-federation-include-trace: ftv1`, and gets it back in `extensions.ftv1`
 * (a base64 `Trace` protobuf with a node and timing per resolved field). Apollo's inline trace
 * plugin builds it from Apollo's per-field hook, which only graphql-js execution on a schema Apollo
 * has instrumented calls; the compiled executor (src/executor.ts) calls no hook. So:
 *
 * - the plugin is gated on the header: a request without it costs one header lookup, nothing more;
 * - a traced request is executed by graphql-js on `traceableSchema`, the copy of the schema that
 *   Apollo validates against and wraps (on the first traced request) with its field hook; the
 *   schema the compiled executor, graphql-ws and SSE use is never wrapped, so their resolvers
 *   stay as they are (a wrapped field would also stop graphql-jit inlining plain property reads).
 */
export const FTV1_HEADER = "apollo-federation-include-trace";

/** Contexts of the HTTP requests being traced (the executor's check). */
const traced = new WeakSet<object>();

/** True when `context` is a request whose trace the inline trace plugin is building. */
export function isTraced(context: unknown): boolean {
  return typeof context === "object" && context !== null && traced.has(context);
}

/**
 * The same types, fields and resolvers in new objects: what Apollo validates against and
 * instruments. Validation and execution read only names and resolvers, so both schemas answer alike.
 */
export function traceableSchema(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {});
}

/** The codes formatError lets reach a client: the contract's and Apollo's own. */
const PUBLIC_CODES = new Set<string>([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)]);

/**
 * An error as the trace records it: what the client is told for a public error (formatError's
 * message and allow-listed extensions), `<masked>` with INTERNAL_SERVER_ERROR for anything else, so
 * no SQL, driver text or stack reaches a router. The error Apollo hands over is a shallow copy
 * without `originalError`; a public code is on its own extensions (graphql-js copies them from
 * the error a resolver threw), so formatError takes its public branch and logs nothing here: the
 * unexpected ones are logged once, when the response is formatted.
 */
export function traceError(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  if (typeof code === "string" && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const formatted = formatError(error.toJSON(), error);
    return new GraphQLError(formatted.message, { extensions: formatted.extensions });
  }
  return new GraphQLError("<masked>", {
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, maskedBy: "ApolloServerPluginInlineTrace" },
  });
}

/**
 * Apollo's inline trace plugin, looked at only for requests carrying `apollo-federation-include-trace:
 * ftv1` (it otherwise builds a trace builder for every request before reading the header). It keeps
 * the plugin's identity, so Apollo installs no implicit one beside it.
 */
export function inlineTracePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  const inner = ApolloServerPluginInlineTrace({ includeErrors: { transform: traceError } });
  const start = inner.requestDidStart!.bind(inner);
  return {
    ...(inner as ApolloServerPlugin<TContext>),
    async requestDidStart(requestContext) {
      if (requestContext.request.http?.headers.get(FTV1_HEADER) !== "ftv1") return;
      const listener = await start(requestContext);
      // The plugin declines when another plugin decided against capturing traces.
      if (listener) traced.add(requestContext.contextValue);
      return listener as Awaited<ReturnType<NonNullable<ApolloServerPlugin<TContext>["requestDidStart"]>>>;
    },
  };
}
