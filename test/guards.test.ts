import crypto from "node:crypto";
import { mintToken } from "../src/auth";
import { loadConfig } from "../src/config";
import { RateLimiter } from "../src/shared/rate-limit";
import { codes, TEST_SECRET, TestService } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

describe("RateLimiter (token bucket)", () => {
  it("lets a caller burst a minute's allowance, then refuses with the seconds until the next token", () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    const burst = Array.from({ length: 60 }, () => limiter.take("a"));
    expect(burst.every((wait) => wait === 0)).toBe(true);
    expect(limiter.take("a")).toBe(1); // 60 a minute: one token a second
    now += 1000;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
    expect(limiter.take("b")).toBe(0); // per caller
  });

  it("answers longer waits at lower rates and refills to the cap, never beyond", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.take("a"), limiter.take("a")]).toEqual([0, 0]);
    expect(limiter.take("a")).toBe(30);
    now += 10 * 60_000; // ten idle minutes refill two tokens, not twenty
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 30]);
  });

  it("is off at 0 and forgets idle callers", () => {
    expect(new RateLimiter(0).take("a")).toBe(0);
    let now = 0;
    const limiter = new RateLimiter(600, () => now);
    for (let i = 0; i < 9_999; i++) limiter.take(`caller-${i}`);
    expect(limiter.size).toBe(9_999);
    now += 60_000;
    limiter.take("trigger"); // the 10,000th take sweeps buckets that have refilled
    expect(limiter.size).toBe(1);
  });
});

describe("settings", () => {
  it("production hides introspection unless ALLOW_INTROSPECTION=true; the limiter defaults to 1200/min", () => {
    expect(loadConfig({ NODE_ENV: "production" }).allowIntrospection).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", ALLOW_INTROSPECTION: "true" }).allowIntrospection).toBe(true);
    expect(loadConfig({}).allowIntrospection).toBe(true);
    expect(loadConfig({}).rateLimitPerMinute).toBe(1200);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: "0" }).rateLimitPerMinute).toBe(0);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: "-1" })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });

  it("caps WebSocket messages at 1 MiB and subscriptions at 100 a connection unless told otherwise", () => {
    expect(loadConfig({}).wsMaxPayloadBytes).toBe(1024 * 1024);
    expect(loadConfig({ WS_MAX_PAYLOAD_BYTES: "65536" }).wsMaxPayloadBytes).toBe(65536);
    // ws takes 0 as "no limit"; a bare "1" is more likely a mistake for 1 MB than a wish.
    expect(() => loadConfig({ WS_MAX_PAYLOAD_BYTES: "0" })).toThrow(/WS_MAX_PAYLOAD_BYTES must be an integer >= 1024/);
    expect(() => loadConfig({ WS_MAX_PAYLOAD_BYTES: "1" })).toThrow(/WS_MAX_PAYLOAD_BYTES/);
    expect(loadConfig({}).maxSubscriptionsPerConnection).toBe(100);
    expect(loadConfig({ MAX_SUBSCRIPTIONS_PER_CONNECTION: "5" }).maxSubscriptionsPerConnection).toBe(5);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_CONNECTION: "0" })).toThrow(/MAX_SUBSCRIPTIONS_PER_CONNECTION/);
  });

  it("opens 2 read-pipeline connections unless told otherwise; 0 sends those reads through the pool", () => {
    expect(loadConfig({}).dbPipelineConnections).toBe(2);
    expect(loadConfig({ DB_PIPELINE_CONNECTIONS: "0" }).dbPipelineConnections).toBe(0);
    expect(loadConfig({ DB_PIPELINE_CONNECTIONS: "4" }).dbPipelineConnections).toBe(4);
    expect(() => loadConfig({ DB_PIPELINE_CONNECTIONS: "-1" })).toThrow(/DB_PIPELINE_CONNECTIONS/);
  });

  it("keeps /metrics off unless METRICS_ENABLED or METRICS_PORT asks for it", () => {
    expect(loadConfig({})).toMatchObject({ metricsEnabled: false, metricsPort: undefined, metricsHost: "127.0.0.1" });
    expect(loadConfig({ METRICS_ENABLED: "true" })).toMatchObject({ metricsEnabled: true, metricsPort: undefined });
    // A port of its own turns metrics on by itself, on loopback unless told otherwise.
    expect(loadConfig({ METRICS_PORT: "9464" })).toMatchObject({ metricsEnabled: true, metricsPort: 9464 });
    expect(loadConfig({ METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" }).metricsHost).toBe("0.0.0.0");
    expect(() => loadConfig({ METRICS_PORT: "70000" })).toThrow(/METRICS_PORT must be a port number/);
    expect(() => loadConfig({ METRICS_ENABLED: "maybe" })).toThrow(/METRICS_ENABLED/);
  });
});

describe("rate limiting through the API (5 a minute)", () => {
  let svc: TestService;
  const callers: WsCaller[] = [];
  beforeAll(async () => {
    svc = await TestService.start({ rateLimitPerMinute: 5, allowIntrospection: false });
  });
  afterEach(async () => {
    await Promise.all(callers.splice(0).map((c) => c.close()));
  });
  afterAll(() => svc.stop());

  it("answers the 6th request of a caller with RATE_LIMITED, HTTP 429 and Retry-After; others go on", async () => {
    const ada = await svc.user();
    const bob = await svc.user();
    for (let i = 0; i < 5; i++) expect(codes(await svc.gql(`{ me { id } }`, {}, ada))).toEqual([]);
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ada.token}` },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    expect(body.errors[0]!.message).toMatch(/retry in \d+s/);
    expect(codes(await svc.gql(`{ me { id } }`, {}, bob))).toEqual([]);
  });

  it("exempts _service and the health endpoints", async () => {
    for (let i = 0; i < 8; i++) {
      expect(codes(await svc.gql(`{ _service { sdl } }`))).toEqual([]);
      expect((await fetch(svc.url.replace("/graphql", "/health"))).status).toBe(200);
    }
  });

  it("counts operations over graphql-ws too", async () => {
    const cyd = await svc.user();
    const caller = new WsCaller(svc.url, cyd.token);
    callers.push(caller);
    for (let i = 0; i < 5; i++) {
      const [item] = await caller.subscribe(`query { me { id } }`).take(1);
      expect(item).toMatchObject({ kind: "next", value: { data: { me: { id: cyd.id } } } });
    }
    const [refused] = await caller.subscribe(`query { me { id } }`).take(1);
    expect(refused).toMatchObject({ kind: "error", error: [{ extensions: { code: "RATE_LIMITED" } }] });
  });

  it("hides introspection when told to (HTTP and graphql-ws), while _service answers", async () => {
    const dan = await svc.user();
    const res = await svc.gql(`{ __schema { queryType { name } } }`, {}, dan);
    expect(codes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(
      (await svc.gql<{ _service: { sdl: string } }, unknown>(`{ _service { sdl } }`)).data?._service.sdl,
    ).toContain("type Group");
    const caller = new WsCaller(svc.url, dan.token);
    callers.push(caller);
    const [item] = await caller.subscribe(`query { __type(name: "Group") { name } }`).take(1);
    expect(item).toMatchObject({
      kind: "error",
      error: [{ message: expect.stringContaining("introspection"), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }],
    });
  });
});

describe("graphql-ws: the HTTP rules apply to each operation", () => {
  let svc: TestService;
  let caller: WsCaller;
  beforeAll(async () => {
    svc = await TestService.start();
    caller = new WsCaller(svc.url, (await svc.user()).token);
  });
  afterAll(async () => {
    await caller.close();
    await svc.stop();
  });

  it.each([
    ["a parse error", `{ me { id `, "GRAPHQL_PARSE_FAILED"],
    ["an unknown field", `{ me { nope } }`, "GRAPHQL_VALIDATION_FAILED"],
    [
      "the depth limit (14 levels)",
      `{ me { groups { ${"parents { ".repeat(12)}id${" }".repeat(12)} } } }`,
      "GRAPHQL_VALIDATION_FAILED",
    ],
    [
      "the cost budget",
      `{ groups(first: 500) { nodes { children { children { id } } } } }`,
      "GRAPHQL_VALIDATION_FAILED",
    ],
  ])("refuses %s", async (_what, query, code) => {
    const [item] = await caller.subscribe(query).take(1);
    expect(item).toMatchObject({ kind: "error", error: [{ extensions: { code } }] });
    expect((item as { error: unknown[] }).error).toHaveLength(1);
  });
});

describe("graphql-ws and token expiry", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  it("closes a connection with 4401 when its token expires", async () => {
    const id = crypto.randomUUID();
    const token = await mintToken(TEST_SECRET, { sub: id, name: "Short-lived", expiresIn: "2s" });
    const caller = new WsCaller(svc.url, token);
    try {
      const stream = caller.subscribe(`subscription { membershipChanges { id } }`);
      const started = Date.now();
      const [item] = await stream.take(1, 8000);
      expect(item!.kind).toBe("error");
      expect(caller.closes).toEqual([{ code: 4401, reason: "Unauthorized: the token has expired" }]);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await caller.close();
    }
  });
});

describe("request limits over HTTP", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  const post = (body: string, token?: string) =>
    fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });

  it("answers a body over 1 MB with 413 and a JSON error", async () => {
    const { token } = await svc.user();
    const res = await post(
      JSON.stringify({ query: `{ me { id } }`, variables: { pad: "x".repeat(1_100_000) } }),
      token,
    );
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/json/);
    expect(await res.json()).toEqual({
      errors: [{ message: expect.stringMatching(/too large/), extensions: { code: "BAD_USER_INPUT" } }],
    });
  });

  it("answers malformed JSON with 400 and a JSON error", async () => {
    const res = await post(`{"query": "{ me { id } }"`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: expect.stringMatching(/Malformed/), extensions: { code: "BAD_USER_INPUT" } }],
    });
  });

  it("refuses more than 100 aliases, and a document of over 10,000 tokens before validating it", async () => {
    const user = await svc.user();
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
    expect(codes(await svc.gql(aliases(100), {}, user))).toEqual([]);
    const many = await svc.gql(aliases(101), {}, user);
    expect(codes(many)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(many.errors![0]!.message).toMatch(/at most 100 aliased fields/);

    const started = Date.now();
    const repeated = await svc.gql(`{ me { ${"id ".repeat(200_000)}} }`, {}, user);
    expect(codes(repeated)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(repeated.errors![0]!.message).toMatch(/more th\w+ 10000 tokens/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("keeps CSRF prevention on: a simple GET or form POST is refused, a preflighted GET answers", async () => {
    const { token } = await svc.user();
    const query = encodeURIComponent("{ me { id } }");
    const simpleGet = await fetch(`${svc.url}?query=${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF/);
    const form = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    expect(form.status).toBe(400);
    const preflighted = await fetch(`${svc.url}?query=${query}`, {
      headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" },
    });
    expect(preflighted.status).toBe(200);
  });

  it("refuses batched operations (a JSON array) with 400 and a JSON error", async () => {
    const { token } = await svc.user();
    const res = await post(JSON.stringify([{ query: `{ me { id } }` }, { query: `{ me { id } }` }]), token);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batch/i);
  });
});
