import type http from "node:http";
import { type ExecutionArgs, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { createHandler, type OperationResult } from "graphql-sse";
import { MAX_BODY_BYTES, preGraphqlRefusal } from "./graphql-http";
import type { Pipeline } from "./pipeline";
import type { AppContext } from "./shared/context";
import { UnauthenticatedError } from "./shared/errors";
import { logger, type RequestScope, requestScope } from "./shared/logger";

/** Request media types a browser sends cross-site without a preflight (Apollo's CSRF prevention's list). */
const NON_PREFLIGHTED_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/**
 * Whether a request is for GraphQL over SSE: a GET or POST to /graphql that accepts
 * `text/event-stream`. Such requests are served here, before the direct POST path and Express.
 */
export function isSseRequest(req: http.IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "POST") return false;
  if (!/^\/graphql\/?(\?|$)/.test(req.url ?? "")) return false;
  const accept = req.headers.accept ?? "";
  return accept.split(",").some((part) => part.split(";")[0]!.trim().toLowerCase() === "text/event-stream");
}

/** Apollo's CSRF rule: a request a browser would have preflighted (a JSON-like content type, or Apollo's headers). */
function preflighted(req: http.IncomingMessage): boolean {
  const type = req.headers["content-type"]?.split(";")[0]!.trim().toLowerCase();
  if (type && !NON_PREFLIGHTED_CONTENT_TYPES.includes(type)) return true;
  return Boolean(req.headers["x-apollo-operation-name"] || req.headers["apollo-require-preflight"]);
}

function send(res: http.ServerResponse, status: number, errors: readonly GraphQLFormattedError[]): void {
  const body = JSON.stringify({ errors });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** The body of a POST, up to the 1 MB limit (undefined over it). */
function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks, size).toString("utf8")));
    req.once("error", reject);
  });
}

export interface SseDeps {
  schema: GraphQLSchema;
  /** Authentication, contexts, the checks of every operation and error formatting (src/pipeline.ts). */
  pipeline: Pick<Pipeline, "authenticate" | "prepare" | "operationContext" | "format">;
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/** What one SSE request carries from authentication to its operation. */
interface Connection {
  ctx: AppContext;
  /** Ends the event stream (the hub's slow-subscriber close, the token's expiry, the drain). */
  close: () => void;
}

/**
 * GraphQL over SSE (graphql-sse), "distinct connections" mode only: one operation per request,
 * a GET with `query`/`variables`/`operationName` in the URL or a POST with a JSON body, answered
 * as an event stream (`next` events, then `complete`). The caller authenticates with the
 * `Authorization: Bearer` header (401 without a valid token; a request without the header that a
 * browser would send cross-site without a preflight is refused as CSRF, as Apollo does); every
 * operation passes the same checks as over graphql-ws. `dispose` ends every open stream (the drain).
 */
export function sseHandler(deps: SseDeps) {
  const open = new Set<() => void>();
  const handler = createHandler<http.IncomingMessage, Connection, Record<PropertyKey, unknown>>({
    schema: deps.schema,
    // No reservation mode: without a stream token, graphql-sse serves each request on its own.
    authenticate: () => null,
    // onSubscribe validated the document already, with the service's rules.
    validate: () => [],
    execute: deps.execute,
    subscribe: deps.subscribe,
    onSubscribe: (req, params) => {
      const { ctx, close } = req.context;
      const prepared = deps.pipeline.prepare(params, ctx);
      // graphql-sse tells a result from arguments by its `data` key; undefined leaves it out of the JSON.
      if (!("document" in prepared)) return { data: undefined, errors: prepared };
      return {
        schema: deps.schema,
        document: prepared.document,
        operationName: params.operationName,
        variableValues: params.variables,
        // One context per operation, as over graphql-ws.
        contextValue: deps.pipeline.operationContext(ctx, { close }),
      };
    },
    onNext: (_ctx, _req, result) =>
      result.errors
        ? { ...result, errors: deps.pipeline.format(result.errors) as unknown as GraphQLError[] }
        : undefined,
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
    const authorization = req.headers.authorization;
    if (!authorization) {
      if (!preflighted(req)) {
        const message =
          "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send the token in the Authorization header";
        send(res, 400, [{ message, extensions: { code: "BAD_REQUEST" } }]);
      } else {
        const error = new UnauthenticatedError(
          "A valid bearer token is required: send it in the Authorization header as Bearer <JWT>",
        );
        send(res, 401, deps.pipeline.format([error]));
      }
      req.resume();
      return;
    }
    const body = req.method === "POST" ? await readBody(req) : null;
    if (body === undefined) {
      const refusal = preGraphqlRefusal(413);
      res.writeHead(refusal.status, { "content-type": "application/json; charset=utf-8", connection: "close" });
      res.end(refusal.body);
      return;
    }
    const ctx = await deps.pipeline.authenticate(authorization, requestId);
    if (!ctx.viewer) {
      const error = ctx.authError instanceof Error && "extensions" in ctx.authError ? ctx.authError : undefined;
      send(res, 401, deps.pipeline.format([(error as GraphQLError | undefined) ?? new UnauthenticatedError()]));
      return;
    }

    const current: { stream?: AsyncGenerator<string, void, undefined> } = {};
    let closed = false;
    const close = () => {
      closed = true;
      void current.stream?.return(undefined);
    };
    const [answer, init] = await handler({
      method: req.method!,
      url: req.url!,
      headers: {
        // Routed here for accepting text/event-stream; graphql-sse compares the header exactly.
        get: (key) => {
          if (key.toLowerCase() === "accept") return "text/event-stream";
          const value = req.headers[key.toLowerCase()];
          return Array.isArray(value) ? value.join(", ") : value;
        },
      },
      body,
      raw: req,
      context: { ctx, close },
    });
    res.writeHead(init.status, init.statusText, init.headers);
    if (!answer || typeof answer === "string") {
      res.end(answer ?? undefined);
      return;
    }
    const stream = answer;
    current.stream = stream;
    // A stream lives no longer than its token (as a graphql-ws connection): the client resubscribes.
    const expiry =
      ctx.tokenExpiresAt === undefined
        ? undefined
        : setTimeout(close, Math.max(0, Math.min(ctx.tokenExpiresAt - Date.now(), 2 ** 31 - 1)));
    expiry?.unref();
    open.add(close);
    res.once("close", close);
    try {
      if (closed) await stream.return(undefined);
      for await (const chunk of stream) {
        if (!res.writable) break;
        res.write(chunk);
      }
    } finally {
      clearTimeout(expiry);
      open.delete(close);
      res.off("close", close);
      res.end();
    }
  }

  return {
    handle(req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope): void {
      requestScope
        .run(scope, () => serve(req, res, scope.requestId))
        .catch((error: unknown) => {
          logger.error("GraphQL over SSE failed", { requestId: scope.requestId, error });
          if (!res.headersSent)
            send(res, 500, [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
          else res.destroy();
        });
    },
    /** Ends every open stream (each completes its operations first). */
    dispose(): void {
      for (const close of open) close();
    },
  };
}
