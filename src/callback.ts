import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import { ApolloServerPluginSubscriptionCallback } from "@apollo/server/plugin/subscriptionCallback";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { AppContext } from "./shared/context";
import { formatError } from "./shared/format-error";
import { logger } from "./shared/logger";

/** The plugin's fetcher type (@apollo/utils.fetcher's, not a dependency of ours). */
type Fetcher = NonNullable<NonNullable<Parameters<typeof ApolloServerPluginSubscriptionCallback>[0]>["fetcher"]>;

/**
 * Whether a callback URL may receive this service's POSTs: http(s) to a listed host (`host` or
 * `host:port`, compared lower-case). The one rule for both the admission of a subscription
 * (src/pipeline.ts) and every request the callback plugin sends.
 */
export function callbackAllowed(url: string, allowedHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  return allowedHosts.includes(parsed.host) || allowedHosts.includes(parsed.hostname);
}

/** An error as it went into the callback body (graphql-js's JSON), as a client may see it. */
function masked(error: GraphQLFormattedError): GraphQLFormattedError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
  return formatError(rebuilt.toJSON(), rebuilt);
}

/**
 * The callback plugin's POSTs go through here: only to allowed hosts (a refused subscription never
 * reaches the plugin, see below; this is the second lock), and with every error in the body masked
 * as over the other transports (the plugin serializes graphql-js's errors as they are).
 */
function guardedFetch(allowedHosts: readonly string[]): Fetcher {
  return async (url, init) => {
    if (!callbackAllowed(url, allowedHosts)) throw new Error("callback host not allowed (SUBSCRIPTION_CALLBACK_HOSTS)");
    let body = init?.body === undefined ? undefined : String(init.body);
    if (body !== undefined) {
      const message = JSON.parse(body) as {
        payload?: { errors?: GraphQLFormattedError[] };
        errors?: GraphQLFormattedError[];
      };
      if (message.payload?.errors) message.payload.errors = message.payload.errors.map(masked);
      if (message.errors) message.errors = message.errors.map(masked);
      body = JSON.stringify(message);
    }
    return fetch(url, {
      method: init?.method,
      headers: init?.headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
  };
}

/**
 * Apollo Router's HTTP callback protocol (callback/1.0) with Apollo's own plugin: a subscription
 * POSTed with `extensions.subscription { callbackUrl, subscriptionId, verifier }` is answered at
 * once, then the plugin checks the callback and POSTs each event (`next`), a heartbeat and the end
 * (`complete`) to it. Only for subscriptions the pipeline admitted: an operation refused there
 * (no token, a callback host not on the allow-list, the rate limit, the cost) never starts one and
 * never makes the service POST anywhere; nor does a query that carries the extension.
 */
export function subscriptionCallbackPlugin(allowedHosts: readonly string[]): ApolloServerPlugin<AppContext> {
  const inner = ApolloServerPluginSubscriptionCallback({
    fetcher: guardedFetch(allowedHosts),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => logger.warn("subscription callback", { message }),
      error: (message) => logger.warn("subscription callback failed", { message }),
    },
  });
  return {
    serverWillStart: inner.serverWillStart,
    async requestDidStart(requestContext) {
      const listener = await inner.requestDidStart?.(requestContext);
      if (!listener) return undefined;
      const forSubscriptions: GraphQLRequestListener<AppContext> = {
        async responseForOperation(ctx) {
          if (ctx.operation.operation !== "subscription") return null;
          return listener.responseForOperation!(ctx);
        },
        async willSendResponse(ctx) {
          if (ctx.operation?.operation !== "subscription" || ctx.errors?.length) return;
          const { body } = ctx.response;
          if (body.kind === "single" && body.singleResult.errors?.length) return;
          await listener.willSendResponse!(ctx);
        },
      };
      return forSubscriptions;
    },
  };
}
