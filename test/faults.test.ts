import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Service, startService } from "../src/bootstrap";
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from "../src/db";
import { mintToken } from "../src/auth";
import { TEST_SECRET } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * The database goes away under a running service, then comes back: /ready says so, requests fail
 * fast with a clean error instead of hanging, and the service recovers without a restart, event
 * delivery included.
 */
describe("the database goes away and comes back", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "faults-"));
  let port: number;
  let pg: EmbeddedDatabase | undefined;
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
    pg = await startEmbeddedPostgres(dataDir, { port });
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
          expect(error.message).toMatch(/^Internal server error \(correlation id [0-9a-f-]+\)$/);
        }
      }

      pg = await startEmbeddedPostgres(dataDir, { port });
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
