import "reflect-metadata";
import { type ChildProcess, fork, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { Client } from "pg";
import { mintToken } from "../src/auth";
import { freePort } from "../src/db";
import { FTV1_HEADER } from "../src/ftv1";
import { logger } from "../src/shared/logger";
import { baselineTable, COMPARED_SHAPES, compareWithBaseline, newestCommittedResult } from "./lib/baseline";
import { type BenchDatabase, openBenchDatabase } from "./lib/database";
import { type OtlpSink, startOtlpSink } from "./lib/otlp-sink";
import type { ProbeStats } from "./lib/probe";
import { benchId, levelBounds, parseScale, SCALES, type ScaleName, specialUsers } from "./lib/scales";
import {
  canonical,
  requestFor,
  SERVERS,
  type ServerName,
  serves,
  SHAPES,
  type ShapeName,
  type Targets,
} from "./lib/shapes";
import type { HttpLoad, HttpLoadResult, SubscriptionLoad, SubscriptionLoadResult } from "./load";
import { POSTGRAPHILE_FUNCTIONS } from "./peers/sql";
import { seed, seededScale } from "./seed";

const USAGE = `Usage: npm run bench -- [options]
  --scale small|default|large   seed this scale first when the bench database holds another (or none)
  --seconds N                   length of each measurement (default: 2 at small scale, 5 otherwise)
  --runs N                      run every measurement N times (each run measures every server in turn) and
                                report the medians and their spread (default 1)
  --concurrency 1,16,64         connections of the load generator
  --shapes Q0,Q1,Q2,Q3,Q4,R1,R2,M1,M2   request shapes to measure (Q0 is { __typename }: the fixed cost per
                                request; R1, R2 the reverse permission lookups, against the floor only)
  --servers service,postgraphile,floor
  --subscribers 1000 --events 100   the S1 fan-out (--subscribers 0 skips it)
  --event-interval 50           ms between two S1 events (50 = 20 events, 20,000 deliveries a second)
  --s1-writer sql|mutation      S1 events as INSERTs into the log (commit time exact) or as updateGroup mutations
  --rss N                       also run Q1 on the service for N seconds, sampling its RSS
  --cpu-prof                    write the service's CPU profile to bench/results/profiles/ (read it with
                                node dist/bench/profile-summary.js <file>, or in Chrome DevTools)
  --observability               also run Q1-Q4 on a second service with OpenTelemetry tracing (exported to a
                                local OTLP sink that discards it), METRICS_ENABLED=true and every request asking
                                for a federated trace (apollo-federation-include-trace: ftv1); report it beside
                                the service, as a ratio
  --baseline FILE               compare Q1-Q4's service/floor and service/PostGraphile ratios with those of a
                                result file (default: the newest one committed under bench/results/)
The bench database is groups_bench on DATABASE_URL's server, or an embedded PostgreSQL under data/bench.`;

const ROOT = path.resolve(__dirname, "../..");
const PROBE = path.join(__dirname, "lib", "probe.js");
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123456789";

interface Options {
  scale?: ScaleName;
  seconds?: number;
  runs: number;
  concurrency: number[];
  shapes: ShapeName[];
  servers: ServerName[];
  subscribers: number;
  events: number;
  eventIntervalMs: number;
  s1Writer: "sql" | "mutation";
  rss: number;
  cpuProf: boolean;
  observability: boolean;
  baseline?: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      scale: { type: "string" },
      seconds: { type: "string" },
      runs: { type: "string", default: "1" },
      concurrency: { type: "string", default: "1,16,64" },
      shapes: { type: "string", default: SHAPES.join(",") },
      servers: { type: "string", default: SERVERS.join(",") },
      subscribers: { type: "string", default: "1000" },
      events: { type: "string", default: "100" },
      "event-interval": { type: "string", default: "50" },
      "s1-writer": { type: "string", default: "sql" },
      rss: { type: "string", default: "0" },
      "cpu-prof": { type: "boolean", default: false },
      observability: { type: "boolean", default: false },
      baseline: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  const list = <T extends string>(raw: string, allowed: readonly T[], what: string): T[] =>
    raw.split(",").map((item) => {
      if (!allowed.includes(item as T)) throw new Error(`--${what}: "${item}" is not one of ${allowed.join(", ")}`);
      return item as T;
    });
  const int = (raw: string, what: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${what} must be a whole number, got "${raw}"`);
    return n;
  };
  if (values.scale) parseScale(values.scale);
  return {
    scale: values.scale as ScaleName | undefined,
    seconds: values.seconds ? int(values.seconds, "seconds") : undefined,
    runs: Math.max(1, int(values.runs, "runs")),
    concurrency: values.concurrency.split(",").map((c) => int(c, "concurrency")),
    shapes: list(values.shapes, SHAPES, "shapes"),
    servers: list(values.servers, SERVERS, "servers"),
    subscribers: int(values.subscribers, "subscribers"),
    events: int(values.events, "events"),
    eventIntervalMs: int(values["event-interval"], "event-interval"),
    s1Writer: list(values["s1-writer"], ["sql", "mutation"] as const, "s1-writer")[0]!,
    rss: int(values.rss, "rss"),
    cpuProf: values["cpu-prof"] ?? false,
    observability: values.observability ?? false,
    baseline: values.baseline,
  };
}

/** The service with tracing, metrics and ftv1 on (`--observability`): where it sends its spans. */
interface Observed {
  otlpEndpoint: string;
}

/** A benchmarked server: a child process with the statement probe, asked for its stats over IPC. */
class Server {
  private exited = false;
  constructor(
    readonly name: ServerName,
    readonly url: string,
    private readonly child: ChildProcess,
    /** The service with tracing, metrics and ftv1 on: its requests ask for a federated trace. */
    readonly observed = false,
  ) {
    child.on("exit", () => (this.exited = true));
  }

  /** How reports name it. */
  get label(): string {
    return this.observed ? "service+obs" : this.name;
  }

  /** Headers its requests carry besides the token. */
  get headers(): Record<string, string> {
    return this.observed ? { [FTV1_HEADER]: "ftv1" } : {};
  }

  static async start(name: ServerName, databaseUrl: string, cpuProf = false, observed?: Observed): Promise<Server> {
    const port = await freePort();
    const base = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), DB_POOL_SIZE: "10" };
    const script = {
      service: path.join(ROOT, "dist", "src", "index.js"),
      postgraphile: path.join(ROOT, "bench", "peers", "postgraphile.cjs"),
      floor: path.join(__dirname, "peers", "floor.js"),
    }[name];
    const env = {
      service: {
        ...base,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        JWT_SECRET,
        RATE_LIMIT_PER_MINUTE: "0",
        // Production waits 5 s after SIGTERM for a load balancer; the benchmark has none.
        SHUTDOWN_DELAY_MS: "0",
        // The replica heartbeat (2 statements a second), the timer duty's tick (4 every 5 s) and the
        // feed's safety-net poll (1 a second; commits wake it by NOTIFY) are background work of a
        // few statements a second: negligible beside thousands of requests, but counted by the
        // probe, they put a fraction of a statement on each request of a slow shape's sample (Q1
        // read 1.3). Once a minute here: the sample counts the requests' own statements.
        REPLICA_HEARTBEAT_MS: "60000",
        TIMER_INTERVAL_MS: "60000",
        EVENTS_POLL_INTERVAL_MS: "60000",
        LOG_LEVEL: "warn",
        DATA_DIR: path.join(ROOT, "data", observed ? "bench-service-observed" : "bench-service"),
        ...(observed
          ? {
              OTEL_EXPORTER_OTLP_ENDPOINT: observed.otlpEndpoint,
              OTEL_SERVICE_NAME: "groups-subgraph-bench",
              METRICS_ENABLED: "true",
            }
          : {}),
      },
      postgraphile: { ...base, NODE_ENV: "production", GRAPHILE_ENV: "production" },
      floor: { ...base, NODE_ENV: "production" },
    }[name];
    const execArgv = ["-r", PROBE];
    if (cpuProf) execArgv.push("--cpu-prof", `--cpu-prof-dir=${path.join(ROOT, "bench", "results", "profiles")}`);
    const child = fork(script, [], { env, execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const server = new Server(name, `http://127.0.0.1:${port}`, child, observed !== undefined);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exited) throw new Error(`${server.label} exited during start-up:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`${server.label} did not answer within 60 s:\n${stderr}`);
      try {
        const response =
          name === "service"
            ? await fetch(`${server.url}/ready`)
            : await fetch(`${server.url}${name === "floor" ? "/health" : "/graphql"}`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ query: "{ __typename }" }),
              });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (observed) {
      const metrics = await fetch(`${server.url}/metrics`);
      if (!metrics.ok) {
        await server.stop();
        throw new Error(`${server.label}: METRICS_ENABLED=true, yet GET /metrics answered ${metrics.status}`);
      }
    }
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  stats(): Promise<ProbeStats> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not answer the stats probe`)), 5000);
      const onMessage = (message: { probe?: ProbeStats }) => {
        if (!message?.probe) return;
        clearTimeout(timer);
        this.child.off("message", onMessage);
        resolve(message.probe);
      };
      this.child.on("message", onMessage);
      this.child.send("stats");
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

async function runLoad<T>(load: HttpLoad | SubscriptionLoad): Promise<T> {
  // The spare user ids make the description too big for an environment variable: a file carries it.
  const file = path.join(os.tmpdir(), `bench-load-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(load));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "load.js")], {
      env: { ...process.env, BENCH_LOAD_FILE: file },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
      else reject(new Error(`load generator exited ${code}: ${err.trim()}`));
    });
  });
}

/** Ids the shapes are about, chosen from the seeded data (the same every run of a scale). */
async function pickTargets(url: string, scale: ScaleName): Promise<Targets> {
  const s = SCALES[scale];
  const levels = levelBounds(s.groups);
  const special = specialUsers(s);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string, params: unknown[] = []) => {
      const { rows } = await client.query<{ id: string }>(sql, params);
      if (!rows[0]) throw new Error(`the bench data has no row for: ${sql.replace(/\s+/g, " ").slice(0, 200)}`);
      return rows[0].id;
    };
    const leaf = levels[levels.length - 1]!;
    const deepGroupId = await one(
      `SELECT child_id AS id FROM group_parents WHERE child_id >= $1 GROUP BY child_id HAVING count(*) = 2 ORDER BY child_id LIMIT 1`,
      [benchId("group", leaf.lo)],
    );
    // A bottom group whose only way up is a chain of single parents to group 1.
    const chainGroupId = await one(
      `WITH RECURSIVE down(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
         WHERE (SELECT count(*) FROM group_parents o WHERE o.child_id = gp.child_id) = 1
       )
       SELECT id FROM down WHERE depth = $2 ORDER BY id LIMIT 1`,
      [benchId("group", 1), levels.length - 1],
    );
    const detailGroupId = await one(
      `SELECT g.id FROM groups g
       WHERE g.group_type = 'team' AND g.is_active
         AND EXISTS (SELECT 1 FROM leaderships l WHERE l.group_id = g.id)
         AND EXISTS (SELECT 1 FROM group_initiatives gi WHERE gi.group_id = g.id)
       ORDER BY (SELECT count(*) FROM group_parents gp WHERE gp.parent_id = g.id) DESC, g.id LIMIT 1`,
    );
    const m1GroupId = await one(
      `SELECT g.id FROM groups g WHERE g.group_type = 'team' AND g.is_active AND g.id <> $1 ORDER BY g.id LIMIT 1`,
      [detailGroupId],
    );
    const m2ParentId = await one(`SELECT id FROM groups WHERE group_type = 'lab' AND is_active ORDER BY id LIMIT 1`);
    const spareUserIds = Array.from({ length: s.spareUsers }, (_, i) => benchId("user", s.users + 1 + i));
    return {
      adminId: benchId("user", special.admin),
      deepGroupId,
      chainUserId: benchId("user", special.chain),
      chainGroupId,
      detailGroupId,
      m1GroupId,
      spareUserIds,
      m2ParentId,
    };
  } finally {
    await client.end();
  }
}

async function send(server: Server, shape: ShapeName, targets: Targets, token: string, n: number, q1First = 50) {
  const request = requestFor(server.name, shape, targets, n, q1First);
  const response = await fetch(server.url + request.path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...server.headers },
    body: request.body,
  });
  const body = (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: unknown[];
    extensions?: { ftv1?: unknown };
  };
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`${server.label} ${shape}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  }
  // Measuring the observed service without its traces would measure nothing.
  if (server.observed && typeof body.extensions?.ftv1 !== "string") {
    throw new Error(`${server.label} ${shape}: no extensions.ftv1 in the answer to a request asking for it`);
  }
  return body.data;
}

/** Statements a request of this shape costs, over `times` requests one after another. */
async function statementsPerRequest(
  server: Server,
  shape: ShapeName,
  targets: Targets,
  token: string,
  times = 10,
  q1First = 50,
): Promise<number> {
  const before = await server.stats();
  for (let n = 0; n < times; n++) await send(server, shape, targets, token, 1_000_000 + n, q1First);
  const after = await server.stats();
  return Math.round(((after.statements - before.statements) / times) * 10) / 10;
}

interface Cell {
  shape: ShapeName;
  server: ServerName;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  statementsPerRequest: number;
  /** CPU used during the run, as a share of one core: the server, and the load generator. */
  serverCpu: number;
  loadCpu: number;
  firstError?: string;
}

function linearSlope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

type S1Result = SubscriptionLoadResult & { intervalMs: number; serverCpu: number };

/** One pass over every measurement: each shape on each server at each concurrency, then S1. */
interface Run {
  cells: Cell[];
  /** `--observability`: the observed service's cells (Q1–Q4), measured right after the service's. */
  observed?: Cell[];
  s1?: S1Result;
}

/** A cell's figures as medians over the runs, with the throughput's range. */
interface MedianCell extends Cell {
  runs: number;
  rpsMin: number;
  rpsMax: number;
}

/** service / peer throughput, per run (taken within a run, where the machine's state is shared). */
interface RatioSpread {
  shape: ShapeName;
  concurrency: number;
  peer: ServerName;
  perRun: number[];
  median: number;
  min: number;
  max: number;
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measureShapes(
  servers: Server[],
  observed: Server | undefined,
  options: Options,
  targets: Targets,
  token: string,
  seconds: number,
  statements: Map<string, number>,
): Promise<Pick<Run, "cells" | "observed">> {
  const cells: Cell[] = [];
  const observedCells: Cell[] = [];
  for (const shape of options.shapes) {
    // The observed service right after the service: the two are measured in the nearest conditions.
    const measured = servers.flatMap((server) =>
      server.name === "service" && observed && COMPARED_SHAPES.includes(shape) ? [server, observed] : [server],
    );
    for (const server of measured) {
      if (!serves(server.name, shape)) continue;
      const load = (connections: number, secs: number): HttpLoad => ({
        kind: "http",
        server: server.name,
        shape,
        url: server.url,
        token,
        headers: server.headers,
        connections,
        seconds: secs,
        targets,
      });
      await runLoad<HttpLoadResult>(load(16, 1)); // warm-up (JIT, pools, caches)
      for (const c of options.concurrency) {
        const before = await server.stats();
        const t0 = Date.now();
        const result = await runLoad<HttpLoadResult>(load(c, seconds));
        const wall = (Date.now() - t0) * 1000;
        const after = await server.stats();
        const cell: Cell = {
          shape,
          server: server.name,
          concurrency: c,
          rps: result.rps,
          p50: result.p50,
          p99: result.p99,
          requests: result.requests,
          errors: result.errors,
          statementsPerRequest: statements.get(`${server.label}/${shape}`)!,
          serverCpu: (after.cpuMicros - before.cpuMicros) / wall,
          loadCpu: result.cpuMicros / wall,
          firstError: result.firstError,
        };
        (server.observed ? observedCells : cells).push(cell);
        process.stdout.write(
          `  ${shape} ${server.label.padEnd(12)} c=${String(c).padEnd(3)} ${fmt(cell.rps).padStart(6)} req/s  ` +
            `p50 ${fmt(cell.p50)} ms  p99 ${fmt(cell.p99)} ms  errors ${cell.errors}  ` +
            `cpu server ${fmt(cell.serverCpu * 100)}% load ${fmt(cell.loadCpu * 100)}%\n`,
        );
        if (cell.firstError) process.stdout.write(`    first error: ${cell.firstError}\n`);
      }
      // Its exporter goes on encoding and sending the queued spans after the load stops: measured
      // next, another server shared the cores with it (Q2 read 0.2x-1.1x PostGraphile in one run).
      if (server.observed) await settle(server);
    }
  }
  return observed ? { cells, observed: observedCells } : { cells };
}

/** Waits until a server uses under 5% of a core over half a second (at most 30 s). */
async function settle(server: Server): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const before = await server.stats();
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await server.stats();
    const busy = (after.cpuMicros - before.cpuMicros) / ((Date.now() - t0) * 1000);
    if (busy < 0.05 || Date.now() > deadline) return;
  }
}

async function measureS1(
  service: Server,
  options: Options,
  targets: Targets,
  token: string,
  databaseUrl: string,
): Promise<S1Result> {
  const before = await service.stats();
  const t0 = Date.now();
  const load: SubscriptionLoad = {
    kind: "subscriptions",
    url: `${service.url}/graphql`,
    token,
    subscribers: options.subscribers,
    events: options.events,
    intervalMs: options.eventIntervalMs,
    writer: options.s1Writer,
    databaseUrl,
    actorId: targets.adminId,
    groupId: targets.detailGroupId,
  };
  const result = await runLoad<SubscriptionLoadResult>(load);
  const after = await service.stats();
  process.stdout.write(
    `  S1 ${result.subscribers} subscribers x ${result.events} events every ${options.eventIntervalMs} ms (${result.writer}): delivered ${result.deliveries}, missing ${result.missing}; ` +
      `from commit p50 ${fmt(result.fromCommit.p50, 1)} ms p99 ${fmt(result.fromCommit.p99, 1)} ms; ` +
      `from send p50 ${fmt(result.fromSend.p50, 1)} ms p99 ${fmt(result.fromSend.p99, 1)} ms\n`,
  );
  return {
    ...result,
    intervalMs: options.eventIntervalMs,
    serverCpu: (after.cpuMicros - before.cpuMicros) / ((Date.now() - t0) * 1000),
  };
}

const cellKey = (c: { shape: ShapeName; server: ServerName; concurrency: number }) =>
  `${c.shape}/${c.server}/${c.concurrency}`;

/** Each measurement's median over the runs; errors are summed (one failing run is worth seeing). */
function medianCells(runs: Run[]): MedianCell[] {
  const byKey = new Map<string, Cell[]>();
  for (const run of runs)
    for (const cell of run.cells) byKey.set(cellKey(cell), [...(byKey.get(cellKey(cell)) ?? []), cell]);
  return [...byKey.values()].map((cells) => {
    const of = (pick: (c: Cell) => number) => median(cells.map(pick));
    const rps = cells.map((c) => c.rps);
    return {
      ...cells[0]!,
      rps: of((c) => c.rps),
      p50: of((c) => c.p50),
      p99: of((c) => c.p99),
      requests: Math.round(of((c) => c.requests)),
      errors: cells.reduce((sum, c) => sum + c.errors, 0),
      serverCpu: of((c) => c.serverCpu),
      loadCpu: of((c) => c.loadCpu),
      firstError: cells.find((c) => c.firstError)?.firstError,
      runs: cells.length,
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
    };
  });
}

function ratioSpread(runs: Run[]): RatioSpread[] {
  const byKey = new Map<string, RatioSpread>();
  for (const run of runs) {
    for (const service of run.cells.filter((c) => c.server === "service")) {
      for (const peer of run.cells) {
        if (peer.server === "service" || peer.shape !== service.shape || peer.concurrency !== service.concurrency)
          continue;
        if (!(peer.rps > 0)) continue;
        const key = cellKey(peer);
        let spread = byKey.get(key);
        if (!spread) {
          spread = {
            shape: peer.shape,
            concurrency: peer.concurrency,
            peer: peer.server,
            perRun: [],
            median: 0,
            min: 0,
            max: 0,
          };
          byKey.set(key, spread);
        }
        spread.perRun.push(Math.round((service.rps / peer.rps) * 1000) / 1000);
      }
    }
  }
  return [...byKey.values()].map((r) => ({
    ...r,
    median: median(r.perRun),
    min: Math.min(...r.perRun),
    max: Math.max(...r.perRun),
  }));
}

/** S1's latencies as medians over the runs (each run's figures stay in `runs`). */
function s1Summary(runs: Run[]): (S1Result & { runs: S1Result[] }) | undefined {
  const all = runs.flatMap((r) => (r.s1 ? [r.s1] : []));
  if (!all.length) return undefined;
  const stats = (pick: (r: S1Result) => { p50: number; p99: number; max: number }) => ({
    p50: median(all.map((r) => pick(r).p50)),
    p99: median(all.map((r) => pick(r).p99)),
    max: Math.max(...all.map((r) => pick(r).max)),
  });
  return {
    ...all[0]!,
    deliveries: all.reduce((sum, r) => sum + r.deliveries, 0),
    missing: all.reduce((sum, r) => sum + r.missing, 0),
    fromCommit: stats((r) => r.fromCommit),
    fromSend: stats((r) => r.fromSend),
    serverCpu: median(all.map((r) => r.serverCpu)),
    cpuMicros: median(all.map((r) => r.cpuMicros)),
    runs: all,
  };
}

/** The medians; with more than one run, each throughput and ratio followed by its [lowest–highest]. */
function table(
  cells: MedianCell[],
  ratios: RatioSpread[],
  concurrency: number[],
  servers: ServerName[],
  runs: number,
): string {
  const range = (lo: number, hi: number, digits = 0, unit = "") =>
    runs > 1 ? ` [${fmt(lo, digits)}${unit}–${fmt(hi, digits)}${unit}]` : "";
  const lines = [
    "| shape | c | " +
      servers.map((s) => `${s} req/s (p50/p99 ms)`).join(" | ") +
      " | stmts/req " +
      servers.map((s) => s[0]).join("/") +
      " | service/postgraphile | service/floor |",
    "|---|---|" + servers.map(() => "---|").join("") + "---|---|---|",
  ];
  const shapes = [...new Set(cells.map((c) => c.shape))];
  for (const shape of shapes) {
    for (const c of concurrency) {
      const at = (server: ServerName) =>
        cells.find((x) => x.shape === shape && x.server === server && x.concurrency === c);
      const ratio = (peer: ServerName) => {
        const r = ratios.find((x) => x.shape === shape && x.peer === peer && x.concurrency === c);
        return r ? `${fmt(r.median, 2)}x${range(r.min, r.max, 2, "x")}` : "-";
      };
      const cols = servers.map((s) => {
        const x = at(s);
        if (!x) return "-";
        const errors = x.errors ? ` **${x.errors} errors**` : "";
        return `${fmt(x.rps)}${range(x.rpsMin, x.rpsMax)} (${fmt(x.p50)}/${fmt(x.p99)})${errors}`;
      });
      const stmts = servers.map((s) => fmt(at(s)?.statementsPerRequest ?? NaN, 1)).join(" / ");
      lines.push(`| ${shape} | ${c} | ${cols.join(" | ")} | ${stmts} | ${ratio("postgraphile")} | ${ratio("floor")} |`);
    }
  }
  if (runs > 1) lines.push("", `Medians of ${runs} runs; [lowest–highest] run. Ratios are taken within each run.`);
  return lines.join("\n");
}

/** `--observability`: what tracing, metrics and ftv1 cost the service, per shape and concurrency. */
interface ObservedCost {
  shape: ShapeName;
  concurrency: number;
  /** Observed / service throughput in each run (taken within a run), their median and range. */
  perRun: number[];
  median: number;
  min: number;
  max: number;
  /** The server's CPU per request (µs), medians over the runs. */
  cpuMicrosPerRequest: { service: number; observed: number };
}

const cpuPerRequest = (cell: Cell) => (cell.rps > 0 ? (cell.serverCpu * 1e6) / cell.rps : NaN);

function observedCosts(runs: Run[]): ObservedCost[] {
  const byKey = new Map<string, { shape: ShapeName; concurrency: number; pairs: [Cell, Cell][] }>();
  for (const run of runs) {
    for (const observed of run.observed ?? []) {
      const service = run.cells.find(
        (c) => c.server === "service" && c.shape === observed.shape && c.concurrency === observed.concurrency,
      );
      if (!service || !(service.rps > 0)) continue;
      const key = `${observed.shape}/${observed.concurrency}`;
      if (!byKey.has(key)) byKey.set(key, { shape: observed.shape, concurrency: observed.concurrency, pairs: [] });
      byKey.get(key)!.pairs.push([service, observed]);
    }
  }
  return [...byKey.values()].map(({ shape, concurrency, pairs }) => {
    const perRun = pairs.map(([service, observed]) => Math.round((observed.rps / service.rps) * 1000) / 1000);
    return {
      shape,
      concurrency,
      perRun,
      median: median(perRun),
      min: Math.min(...perRun),
      max: Math.max(...perRun),
      cpuMicrosPerRequest: {
        service: Math.round(median(pairs.map(([service]) => cpuPerRequest(service)))),
        observed: Math.round(median(pairs.map(([, observed]) => cpuPerRequest(observed)))),
      },
    };
  });
}

/** The service beside the observed service: throughput, latency, their ratio and CPU per request. */
function observedTable(cells: MedianCell[], observed: MedianCell[], costs: ObservedCost[], runs: number): string {
  const range = (lo: number, hi: number, digits = 0, unit = "") =>
    runs > 1 ? ` [${fmt(lo, digits)}${unit}–${fmt(hi, digits)}${unit}]` : "";
  const col = (x: MedianCell | undefined) =>
    x
      ? `${fmt(x.rps)}${range(x.rpsMin, x.rpsMax)} (${fmt(x.p50)}/${fmt(x.p99)})${x.errors ? ` **${x.errors} errors**` : ""}`
      : "-";
  const lines = [
    "Tracing (OTLP to a discarding sink), metrics and ftv1 on every request (service+obs), beside the service:",
    "",
    "| shape | c | service req/s (p50/p99 ms) | service+obs req/s (p50/p99 ms) | service+obs / service | CPU µs/request service → service+obs | stmts/req |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const cost of costs) {
    const at = (list: MedianCell[]) =>
      list.find((x) => x.shape === cost.shape && x.concurrency === cost.concurrency && x.server === "service");
    const service = at(cells);
    const obs = at(observed);
    lines.push(
      `| ${cost.shape} | ${cost.concurrency} | ${col(service)} | ${col(obs)} | ${fmt(cost.median, 2)}x${range(cost.min, cost.max, 2, "x")} | ` +
        `${fmt(cost.cpuMicrosPerRequest.service)} → ${fmt(cost.cpuMicrosPerRequest.observed)} | ` +
        `${fmt(service?.statementsPerRequest ?? NaN, 1)} / ${fmt(obs?.statementsPerRequest ?? NaN, 1)} |`,
    );
  }
  return lines.join("\n");
}

async function machine(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ version: string }>("SELECT version()");
  await client.end();
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: rows[0]!.version.split(" on ")[0],
    os: `${os.type()} ${os.release()}`,
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  logger.setLevel("warn");
  const started = Date.now();
  const resultsDir = path.join(ROOT, "bench", "results");
  const baselineFile = options.baseline ? path.resolve(options.baseline) : newestCommittedResult(ROOT, resultsDir);
  if (baselineFile && !fs.existsSync(baselineFile)) throw new Error(`--baseline: ${baselineFile} does not exist`);
  if (options.observability && !options.servers.includes("service")) {
    throw new Error("--observability measures the service beside itself: --servers must include service");
  }
  const database: BenchDatabase = await openBenchDatabase();
  const servers: Server[] = [];
  let observed: Server | undefined;
  let sink: OtlpSink | undefined;
  const stopAll = async () => {
    await Promise.all([...servers, ...(observed ? [observed] : [])].map((s) => s.stop()));
    await sink?.close();
    await database.stop();
  };
  const onSignal = () => {
    stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let scale = (await seededScale(database.url)) as ScaleName | null;
    if (!scale || (options.scale && options.scale !== scale)) {
      const wanted = parseScale(options.scale ?? "small");
      process.stdout.write(`bench: seeding scale "${wanted.name}" first (npm run seed:bench does only this)\n`);
      await seed(database, wanted);
      scale = wanted.name;
    }
    const seconds = options.seconds ?? (scale === "small" ? 2 : 5);
    const setup = new Client({ connectionString: database.url });
    await setup.connect();
    await setup.query(POSTGRAPHILE_FUNCTIONS);
    // Groups made by earlier M2 runs go, so every run starts from the same data.
    await setup.query(`DELETE FROM groups WHERE group_type = 'bench'`);
    await setup.end();
    const targets = await pickTargets(database.url, scale);
    const token = await mintToken(JWT_SECRET, { sub: targets.adminId, admin: true, name: "Bench Admin" });
    const about = await machine(database.url);
    process.stdout.write(
      `bench: scale ${scale} on ${database.where}; ${about.cores} x ${about.cpu}, ${about.node}, ${about.postgres}\n`,
    );
    for (const name of options.servers) {
      servers.push(await Server.start(name, database.url, options.cpuProf && name === "service"));
    }
    const byName = (name: ServerName) => servers.find((s) => s.name === name)!;
    const observedShapes = options.shapes.filter((shape) => COMPARED_SHAPES.includes(shape));
    if (options.observability) {
      sink = await startOtlpSink();
      observed = await Server.start("service", database.url, false, { otlpEndpoint: sink.url });
    }
    // The observed service answers Q1–Q4 only; PostGraphile has no reverse lookups (see serves).
    const shapesOf = (server: Server) =>
      (server.observed ? observedShapes : options.shapes).filter((shape) => serves(server.name, shape));
    const measured = [...servers, ...(observed ? [observed] : [])];

    // Same data, same result: every shape's answers must agree before anything is timed.
    for (const shape of options.shapes) {
      const answering = servers.filter((s) => serves(s.name, shape));
      const reference = answering.find((s) => s.name === "floor") ?? answering[0];
      if (!reference) throw new Error(`${shape}: none of ${options.servers.join(", ")} answers it`);
      const expected = canonical(reference.name, shape, await send(reference, shape, targets, token, 900_000));
      for (const server of measured) {
        if (server === reference || !shapesOf(server).includes(shape)) continue;
        const got = canonical(server.name, shape, await send(server, shape, targets, token, 900_001));
        if (!isDeepStrictEqual(got, expected)) {
          throw new Error(
            `${shape}: ${server.label} and ${reference.name} disagree\n${server.label}: ${JSON.stringify(got).slice(0, 1500)}\n` +
              `${reference.name}: ${JSON.stringify(expected).slice(0, 1500)}`,
          );
        }
      }
    }
    process.stdout.write(`bench: the answers agree on ${options.shapes.join(", ")}\n`);

    const statements = new Map<string, number>();
    const q1Fixed: Record<string, { first5: number; first50: number }> = {};
    for (const server of measured) {
      for (const shape of shapesOf(server)) {
        statements.set(`${server.label}/${shape}`, await statementsPerRequest(server, shape, targets, token));
      }
      if (options.shapes.includes("Q1") && !server.observed) {
        q1Fixed[server.name] = {
          first5: await statementsPerRequest(server, "Q1", targets, token, 5, 5),
          first50: await statementsPerRequest(server, "Q1", targets, token, 5, 50),
        };
      }
    }

    const runs: Run[] = [];
    for (let run = 1; run <= options.runs; run++) {
      if (options.runs > 1) process.stdout.write(`bench: run ${run} of ${options.runs}\n`);
      const measuredCells = await measureShapes(servers, observed, options, targets, token, seconds, statements);
      const s1 =
        options.subscribers > 0 && options.servers.includes("service")
          ? await measureS1(byName("service"), options, targets, token, database.url)
          : undefined;
      runs.push({ ...measuredCells, s1 });
    }
    const cells = medianCells(runs);
    const ratios = ratioSpread(runs);
    let observability:
      | { cells: MedianCell[]; costs: ObservedCost[]; otlp: { exports: number; bytes: number }; markdown: string }
      | undefined;
    if (observed && sink) {
      // Stopped first, so the spans still batched are flushed to the sink and counted.
      await observed.stop();
      const observedCells = medianCells(runs.map((run) => ({ cells: run.observed ?? [] })));
      const costs = observedCosts(runs);
      const otlp = sink.received();
      const markdown = observedTable(cells, observedCells, costs, options.runs);
      observability = { cells: observedCells, costs, otlp, markdown };
      if (otlp.exports === 0) {
        process.stdout.write(
          "bench: warning: the observed service exported no spans to the OTLP sink (is tracing built into dist/?)\n",
        );
      }
    }
    const s1 = s1Summary(runs);
    if (s1 && options.runs > 1) {
      process.stdout.write(
        `  S1 over ${options.runs} runs: from commit p50 ${fmt(s1.fromCommit.p50, 1)} ms, p99 ${fmt(s1.fromCommit.p99, 1)} ms ` +
          `(medians; p99 per run ${s1.runs.map((r) => fmt(r.fromCommit.p99, 1)).join(", ")})\n`,
      );
    }
    let rss:
      | {
          seconds: number;
          samplesMiB: number[];
          slopeMiBPerMinute: number;
          floorSlopeMiBPerMinute: number;
          requests: number;
        }
      | undefined;
    if (options.rss > 0 && options.servers.includes("service")) {
      const service = byName("service");
      const samples: [number, number][] = [];
      const t0 = Date.now();
      const sampler = setInterval(() => {
        service.stats().then(
          (s) => samples.push([(Date.now() - t0) / 1000, s.rss / 2 ** 20]),
          () => {},
        );
      }, 2000);
      const result = await runLoad<HttpLoadResult>({
        kind: "http",
        server: "service",
        shape: "Q1",
        url: service.url,
        token,
        connections: 16,
        seconds: options.rss,
        targets,
      });
      clearInterval(sampler);
      // The first 40 s (a third of a shorter run) are warm-up: pools fill, the JIT and the prepared
      // statements settle (the speed issue's target reads the trend after them).
      const steady = samples.filter(([t]) => t >= Math.min(40, options.rss / 3));
      // RSS saws up and down with garbage collection; a leak shows as a rising floor, so the trend
      // is also read over the lowest sample of each 10 s window.
      const floors: [number, number][] = [];
      for (let i = 0; i + 5 <= steady.length; i += 5) {
        const window = steady.slice(i, i + 5);
        floors.push(window.reduce((low, s) => (s[1] < low[1] ? s : low)));
      }
      rss = {
        seconds: options.rss,
        samplesMiB: samples.map(([, m]) => Math.round(m)),
        slopeMiBPerMinute: Math.round(linearSlope(steady) * 60 * 10) / 10,
        floorSlopeMiBPerMinute: Math.round(linearSlope(floors) * 60 * 10) / 10,
        requests: result.requests,
      };
      process.stdout.write(
        `  RSS over ${options.rss} s of Q1 (c=16, ${result.requests} requests): ` +
          `${rss.samplesMiB[0]} -> ${rss.samplesMiB[rss.samplesMiB.length - 1]} MiB, ` +
          `trend after warm-up ${rss.slopeMiBPerMinute} MiB/min (of the post-GC floor ${rss.floorSlopeMiBPerMinute} MiB/min)\n`,
      );
    }

    const markdown = table(cells, ratios, options.concurrency, options.servers, options.runs);
    process.stdout.write(`\n${markdown}\n`);
    if (Object.keys(q1Fixed).length) {
      process.stdout.write(
        `\nQ1 statements, first 5 vs first 50: ` +
          Object.entries(q1Fixed)
            .map(([s, v]) => `${s} ${v.first5} vs ${v.first50}`)
            .join("; ") +
          "\n",
      );
    }
    if (observability) {
      const { exports, bytes } = observability.otlp;
      process.stdout.write(
        `\n${observability.markdown}\n\nOTLP sink: ${exports} exports, ${fmt(bytes / 1024)} KiB of spans received (and discarded)\n`,
      );
    }
    const baseline = baselineFile ? compareWithBaseline(baselineFile, scale, ratios) : undefined;
    process.stdout.write(
      `\n${baseline ? baselineTable(baseline, ROOT) : "Baseline: none (no result file is committed under bench/results/)."}\n`,
    );
    fs.mkdirSync(resultsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const file = path.join(resultsDir, `${stamp}-${scale}.json`);
    const report = {
      at: new Date().toISOString(),
      scale,
      database: database.where,
      machine: about,
      secondsPerMeasurement: seconds,
      runCount: options.runs,
      targets: { ...targets, spareUserIds: targets.spareUserIds.length },
      /** The medians over the runs (the table); with one run, that run's figures. */
      cells,
      /** Each run's service/peer throughput ratios, their median and range. */
      ratios,
      /** Every run's own cells (and S1), in the order they ran. */
      runs,
      q1StatementsFirst5VsFirst50: q1Fixed,
      s1,
      rss,
      /** `--observability`: the observed service's medians, its cost against the service, the spans exported. */
      observability,
      /** Q1–Q4's service/peer ratios against the baseline file's. */
      baseline: baseline && { ...baseline, file: path.relative(ROOT, baseline.file) },
      markdown,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
    process.stdout.write(
      `\nbench: results in ${path.relative(process.cwd(), file)} (${report.totalSeconds} s in all)\n`,
    );
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
