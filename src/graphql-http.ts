import type http from "node:http";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import cors from "cors";
import type { AppContext } from "./shared/context";
import { logger, type RequestScope, requestScope } from "./shared/logger";

/** The body size limit, the same as express.json's for everything else. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The answer to a request refused before GraphQL (body too large, not JSON, or a failure there),
 * the same on both paths: JSON in the contract's error shape, never a framework's HTML page.
 */
export function preGraphqlRefusal(status: number): { status: number; body: string } {
  const known = status >= 400 && status < 500 ? status : 500;
  const message =
    known === 413
      ? "Request body too large: the limit is 1 MB"
      : known < 500
        ? "Malformed request body: send a JSON object with query, variables and operationName"
        : "Internal server error";
  const code = known < 500 ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR";
  return { status: known, body: JSON.stringify({ errors: [{ message, extensions: { code } }] }) };
}

/**
 * Whether a request can take the direct path: a plain JSON POST to /graphql. Anything else (GET,
 * other media types, compressed bodies) goes through Express, which answers it as before.
 */
export function isPlainGraphqlPost(req: http.IncomingMessage): boolean {
  if (req.method !== "POST" || req.headers["content-encoding"]) return false;
  const url = req.url ?? "";
  if (url !== "/graphql" && !url.startsWith("/graphql?")) return false;
  const type = req.headers["content-type"]?.toLowerCase();
  if (!type) return false;
  const [media, ...params] = type.split(";").map((part) => part.trim());
  return media === "application/json" && params.every((p) => p === "" || p === "charset=utf-8");
}

/** Request headers a cross-origin client may send: the token, JSON, Apollo's CSRF and naming headers, a request id. */
const CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "x-request-id",
];

function isGraphqlPath(url: string | undefined): boolean {
  return /^\/graphql\/?(\?|$)/.test(url ?? "");
}

/**
 * CORS for /graphql from the listed origins only (the `cors` package, on the raw request, so it
 * covers the direct POST path and Express alike): a listed origin's preflight is answered (204) and
 * its responses carry `Access-Control-Allow-Origin: <that origin>`; any other origin gets no CORS
 * header at all, so the browser keeps it out, and Apollo's CSRF prevention still judges every
 * request. No `Access-Control-Allow-Credentials`: the token travels in the Authorization header, which
 * needs none, and without it a browser never attaches cookies. Undefined when no origin is listed.
 */
export function corsHandler(
  origins: readonly string[],
): ((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void) | undefined {
  if (origins.length === 0) return undefined;
  const listed = new Set(origins);
  const middleware = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && listed.has(origin) ? origin : false),
    methods: ["GET", "POST"],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ["x-request-id", "retry-after"],
    credentials: false,
    maxAge: 600,
  });
  return (req, res, next) => {
    if (!isGraphqlPath(req.url)) return next();
    // The answer depends on the Origin header for every caller, listed or not: shared caches must know.
    res.setHeader("vary", "Origin");
    middleware(req, res, () => next());
  };
}

function refuse(res: http.ServerResponse, status: number): void {
  const refusal = preGraphqlRefusal(status);
  res.writeHead(refusal.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(refusal.body),
  });
  res.end(refusal.body);
}

/**
 * POST /graphql straight into Apollo Server: the same request Apollo's Express integration builds,
 * without Express's router, body parser and response helpers around it (they cost about a quarter
 * of a small query's CPU in the benchmark's profile). Limits and refusals are the same as the
 * Express path's: 413 over 1 MB, 400 for a body that is not a JSON object or array.
 */
export function graphqlPostHandler(
  apollo: () => ApolloServer<AppContext>,
  createContext: (authorization: string | undefined, requestId: string) => Promise<AppContext>,
) {
  return (req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        res.setHeader("connection", "close");
        refuse(res, 413);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      let body: unknown;
      try {
        const text = Buffer.concat(chunks, size).toString("utf8");
        const first = text.trimStart()[0];
        if (first !== "{" && first !== "[") throw new SyntaxError("not a JSON object or array");
        body = JSON.parse(text);
      } catch {
        refuse(res, 400);
        return;
      }
      // The scope starts here, where the request's own work starts (stream callbacks run in the
      // socket's context, not in one entered before them).
      requestScope
        .run(scope, () => execute(apollo(), createContext, req, res, body, scope.requestId))
        .catch((error: unknown) => {
          // Outside the request's scope (and there is none unless tracked): named here.
          logger.error("request failed outside GraphQL", { requestId: scope.requestId, error });
          if (!res.headersSent) refuse(res, 500);
          else res.destroy();
        });
    });
    req.on("error", () => res.destroy());
  };
}

async function execute(
  apollo: ApolloServer<AppContext>,
  createContext: (authorization: string | undefined, requestId: string) => Promise<AppContext>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: unknown,
  requestId: string,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const url = req.url ?? "";
  const query = url.indexOf("?");
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers, search: query < 0 ? "" : url.slice(query), body },
    context: () => createContext(req.headers.authorization, requestId),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.setHeader("content-length", Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
