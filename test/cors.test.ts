import http from "node:http";
import { loadConfig } from "../src/config";
import { TestService, type TestUser } from "./utils/service";

/**
 * CORS_ORIGINS: a browser app on a listed origin gets its preflight answered and the CORS headers
 * on its answers, on both HTTP paths (the direct JSON POST path and Express); any other origin
 * gets no CORS header; Apollo's CSRF prevention still judges every request.
 */
const LISTED = "https://app.example.org";
const ALSO_LISTED = "http://localhost:5173";
const UNLISTED = "https://evil.example.com";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (fetch would not let the test set Origin freely). */
function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const corsHeaders = (answer: Answer) => Object.keys(answer.headers).filter((h) => h.startsWith("access-control-"));

describe("CORS for listed origins only", () => {
  let svc: TestService;
  let user: TestUser;
  const query = JSON.stringify({ query: "{ me { id } }" });

  beforeAll(async () => {
    svc = await TestService.start({ corsOrigins: [LISTED, ALSO_LISTED] });
    user = await svc.user();
  });
  afterAll(() => svc?.stop());

  const preflight = (origin: string) =>
    request(svc.url, "OPTIONS", {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type",
    });

  it("answers a listed origin's preflight with the CORS headers", async () => {
    for (const origin of [LISTED, ALSO_LISTED]) {
      const answer = await preflight(origin);
      expect(answer.status).toBe(204);
      expect(answer.headers["access-control-allow-origin"]).toBe(origin);
      expect(answer.headers["access-control-allow-methods"]).toMatch(/\bPOST\b/);
      const allowed = answer.headers["access-control-allow-headers"]!.toLowerCase().split(",");
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));
      expect(answer.headers.vary).toMatch(/\bOrigin\b/);
      // Bearer tokens need no credentials mode; cookies are never invited.
      expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
    }
  });

  it("gives an unlisted origin's preflight no CORS header", async () => {
    const answer = await preflight(UNLISTED);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    expect(corsHeaders(answer)).toEqual([]);
    expect(answer.headers.vary).toMatch(/\bOrigin\b/);
  });

  it("sets the header on a listed origin's POST (direct path) and GET (Express path)", async () => {
    const post = await request(
      svc.url,
      "POST",
      { origin: LISTED, "content-type": "application/json", authorization: `Bearer ${user.token}` },
      query,
    );
    expect(post.status).toBe(200);
    expect(JSON.parse(post.body)).toEqual({ data: { me: { id: user.id } }, extensions: expect.anything() });
    expect(post.headers["access-control-allow-origin"]).toBe(LISTED);
    expect(post.headers["access-control-expose-headers"]).toMatch(/x-request-id/);
    expect(post.headers.vary).toMatch(/\bOrigin\b/);

    const get = await request(`${svc.url}?query=${encodeURIComponent("{ me { id } }")}`, "GET", {
      origin: ALSO_LISTED,
      authorization: `Bearer ${user.token}`,
      "apollo-require-preflight": "true",
    });
    expect(get.status).toBe(200);
    expect(get.headers["access-control-allow-origin"]).toBe(ALSO_LISTED);
  });

  it("answers an unlisted origin's POST without CORS headers (the browser keeps it from the page)", async () => {
    const post = await request(
      svc.url,
      "POST",
      { origin: UNLISTED, "content-type": "application/json", authorization: `Bearer ${user.token}` },
      query,
    );
    expect(corsHeaders(post)).toEqual([]);
  });

  it("keeps CSRF prevention on, for listed origins too", async () => {
    // A simple (non-preflighted) form POST: refused by Apollo before any operation runs.
    const form = await request(
      svc.url,
      "POST",
      { origin: LISTED, "content-type": "text/plain", authorization: `Bearer ${user.token}` },
      query,
    );
    expect(form.status).toBe(400);
    expect(form.body).toMatch(/CSRF/);
  });

  it("reads CORS_ORIGINS as a list of exact origins, none by default", () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ` ${LISTED}, ${ALSO_LISTED} ,` }).corsOrigins).toEqual([LISTED, ALSO_LISTED]);
    for (const bad of ["*", "https://app.example.org/", "app.example.org", "https://app.example.org/path"]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS must list exact origins/);
    }
  });
});
