import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { context, createContextKey, propagation, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Pool } from "pg";
import { logger } from "../src/shared/logger";
import { operationName, tracingRequested } from "../src/tracing";
import { createGroup } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * OpenTelemetry tracing (src/tracing.ts): spans collected in memory from the running service (or,
 * last, sent over OTLP/HTTP to a local collector), and nothing at all with tracing off.
 */

const GROUP_QUERY = `query GroupById($id: ID!) { group(id: $id) { id name } }`;

/** A fresh W3C trace id and parent span id, and the `traceparent` (sampled) that carries them. */
function incomingTrace(): { traceId: string; parentSpanId: string; traceparent: string } {
  const traceId = crypto.randomBytes(16).toString("hex");
  const parentSpanId = crypto.randomBytes(8).toString("hex");
  return { traceId, parentSpanId, traceparent: `00-${traceId}-${parentSpanId}-01` };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

/** The JSON lines the process logger writes while `fn` runs. */
async function logLines(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return lines
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("when tracing is on", () => {
  it("is asked for by an OTLP endpoint, unless OTEL_SDK_DISABLED", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "TRUE" })).toBe(
      false,
    );
  });

  it("names a statement's operation by its first keyword, or a WITH's first statement", () => {
    expect(operationName("SELECT 1")).toBe("SELECT");
    expect(operationName("\n  insert into t values ($1)")).toBe("INSERT");
    expect(operationName("WITH x AS (UPDATE t SET a = $1 RETURNING id) SELECT * FROM x")).toBe("UPDATE");
    expect(operationName("BEGIN")).toBe("BEGIN");
    expect(operationName("(SELECT 1)")).toBeUndefined();
  });
});

describe("tracing on (an in-memory exporter)", () => {
  let svc: TestService;
  let exporter: InMemorySpanExporter;
  let user: TestUser;
  let groupId: string;

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    svc = await TestService.start({}, { tracing: { exporter } });
    user = await svc.user();
    groupId = await createGroup(svc, user, { name: "Traced Lab" });
  });
  afterAll(async () => {
    await svc.stop();
  });

  /** The finished spans of `traceId`, once its HTTP span has ended (it ends when the response closes). */
  async function spansOf(traceId: string, until: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      await svc.service.tracing!.forceFlush();
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      if (until(spans)) return spans;
      if (Date.now() > deadline) throw new Error(`spans of ${traceId}: ${spans.map((s) => s.name).join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const hasServerSpan = (spans: ReadableSpan[]) => spans.some((s) => s.kind === SpanKind.SERVER);

  it("continues an incoming traceparent: HTTP span, its GraphQL operation, and the SQL under that", async () => {
    const { traceId, parentSpanId, traceparent } = incomingTrace();
    const res = await post(
      svc.url,
      { query: GROUP_QUERY, variables: { id: groupId }, operationName: "GroupById" },
      { authorization: `Bearer ${user.token}`, traceparent },
    );
    expect(res.json).toEqual({ data: { group: { id: groupId, name: "Traced Lab" } }, extensions: expect.anything() });
    const spans = await spansOf(traceId, hasServerSpan);

    const httpSpan = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(httpSpan.name).toBe("POST /graphql");
    expect(parentOf(httpSpan)).toBe(parentSpanId);
    expect(httpSpan.parentSpanContext?.isRemote).toBe(true);
    expect(httpSpan.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.path": "/graphql",
      "http.route": "/graphql",
      "http.response.status_code": 200,
    });

    const operations = spans.filter((s) => s.attributes["graphql.operation.type"] !== undefined);
    expect(operations.map((s) => s.name)).toEqual(["query GroupById"]);
    const operation = operations[0]!;
    expect(parentOf(operation)).toBe(idOf(httpSpan));
    expect(operation.kind).toBe(SpanKind.INTERNAL);
    expect(operation.attributes).toMatchObject({
      "graphql.operation.name": "GroupById",
      "graphql.operation.type": "query",
    });
    expect(operation.attributes["graphql.document"]).toBeUndefined();

    const statements = spans.filter((s) => s.kind === SpanKind.CLIENT);
    // The group's read runs inside the operation (the caller's provisioning may run before it, under the HTTP span).
    const underOperation = statements.filter((s) => parentOf(s) === idOf(operation));
    expect(underOperation.length).toBeGreaterThanOrEqual(1);
    for (const statement of statements) {
      expect([idOf(operation), idOf(httpSpan)]).toContain(parentOf(statement));
      expect(statement.attributes["db.system.name"]).toBe("postgresql");
      const text = statement.attributes["db.query.text"] as string;
      expect(typeof text).toBe("string");
      expect(statement.attributes["db.operation.name"]).toBe(operationName(text));
      expect(statement.name).toBe(operationName(text));
      // Parameters never: the group id travels as $1.
      expect(text).not.toContain(groupId);
    }
    expect(underOperation.some((s) => s.attributes["db.operation.name"] === "SELECT")).toBe(true);
    // Nothing else in the trace: one HTTP span, one operation, statements.
    expect(spans.length).toBe(2 + statements.length);
    // Every statement started and ended within its operation's time. The SDK anchors each span's
    // clock to Date.now() when the span starts (Span.js, `_performanceOffset`), so times of two spans
    // compare only to within that clock's 1 ms: a statement ending 0.1 ms "after" its operation is
    // the anchor's rounding (seen in CI), one outliving it by more would be a real leak.
    const ns = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
    const anchor = 1_000_000n;
    for (const statement of underOperation) {
      expect(ns(statement.startTime) + anchor).toBeGreaterThanOrEqual(ns(operation.startTime));
      expect(ns(statement.endTime)).toBeLessThanOrEqual(ns(operation.endTime) + anchor);
    }
  });

  it("starts a new trace for a request without traceparent; errors mark the operation", async () => {
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `query Mine { me { id } }` }),
    });
    expect(res.status).toBe(401);
    const traceId = await (async () => {
      const deadline = Date.now() + 5000;
      for (;;) {
        await svc.service.tracing!.forceFlush();
        const op = exporter.getFinishedSpans().find((s) => s.name === "query Mine");
        if (op) return op.spanContext().traceId;
        if (Date.now() > deadline) throw new Error("no span for query Mine");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const spans = await spansOf(traceId, hasServerSpan);
    const httpSpan = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(httpSpan.parentSpanContext).toBeUndefined();
    expect(httpSpan.attributes["http.response.status_code"]).toBe(401);
    const operation = spans.find((s) => s.name === "query Mine")!;
    expect(parentOf(operation)).toBe(idOf(httpSpan));
    expect(operation.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(operation.attributes["error.type"]).toBe("UNAUTHENTICATED");
  });

  it("gives a graphql-ws operation its GraphQL span, with its SQL under it", async () => {
    const caller = new WsCaller(svc.url, user.token);
    try {
      const stream = caller.subscribe(`query WsGroup($id: ID!) { group(id: $id) { id name } }`, { id: groupId });
      const [result] = await stream.next(1);
      expect(result).toEqual({ group: { id: groupId, name: "Traced Lab" } });
    } finally {
      await caller.close();
    }
    await svc.service.tracing!.forceFlush();
    const operation = exporter.getFinishedSpans().find((s) => s.name === "query WsGroup")!;
    expect(operation).toBeDefined();
    // No HTTP request to continue: a trace of its own.
    expect(operation.parentSpanContext).toBeUndefined();
    expect(operation.attributes).toMatchObject({
      "graphql.operation.name": "WsGroup",
      "graphql.operation.type": "query",
    });
    const statements = exporter
      .getFinishedSpans()
      .filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(operation));
    expect(statements.length).toBeGreaterThanOrEqual(1);
  });

  it("nests a GraphQL over SSE operation under its HTTP span", async () => {
    const { traceId, parentSpanId, traceparent } = incomingTrace();
    const res = await fetch(svc.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${user.token}`,
        traceparent,
      },
      body: JSON.stringify({
        query: `query SseGroup($id: ID!) { group(id: $id) { name } }`,
        variables: { id: groupId },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Traced Lab");
    const spans = await spansOf(traceId, hasServerSpan);
    const httpSpan = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(parentOf(httpSpan)).toBe(parentSpanId);
    const operation = spans.find((s) => s.name === "query SseGroup")!;
    expect(parentOf(operation)).toBe(idOf(httpSpan));
    expect(spans.some((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(operation))).toBe(true);
  });

  it("puts trace_id and span_id on the log lines written inside a span", async () => {
    const { traceId, traceparent } = incomingTrace();
    logger.setLevel("debug");
    let lines: Record<string, unknown>[];
    try {
      lines = await logLines(() =>
        post(
          svc.url,
          { query: GROUP_QUERY, variables: { id: groupId } },
          { authorization: `Bearer ${user.token}`, traceparent },
        ),
      );
    } finally {
      logger.setLevel("silent");
    }
    const spans = await spansOf(traceId, hasServerSpan);
    const sqlLines = lines.filter((line) => line.msg === "sql");
    expect(sqlLines.length).toBeGreaterThanOrEqual(1);
    for (const line of sqlLines) {
      expect(line.trace_id).toBe(traceId);
      expect(spans.map(idOf)).toContain(line.span_id);
    }
  });

  it("registers the tracer provider, the context manager and the W3C propagator while on", () => {
    const span = trace.getTracer("probe").startSpan("probe");
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(propagation.fields()).toContain("traceparent");
    const key = createContextKey("probe");
    expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBe(1);
  });
});

describe("tracing on, requests waiting for a connection", () => {
  let svc: TestService;
  let exporter: InMemorySpanExporter;

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    svc = await TestService.start({ dbPoolSize: 1 }, { tracing: { exporter } });
  });
  afterAll(async () => {
    await svc.stop();
  });

  it("keeps each statement in its own request's trace when the pool makes requests queue", async () => {
    const user = await svc.user();
    const groupId = await createGroup(svc, user);
    const traces = Array.from({ length: 8 }, () => incomingTrace());
    await Promise.all(
      traces.map(({ traceparent }) =>
        post(
          svc.url,
          { query: GROUP_QUERY, variables: { id: groupId } },
          { authorization: `Bearer ${user.token}`, traceparent },
        ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await svc.service.tracing!.forceFlush();
    const spans = exporter.getFinishedSpans();
    const counts = traces.map(({ traceId }) => {
      const mine = spans.filter((s) => s.spanContext().traceId === traceId);
      const operation = mine.find((s) => s.name === "query GroupById")!;
      return mine.filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(operation)).length;
    });
    expect(counts[0]).toBeGreaterThanOrEqual(1);
    expect(new Set(counts).size).toBe(1);
  });
});

describe("tracing off (the default)", () => {
  let svc: TestService;
  let user: TestUser;
  let groupId: string;

  beforeAll(async () => {
    svc = await TestService.start();
    user = await svc.user();
    groupId = await createGroup(svc, user);
  });
  afterAll(async () => {
    await svc.stop();
  });

  it("registers nothing: the API's tracer, context manager and propagator are the no-op ones", async () => {
    expect(svc.service.tracing).toBeUndefined();
    const { traceparent } = incomingTrace();
    const res = await post(svc.url, { query: `{ me { id } }` }, { authorization: `Bearer ${user.token}`, traceparent });
    expect(res.status).toBe(200);
    const span = trace.getTracer("probe").startSpan("probe");
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe("0".repeat(32));
    expect(propagation.fields()).toEqual([]);
    const key = createContextKey("probe");
    expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBeUndefined();
    // The pool's clients are not wrapped.
    const pool = (svc.db.driver as unknown as { master: Pool }).master;
    expect(pool.listenerCount("acquire")).toBe(0);
  });

  it("writes log lines without trace ids", async () => {
    logger.setLevel("debug");
    let lines: Record<string, unknown>[];
    try {
      lines = await logLines(() =>
        post(svc.url, { query: GROUP_QUERY, variables: { id: groupId } }, { authorization: `Bearer ${user.token}` }),
      );
    } finally {
      logger.setLevel("silent");
    }
    expect(lines.some((line) => line.msg === "sql")).toBe(true);
    for (const line of lines) expect(line).not.toHaveProperty("trace_id");
  });
});

describe("tracing through OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let collector: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    // A stand-in OTLP/HTTP collector: records each export and accepts it.
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => collector.close(resolve));
  });

  it("exports the spans over OTLP/HTTP with the service name and headers from the environment, flushed on stop", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=secret-1",
      OTEL_SERVICE_NAME: "groups-under-test",
    });
    let svc: TestService;
    try {
      svc = await TestService.start();
    } finally {
      for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    const { traceId, traceparent } = incomingTrace();
    try {
      expect(svc.service.tracing).toBeDefined();
      const user = await svc.user();
      await post(svc.url, { query: `query Me { me { id } }` }, { authorization: `Bearer ${user.token}`, traceparent });
    } finally {
      await svc.stop();
    }
    const exports = received.filter((r) => r.path === "/v1/traces");
    expect(exports.length).toBeGreaterThanOrEqual(1);
    expect(exports[0]!.headers["x-collector-token"]).toBe("secret-1");
    const body = exports.map((r) => r.body).join("\n");
    expect(body).toContain(traceId);
    expect(body).toContain("groups-under-test");
    expect(body).toContain("query Me");
    // Stopped: nothing registered any more.
    expect(trace.getTracer("probe").startSpan("probe").isRecording()).toBe(false);
  });

  it("stops in bounded time, with a warning, when the collector does not answer", async () => {
    // A collector that takes every export and never answers it.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // Longer than the shutdown waits for the last spans (3 s).
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = "4000";
    let svc: TestService;
    try {
      svc = await TestService.start();
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
    }
    const started = Date.now();
    try {
      const user = await svc.user();
      await post(svc.url, { query: `query Me { me { id } }` }, { authorization: `Bearer ${user.token}` });
      logger.setLevel("warn");
      let stoppedInMs = 0;
      const lines = await logLines(async () => {
        const stopping = Date.now();
        await svc.stop();
        stoppedInMs = Date.now() - stopping;
      });
      logger.setLevel("silent");
      expect(stoppedInMs).toBeLessThan(4000);
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: "opentelemetry: the last spans could not be exported",
          reason: "not done within 3000 ms",
        }),
      );
      expect(trace.getTracer("probe").startSpan("probe").isRecording()).toBe(false);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
      // The exporter, given up on, ends its retries with its timeout: let it, before the suite ends.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 4500 - (Date.now() - started))));
    }
  });
});
