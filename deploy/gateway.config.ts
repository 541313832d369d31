/**
 * Hive Gateway (`@graphql-hive/gateway`) configuration for a supergraph that includes this
 * subgraph: the equivalent of router.yaml. Run from the folder holding this file and the composed
 * supergraph.graphql (`rover supergraph compose --config deploy/supergraph.yaml`):
 *
 *   npx hive-gateway supergraph          # or the image ghcr.io/graphql-hive/gateway, same command
 *
 * Clients reach the gateway over HTTP (subscriptions as GraphQL over SSE or graphql-ws). The gateway
 * reaches this subgraph's subscriptions either way below; both carry the client's token and both
 * get the same authorization, limits and `after` resume on the subgraph (README "Running behind a
 * router").
 */
import { defineConfig } from "@graphql-hive/gateway";

/**
 * `sse` (the gateway's default, no setting): each subscription is a GET (the document in the URL)
 * with `Accept: text/event-stream` carrying the propagated Authorization header. `ws`: graphql-ws, one
 * connection per distinct token, the token in `connection_init` as `{ token: "Bearer ..." }`.
 */
const subscriptions = process.env.GROUPS_SUBSCRIPTIONS === "ws" ? "ws" : "sse";

export const gatewayConfig = defineConfig({
  supergraph: "./supergraph.graphql",
  // Every operation but `_service` needs the caller's token, `_entities` fetches included.
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const authorization = request.headers.get("authorization");
      return authorization ? { authorization } : {};
    },
  },
  transportEntries:
    subscriptions === "ws"
      ? {
          // The subgraph's name in the supergraph (supergraph.yaml); "*.http" would mean all of them.
          groups: {
            options: {
              subscriptions: {
                kind: "ws",
                options: {
                  // Interpolated per client request from its headers.
                  connectionParams: { token: "{context.headers.authorization}" },
                },
              },
            },
          },
        }
      : undefined,
});
