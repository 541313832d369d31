import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { type ExecutionResult, type GraphQLError, type GraphQLSchema, specifiedRules, validate } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { DataSource } from "typeorm";
import type { TokenVerifier } from "./auth";
import type { EventHub } from "./events";
import type { Config } from "./config";
import { contextFactory } from "./context";
import { guardPlugin, observabilityPlugin } from "./plugins";
import type { AppContext } from "./shared/context";
import { formatError } from "./shared/format-error";
import { depthLimitRule, subscriptionsOverWebSocketRule } from "./shared/limits";
import { logger, requestScope } from "./shared/logger";

export interface ServerDeps {
  config: Config;
  db: DataSource;
  schema: GraphQLSchema;
  verify: TokenVerifier;
  /** Serves subscriptions from the event log. */
  eventHub: EventHub;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stop accepting, finish in-flight requests, close websockets (1001); resolves when done. */
  stop(): Promise<void>;
}

/** Answers within `ms` or rejects: a dead database must not hang /ready. */
async function pingDatabase(db: DataSource, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.query("SELECT 1"),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("database ping timed out")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Express 5 + Apollo Server 5 + graphql-ws on one HTTP server and one path, /graphql. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, db, schema } = deps;
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const createContext = contextFactory(deps);

  app.use((req, res, next) => {
    const header = req.headers["x-request-id"];
    const requestId = typeof header === "string" && /^[\w.-]{1,100}$/.test(header) ? header : crypto.randomUUID();
    res.setHeader("x-request-id", requestId);
    requestScope.run({ requestId, sqlStatements: 0 }, next);
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", async (_req, res) => {
    try {
      await pingDatabase(db, 2000);
      res.json({ status: "ready" });
    } catch {
      res.status(503).json({ status: "unavailable", reason: "database not reachable" });
    }
  });

  // Subscriptions (and any operation) over graphql-ws: the token travels in connection_init.
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const rules = [...specifiedRules, depthLimitRule(config.maxQueryDepth)];
  const wsCleanup = useServer<Record<string, unknown>, { ctx?: AppContext }>(
    {
      schema,
      validate: (s, document) => validate(s, document, rules),
      onConnect: async (wsCtx) => {
        const params = wsCtx.connectionParams ?? {};
        const key = Object.keys(params).find((k) => k.toLowerCase() === "authorization");
        const value = key ? params[key] : undefined;
        const ctx = await createContext(typeof value === "string" ? value : undefined);
        if (!ctx.viewer) return false; // graphql-ws closes with 4403 Forbidden
        wsCtx.extra.ctx = ctx;
        return true;
      },
      // One context per operation: its own loader caches (cleared again for every event).
      context: (wsCtx) => ({
        ...wsCtx.extra.ctx!,
        cache: new Map(),
        requestId: crypto.randomUUID(),
        transport: { close: (code: number, reason: string) => wsCtx.extra.socket.close(code, reason) },
      }),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
    config.wsKeepAliveMs,
  );

  const apollo = new ApolloServer<AppContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // One shutdown path: ours (stack-notes pitfall 5).
    stopOnTerminationSignals: false,
    introspection: config.nodeEnv !== "production",
    csrfPrevention: true,
    validationRules: [depthLimitRule(config.maxQueryDepth), subscriptionsOverWebSocketRule],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      ApolloServerPluginInlineTraceDisabled(),
      guardPlugin(config),
      observabilityPlugin(config),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              // graphql-ws closes every socket with 1001 (Going Away) and the ws server.
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(req.headers.authorization),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: "not found", graphql: "/graphql" });
  });

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
    stop: () => (stopping ??= apollo.stop()),
  };
}
