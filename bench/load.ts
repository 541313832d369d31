/**
 * The load generator, a process of its own (the runner starts one per measurement): autocannon
 * for the request shapes, raw graphql-transport-ws sockets for the subscription fan-out. It prints
 * one JSON line with its results and its own CPU time, so the report can show its share.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import WebSocket from "ws";
import { requestFor, type ServerName, type ShapeName, type Targets } from "./lib/shapes";

// autocannon ships no types; this is the part used here.
interface AutocannonRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; average: number; max: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = require("autocannon") as (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface HttpLoad {
  kind: "http";
  server: ServerName;
  shape: ShapeName;
  url: string;
  token?: string;
  /** Headers every request carries besides the token (`--observability`: the ftv1 request). */
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  targets: Targets;
}

export interface SubscriptionLoad {
  kind: "subscriptions";
  url: string;
  token: string;
  subscribers: number;
  events: number;
  /** Time between two events (ms). */
  intervalMs: number;
  groupId: string;
  /**
   * "sql": each event is one autocommitted INSERT into the event log, so its commit is known to
   * within a round trip (the commit-to-receipt latency the target is about). "mutation": each is an
   * updateGroup through the service, timed from its response (commit happened before it) and from
   * its sending (an upper bound).
   */
  writer: "sql" | "mutation";
  databaseUrl: string;
  actorId: string;
}

export interface HttpLoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMicros: number;
  firstError?: string;
}

export interface SubscriptionLoadResult {
  subscribers: number;
  events: number;
  deliveries: number;
  missing: number;
  writer: "sql" | "mutation";
  /** Delivery latency from the commit's acknowledgement (the INSERT's, or the mutation's response) to receipt (ms). */
  fromCommit: { p50: number; p99: number; max: number };
  /** The same from the moment the write was sent: an upper bound of commit-to-receipt. */
  fromSend: { p50: number; p99: number; max: number };
  cpuMicros: number;
}

async function httpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  let n = 0;
  let errors = 0;
  let firstError: string | undefined;
  const headers: Record<string, string> = { "content-type": "application/json", ...load.headers };
  if (load.token) headers.authorization = `Bearer ${load.token}`;
  const first = requestFor(load.server, load.shape, load.targets, 0);
  const varies = load.shape === "M1" || load.shape === "M2";
  const request: AutocannonRequest = {
    method: "POST",
    path: first.path,
    body: first.body,
    headers,
    onResponse: (status, body) => {
      if (status !== 200 || body.includes('"errors"')) {
        errors++;
        firstError ??= `${status} ${body.slice(0, 300)}`;
      }
    },
  };
  if (varies) {
    request.setupRequest = (r) => ({ ...r, body: requestFor(load.server, load.shape, load.targets, ++n).body });
  }
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    pipelining: 1,
    requests: [request],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: errors + result.errors + result.timeouts,
    cpuMicros: cpu.user + cpu.system,
    firstError,
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `subscribers` raw sockets subscribe to one group's events; then `events` updateGroup mutations
 * follow one another. Each socket notes when each GROUP_UPDATED arrives (only a timestamp and a
 * cheap prefix test per message, so the generator's own work stays out of the figures as far as
 * possible); events arrive in commit order, so the n-th is the n-th mutation's.
 */
async function subscriptionLoad(load: SubscriptionLoad): Promise<SubscriptionLoadResult> {
  const wsUrl = load.url.replace(/^http/, "ws");
  const received: number[][] = [];
  const sockets: WebSocket[] = [];
  let warmups = 0;
  let measuring = false;
  const warmed: boolean[] = [];
  const subscription = `subscription S1($group: ID!) { groupEvents(groupId: $group, types: [GROUP_UPDATED]) { id type occurredAt } }`;
  await Promise.all(
    Array.from({ length: load.subscribers }, (_, i) => {
      received[i] = [];
      return new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, "graphql-transport-ws");
        sockets.push(socket);
        socket.on("open", () =>
          socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${load.token}` } })),
        );
        socket.on("message", (raw: WebSocket.RawData) => {
          const text = raw.toString();
          if (text.includes('"type":"next"')) {
            if (!measuring) {
              if (warmed[i]) return;
              warmed[i] = true;
              warmups++;
              return;
            }
            received[i]!.push(performance.now());
          } else if (text.includes('"connection_ack"')) {
            socket.send(
              JSON.stringify({
                id: "1",
                type: "subscribe",
                payload: { query: subscription, variables: { group: load.groupId } },
              }),
            );
            resolve();
          } else if (text.includes('"error"')) {
            reject(new Error(`subscription refused: ${text.slice(0, 300)}`));
          }
        });
        socket.on("error", reject);
      });
    }),
  );
  const client = new Client({ connectionString: load.databaseUrl });
  await client.connect();
  const insert = async (n: number) => {
    await client.query(
      `INSERT INTO domain_events (type, group_id, actor_id, payload) VALUES ('GROUP_UPDATED', $1, $2, $3)`,
      [load.groupId, load.actorId, { changes: { description: `s1 event ${n}` } }],
    );
  };
  const mutate = async (n: number) => {
    const response = await fetch(load.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${load.token}` },
      body: JSON.stringify({
        query: `mutation S1($id: ID!, $d: String!) { updateGroup(id: $id, input: { description: $d }) { id } }`,
        variables: { id: load.groupId, d: `s1 event ${n} ${Date.now()}` },
      }),
    });
    const body = await response.text();
    if (response.status !== 200 || body.includes('"errors"'))
      throw new Error(`S1 mutation failed: ${body.slice(0, 300)}`);
  };
  const write = load.writer === "sql" ? insert : mutate;
  // Warm-up events until every subscription has had one (a subscribe still being set up when an
  // event commits starts after it), then a pause so none of them is taken for a measured event.
  const deadline = Date.now() + 30_000;
  for (let n = -1; warmups < load.subscribers && Date.now() < deadline; n--) {
    await write(n);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (warmups < load.subscribers)
    throw new Error(`only ${warmups} of ${load.subscribers} subscriptions got a warm-up event`);
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;

  const sent: number[] = [];
  const acked: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let n = 0; n < load.events; n++) {
    const started = performance.now();
    sent.push(started);
    await write(n);
    acked.push(performance.now());
    const wait = load.intervalMs - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const settle = Date.now() + 10_000;
  while (received.some((r) => r.length < load.events) && Date.now() < settle)
    await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpuBefore);
  for (const socket of sockets) socket.terminate();
  await client.end();
  const fromCommit: number[] = [];
  const fromSend: number[] = [];
  for (const times of received) {
    times.slice(0, load.events).forEach((at, n) => {
      fromCommit.push(at - acked[n]!);
      fromSend.push(at - sent[n]!);
    });
  }
  fromCommit.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const stats = (s: number[]) => ({ p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN });
  return {
    subscribers: load.subscribers,
    events: load.events,
    writer: load.writer,
    deliveries: fromSend.length,
    missing: load.subscribers * load.events - fromSend.length,
    fromCommit: stats(fromCommit),
    fromSend: stats(fromSend),
    cpuMicros: cpu.user + cpu.system,
  };
}

async function main(): Promise<void> {
  const file = process.env.BENCH_LOAD_FILE;
  if (!file) throw new Error("BENCH_LOAD_FILE is not set: this process is started by `npm run bench`");
  const load = JSON.parse(fs.readFileSync(file, "utf8")) as HttpLoad | SubscriptionLoad;
  const result = load.kind === "http" ? await httpLoad(load) : await subscriptionLoad(load);
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
