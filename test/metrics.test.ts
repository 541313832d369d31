// @ts-expect-error the package ships no types; its shape is MetricFamily below
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/** What parse-prometheus-text-format answers for one metric family. */
interface MetricFamily {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

const parse = parsePrometheusTextFormat as (text: string) => MetricFamily[];

/** One scrape: the text, parsed (which also checks it is valid exposition text). */
interface Scrape {
  text: string;
  families: MetricFamily[];
}

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, families: parse(text) };
}

const matches = (labels: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels[k] === v);

/** The value of a counter or gauge series with `labels` (0 when absent). */
function valueOf({ families }: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  expect(family?.type).toMatch(/^(COUNTER|GAUGE)$/);
  const series = family!.metrics.find((m) => matches(m.labels ?? {}, labels));
  return series ? Number(series.value) : 0;
}

/**
 * The observation count of a histogram series with `labels` (0 when absent). Read from its
 * `_count` line: parse-prometheus-text-format merges the series of a labelled histogram into one
 * (its flattenMetrics keeps only the buckets), so it only vouches for the text being well formed.
 */
function countOf({ text, families }: Scrape, name: string, labels: Record<string, string>): number {
  expect(families.find((f) => f.name === name)?.type).toBe("HISTOGRAM");
  for (const line of text.split("\n")) {
    const sample = new RegExp(`^${name}_count\\{(.*)\\} (\\S+)$`).exec(line);
    if (!sample) continue;
    const found = Object.fromEntries([...sample[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (matches(found as Record<string, string>, labels)) return Number(sample[2]);
  }
  return 0;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("metrics on the service's port (METRICS_ENABLED)", () => {
  let svc: TestService;
  let user: TestUser;
  let metricsUrl: string;

  beforeAll(async () => {
    svc = await TestService.start({ metricsEnabled: true, rateLimitPerMinute: 3 });
    user = await svc.user();
    metricsUrl = svc.service.metricsUrl!;
  });
  afterAll(async () => {
    await svc.stop();
  });

  it("serves /metrics beside /graphql, in the Prometheus text format, every metric present", async () => {
    expect(metricsUrl).toBe(new URL("/metrics", svc.url).toString());
    const families = await scrape(metricsUrl);
    const names = families.families.map((f) => f.name);
    for (const name of [
      "graphql_operation_duration_seconds",
      "graphql_errors_total",
      "graphql_sql_statements_per_operation",
      "rate_limited_total",
      "db_pool_connections",
      "db_pool_connections_idle",
      "db_pool_connections_in_use",
      "db_pool_waiting",
      "subscriptions_open",
      "event_feed_lag",
    ]) {
      expect(names).toContain(name);
    }
    expect(valueOf(families, "db_pool_connections")).toBeGreaterThanOrEqual(1);
    expect(valueOf(families, "db_pool_waiting")).toBe(0);
    expect(valueOf(families, "event_feed_lag")).toBeGreaterThanOrEqual(0);
  });

  it("a query bumps the latency histogram of its operation; the statements histogram sees it (EXPOSE_SQL_COUNT)", async () => {
    const before = await scrape(metricsUrl);
    await svc.ok("query MetricsProbe { me { id } }", {}, user);
    const after = await scrape(metricsUrl);
    const labels = { operation: "MetricsProbe", type: "query" };
    expect(countOf(after, "graphql_operation_duration_seconds", labels)).toBe(
      countOf(before, "graphql_operation_duration_seconds", labels) + 1,
    );
    expect(countOf(after, "graphql_sql_statements_per_operation", { type: "query" })).toBeGreaterThan(
      countOf(before, "graphql_sql_statements_per_operation", { type: "query" }),
    );
  });

  it("an error bumps the errors counter under its code", async () => {
    const before = await scrape(metricsUrl);
    const res = await svc.gql("query Broken { me { noSuchField } }", {}, user);
    expect(res.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const unauthenticated = await svc.gql("query Anonymous { me { id } }");
    expect(unauthenticated.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const after = await scrape(metricsUrl);
    for (const code of ["GRAPHQL_VALIDATION_FAILED", "UNAUTHENTICATED"]) {
      expect(valueOf(after, "graphql_errors_total", { code })).toBe(
        valueOf(before, "graphql_errors_total", { code }) + 1,
      );
    }
  });

  it("opening a subscription raises the open-subscriptions gauge; closing it lowers it", async () => {
    const subscriber = await svc.user();
    const before = valueOf(await scrape(metricsUrl), "subscriptions_open");
    const caller = new WsCaller(svc.url, subscriber.token);
    try {
      caller.subscribe("subscription Watch { groupEvents { id } }");
      await until(
        async () => valueOf(await scrape(metricsUrl), "subscriptions_open") === before + 1,
        "the gauge to count the subscription",
      );
      const families = await scrape(metricsUrl);
      expect(
        countOf(families, "graphql_operation_duration_seconds", { operation: "Watch", type: "subscription" }),
      ).toBe(1);
    } finally {
      await caller.close();
    }
    await until(async () => valueOf(await scrape(metricsUrl), "subscriptions_open") === before, "the gauge to drop");
  });

  it("a refused rate-limited request bumps the refusals counter (and RATE_LIMITED among the errors)", async () => {
    const caller = await svc.user();
    const before = await scrape(metricsUrl);
    let refused = 0;
    for (let i = 0; i < 5; i++) {
      const res = await svc.gql("query Spend { me { id } }", {}, caller);
      if (res.errors?.[0]?.extensions?.code === "RATE_LIMITED") refused++;
    }
    expect(refused).toBe(2); // a bucket of 3
    const after = await scrape(metricsUrl);
    expect(valueOf(after, "rate_limited_total")).toBe(valueOf(before, "rate_limited_total") + 2);
    expect(valueOf(after, "graphql_errors_total", { code: "RATE_LIMITED" })).toBe(
      valueOf(before, "graphql_errors_total", { code: "RATE_LIMITED" }) + 2,
    );
  });
});

describe("metrics on their own port (METRICS_PORT)", () => {
  let a: TestService;
  let b: TestService;

  beforeAll(async () => {
    a = await TestService.start({ metricsEnabled: true, metricsPort: 0, metricsHost: "127.0.0.1" });
    b = await TestService.start({ metricsEnabled: true, metricsPort: 0, metricsHost: "127.0.0.1" });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it("serves /metrics there and not on the service's port; two services keep separate registries", async () => {
    const url = a.service.metricsUrl!;
    expect(new URL(url).port).not.toBe(String(a.service.port));
    expect((await fetch(new URL("/metrics", a.url))).status).toBe(404);
    expect((await fetch(new URL("/other", url))).status).toBe(404);

    const user = await a.user();
    await a.ok("query OnlyOnA { me { id } }", {}, user);
    const labels = { operation: "OnlyOnA", type: "query" };
    expect(countOf(await scrape(url), "graphql_operation_duration_seconds", labels)).toBe(1);
    expect(countOf(await scrape(b.service.metricsUrl!), "graphql_operation_duration_seconds", labels)).toBe(0);
  });
});

describe("metrics off (the default)", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(async () => {
    await svc.stop();
  });

  it("/metrics is 404 and no metrics URL is given", async () => {
    expect(svc.service.config.metricsEnabled).toBe(false);
    expect(svc.service.metricsUrl).toBeUndefined();
    expect((await fetch(new URL("/metrics", svc.url))).status).toBe(404);
  });
});
