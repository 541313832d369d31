import crypto from "node:crypto";
import { Client } from "pg";
import { mintToken } from "../src/auth";
import { buildService, ServiceProcess } from "./utils/process";
import { createTestDatabase, TEST_SECRET } from "./utils/service";
import { type SubscriptionStream, WsCaller } from "./utils/subscriptions";

/**
 * Time-driven events (src/timers/) with real replicas: two built services (`node dist/src/index.js`)
 * on one database, TIMER_INTERVAL_MS 200. Each event is written once, arrives once on a live
 * subscription, survives the SIGKILL of the replica holding the timer duty, and is caught up on
 * start by a replica started after its instant passed; the change opens its period at the instant
 * itself, changed by nobody.
 */

const ENV = { JWT_SECRET: TEST_SECRET, TIMER_INTERVAL_MS: "200", RATE_LIMIT_PER_MINUTE: "0", LOG_LEVEL: "info" };

interface Caller {
  id: string;
  token: string;
}

async function caller(admin = false): Promise<Caller> {
  const id = crypto.randomUUID();
  return { id, token: await mintToken(TEST_SECRET, { sub: id, admin, name: `User ${id.slice(0, 8)}` }) };
}

async function gql<T>(url: string, as: Caller, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${as.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const EVENTS = `subscription ($g: ID) { groupEvents(groupId: $g) { id type userId actorId payload } }`;
type EventData = {
  groupEvents: {
    id: string;
    type: string;
    userId: string | null;
    actorId: string | null;
    payload: Record<string, unknown>;
  };
};

/** Takes events from the stream until `count` of `type` arrived; answers those. */
async function eventsOf(stream: SubscriptionStream<EventData>, type: string, count: number, timeoutMs = 15_000) {
  const found: EventData["groupEvents"][] = [];
  const deadline = Date.now() + timeoutMs;
  while (found.length < count) {
    const [data] = await stream.next(1, Math.max(1, deadline - Date.now()));
    if (data!.groupEvents.type === type) found.push(data!.groupEvents);
  }
  return found;
}

const HISTORY = `query ($g: ID!, $u: ID!) { group(id: $g) { membershipHistory(userId: $u) {
  nodes { role status from to changedBy { id } } } } }`;
type History = {
  group: {
    membershipHistory: {
      nodes: { status: string; from: string; to: string | null; changedBy: { id: string } | null }[];
    };
  };
};

describe("time-driven events with two replicas", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Client;
  const processes: ServiceProcess[] = [];
  const sockets: WsCaller[] = [];
  let admin: Caller;

  async function start(name: string): Promise<{ proc: ServiceProcess; url: string; pid: number }> {
    const proc = new ServiceProcess(name);
    processes.push(proc);
    const { url, pid } = await proc.start({ ...ENV, DATABASE_URL: database.url });
    return { proc, url, pid };
  }

  /** The pid of the process whose timer connection holds the duty's advisory lock (waits for one). */
  async function holderPid(): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await db.query<{ name: string }>(
        `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'groups-timer-%'
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      if (rows.length > 1) throw new Error(`two sessions hold the timer duty: ${JSON.stringify(rows)}`);
      if (rows.length === 1) return Number(rows[0]!.name.slice("groups-timer-".length));
      await sleep(100);
    }
    throw new Error("no replica took the timer duty");
  }

  async function eventCount(type: string, userId: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM domain_events WHERE type = $1 AND user_id = $2`,
      [type, userId],
    );
    return rows[0]!.n;
  }

  async function dbNow(): Promise<Date> {
    const { rows } = await db.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
    return rows[0]!.now;
  }

  async function newGroup(url: string): Promise<string> {
    const data = await gql<{ createGroup: { id: string } }>(
      url,
      admin,
      `mutation ($name: String!) { createGroup(input: { name: $name }) { id } }`,
      { name: `Timed ${crypto.randomUUID().slice(0, 8)}` },
    );
    return data.createGroup.id;
  }

  async function add(url: string, groupId: string, user: Caller, extra: Record<string, unknown>) {
    await gql(url, admin, `mutation ($input: AddMemberInput!) { addMember(input: $input) { id } }`, {
      input: { groupId, userId: user.id, role: "admin", ...extra },
    });
  }

  beforeAll(async () => {
    buildService();
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    admin = await caller(true);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) await socket.close();
    for (const proc of processes) await proc.kill("SIGKILL");
    await db.end();
    await database.drop();
  });

  it("MEMBER_EXPIRED once per expiry, on a live subscription, though the duty holder is SIGKILLed mid-way", async () => {
    const first = await start("first");
    const second = await start("second");
    const holder = (await holderPid()) === first.pid ? first : second;
    const survivor = holder === first ? second : first;
    const [ann, ben] = [await caller(), await caller()];
    await gql(survivor.url, ann, `{ me { id } }`).catch(() => undefined);
    await gql(survivor.url, ben, `{ me { id } }`).catch(() => undefined);
    const group = await newGroup(survivor.url);
    const socket = new WsCaller(survivor.url, admin.token);
    sockets.push(socket);
    const stream = socket.subscribe<EventData, { g: string }>(EVENTS, { g: group });
    await sleep(300);
    const annExpiry = new Date((await dbNow()).getTime() + 1500);
    const benExpiry = new Date(annExpiry.getTime() + 2500);
    await add(survivor.url, group, ann, { expiresAt: annExpiry.toISOString() });
    await add(survivor.url, group, ben, { expiresAt: benExpiry.toISOString() });

    const [annExpired] = await eventsOf(stream, "MEMBER_EXPIRED", 1);
    expect(annExpired).toMatchObject({
      userId: ann.id,
      actorId: null,
      payload: { role: "admin", expiresAt: annExpiry.toISOString() },
    });
    // The replica holding the duty dies before Ben's expiry; the other takes the duty over.
    await holder.proc.kill("SIGKILL");
    const [benExpired] = await eventsOf(stream, "MEMBER_EXPIRED", 1);
    expect(benExpired).toMatchObject({
      userId: ben.id,
      actorId: null,
      payload: { expiresAt: benExpiry.toISOString() },
    });
    expect(await holderPid()).toBe(survivor.pid);
    await stream.nothingWithin(800);
    expect(await eventCount("MEMBER_EXPIRED", ann.id)).toBe(1);
    expect(await eventCount("MEMBER_EXPIRED", ben.id)).toBe(1);

    const history = await gql<History>(survivor.url, admin, HISTORY, { g: group, u: ann.id });
    expect(history.group.membershipHistory.nodes).toEqual([
      expect.objectContaining({ status: "ACTIVE", to: annExpiry.toISOString(), changedBy: { id: admin.id } }),
      { role: "admin", status: "INACTIVE", from: annExpiry.toISOString(), to: null, changedBy: null },
    ]);
  }, 60_000);

  it("a scheduled membership grants nothing before startsAt, flips after it, with MEMBER_STARTED delivered", async () => {
    const { url } = await start("scheduled");
    const cat = await caller();
    await gql(url, cat, `{ me { id } }`).catch(() => undefined);
    const group = await newGroup(url);
    const socket = new WsCaller(url, admin.token);
    sockets.push(socket);
    const stream = socket.subscribe<EventData, { g: string }>(EVENTS, { g: group });
    await sleep(300);
    const startsAt = new Date((await dbNow()).getTime() + 2500);
    await add(url, group, cat, { startsAt: startsAt.toISOString() });
    const check = async () =>
      (
        await gql<{ checkPermission: { allowed: boolean } }>(
          url,
          admin,
          `query ($g: ID!, $u: ID!) { checkPermission(permission: "members.add", groupId: $g, userId: $u) { allowed } }`,
          { g: group, u: cat.id },
        )
      ).checkPermission.allowed;
    const status = async () =>
      (
        await gql<{ group: { members: { nodes: { status: string; startsAt: string; user: { id: string } }[] } } }>(
          url,
          admin,
          `query ($g: ID!) { group(id: $g) { members(includeInactive: true) { nodes { status startsAt user { id } } } } }`,
          { g: group },
        )
      ).group.members.nodes.find((n) => n.user.id === cat.id);
    expect(await check()).toBe(false);
    expect(await status()).toEqual({ status: "SCHEDULED", startsAt: startsAt.toISOString(), user: { id: cat.id } });

    const [started] = await eventsOf(stream, "MEMBER_STARTED", 1);
    expect(started).toMatchObject({ userId: cat.id, actorId: null, payload: { startsAt: startsAt.toISOString() } });
    expect(await check()).toBe(true);
    expect((await status())!.status).toBe("ACTIVE");
    await stream.nothingWithin(600);
    expect(await eventCount("MEMBER_STARTED", cat.id)).toBe(1);
    const history = await gql<History>(url, admin, HISTORY, { g: group, u: cat.id });
    expect(history.group.membershipHistory.nodes).toEqual([
      expect.objectContaining({ status: "SCHEDULED", to: startsAt.toISOString(), changedBy: { id: admin.id } }),
      { role: "admin", status: "ACTIVE", from: startsAt.toISOString(), to: null, changedBy: null },
    ]);
  }, 60_000);

  it("catches up on start: an expiry that passed while no replica ran is written once when one starts", async () => {
    const { proc, url } = await start("before");
    const dan = await caller();
    await gql(url, dan, `{ me { id } }`).catch(() => undefined);
    const group = await newGroup(url);
    const expiresAt = new Date((await dbNow()).getTime() + 2000);
    await add(url, group, dan, { expiresAt: expiresAt.toISOString() });
    for (const p of processes) await p.kill("SIGTERM");
    expect(proc.exited).toBe(true);
    while ((await dbNow()) <= expiresAt) await sleep(100);
    await sleep(300);
    expect(await eventCount("MEMBER_EXPIRED", dan.id)).toBe(0);

    const after = await start("after");
    for (let i = 0; i < 50 && (await eventCount("MEMBER_EXPIRED", dan.id)) === 0; i++) await sleep(100);
    await sleep(600);
    expect(await eventCount("MEMBER_EXPIRED", dan.id)).toBe(1);
    const history = await gql<History>(after.url, admin, HISTORY, { g: group, u: dan.id });
    expect(history.group.membershipHistory.nodes.at(-1)).toEqual({
      role: "admin",
      status: "INACTIVE",
      from: expiresAt.toISOString(),
      to: null,
      changedBy: null,
    });
  }, 60_000);

  /**
   * A leadership's instants are its dates at 00:00 UTC, which a test cannot wait for. The rows are
   * written in SQL as the API would have written them before that midnight (created_at / updated_at
   * yesterday), and the migration's instant moved back two days, as on a database migrated then:
   * the statements the timer runs are the service's own. A control row written after its start
   * date's midnight (as addLeader with today's date would) produces nothing.
   */
  it("LEADER_STARTED and LEADER_ENDED once for dated periods recorded before their day, none for one recorded after", async () => {
    const { url } = await start("leaders");
    const [eve, fay, gil] = [await caller(), await caller(), await caller()];
    for (const u of [eve, fay, gil]) await gql(url, u, `{ me { id } }`).catch(() => undefined);
    const group = await newGroup(url);
    await db.query(`UPDATE time_events_since SET since = now() - interval '2 days'`);
    const today = `(now() AT TIME ZONE 'UTC')::date`;
    await db.query(
      `INSERT INTO leaderships (group_id, user_id, start_date, end_date, created_at, updated_at) VALUES
        ($1, $2, ${today}, NULL, now() - interval '1 day', now() - interval '1 day'),
        ($1, $3, ${today} - 30, ${today}, now() - interval '40 days', now() - interval '1 day'),
        ($1, $4, ${today}, NULL, now(), now())`,
      [group, eve.id, fay.id, gil.id],
    );
    for (let i = 0; i < 50 && (await eventCount("LEADER_ENDED", fay.id)) === 0; i++) await sleep(100);
    await sleep(600);
    expect(await eventCount("LEADER_STARTED", eve.id)).toBe(1);
    expect(await eventCount("LEADER_ENDED", fay.id)).toBe(1);
    expect(await eventCount("LEADER_STARTED", fay.id)).toBe(0);
    expect(await eventCount("LEADER_STARTED", gil.id)).toBe(0);
    const { rows } = await db.query<{ noted: boolean }>(
      `SELECT start_noted AS noted FROM leaderships WHERE user_id = $1`,
      [gil.id],
    );
    expect(rows).toEqual([{ noted: true }]);
  }, 60_000);
});
