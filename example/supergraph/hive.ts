import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGatewayRuntime, type GatewayPlugin, type GatewayRuntime } from "@graphql-hive/gateway";
import type { ListenOptions, RunningGraphQL } from "./serve";

/**
 * Hive Gateway (`@graphql-hive/gateway`, The Guild's Federation gateway, which supports federated
 * subscriptions) in front of a composed supergraph, in this process: the programmatic runtime
 * (`createGatewayRuntime`, a WHATWG fetch handler) inside a Node HTTP server. It is configured the
 * way README's "Running behind a router" tells a platform team to:
 *
 * - every subgraph fetch over HTTP carries the client's `Authorization` (`propagateHeaders`);
 * - subscriptions reach the subgraphs either over GraphQL over SSE (the gateway's default: a POST
 *   with `Accept: text/event-stream`, the same propagated `Authorization`) or over graphql-ws, where
 *   the token travels in `connection_init` as `{ token: "Bearer ..." }` (what Apollo Router sends).
 *
 * Clients reach the gateway over HTTP: queries and mutations as JSON POSTs, subscriptions as
 * GraphQL over SSE (`Accept: text/event-stream`), both served by the runtime itself.
 */

/** How the gateway reaches the subgraphs' `Subscription` fields. */
export type SubgraphSubscriptions = "sse" | "ws";

/** Options of {@link startHiveGateway}. */
export interface HiveGatewayOptions extends ListenOptions {
  /** A composed supergraph (compose.ts); static, no polling. */
  supergraphSdl: string;
  /**
   * The subscription transport to every subgraph: `sse` is Hive Gateway's default (no setting),
   * `ws` is `subscriptions: { kind: "ws" }` with the client's token in `connectionParams`.
   * @default "sse"
   */
  subscriptions?: SubgraphSubscriptions;
  /** More gateway plugins (tests watch the subgraph requests with `onSubgraphExecute`). */
  plugins?: GatewayPlugin[];
}

/** The gateway's transport settings for `subscriptions`, exactly as a gateway.config.ts would hold them. */
export function transportEntriesFor(subscriptions: SubgraphSubscriptions) {
  if (subscriptions === "sse") return undefined;
  return {
    // Every subgraph served over HTTP ("*.http"): its subscriptions over graphql-ws on the same URL.
    "*.http": {
      options: {
        subscriptions: {
          kind: "ws",
          options: {
            // Interpolated per client request: one graphql-ws connection per distinct token.
            connectionParams: { token: "{context.headers.authorization}" },
          },
        },
      },
    },
  };
}

/** Forwards the client's Authorization header on every HTTP fetch to a subgraph (SSE subscriptions included). */
export function propagateAuthorization({ request }: { request: Request }): Record<string, string> {
  const authorization = request.headers.get("authorization");
  return authorization ? { authorization } : {};
}

/** Starts Hive Gateway on `port`; `stop()` closes its HTTP server and disposes the runtime (subgraph connections). */
export async function startHiveGateway(options: HiveGatewayOptions): Promise<HiveGateway> {
  const host = options.host ?? "127.0.0.1";
  const runtime = createGatewayRuntime({
    supergraph: options.supergraphSdl,
    transportEntries: transportEntriesFor(options.subscriptions ?? "sse"),
    propagateHeaders: { fromClientToSubgraphs: propagateAuthorization },
    plugins: () => options.plugins ?? [],
    // Subgraph errors (their messages and codes) reach the client as the subgraph wrote them.
    maskedErrors: false,
    graphiql: false,
    landingPage: false,
    logging: "error",
  });
  const server = http.createServer(runtime);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, host, () => resolve());
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    // Open event streams would hold the server open: end them with the runtime, then close.
    await runtime.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    runtime,
    stop: () => (stopping ??= stop()),
  };
}

/** A running Hive Gateway (see {@link startHiveGateway}). */
export type HiveGateway = RunningGraphQL & { runtime: GatewayRuntime };
