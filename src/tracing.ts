import type http from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayInterface } from "@apollo/server-gateway-interface";
import {
  type Attributes,
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from "@opentelemetry/semantic-conventions";
import { type DocumentNode, type ExecutionResult, getOperationAST, type GraphQLError } from "graphql";
import type { Client, Pool, PoolClient } from "pg";
import type { DataSource } from "typeorm";
import type { CompiledExecutor } from "./executor";
import type { AppContext } from "./shared/context";
import { poolOf } from "./db";
import { logger, logTraceIds } from "./shared/logger";

// GraphQL's attributes are still incubating in the semantic conventions: the package asks users to
// copy such names rather than import them from its unstable entry point.
const ATTR_GRAPHQL_OPERATION_NAME = "graphql.operation.name";
const ATTR_GRAPHQL_OPERATION_TYPE = "graphql.operation.type";

/** The service name spans carry unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
export const DEFAULT_SERVICE_NAME = "groups-subgraph";

const TRACER_NAME = "groups-subgraph";

/** How long the shutdown waits for the last spans to be exported. */
const SHUTDOWN_FLUSH_MS = 3000;

/** Probes and scrapes: frequent, uninteresting, never traced. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);

const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

export interface TracingOptions {
  /**
   * Where spans go instead of OTLP; given, tracing is on whatever the environment says (tests pass
   * sdk-trace-base's InMemorySpanExporter).
   */
  exporter?: SpanExporter;
}

/** True when the environment asks for traces: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Whether a Tracing holds the process's OpenTelemetry globals. */
let registered = false;

/**
 * Tracing when the environment asks for it (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter is given; undefined otherwise, and then nothing
 * is registered anywhere and no request does any work for it. The OTLP exporter, the batch span
 * processor and the sampler read their own standard variables (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_BSP_*, OTEL_TRACES_SAMPLER, ...).
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env, options: TracingOptions = {}): Tracing | undefined {
  if (!options.exporter && !tracingRequested(env)) return undefined;
  return new Tracing(options.exporter ?? new OTLPTraceExporter());
}

/**
 * OpenTelemetry tracing of the service, with spans made explicitly (no auto-instrumentation, which
 * patches modules process-wide): the HTTP request (a server span that continues an incoming W3C
 * `traceparent`), the GraphQL operation under it, and every SQL statement under that.
 *
 * It registers itself as the process's OpenTelemetry tracer provider, context manager (async local
 * storage, so spans follow a request across awaits) and propagator (W3C trace context and baggage),
 * and undoes that in `shutdown`. One traced service per process: a second one is refused.
 */
export class Tracing {
  readonly provider: NodeTracerProvider;
  private readonly tracer: Tracer;
  /** The GraphQL span of each HTTP operation, by its context (the Apollo plugin starts it, the executor enters it). */
  private readonly operationSpans = new WeakMap<object, Span>();
  private stopping: Promise<void> | undefined;

  constructor(exporter: SpanExporter) {
    if (registered) throw new Error("tracing is already on in this process: one traced service per process");
    // Later sources win: the default name, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }).merge(
      detectResources({ detectors: [envDetector] }),
    );
    this.provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    this.provider.register();
    this.tracer = this.provider.getTracer(TRACER_NAME);
    // The SDK reports failed exports through diag: to our log, not to nowhere.
    diag.setLogger(
      {
        error: (message, ...args) => logger.warn("opentelemetry", { message, args }),
        warn: (message, ...args) => logger.warn("opentelemetry", { message, args }),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    logTraceIds(() => {
      const span = trace.getSpan(context.active());
      if (!span) return undefined;
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    });
    registered = true;
  }

  /**
   * Wraps the HTTP server's request handler: each request (but the probes and /metrics) runs in a
   * server span, continuing the trace of its `traceparent` header. The request and response are
   * bound to the span's context, so their stream callbacks (the body's `data`/`end`) run in it too.
   */
  httpHandler(
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ): (req: http.IncomingMessage, res: http.ServerResponse) => void {
    return (req, res) => {
      const url = req.url ?? "/";
      const query = url.indexOf("?");
      const path = query < 0 ? url : url.slice(0, query);
      if (UNTRACED_PATHS.has(path)) return handler(req, res);
      const method = req.method ?? "GET";
      const known = KNOWN_METHODS.has(method);
      const route = /^\/graphql\/?$/.test(path) ? "/graphql" : undefined;
      const attributes: Attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: known ? method : "_OTHER",
        [ATTR_URL_PATH]: path,
        [ATTR_URL_SCHEME]: "http",
      };
      if (!known) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
      if (route) attributes[ATTR_HTTP_ROUTE] = route;
      const userAgent = req.headers["user-agent"];
      if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const name = `${known ? method : "HTTP"}${route ? ` ${route}` : ""}`;
      const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      const ctx = trace.setSpan(parent, span);
      // 'close' comes after 'finish', or alone when the client went away first.
      res.once("close", () => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      context.bind(ctx, req);
      context.bind(ctx, res);
      context.with(ctx, handler, undefined, req, res);
    };
  }

  /**
   * The GraphQL span of an operation over HTTP (Apollo Server): from the request's start to its
   * response, named and labelled once the operation is resolved, an error status when the answer
   * carries errors. The executor (`gateway`) runs the operation inside it.
   */
  apolloPlugin(): ApolloServerPlugin<AppContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        const span = this.tracer.startSpan("GraphQL Operation", { kind: SpanKind.INTERNAL });
        this.operationSpans.set(contextValue, span);
        return {
          didResolveOperation: async ({ operation, operationName }) => {
            if (operation) nameOperation(span, operation.operation, operationName ?? operation.name?.value);
          },
          didEncounterErrors: async ({ errors }) => markErrors(span, errors),
          willSendResponse: async () => {
            this.operationSpans.delete(contextValue);
            span.end();
          },
        };
      },
    };
  }

  /** Apollo Server's gateway seam with each operation executed inside its GraphQL span (so SQL nests under it). */
  gateway(gateway: GatewayInterface): GatewayInterface {
    return {
      ...gateway,
      load: async (options) => {
        const loaded = await gateway.load(options);
        const executor = loaded.executor;
        if (!executor) return loaded;
        return {
          ...loaded,
          executor: (requestContext) => {
            const span = this.operationSpans.get(requestContext.context);
            if (!span) return executor(requestContext);
            return context.with(trace.setSpan(context.active(), span), executor, undefined, requestContext);
          },
        };
      },
    };
  }

  /**
   * The executor of the streaming transports (graphql-ws, GraphQL over SSE), which Apollo Server
   * does not serve: each operation gets its GraphQL span here, around its execution (for a
   * subscription, around setting up its event stream). Over SSE it nests under the HTTP span; a
   * graphql-ws operation starts a trace of its own.
   */
  executor(executor: CompiledExecutor): CompiledExecutor {
    const run = async <T extends ExecutionResult | AsyncIterableIterator<ExecutionResult>>(
      args: Parameters<CompiledExecutor["execute"]>[0],
      body: () => Promise<T>,
    ): Promise<T> => {
      const span = this.tracer.startSpan("GraphQL Operation", { kind: SpanKind.INTERNAL });
      nameOperationOf(span, args.document, args.operationName);
      try {
        const result = await context.with(trace.setSpan(context.active(), span), body);
        if ("errors" in result && result.errors?.length) markErrors(span, result.errors);
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    };
    return {
      ...executor,
      execute: (args) => run(args, () => executor.execute(args)),
      subscribe: (args) => run(args, () => executor.subscribe(args)),
    };
  }

  /**
   * Every statement on the service's pool gets a client span under the active span (none without
   * one: the event feed's polling and start-up work make no root spans). Only this pool's objects
   * are touched: the pool's `connect`, so a callback waiting for a connection runs in its caller's
   * context (not the releasing request's), and each client's `query` once, when first checked out.
   * The statement text is recorded as sent: values always travel as parameters, never in it.
   */
  instrumentPool(db: DataSource): void {
    const pool = poolOf(db);
    if (!pool) return;
    const untouched = pool as unknown as { connect: (...args: unknown[]) => unknown };
    const connect = untouched.connect;
    untouched.connect = function (this: Pool, ...args: unknown[]) {
      if (typeof args[0] === "function") args[0] = context.bind(context.active(), args[0] as () => void);
      return connect.apply(this, args);
    };
    const traced = new WeakSet<PoolClient>();
    pool.on("acquire", (client) => {
      if (traced.has(client)) return;
      traced.add(client);
      this.traceClient(client);
    });
  }

  /** A span for each statement of `client` (a pool's client, or a connection of the read pipeline). */
  traceClient(client: PoolClient | Client): void {
    const tracer = this.tracer;
    const target = client as unknown as {
      query: (...args: unknown[]) => unknown;
      database?: string;
      host?: string;
      port?: number;
    };
    const query = target.query;
    const connection: Attributes = { [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL };
    if (target.database) connection[ATTR_DB_NAMESPACE] = target.database;
    if (target.host) connection[ATTR_SERVER_ADDRESS] = target.host;
    if (target.port) connection[ATTR_SERVER_PORT] = target.port;
    target.query = function (this: unknown, ...args: unknown[]) {
      const parent = context.active();
      const config = args[0] as string | { text?: unknown; submit?: unknown } | undefined;
      const text = typeof config === "string" ? config : config?.text;
      // Streams and cursors (submittables) are not used here: passed through untraced.
      if (!trace.getSpan(parent) || typeof text !== "string" || (typeof config !== "string" && config?.submit)) {
        return query.apply(this, args);
      }
      const operation = operationName(text);
      const span = tracer.startSpan(
        operation ?? DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...connection,
            [ATTR_DB_QUERY_TEXT]: text,
            ...(operation ? { [ATTR_DB_OPERATION_NAME]: operation } : {}),
          },
        },
        parent,
      );
      const end = (error?: unknown) => {
        if (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code === "string") span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
          span.setAttribute(ATTR_ERROR_TYPE, typeof code === "string" ? code : (error as Error).name || "Error");
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        }
        span.end();
      };
      const last = args.length - 1;
      if (typeof args[last] === "function") {
        // pg-pool's own query passes a callback.
        const callback = args[last] as (error: unknown, result: unknown) => void;
        args[last] = (error: unknown, result: unknown) => {
          end(error);
          callback(error, result);
        };
        return query.apply(this, args);
      }
      let result: unknown;
      try {
        result = query.apply(this, args);
      } catch (error) {
        end(error);
        throw error;
      }
      if (result && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(() => end(), end);
      } else end();
      return result;
    };
  }

  /** Exports the spans ended so far (tests; the shutdown does it too). */
  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes the spans not exported yet, stops the provider and unregisters everything `startTracing` registered. */
  shutdown(): Promise<void> {
    return (this.stopping ??= (async () => {
      // A collector that cannot be reached must neither fail the service's shutdown nor hold it for
      // the exporter's retries (up to OTEL_EXPORTER_OTLP_TIMEOUT): the spans left are given up.
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`not done within ${SHUTDOWN_FLUSH_MS} ms`)), SHUTDOWN_FLUSH_MS);
      });
      const flushed = this.provider.shutdown();
      flushed.catch(() => undefined); // its failure is reported below, or given up with it
      try {
        await Promise.race([flushed, giveUp]);
      } catch (error) {
        logger.warn("opentelemetry: the last spans could not be exported", { reason: (error as Error).message });
      } finally {
        clearTimeout(timer);
        logTraceIds(undefined);
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
        registered = false;
      }
    })());
  }
}

/**
 * A statement's operation (`db.operation.name`): its first keyword, or for a `WITH` the first
 * SELECT, INSERT, UPDATE, DELETE or MERGE in it; undefined when there is none.
 */
export function operationName(text: string): string | undefined {
  const first = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  if (!first || !/^with$/i.test(first)) return first;
  return /\b(SELECT|INSERT|UPDATE|DELETE|MERGE)\b/i.exec(text)?.[1]?.toUpperCase() ?? first;
}

/** The span name the semantic conventions give an operation: `query MyOp`, `mutation`, ... */
function nameOperation(span: Span, type: string, name: string | undefined | null): void {
  span.updateName(name ? `${type} ${name}` : type);
  span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
  if (name) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, name);
}

function nameOperationOf(span: Span, document: DocumentNode, operationName: string | null | undefined): void {
  const operation = getOperationAST(document, operationName);
  if (operation) nameOperation(span, operation.operation, operationName ?? operation.name?.value);
}

/** An error status naming the first error, and `error.type` its code. */
function markErrors(span: Span, errors: readonly GraphQLError[]): void {
  const first = errors[0];
  if (!first) return;
  const code = first.extensions?.code;
  span.setAttribute(ATTR_ERROR_TYPE, typeof code === "string" ? code : "INTERNAL_SERVER_ERROR");
  span.setStatus({ code: SpanStatusCode.ERROR, message: first.message });
}

// Null-safe forms for the server's wiring: with tracing off (undefined) each answers what it was given.

/** The request handler inside its HTTP span (see Tracing.httpHandler). */
export function tracedRequests(
  tracing: Tracing | undefined,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return tracing ? tracing.httpHandler(handler) : handler;
}

/** Apollo's gateway seam running each operation in its GraphQL span (see Tracing.gateway). */
export function tracedGateway(tracing: Tracing | undefined, gateway: GatewayInterface): GatewayInterface {
  return tracing ? tracing.gateway(gateway) : gateway;
}

/** The streaming transports' executor with a GraphQL span per operation (see Tracing.executor). */
export function tracedOperations(tracing: Tracing | undefined, executor: CompiledExecutor): CompiledExecutor {
  return tracing ? tracing.executor(executor) : executor;
}
