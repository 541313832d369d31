import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, print } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { compiledExecutor, compiledGateway } from "./executor";
import { inlineTracePlugin } from "./ftv1";
import { WebSocketServer } from "ws";
import type { DataSource } from "typeorm";
import { adminRouter, serviceIndex } from "./admin";
import { subscriptionCallbackPlugin } from "./callback";
import type { TokenVerifier } from "./auth";
import type { EventHub } from "./events";
import type { Config } from "./config";
import { pingDatabase } from "./db";
import { corsHandler, graphqlPostHandler, isPlainGraphqlPost, preGraphqlRefusal } from "./graphql-http";
import type { Metrics } from "./metrics";
import { type Tracing, tracedGateway, tracedOperations, tracedRequests } from "./tracing";
import { createPipeline } from "./pipeline";
import { observabilityPlugin } from "./plugins";
import type { AppContext } from "./shared/context";
import { formatError } from "./shared/format-error";
import { MAX_DOCUMENT_TOKENS, SubscriptionSlots } from "./shared/limits";
import { logger, requestScope } from "./shared/logger";
import { RateLimiter } from "./shared/rate-limit";
import { isSseRequest, sseHandler } from "./sse";
import { onUsersRefused } from "./users";
import { connectionToken } from "./ws-auth";

export interface ServerDeps {
  config: Config;
  db: DataSource;
  schema: GraphQLSchema;
  verify: TokenVerifier;
  /** Serves subscriptions from the event log. */
  eventHub: EventHub;
  /** The admin console's one-click local sign-in (local mode only). */
  devToken?: () => Promise<string>;
  /** Prometheus metrics, when on (METRICS_ENABLED / METRICS_PORT); absent = no hooks at all. */
  metrics?: Metrics;
  /** OpenTelemetry tracing, when on (OTEL_EXPORTER_OTLP_ENDPOINT); absent = no hooks at all. */
  tracing?: Tracing;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /**
   * /ready answers 503 at once; after `shutdownDelayMs` (still serving meanwhile), stop accepting,
   * finish in-flight requests, close websockets (1001); resolves when done.
   */
  stop(): Promise<void>;
}

/** The caller's x-request-id when it is a sane token, else a new one; echoed on the response. */
function requestIdOf(req: http.IncomingMessage, res: http.ServerResponse): string {
  const header = req.headers["x-request-id"];
  const requestId = typeof header === "string" && /^[\w.-]{1,100}$/.test(header) ? header : crypto.randomUUID();
  res.setHeader("x-request-id", requestId);
  return requestId;
}

/** Express 5 + Apollo Server 5 + graphql-ws on one HTTP server and one path, /graphql. */
/** Why an erased user's connection or subscription ended (close code 4401). */
const ERASED_CLOSE_REASON = "Unauthorized: this user has been erased";

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, db, schema } = deps;
  const app = express();
  app.disable("x-powered-by");
  // GraphQL answers are not cached by validators; hashing every body for an ETag showed in profiles.
  app.set("etag", false);
  const limiter = new RateLimiter(config.rateLimitPerMinute);
  deps.metrics?.countRefusals(limiter);
  // Authentication, contexts, validation, admission and error formatting: one home for every
  // transport (HTTP, graphql-ws, GraphQL over SSE, router callbacks).
  const pipeline = createPipeline({ ...deps, limiter });
  const createContext = pipeline.authenticate;
  // Apollo Server needs the HTTP server (to drain it); the HTTP server needs Apollo Server once started.
  const started: { apollo?: ApolloServer<AppContext> } = {};
  const graphqlPost = graphqlPostHandler(() => started.apollo!, createContext);
  // Plain JSON POSTs to /graphql go straight to Apollo Server; everything else through Express.
  const dispatch = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (isSseRequest(req)) sse.handle(req, res, { requestId: requestIdOf(req, res), sqlStatements: 0 });
    else if (started.apollo && isPlainGraphqlPost(req))
      graphqlPost(req, res, { requestId: requestIdOf(req, res), sqlStatements: 0 });
    else app(req, res);
  };
  // CORS in front of both paths, so preflights and cross-origin answers are treated alike.
  const cors = corsHandler(config.corsOrigins);
  const httpServer = http.createServer(
    tracedRequests(deps.tracing, cors ? (req, res) => cors(req, res, () => dispatch(req, res)) : dispatch),
  );
  // From the first stop signal on, /ready says so, while requests are still served.
  let shuttingDown = false;

  app.use((req, res, next) => {
    requestScope.run({ requestId: requestIdOf(req, res), sqlStatements: 0 }, next);
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", async (_req, res) => {
    if (shuttingDown) {
      res.status(503).json({ status: "unavailable", reason: "shutting down" });
      return;
    }
    try {
      await pingDatabase(db, 2000);
      res.json({ status: "ready" });
    } catch {
      res.status(503).json({ status: "unavailable", reason: "database not reachable" });
    }
  });

  // Subscriptions (and any operation) over graphql-ws: the token travels in connection_init; the
  // same rules as over HTTP apply to each operation (rate limit, depth, cost, introspection).
  // maxPayload: ws refuses a larger message from its frame header, before buffering any of it, and
  // closes with 1009; without it ws takes up to 100 MiB a frame, token or not.
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: config.wsMaxPayloadBytes });
  const format = pipeline.format;
  // One compiled executor for both paths: HTTP (through Apollo) and graphql-ws.
  const executor = compiledExecutor(schema);
  const wsExecutor = tracedOperations(deps.tracing, deps.metrics?.timed(executor) ?? executor);
  // graphql-ws hands execute/subscribe a document parsed per operation: its query text is the cache key.
  const documentKeys = new WeakMap<DocumentNode, string>();
  const compiledArgs = (args: ExecutionArgs) => ({
    document: args.document,
    operationName: args.operationName,
    variables: args.variableValues as Record<string, unknown> | null | undefined,
    contextValue: args.contextValue,
    key: documentKeys.get(args.document) ?? print(args.document),
  });
  // Parse, validate, rate limit and cost: the pipeline's, for graphql-ws and GraphQL over SSE.
  const prepareOperation: typeof pipeline.prepare = (request, ctx, admit) => {
    const prepared = pipeline.prepare(request, ctx, admit);
    if ("document" in prepared) documentKeys.set(prepared.document, request.query);
    return prepared;
  };
  // GraphQL over SSE on the same path, routed by dispatch (src/sse.ts).
  const sse = sseHandler({
    schema,
    pipeline: { ...pipeline, prepare: prepareOperation },
    execute: (args) => wsExecutor.execute(compiledArgs(args)),
    subscribe: (args) => wsExecutor.subscribe(compiledArgs(args)),
  });
  // An erased user's token is refused from now on, and what they have open ends at once: their
  // subscriptions on every transport (the hub) and their graphql-ws connections, even idle ones.
  const connectionsOf = new Map<string, Set<() => void>>();
  const unwatchRefused = onUsersRefused(db, (ids) => {
    deps.eventHub.closeViewers(ids, ERASED_CLOSE_REASON);
    for (const id of ids) for (const close of [...(connectionsOf.get(id) ?? [])]) close();
  });
  const wsCleanup = useServer<
    Record<string, unknown>,
    { ctx?: AppContext; expiry?: NodeJS.Timeout; slots?: SubscriptionSlots; closeErased?: () => void }
  >(
    {
      schema,
      onConnect: async (wsCtx) => {
        const ctx = await createContext(connectionToken(wsCtx.connectionParams, wsCtx.extra.request));
        if (!ctx.viewer) return false; // graphql-ws closes with 4403 Forbidden
        wsCtx.extra.ctx = ctx;
        wsCtx.extra.slots = new SubscriptionSlots(config.maxSubscriptionsPerConnection);
        const viewerId = ctx.viewer.id;
        const closeErased = () => wsCtx.extra.socket.close(4401, ERASED_CLOSE_REASON);
        wsCtx.extra.closeErased = closeErased;
        if (!connectionsOf.has(viewerId)) connectionsOf.set(viewerId, new Set());
        connectionsOf.get(viewerId)!.add(closeErased);
        if (ctx.tokenExpiresAt !== undefined) {
          // A connection lives no longer than its token: the client reconnects with a fresh one.
          const left = Math.min(ctx.tokenExpiresAt - Date.now(), 2 ** 31 - 1);
          wsCtx.extra.expiry = setTimeout(
            () => wsCtx.extra.socket.close(4401, "Unauthorized: the token has expired"),
            left,
          );
          wsCtx.extra.expiry.unref();
        }
        return true;
      },
      onClose: (wsCtx) => {
        clearTimeout(wsCtx.extra.expiry);
        const viewerId = wsCtx.extra.ctx?.viewer?.id;
        const mine = viewerId === undefined ? undefined : connectionsOf.get(viewerId);
        if (mine && wsCtx.extra.closeErased) {
          mine.delete(wsCtx.extra.closeErased);
          if (mine.size === 0) connectionsOf.delete(viewerId!);
        }
      },
      onSubscribe: (wsCtx, id, payload) => {
        // Subscription slots before the rate limiter: a refused subscription costs none of the allowance.
        const prepared = prepareOperation(payload, wsCtx.extra.ctx!, (operation) =>
          wsCtx.extra.slots!.admit(id, operation.operation === "subscription", wsCtx.subscriptions),
        );
        if (!("document" in prepared)) return [...prepared];
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
        };
      },
      // One context per operation: its own loader caches (cleared again for every event).
      context: (wsCtx) =>
        pipeline.operationContext(wsCtx.extra.ctx!, {
          close: (code: number, reason: string) => wsCtx.extra.socket.close(code, reason),
        }),
      execute: (args) => wsExecutor.execute(compiledArgs(args)),
      subscribe: (args) => wsExecutor.subscribe(compiledArgs(args)),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
    config.wsKeepAliveMs,
  );
  // A frame over maxPayload, or any other protocol violation, makes ws close the socket itself
  // (1009, 1002, 1007) and emit "error"; graphql-ws would print a stack trace to stderr for each one,
  // as many as a client cares to cause. One JSON line instead. (Registered after useServer, so
  // graphql-ws's listener is already there to be replaced.)
  wsServer.on("connection", (socket) => {
    socket.removeAllListeners("error");
    socket.on("error", (error: Error & { code?: string }) => {
      logger.warn("websocket closed: the client broke the protocol", { code: error.code, reason: error.message });
    });
  });

  const apollo = new ApolloServer<AppContext>({
    // graphql-jit compiles each document once (src/executor.ts); Apollo still parses, validates
    // and runs the plugins. The gateway seam replaces `schema`.
    gateway: tracedGateway(deps.tracing, compiledGateway(schema, executor)),
    formatError,
    includeStacktraceInErrorResponses: false,
    // One shutdown path: ours (stack-notes pitfall 5).
    stopOnTerminationSignals: false,
    introspection: config.allowIntrospection,
    csrfPrevention: true,
    validationRules: pipeline.validationRules,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      // Federated traces for requests asking for them (apollo-federation-include-trace: ftv1).
      inlineTracePlugin(),
      // Its per-field hook wrapped every resolver; this subgraph sets no cache hints.
      ApolloServerPluginCacheControlDisabled(),
      pipeline.plugin(),
      // Apollo Router's callback protocol, for the hosts allowed to receive callbacks.
      ...(config.subscriptionCallbackHosts.length
        ? [subscriptionCallbackPlugin(config.subscriptionCallbackHosts)]
        : []),
      observabilityPlugin(config),
      ...(deps.metrics ? [deps.metrics.plugin()] : []),
      ...(deps.tracing ? [deps.tracing.apolloPlugin()] : []),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              // graphql-ws closes every socket with 1001 (Going Away) and the ws server.
              // GraphQL over SSE: every open stream ends.
              sse.dispose();
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  started.apollo = apollo;

  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => createContext(req.headers.authorization, String(res.getHeader("x-request-id"))),
    }),
  );
  if (deps.metrics && config.metricsPort === undefined) app.get("/metrics", deps.metrics.serve);
  app.use("/admin", adminRouter({ devToken: deps.devToken }));
  app.get("/", serviceIndex());
  app.use((_req, res) => {
    res.status(404).json({ error: "not found", graphql: "/graphql" });
  });
  // Errors before GraphQL (the body parser): JSON like every other answer, never Express's HTML.
  app.use(
    (
      error: { status?: number; type?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const refusal = preGraphqlRefusal(error.status ?? 500);
      if (refusal.status === 500) logger.error("request failed before GraphQL", { error });
      res.status(refusal.status).type("application/json").send(refusal.body);
    },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info("listening", { url });

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    httpServer,
    stop: () =>
      (stopping ??= (async () => {
        shuttingDown = true;
        if (config.shutdownDelayMs > 0) {
          logger.info("not ready; draining after the shutdown delay", { delayMs: config.shutdownDelayMs });
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        }
        await apollo.stop();
        unwatchRefused();
      })()),
  };
}
