import net from "node:net";
import type { Pool } from "pg";
import { createDataSource } from "../ormconfig";
import {
  freePort,
  inTransaction,
  poolOf,
  query,
  readPipelineOf,
  type ReadPipeline,
  startReadPipeline,
} from "../src/db";
import { hierarchyFactsSql } from "../src/permissions/permission.store";
import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";

/*
 * The read pipeline (src/db/pipeline.ts): the permission facts of the reads started in one turn of
 * the event loop go to one connection of their own and out in one write; each read still gets its
 * own answer, a failing statement fails alone, a lost connection is replaced, and stopping the
 * service ends its connections. Every other suite runs its checks through it too (on by default).
 */

let svc: TestService;
let admin: TestUser;
let owner: TestUser;
let member: TestUser;
let org: string;
let team: string;

/** A group as Q2 and Q4 read it (one planned statement); the caller is a global admin. */
const GROUP = `query ($id: ID!) { group(id: $id) { id name memberCount ancestors { depth group { name } }
  members(first: 5) { totalCount nodes { role user { name } } } children { name } } }`;

/** A group with its own fields only (groupsById), and as a router asks for it (visibleGroupsById). */
const GROUP_ROW = `query ($id: ID!) { group(id: $id) { id name visibility } }`;
const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name } } }`;

const CHECK = `query ($u: ID!, $g: ID!) { checkPermission(userId: $u, groupId: $g, permission: "members.add") {
  allowed grants { group { id } role inherited path { id } } } }`;

function pipelineOf(service: TestService): ReadPipeline {
  const pipeline = readPipelineOf(poolOf(service.db)!);
  if (!pipeline) throw new Error("the service started no read pipeline");
  return pipeline;
}

/** The read connections of this service's database, as PostgreSQL lists them. */
async function readConnections(service: TestService): Promise<number[]> {
  const rows = (await service.db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%(reads)'`,
  )) as { pid: number }[];
  return rows.map((r) => r.pid);
}

/** Whether `condition` came true within 3 s (polled every 20 ms). */
async function until(condition: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

/** Counts the writes of every socket to PostgreSQL's port from now until `stop()`. */
function socketWritesTo(port: number): { count: number; stop(): void } {
  const proto = net.Socket.prototype as unknown as Record<"_write" | "_writev", (...args: unknown[]) => unknown>;
  const originals = { _write: proto._write, _writev: proto._writev };
  const spy = { count: 0, stop: () => Object.assign(proto, originals) };
  for (const name of ["_write", "_writev"] as const) {
    proto[name] = function (this: net.Socket, ...args: unknown[]) {
      if (this.remotePort === port) spy.count++;
      return originals[name].apply(this, args);
    };
  }
  return spy;
}

beforeAll(async () => {
  svc = await TestService.start();
  admin = await svc.user({ admin: true, name: "Admin" });
  owner = await svc.user({ name: "Owner" });
  member = await svc.user({ name: "Member" });
  await provision(svc, admin, owner, member);
  org = await createGroup(svc, owner, { name: "Org" });
  team = await createGroup(svc, owner, { name: "Team", parentIds: [org] });
  await addMember(svc, owner, org, member, { role: "admin" });
});

afterAll(() => svc.stop());

describe("the read pipeline", () => {
  it("sends the facts read in one turn in one write, each with its own answer", async () => {
    const pipeline = pipelineOf(svc);
    const asks = [
      [team, member.id],
      [org, member.id],
      [team, owner.id],
      [org, owner.id],
    ] as const;
    // Through the pool, one at a time: what each read must answer.
    const expected: unknown[][] = [];
    for (const [g, u] of asks) expected.push(await query(svc.db, hierarchyFactsSql([g], [u])));
    const before = { ...pipeline.stats };
    const rounds = 3;
    const writes = socketWritesTo(Number(new URL(svc.databaseUrl).port));
    try {
      const batch = Array.from({ length: rounds }, () => asks)
        .flat()
        .map(([g, u]) => query(svc.db, hierarchyFactsSql([g], [u]), [], { pipelined: true }));
      const answers = await Promise.all(batch);
      expect(answers).toEqual(Array.from({ length: rounds }, () => expected).flat());
    } finally {
      writes.stop();
    }
    expect(pipeline.stats.reads - before.reads).toBe(asks.length * rounds);
    expect(pipeline.stats.turns - before.turns).toBe(1);
    // Through the pool (or uncorked) each read is a write of its own.
    expect(writes.count).toBe(1);
  });

  it("fails a failing statement alone: the reads beside it in the same write are answered", async () => {
    const pipeline = pipelineOf(svc);
    const before = { ...pipeline.stats };
    const results = await Promise.allSettled([
      query(svc.db, hierarchyFactsSql([team], [member.id]), [], { pipelined: true }),
      query(svc.db, `SELECT 1 / (SELECT count(*) FROM groups WHERE false)::int AS x`, [], { pipelined: true }),
      query(svc.db, hierarchyFactsSql([org], [member.id]), [], { pipelined: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(pipeline.stats.turns - before.turns).toBe(1);
    // Its own error (division_by_zero), as through the pool.
    expect(((results[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe("22012");
  });

  it.each([
    ["checkPermission", CHECK, () => ({ u: member.id, g: team }), () => owner],
    ["group(id) with its relations", GROUP, () => ({ id: team }), () => admin],
    ["group(id) with its own fields (groupsById)", GROUP_ROW, () => ({ id: team }), () => admin],
    [
      "_entities (the visible groups by id)",
      ENTITIES,
      () => ({ r: [{ __typename: "Group", id: team }] }),
      () => member,
    ],
  ])("answers %s through it with one statement, the same as through the pool", async (_name, document, vars, as) => {
    const pipeline = pipelineOf(svc);
    const before = pipeline.stats.reads;
    const through = await svc.statements<unknown, unknown>(document, vars(), as());
    expect(pipeline.stats.reads - before).toBe(1);
    const off = await TestService.start({ databaseUrl: svc.databaseUrl, dbPipelineConnections: 0 });
    try {
      expect(readPipelineOf(poolOf(off.db)!)).toBeUndefined();
      // A new replica provisions the caller on its first request: not this one's statement.
      await off.ok(`{ __typename }`, {}, as());
      const pooled = await off.statements<unknown, unknown>(document, vars(), as());
      expect(through.data).toEqual(pooled.data);
      // An answer about the team, not an empty one.
      expect(JSON.stringify(through.data)).toContain(team);
      expect(through.count).toBe(1);
      expect(pooled.count).toBe(1);
    } finally {
      await off.stop();
    }
  });

  it("keeps a transaction's reads on the transaction's connection", async () => {
    const pipeline = pipelineOf(svc);
    const before = pipeline.stats.reads;
    const [row] = await inTransaction(svc.db, (tx) =>
      query<{ inside: boolean }>(tx, `SELECT now() = statement_timestamp() AS inside`, [], { pipelined: true }),
    );
    expect(pipeline.stats.reads).toBe(before);
    // now() is the transaction's start: in a transaction it precedes the statement's own time.
    expect(row).toEqual({ inside: false });
  });

  it("replaces a connection PostgreSQL ended: the checks go on being answered", async () => {
    await svc.ok(CHECK, { u: member.id, g: team }, owner);
    const killed = await readConnections(svc);
    expect(killed.length).toBeGreaterThan(0);
    await svc.db.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [killed]);
    for (let i = 0; i < 5; i++) {
      const { checkPermission } = await svc.ok<{ checkPermission: { allowed: boolean } }, unknown>(
        CHECK,
        { u: member.id, g: team },
        owner,
      );
      expect(checkPermission.allowed).toBe(true);
    }
    // pg_stat_activity lists a terminated backend until it has exited.
    const gone = await until(async () => !(await readConnections(svc)).some((pid) => killed.includes(pid)));
    expect(gone).toBe(true);
    // Checks meanwhile went through the pool; within a second or so a new connection serves them.
    const replaced = await until(async () => {
      await svc.ok(CHECK, { u: member.id, g: team }, owner);
      return (await readConnections(svc)).length > 0;
    });
    expect(replaced).toBe(true);
  });

  it("answers a read whose connection is terminated while it is on the way, through the pool", async () => {
    const expected = await query(svc.db, hierarchyFactsSql([team], [member.id]));
    for (let i = 0; i < 3; i++) {
      // Opened more than a second ago, so the next turn may replace them.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await query(svc.db, hierarchyFactsSql([team], [member.id]), [], { pipelined: true });
      const lanes = await readConnections(svc);
      const [answer] = await Promise.all([
        query(svc.db, hierarchyFactsSql([team], [member.id]), [], { pipelined: true }),
        svc.db.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [lanes]),
      ]);
      expect(answer).toEqual(expected);
    }
  }, 15_000);

  it("sends reads through the pool while its connections cannot connect, trying again at most once a second", async () => {
    const db = createDataSource(svc.databaseUrl, { poolSize: 2 });
    await db.initialize();
    try {
      const pool = poolOf(db) as Pool & { options: { connectionString?: string } };
      // Two idle, connected clients in the pool; then nothing new can connect (the pipeline's
      // connections take the pool's settings): as when the database went away and came back for
      // the pool's connections only.
      await Promise.all([db.query(`SELECT 1`), db.query(`SELECT 1`)]);
      const away = new URL(svc.databaseUrl);
      away.port = String(await freePort());
      pool.options.connectionString = away.toString();
      let attempts = 0;
      const pipeline = startReadPipeline(db, { connections: 1, onClient: () => attempts++ });
      const expected = await query(db, hierarchyFactsSql([team], [member.id]));
      for (let i = 0; i < 30; i++) {
        expect(await query(db, hierarchyFactsSql([team], [member.id]), [], { pipelined: true })).toEqual(expected);
      }
      // One attempt, whose failure sent its read to the pool; none again within the second.
      expect(attempts).toBe(1);
      expect(pipeline.stats.reads).toBeLessThanOrEqual(1);
      await pipeline.close();
    } finally {
      await db.destroy();
    }
  });

  it("ends its connections when the service stops", async () => {
    const replica = await TestService.start({ databaseUrl: svc.databaseUrl });
    const before = await readConnections(svc);
    await replica.ok(CHECK, { u: member.id, g: team }, owner);
    const opened = (await readConnections(svc)).filter((pid) => !before.includes(pid));
    expect(opened.length).toBeGreaterThan(0);
    await replica.stop();
    // pg_stat_activity lists a backend until it has exited.
    const gone = await until(async () => !(await readConnections(svc)).some((pid) => opened.includes(pid)));
    expect(gone).toBe(true);
  });
});
