import crypto from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { TEST_SECRET, TestService } from "./utils/service";

/**
 * Hostile bearer tokens, each refused the same way on both transports: over HTTP with HTTP 401 and
 * one UNAUTHENTICATED error (no data), over graphql-ws with a refused connection (close 4401/4403).
 * test/auth.test.ts checks most of these tokens for the GraphQL error code over HTTP only; this
 * file adds the HTTP status, graphql-ws, forged admin roles and the logs for the whole set.
 */

const ME = "{ me { id } }";
const OTHER_SECRET = "another-secret-that-is-also-long-enough-for-hs256";
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A good HS256 token but for the given defects: sub = a fresh UUID, an hour left, TEST_SECRET. */
async function sign(
  claims: JWTPayload = {},
  options: { secret?: string; alg?: string; noSub?: boolean } = {},
): Promise<string> {
  const payload: JWTPayload = { roles: [], iat: nowSeconds(), exp: nowSeconds() + 3600, ...claims };
  if (!options.noSub && payload.sub === undefined) payload.sub = crypto.randomUUID();
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** The sub of a JWT-shaped string (undefined when it has none or is not a JWT). */
function subOf(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as JWTPayload).sub;
  } catch {
    return undefined;
  }
}

interface Hostile {
  label: string;
  /** The whole Authorization value. */
  authorization: string;
  /** Over HTTP: 401, but for a header Node refuses before the app (431). */
  httpStatus?: number;
}

/** Built in beforeAll (signing is async); the labels are fixed here so test.each can name them. */
async function hostileCases(): Promise<Hostile[]> {
  const admin = { roles: ["admin"] };
  const good = await sign(admin);
  const [header, payload, signature] = good.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as JWTPayload;
  // A validly signed token of a plain user (roles []), whose payload is then promoted to admin.
  const [, plainPayload, plainSignature] = (await sign()).split(".") as [string, string, string];
  const plainClaims = JSON.parse(Buffer.from(plainPayload, "base64url").toString()) as JWTPayload;
  const bearer = (label: string, token: string, httpStatus?: number): Hostile => ({
    label,
    authorization: `Bearer ${token}`,
    httpStatus,
  });
  return [
    bearer('alg "none", no signature', `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ ...claims })}.`),
    bearer(
      'alg "none" with the HS256 signature kept',
      `${b64url({ alg: "none", typ: "JWT" })}.${payload}.${signature}`,
    ),
    bearer("HS384 with the right secret", await sign(admin, { alg: "HS384" })),
    bearer("HS512 with the right secret", await sign(admin, { alg: "HS512" })),
    bearer(
      "RS256 header on an HS256 body and signature",
      `${b64url({ alg: "RS256", typ: "JWT" })}.${payload}.${signature}`,
    ),
    bearer(
      "payload tampered after signing: sub",
      `${header}.${b64url({ ...claims, sub: crypto.randomUUID() })}.${signature}`,
    ),
    bearer(
      "payload tampered after signing: roles [] -> [admin]",
      `${header}.${b64url({ ...plainClaims, roles: ["admin"] })}.${plainSignature}`,
    ),
    bearer("expired", await sign({ ...admin, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })),
    bearer("nbf in the future", await sign({ ...admin, nbf: nowSeconds() + 3600 })),
    bearer("another secret, roles [admin]", await sign(admin, { secret: OTHER_SECRET })),
    bearer("missing sub", await sign(admin, { noSub: true })),
    bearer("non-UUID sub", await sign({ ...admin, sub: "admin" })),
    bearer("signature stripped", `${header}.${payload}.`),
    bearer("garbage", "garbage"),
    bearer("three dots of garbage", "a.b.c"),
    { label: "Bearer with an empty token", authorization: "Bearer " },
    { label: '"Bearer" alone', authorization: "Bearer" },
    // Over Node's 16 KB header limit: Node answers 431 before Express or Apollo see the request.
    // Over graphql-ws the token travels in connection_init, so the service itself refuses it.
    bearer(
      "100 KB token (another secret)",
      await sign({ ...admin, padding: "x".repeat(100_000) }, { secret: OTHER_SECRET }),
      431,
    ),
  ];
}

const LABELS = [
  'alg "none", no signature',
  'alg "none" with the HS256 signature kept',
  "HS384 with the right secret",
  "HS512 with the right secret",
  "RS256 header on an HS256 body and signature",
  "payload tampered after signing: sub",
  "payload tampered after signing: roles [] -> [admin]",
  "expired",
  "nbf in the future",
  "another secret, roles [admin]",
  "missing sub",
  "non-UUID sub",
  "signature stripped",
  "garbage",
  "three dots of garbage",
  "Bearer with an empty token",
  '"Bearer" alone',
  "100 KB token (another secret)",
];

interface HttpAnswer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

async function overHttp(svc: TestService, authorization: string, query = ME): Promise<HttpAnswer> {
  const res = await fetch(svc.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  let body: HttpAnswer["body"];
  try {
    body = JSON.parse(text) as HttpAnswer["body"];
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

interface WsAnswer {
  kinds: string[];
  data: unknown[];
  closes: number[];
}

/** One graphql-ws connection with this Authorization in connection_init, running one operation. */
async function overWs(svc: TestService, authorization: string, query = ME): Promise<WsAnswer> {
  const closes: number[] = [];
  const client = createClient({
    url: svc.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: authorization },
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  const answer: WsAnswer = { kinds: [], data: [], closes };
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        answer.kinds.push("timeout");
        resolve();
      }, 10_000);
      client.subscribe(
        { query },
        {
          next: (value) => {
            answer.kinds.push("next");
            answer.data.push(value.data);
          },
          error: () => {
            answer.kinds.push("error");
            clearTimeout(timer);
            resolve();
          },
          complete: () => {
            answer.kinds.push("complete");
            clearTimeout(timer);
            resolve();
          },
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return answer;
}

function expectHttpRefused(answer: HttpAnswer, status = 401): void {
  expect(answer.status).toBe(status);
  if (status !== 401) return; // Node's own 431 has no GraphQL body
  expect(answer.body?.data ?? null).toBeNull();
  expect(answer.body?.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
  expect(answer.body?.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
}

function expectWsRefused(answer: WsAnswer): void {
  expect(answer.kinds).toEqual(["error"]);
  expect(answer.data).toEqual([]);
  expect(answer.closes).toHaveLength(1);
  expect([4401, 4403]).toContain(answer.closes[0]);
}

describe("hostile bearer tokens", () => {
  let svc: TestService;
  let cases: Map<string, Hostile>;

  beforeAll(async () => {
    svc = await TestService.start();
    cases = new Map((await hostileCases()).map((c) => [c.label, c]));
  });
  afterAll(() => svc.stop());

  it("lists one case per label (the table below is complete)", () => {
    expect([...cases.keys()]).toEqual(LABELS);
  });

  it("control: a hand-signed good token answers over HTTP (200) and over graphql-ws", async () => {
    const id = crypto.randomUUID();
    const authorization = `Bearer ${await sign({ sub: id })}`;
    const http = await overHttp(svc, authorization);
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({ data: { me: { id } } });
    const ws = await overWs(svc, authorization);
    expect(ws.kinds).toEqual(["next", "complete"]);
    expect(ws.data).toEqual([{ me: { id } }]);
    expect(ws.closes.filter((code) => code >= 4000)).toEqual([]);
  });

  it("control: no Authorization at all is 401 over HTTP and refused over graphql-ws", async () => {
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: ME }),
    });
    expect(res.status).toBe(401);
    const client = createClient({
      url: svc.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    const closed = await new Promise<number>((resolve) => {
      client.on("closed", (event) => resolve((event as { code: number }).code));
      client.subscribe({ query: ME }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    await client.dispose();
    expect([4401, 4403]).toContain(closed);
  });

  describe.each(LABELS)("%s", (label) => {
    it("is refused over HTTP: 401 UNAUTHENTICATED without data (the 100 KB header: Node's 431)", async () => {
      const hostile = cases.get(label)!;
      expectHttpRefused(await overHttp(svc, hostile.authorization), hostile.httpStatus);
    });

    it("is a refused graphql-ws connection (4401/4403)", async () => {
      expectWsRefused(await overWs(svc, cases.get(label)!.authorization));
    });
  });

  it("grants nothing: no user is provisioned for any hostile token's sub", async () => {
    const subs = [...cases.values()]
      .map((c) => subOf(c.authorization.replace(/^Bearer\s*/, "")))
      .filter((s): s is string => typeof s === "string" && /^[0-9a-f-]{36}$/i.test(s));
    expect(subs.length).toBeGreaterThanOrEqual(10);
    // Sent again here so the check does not depend on test order.
    for (const c of cases.values()) {
      await overHttp(svc, c.authorization);
      await overWs(svc, c.authorization);
    }
    const rows = (await svc.db.query("SELECT id FROM users WHERE id = ANY($1::uuid[])", [subs])) as unknown[];
    expect(rows).toEqual([]);
  });

  it("forged roles [admin] with a wrong secret grant nothing: no mutation runs, no admin reads", async () => {
    const sub = crypto.randomUUID();
    const forged = `Bearer ${await sign({ sub, roles: ["admin"] }, { secret: OTHER_SECRET })}`;
    const name = `forged-${crypto.randomUUID()}`;
    const mutation = `mutation { createGroup(input: { name: "${name}" }) { id } }`;

    expectHttpRefused(await overHttp(svc, forged, mutation));
    expectWsRefused(await overWs(svc, forged, mutation));
    expectHttpRefused(await overHttp(svc, forged, "{ groups { totalCount } }"));

    const groups = (await svc.db.query("SELECT id FROM groups WHERE name = $1", [name])) as unknown[];
    expect(groups).toEqual([]);
    const users = (await svc.db.query("SELECT id FROM users WHERE id = $1", [sub])) as unknown[];
    expect(users).toEqual([]);

    // Control: the same sub with the right secret is provisioned, and as a global admin.
    const real = `Bearer ${await sign({ sub, roles: ["admin"] })}`;
    const created = await overHttp(svc, real, mutation);
    expect(created.status).toBe(200);
    expect(created.body?.errors).toBeUndefined();
    expect(await svc.db.query("SELECT is_global_admin FROM users WHERE id = $1", [sub])).toEqual([
      { is_global_admin: true },
    ]);
  });
});

describe("tokens never reach the logs (debug level, HTTP and graphql-ws)", () => {
  it("neither a valid nor a hostile token, nor its payload or signature, appears in any log line", async () => {
    const hostile = await hostileCases();
    const good = `Bearer ${await sign({ roles: ["admin"] })}`;
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    // Captured from start-up on (debug logs SQL too), restored whatever happens.
    process.stdout.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof process.stdout.write;
    let svc: TestService | undefined;
    try {
      svc = await TestService.start({ logLevel: "debug" });
      await overHttp(svc, good);
      await overWs(svc, good);
      // Failing mutations with a valid token: invalid input, and a missing group.
      await overHttp(svc, good, `mutation { createGroup(input: { name: "" }) { id } }`);
      await overHttp(svc, good, `mutation { deleteGroup(id: "${crypto.randomUUID()}") }`);
      await overWs(svc, good, `mutation { createGroup(input: { name: "" }) { id } }`);
      for (const h of hostile) {
        await overHttp(svc, h.authorization);
        await overWs(svc, h.authorization);
      }
    } finally {
      process.stdout.write = write;
      await svc?.stop();
    }
    const log = chunks.join("");
    expect(log).toContain('"msg":"graphql"'); // the capture saw the debug log
    expect(log.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(5);

    const secrets = new Set<string>();
    for (const authorization of [good, ...hostile.map((h) => h.authorization)]) {
      const token = authorization.replace(/^Bearer\s*/, "");
      if (token.length >= 16) secrets.add(token);
      const [, payload, signature] = token.split(".");
      // The payload (sub, roles, times) and the signature are unique to each token; the header part
      // ("eyJhbGciOi...") is shared by every HS256 token and proves nothing.
      for (const part of [payload, signature]) if (part && part.length >= 16) secrets.add(part);
    }
    expect(secrets.size).toBeGreaterThanOrEqual(20);
    const leaks = [...secrets].filter((s) => log.includes(s)).map((s) => s.slice(0, 24));
    expect(leaks).toEqual([]);
  });
});
