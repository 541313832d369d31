import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerOptions, type BaseContext } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";

/** A server of the example supergraph, started in-process. */
export interface RunningGraphQL {
  /** The GraphQL endpoint, `http://<host>:<port>/graphql`. */
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, closes the HTTP server; idempotent. */
  stop(): Promise<void>;
}

/** Where to listen. */
export interface ListenOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** @default "127.0.0.1" */
  host?: string;
}

/**
 * Serves an Apollo Server (a subgraph schema or a gateway) over Express 5 on POST /graphql, with
 * the drain plugin so that `stop()` lets in-flight requests finish. Apollo's own signal handlers
 * are off: whoever starts the server stops it (run.ts on SIGINT/SIGTERM, tests in afterAll).
 */
export async function serveGraphQL<TContext extends BaseContext>(
  options: ApolloServerOptions<TContext>,
  listen: ListenOptions,
  context: (authorization: string | undefined) => Promise<TContext>,
): Promise<RunningGraphQL> {
  const host = listen.host ?? "127.0.0.1";
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<TContext>({
    ...options,
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ...(options.plugins ?? []),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5000 }),
    ],
  } as ApolloServerOptions<TContext>);
  await apollo.start();
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, { context: async ({ req }) => context(req.headers.authorization) }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(listen.port, host, () => resolve());
    });
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    stop: () => (stopping ??= apollo.stop()),
  };
}
