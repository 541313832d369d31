import { GraphiQL } from "graphiql";
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import type { ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import { GRAPHQL_PATH, tokenStore } from "./api";

/**
 * GraphiQL, bundled (no CDN), against this service's /graphql with the console's signed-in token:
 * queries and mutations over HTTP, subscriptions over graphql-ws.
 */
const token = tokenStore.get();
const ws = createClient({
  url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${GRAPHQL_PATH}`,
  connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
  lazy: true,
});

type Params = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };

function isSubscription(params: Params): boolean {
  const source = params.query.replace(/#[^\n]*/g, "");
  if (params.operationName) return new RegExp(`subscription\\s+${params.operationName}\\b`).test(source);
  return /^\s*subscription\b/.test(source);
}

async function* subscribe(params: Params): AsyncGenerator<ExecutionResult> {
  const iterator = ws.iterate({
    query: params.query,
    operationName: params.operationName ?? undefined,
    variables: params.variables ?? undefined,
  });
  // The wire format (FormattedExecutionResult) is what GraphiQL shows.
  for await (const result of iterator) yield result as ExecutionResult;
}

/** Headers typed into GraphiQL's Headers tab go along, and may override the token. */
const fetcher = (params: Params, options?: { headers?: Record<string, unknown> }) => {
  if (isSubscription(params)) return subscribe(params);
  const extra = Object.fromEntries(
    Object.entries(options?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return fetch(GRAPHQL_PATH, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: JSON.stringify(params),
  }).then((res) => res.json());
};

const DEFAULT_QUERY = `# The groups service's API, as the signed-in user of the admin console.
query Me {
  me { id name email isGlobalAdmin }
}
`;

function Explorer() {
  return (
    <>
      {!token && (
        <p className="explorer-notice" role="alert" style={{ margin: 0, padding: "0.5em", background: "#fde2e1" }}>
          Not signed in: <a href={import.meta.env.BASE_URL}>sign in to the console</a> first; requests go without a
          token.
        </p>
      )}
      <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY}>
        <GraphiQL.Logo>
          <a href={import.meta.env.BASE_URL}>Groups admin</a> · explorer
        </GraphiQL.Logo>
      </GraphiQL>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
