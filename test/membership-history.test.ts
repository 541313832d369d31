import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buildASTSchema, isObjectType, parse, visit } from "graphql";
import { DataSource } from "typeorm";
import { buildGroupsSubgraph, contractProblems, contractSoFar } from "../src/federation";
import { inTransaction } from "../src/db";
import type { MemberKey } from "../src/memberships/membership.store";
import { historyPagesSql, periodsOfPairsSql, setPeriodInstant } from "../src/memberships/membership-history.store";
import type { Viewer } from "../src/shared/context";
import { migrations } from "../migrations";
import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { codes, createTestDatabase, TestService, type TestUser } from "./utils/service";

/**
 * Membership history (issue 19): the periods the trigger on memberships keeps, the instant a
 * time-driven change may set, and the migration from the previous schema with data in it.
 */

interface PeriodRow {
  membershipId: string;
  role: string;
  status: string;
  from: Date;
  to: Date | null;
  changedBy: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let svc: TestService;
let owner: TestUser;

beforeAll(async () => {
  svc = await TestService.start();
  owner = await svc.user({ name: "Owner" });
  await provision(svc, owner);
});

afterAll(async () => {
  await svc.stop();
});

/** The periods of one user in one group, oldest first, straight from the table. */
async function periodsOf(groupId: string, userId: string): Promise<PeriodRow[]> {
  return (await svc.db.query(
    `SELECT membership_id AS "membershipId", role, status, valid_from AS "from", valid_to AS "to", changed_by AS "changedBy"
     FROM membership_periods WHERE group_id = $1 AND user_id = $2 ORDER BY valid_from, id`,
    [groupId, userId],
  )) as PeriodRow[];
}

const UpdateRole = `mutation ($g: ID!, $u: ID!, $r: String!) { updateMemberRole(groupId: $g, userId: $u, role: $r) { id } }`;
const SetStatus = `mutation ($g: ID!, $u: ID!, $s: MembershipStatus!) { setMemberStatus(groupId: $g, userId: $u, status: $s) { id } }`;
const Remove = `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`;

describe("the periods the trigger keeps", () => {
  it("adding opens one, each change closes it and opens the next at the same instant, removal closes it", async () => {
    const group = await createGroup(svc, owner);
    const admin = await svc.user({ name: "Admin" });
    const ada = await svc.user({ name: "Ada" });
    await addMember(svc, owner, group, admin, { role: "admin" });
    const first = await addMember(svc, admin, group, ada, { status: "PENDING" });
    await svc.ok(`mutation ($g: ID!) { respondToInvitation(groupId: $g, accept: true) { id } }`, { g: group }, ada);
    await svc.ok(UpdateRole, { g: group, u: ada.id, r: "admin" }, owner);
    await svc.ok(SetStatus, { g: group, u: ada.id, s: "INACTIVE" }, admin);
    await svc.ok(Remove, { g: group, u: ada.id }, owner);
    const second = await addMember(svc, admin, group, ada);
    expect(second).not.toBe(first);

    const periods = await periodsOf(group, ada.id);
    expect(periods.map(({ membershipId, role, status, changedBy }) => [membershipId, role, status, changedBy])).toEqual(
      [
        [first, "member", "PENDING", admin.id],
        [first, "member", "ACTIVE", ada.id],
        [first, "admin", "ACTIVE", owner.id],
        [first, "admin", "INACTIVE", admin.id],
        [second, "member", "ACTIVE", admin.id],
      ],
    );
    // Each change closes the period at the instant the next one opens; the removal leaves a gap.
    for (let i = 0; i < 3; i++) expect(periods[i]!.to).toEqual(periods[i + 1]!.from);
    expect(periods[3]!.to!.getTime()).toBeLessThanOrEqual(periods[4]!.from.getTime());
    expect(periods[4]!.to).toBeNull();
    // Instants are kept to the millisecond (the API's DateTime): a `from` read back is the instant itself.
    const [{ sub }] = (await svc.db.query(
      `SELECT count(*)::int AS sub FROM membership_periods
       WHERE valid_from <> date_trunc('milliseconds', valid_from) OR valid_to <> date_trunc('milliseconds', valid_to)`,
    )) as { sub: number }[];
    expect(sub).toBe(0);
    // The group's creator got the owner's period with createGroup.
    expect((await periodsOf(group, owner.id)).map((p) => [p.role, p.status, p.changedBy, p.to])).toEqual([
      ["owner", "ACTIVE", owner.id, null],
    ]);
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("a change that changes nothing, or only the expiry, opens no period", async () => {
    const group = await createGroup(svc, owner);
    const bo = await svc.user({ name: "Bo" });
    await addMember(svc, owner, group, bo);
    await svc.ok(UpdateRole, { g: group, u: bo.id, r: "member" }, owner);
    await svc.ok(SetStatus, { g: group, u: bo.id, s: "ACTIVE" }, owner);
    await svc.db.query(
      `UPDATE memberships SET expires_at = now() + interval '1 day' WHERE group_id = $1 AND user_id = $2`,
      [group, bo.id],
    );
    // The column is in the UPDATE's SET list, its value is not new: no period either.
    await svc.db.query(`UPDATE memberships SET role = role, status = status WHERE group_id = $1`, [group]);
    expect(await periodsOf(group, bo.id)).toHaveLength(1);
  });

  it("a transaction may set the instant of its changes (a time-driven change: the expiry's instant, changedBy null)", async () => {
    const group = await createGroup(svc, owner);
    const cy = await svc.user({ name: "Cy" });
    await addMember(svc, owner, group, cy);
    const [{ now }] = (await svc.db.query(`SELECT now() AS now`)) as { now: Date }[];
    await sleep(20);
    const expiry = new Date(now.getTime() + 10);
    await inTransaction(svc.db, async (tx) => {
      await setPeriodInstant(tx, expiry);
      await tx.query(
        `UPDATE memberships SET status = 'INACTIVE', changed_by = NULL WHERE group_id = $1 AND user_id = $2`,
        [group, cy.id],
      );
    });
    const periods = await periodsOf(group, cy.id);
    expect(periods.map((p) => [p.status, p.changedBy])).toEqual([
      ["ACTIVE", owner.id],
      ["INACTIVE", null],
    ]);
    expect(periods[0]!.to).toEqual(expiry);
    expect(periods[1]!.from).toEqual(expiry);
    // The setting is the transaction's own: the next change on the same connection uses now() again.
    await svc.ok(SetStatus, { g: group, u: cy.id, s: "ACTIVE" }, owner);
    const after = await periodsOf(group, cy.id);
    expect(after[2]!.from.getTime()).toBeGreaterThan(expiry.getTime());
  });

  it("a transaction that started before another's change to the same member records its own change no earlier", async () => {
    const group = await createGroup(svc, owner);
    const di = await svc.user({ name: "Di" });
    await addMember(svc, owner, group, di);
    // `early` begins (its now() is fixed from here), then another change commits, then `early` writes.
    const early = svc.db.createQueryRunner();
    await early.connect();
    try {
      await early.startTransaction();
      await early.query(`SELECT now()`);
      await sleep(20);
      await svc.ok(UpdateRole, { g: group, u: di.id, r: "admin" }, owner);
      await early.query(
        `UPDATE memberships SET role = 'viewer', changed_by = NULL WHERE group_id = $1 AND user_id = $2`,
        [group, di.id],
      );
      await early.commitTransaction();
    } finally {
      await early.release();
    }
    const periods = await periodsOf(group, di.id);
    expect(periods.map((p) => p.role)).toEqual(["member", "admin", "viewer"]);
    // The admin period is empty (it began and ended at the same instant): no as-of read shows it.
    expect(periods[1]!.to).toEqual(periods[1]!.from);
    expect(periods[2]!.from).toEqual(periods[1]!.from);
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("a statement writing many memberships writes each one's period; a removal and re-add in one transaction too", async () => {
    const group = await createGroup(svc, owner);
    const many = await Promise.all([1, 2, 3].map((i) => svc.user({ name: `Many ${i}` })));
    await provision(svc, ...many);
    await svc.db.query(
      `INSERT INTO memberships (group_id, user_id, role, changed_by) SELECT $1, u, 'member', $2 FROM unnest($3::uuid[]) u`,
      [group, owner.id, many.map((u) => u.id)],
    );
    for (const u of many) {
      expect((await periodsOf(group, u.id)).map((p) => [p.role, p.changedBy, p.to])).toEqual([
        ["member", owner.id, null],
      ]);
    }
    await inTransaction(svc.db, async (tx) => {
      await tx.query(`DELETE FROM memberships WHERE group_id = $1 AND user_id = $2`, [group, many[0]!.id]);
      await tx.query(`INSERT INTO memberships (group_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
        group,
        many[0]!.id,
      ]);
    });
    const again = await periodsOf(group, many[0]!.id);
    expect(again.map((p) => p.role)).toEqual(["member", "viewer"]);
    expect(again[0]!.to).toEqual(again[1]!.from);
    await svc.db.query(`DELETE FROM memberships WHERE group_id = $1 AND role <> 'owner'`, [group]);
    for (const u of many) {
      const periods = await periodsOf(group, u.id);
      expect(periods.every((p) => p.to !== null)).toBe(true);
    }
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("deleting a group takes its history with it; the database refuses overlapping or second current periods", async () => {
    const group = await createGroup(svc, owner);
    const ed = await svc.user({ name: "Ed" });
    await addMember(svc, owner, group, ed);
    await svc.ok(`mutation ($id: ID!) { deleteGroup(id: $id) }`, { id: group }, owner);
    expect(await periodsOf(group, ed.id)).toEqual([]);

    const kept = await createGroup(svc, owner);
    await addMember(svc, owner, kept, ed);
    const [{ id: membershipId }] = (await svc.db.query(
      `SELECT id FROM memberships WHERE group_id = $1 AND user_id = $2`,
      [kept, ed.id],
    )) as { id: string }[];
    const insert = (from: string, to: string | null) =>
      svc.db.query(
        `INSERT INTO membership_periods (membership_id, group_id, user_id, role, status, joined_at, valid_from, valid_to)
         VALUES ($1, $2, $3, 'member', 'ACTIVE', now(), $4, $5)`,
        [membershipId, kept, ed.id, from, to],
      );
    await expect(insert("2020-01-01", null)).rejects.toThrow(/membership_periods_current_key|no_overlap/);
    await expect(insert("2020-01-01", "2999-01-01")).rejects.toThrow(/membership_periods_no_overlap/);
    await expect(insert("2020-01-02", "2020-01-01")).rejects.toThrow(/membership_periods_order/);
    await insert("2020-01-01", "2020-02-01"); // a past period beside the current one is fine
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("the invariants catch overlapping periods, two current ones and a history out of step with memberships", async () => {
    const group = await createGroup(svc, owner);
    const fay = await svc.user({ name: "Fay" });
    await addMember(svc, owner, group, fay);
    const runner = svc.db.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`ALTER TABLE membership_periods DROP CONSTRAINT membership_periods_no_overlap`);
      await runner.query(`DROP INDEX membership_periods_current_key`);
      await runner.query(`ALTER TABLE memberships DISABLE TRIGGER USER`);
      await runner.query(
        `INSERT INTO membership_periods (membership_id, group_id, user_id, role, status, joined_at, valid_from)
         SELECT id, group_id, user_id, role, status, joined_at, joined_at - interval '1 day' FROM memberships
         WHERE group_id = $1 AND user_id = $2`,
        [group, fay.id],
      );
      await runner.query(`UPDATE memberships SET role = 'admin' WHERE group_id = $1 AND user_id = $2`, [group, fay.id]);
      const found = (await checkInvariants(runner.manager)).map((v) => v.split(":")[0]);
      expect(found).toEqual([
        "no overlapping membership periods of one user in one group",
        "at most one current membership period per user and group",
        "every membership, and only a membership, has a current period with its role and status",
      ]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await checkInvariants(svc.db)).toEqual([]);
  });
});

/** The database's clock, between two steps: each step's instants lie before or after it. */
async function dbNow(): Promise<string> {
  await sleep(5);
  const [{ now }] = (await svc.db.query(`SELECT now() AS now`)) as { now: Date }[];
  await sleep(5);
  return now.toISOString();
}

const AsOf = `query ($g: ID!, $u: ID!, $asOf: DateTime, $inactive: Boolean) {
  group(id: $g) {
    memberCount(asOf: $asOf)
    members(asOf: $asOf, includeInactive: $inactive) { totalCount nodes { id role status isActive user { id } } }
  }
  user(id: $u) {
    memberships(asOf: $asOf, includeInactive: $inactive) { id role status group { id } }
    groups(asOf: $asOf) { id }
  }
}`;

interface AsOfData {
  group: {
    memberCount: number;
    members: {
      totalCount: number;
      nodes: { id: string; role: string; status: string; isActive: boolean; user: { id: string } }[];
    };
  };
  user: {
    memberships: { id: string; role: string; status: string; group: { id: string } }[];
    groups: { id: string }[];
  } | null;
}

describe("reads as of an instant", () => {
  let group: string;
  let ada: TestUser;
  const at: Record<string, string> = {};
  const ids: Record<string, string> = {};

  /** What the group and Ada looked like at `asOf`, as `as` sees it: Ada's role there, or null. */
  async function adaAt(asOf: string | null, as: TestUser = owner, inactive = false) {
    const data = await svc.ok<AsOfData, unknown>(AsOf, { g: group, u: ada.id, asOf, inactive }, as);
    const node = data.group.members.nodes.find((n) => n.user.id === ada.id) ?? null;
    const mine = data.user?.memberships.filter((m) => m.group.id === group) ?? [];
    // The user's own view of it agrees with the group's.
    expect(mine.map((m) => [m.id, m.role, m.status])).toEqual(node ? [[node.id, node.role, node.status]] : []);
    expect(data.group.members.totalCount).toBe(data.group.members.nodes.length);
    return { data, node, inGroups: data.user?.groups.some((g) => g.id === group) ?? false };
  }

  beforeAll(async () => {
    group = await createGroup(svc, owner, { name: "History Lab" });
    ada = await svc.user({ name: "Ada" });
    await provision(svc, ada);
    at.before = await dbNow();
    ids.first = await addMember(svc, owner, group, ada);
    at.added = await dbNow();
    await svc.ok(UpdateRole, { g: group, u: ada.id, r: "admin" }, owner);
    at.promoted = await dbNow();
    await svc.ok(UpdateRole, { g: group, u: ada.id, r: "viewer" }, owner);
    at.demoted = await dbNow();
    await svc.ok(Remove, { g: group, u: ada.id }, owner);
    at.removed = await dbNow();
    ids.second = await addMember(svc, owner, group, ada, { role: "member" });
    at.readded = await dbNow();
  });

  it("answers who was a member, with what role, between each step", async () => {
    const expected: [string, string | null][] = [
      ["before", null],
      ["added", "member"],
      ["promoted", "admin"],
      ["demoted", "viewer"],
      ["removed", null],
      ["readded", "member"],
    ];
    for (const [step, role] of expected) {
      const { data, node, inGroups } = await adaAt(at[step]!);
      expect([step, node?.role ?? null]).toEqual([step, role]);
      expect([step, data.group.memberCount]).toEqual([step, role ? 2 : 1]);
      expect([step, inGroups]).toEqual([step, role !== null]);
      if (node) expect([node.status, node.isActive]).toEqual(["ACTIVE", true]);
    }
    // Without asOf: the present, as before.
    expect((await adaAt(null)).node?.role).toBe("member");
  });

  it("includes a period's from and excludes its to (the boundaries are the instants of the changes)", async () => {
    const periods = await periodsOf(group, ada.id);
    expect(periods.map((p) => p.role)).toEqual(["member", "admin", "viewer", "member"]);
    for (const [i, p] of periods.entries()) {
      expect((await adaAt(p.from.toISOString())).node?.role).toBe(p.role);
      const justBefore = new Date(p.from.getTime() - 1).toISOString();
      expect((await adaAt(justBefore)).node?.role ?? null).toBe(i === 0 ? null : i === 3 ? null : periods[i - 1]!.role);
      if (p.to) {
        // At `to` the next state holds: the next role, or (after the removal) no membership.
        expect((await adaAt(p.to.toISOString())).node?.role ?? null).toBe(i === 2 ? null : periods[i + 1]!.role);
        expect((await adaAt(new Date(p.to.getTime() - 1).toISOString())).node?.role).toBe(p.role);
      }
    }
  });

  it("gives the present state the membership's id and each past state an id of its own", async () => {
    expect((await adaAt(at.readded!)).node!.id).toBe(ids.second);
    const promoted = (await adaAt(at.promoted!)).node!.id;
    expect([ids.first, ids.second]).not.toContain(promoted);
    // Stable: the same past state has the same id whenever it is asked about.
    const periods = await periodsOf(group, ada.id);
    expect((await adaAt(periods[1]!.from.toISOString())).node!.id).toBe(promoted);
    expect((await adaAt(at.added!)).node!.id).not.toBe(promoted);
  });

  it("follows today's visibility: someone without members.view is refused the past too; Ada sees her own", async () => {
    const stranger = await svc.user({ name: "Stranger" });
    await provision(svc, stranger);
    const res = await svc.gql<AsOfData, unknown>(AsOf, { g: group, u: ada.id, asOf: at.promoted }, stranger);
    // The group is PRIVATE: the stranger cannot see it at all.
    expect(res.data?.group ?? null).toBeNull();
    const viewerOnly = await svc.user({ name: "Viewer" });
    await addMember(svc, owner, group, viewerOnly, { role: "viewer" });
    const refused = await svc.gql(
      `query ($g: ID!, $asOf: DateTime) { group(id: $g) { members(asOf: $asOf) { totalCount } } }`,
      { g: group, asOf: at.promoted },
      viewerOnly,
    );
    expect(codes(refused)).toEqual(["FORBIDDEN"]);
    const theirs = await svc.ok<{ user: { memberships: unknown[] } }, unknown>(
      `query ($u: ID!, $asOf: DateTime) { user(id: $u) { memberships(asOf: $asOf) { role } } }`,
      { u: ada.id, asOf: at.promoted },
      viewerOnly,
    );
    expect(theirs.user.memberships).toEqual([]);
    const own = await svc.ok<{ me: { memberships: { role: string }[] } }, unknown>(
      `query ($asOf: DateTime) { me { memberships(asOf: $asOf) { role } } }`,
      { asOf: at.promoted },
      ada,
    );
    expect(own.me.memberships).toEqual([{ role: "admin" }]);
  });

  const History = `query ($g: ID!, $u: ID!, $first: Int, $after: String) {
    group(id: $g) {
      membershipHistory(userId: $u, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { role status from to changedBy { id } }
      }
    }
  }`;
  interface Period {
    role: string;
    status: string;
    from: string;
    to: string | null;
    changedBy: { id: string } | null;
  }
  type HistoryData = {
    group: {
      membershipHistory: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Period[];
      };
    };
  };

  it("membershipHistory lists each period, removed ones included, oldest first, with who opened it", async () => {
    const data = await svc.ok<HistoryData, unknown>(History, { g: group, u: ada.id }, owner);
    const periods = data.group.membershipHistory.nodes;
    expect(data.group.membershipHistory.totalCount).toBe(4);
    expect(periods.map((p) => [p.role, p.status, p.changedBy?.id])).toEqual([
      ["member", "ACTIVE", owner.id],
      ["admin", "ACTIVE", owner.id],
      ["viewer", "ACTIVE", owner.id],
      ["member", "ACTIVE", owner.id],
    ]);
    // Between the recorded instants, in order; each change's to is the next one's from; the removal leaves a gap.
    const t = (k: string) => new Date(at[k]!).getTime();
    const ms = (v: string | null) => (v === null ? null : new Date(v).getTime());
    expect([t("before") < ms(periods[0]!.from)!, ms(periods[0]!.from)! < t("added")]).toEqual([true, true]);
    expect(ms(periods[0]!.to)).toBe(ms(periods[1]!.from));
    expect(ms(periods[1]!.to)).toBe(ms(periods[2]!.from));
    expect([t("demoted") < ms(periods[2]!.to)!, ms(periods[2]!.to)! < t("removed")]).toEqual([true, true]);
    expect([t("removed") < ms(periods[3]!.from)!, periods[3]!.to]).toEqual([true, null]);
    // Each period opens at the instant of the event of the change that opened it (the audit log agrees).
    const events = await svc.ok<
      { group: { events: { nodes: { type: string; userId: string; occurredAt: string }[] } } },
      unknown
    >(
      `query ($g: ID!) { group(id: $g) { events(first: 100) { nodes { type userId occurredAt } } } }`,
      { g: group },
      owner,
    );
    const opening = events.group.events.nodes
      .filter((e) => e.userId === ada.id && e.type !== "MEMBER_REMOVED")
      .map((e) => e.occurredAt)
      .sort();
    expect(opening).toEqual(periods.map((p) => p.from));
    // Membership.history: the same periods, on the present membership and on a past state alike.
    const viaMembership = await svc.ok<
      {
        group: { membership: { history: Period[] }; members: { nodes: { user: { id: string }; history: Period[] }[] } };
      },
      unknown
    >(
      `query ($g: ID!, $u: ID!, $asOf: DateTime) { group(id: $g) {
        membership(userId: $u) { history { role status from to changedBy { id } } }
        members(asOf: $asOf) { nodes { user { id } history { role status from to changedBy { id } } } }
      } }`,
      { g: group, u: ada.id, asOf: at.promoted },
      owner,
    );
    expect(viaMembership.group.membership.history).toEqual(periods);
    expect(viaMembership.group.members.nodes.find((n) => n.user.id === ada.id)!.history).toEqual(periods);
  });

  it("membershipHistory pages by first and after; Ada may read her own; others need members.view", async () => {
    const page1 = await svc.ok<HistoryData, unknown>(History, { g: group, u: ada.id, first: 3 }, ada);
    expect(page1.group.membershipHistory.nodes.map((p) => p.role)).toEqual(["member", "admin", "viewer"]);
    expect(page1.group.membershipHistory.pageInfo.hasNextPage).toBe(true);
    const page2 = await svc.ok<HistoryData, unknown>(
      History,
      { g: group, u: ada.id, first: 3, after: page1.group.membershipHistory.pageInfo.endCursor },
      ada,
    );
    expect(page2.group.membershipHistory.nodes.map((p) => p.role)).toEqual(["member"]);
    expect(page2.group.membershipHistory.pageInfo.hasNextPage).toBe(false);
    expect(page2.group.membershipHistory.totalCount).toBe(4);
    // Ada (a member again) asking about the owner: members.view comes with her member role.
    const owners = await svc.ok<HistoryData, unknown>(History, { g: group, u: owner.id }, ada);
    expect(owners.group.membershipHistory.nodes.map((p) => p.role)).toEqual(["owner"]);
    // A user who never was a member: no periods.
    const nobody = await svc.ok<HistoryData, unknown>(History, { g: group, u: crypto.randomUUID() }, owner);
    expect(nobody.group.membershipHistory).toMatchObject({ totalCount: 0, nodes: [] });

    const viewerOnly = await svc.user({ name: "Only a viewer" });
    await addMember(svc, owner, group, viewerOnly, { role: "viewer" });
    expect(codes(await svc.gql(History, { g: group, u: ada.id }, viewerOnly))).toEqual(["FORBIDDEN"]);
    const ownHistory = await svc.ok<HistoryData, unknown>(History, { g: group, u: viewerOnly.id }, viewerOnly);
    expect(ownHistory.group.membershipHistory.totalCount).toBe(1);
    // A group the caller cannot see, or that does not exist: group(id) answers null, as for any group.
    const stranger = await svc.user({ name: "Outsider" });
    await provision(svc, stranger);
    for (const g of [group, crypto.randomUUID()]) {
      const res = await svc.gql<HistoryData, unknown>(History, { g, u: ada.id }, stranger);
      expect([res.data?.group, codes(res)]).toEqual([null, []]);
    }
    // Hostile paging input.
    for (const [first, after] of [
      [-1, null],
      [501, null],
      [10, "not-a-cursor"],
      [10, Buffer.from(JSON.stringify(["x", "y"])).toString("base64url")],
    ] as const) {
      expect(codes(await svc.gql(History, { g: group, u: ada.id, first, after }, owner))).toEqual(["BAD_USER_INPUT"]);
    }
  });

  it("refuses an asOf that is no DateTime (BAD_USER_INPUT)", async () => {
    for (const asOf of ["yesterday", "2024-13-01T00:00:00Z", "", 12]) {
      const res = await svc.gql(
        `query ($g: ID!, $asOf: DateTime) { group(id: $g) { memberCount(asOf: $asOf) } }`,
        {
          g: group,
          asOf,
        },
        owner,
      );
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe("as of an instant: statuses, expiry, role filter and the hierarchy", () => {
  it("judges an expiry at the instant asked about, filters by role and includeInactive as today", async () => {
    const group = await createGroup(svc, owner);
    const eve = await svc.user({ name: "Eve" });
    const gus = await svc.user({ name: "Gus" });
    const [{ soon }] = (await svc.db.query(`SELECT now() + interval '1500 milliseconds' AS soon`)) as { soon: Date }[];
    await addMember(svc, owner, group, eve, { expiresAt: soon.toISOString() });
    await addMember(svc, owner, group, gus, { status: "PENDING", role: "admin" });
    const beforeExpiry = await dbNow();
    while (new Date(await dbNow()) <= soon) await sleep(100);
    const afterExpiry = new Date(soon.getTime() + 1).toISOString();
    const q = `query ($g: ID!, $asOf: DateTime, $inactive: Boolean, $role: String) { group(id: $g) {
      memberCount(asOf: $asOf) members(asOf: $asOf, includeInactive: $inactive, role: $role) { nodes { role status isActive user { id } } } } }`;
    type Q = {
      group: {
        memberCount: number;
        members: { nodes: { role: string; status: string; isActive: boolean; user: { id: string } }[] };
      };
    };
    const read = (asOf: string, inactive: boolean, role: string | null = null) =>
      svc.ok<Q, unknown>(q, { g: group, asOf, inactive, role }, owner);
    const before = await read(beforeExpiry, true);
    expect(before.group.memberCount).toBe(2);
    expect(before.group.members.nodes.map((n) => [n.user.id, n.status, n.isActive])).toEqual([
      [owner.id, "ACTIVE", true],
      [eve.id, "ACTIVE", true],
      [gus.id, "PENDING", false],
    ]);
    const after = await read(afterExpiry, true);
    expect(after.group.memberCount).toBe(1);
    expect(after.group.members.nodes.find((n) => n.user.id === eve.id)).toMatchObject({
      status: "INACTIVE",
      isActive: false,
    });
    expect((await read(afterExpiry, false)).group.members.nodes.map((n) => n.user.id)).toEqual([owner.id]);
    expect((await read(beforeExpiry, true, "admin")).group.members.nodes.map((n) => n.user.id)).toEqual([gus.id]);
  });

  it("transitive: the members of then in the descendants of today (a group detached since no longer counts)", async () => {
    const parent = await createGroup(svc, owner, { name: "Parent" });
    const child = await createGroup(svc, owner, { name: "Child", parentIds: [parent] });
    const hal = await svc.user({ name: "Hal" });
    await addMember(svc, owner, child, hal, { role: "admin" });
    const then = await dbNow();
    await svc.ok(Remove, { g: child, u: hal.id }, owner);
    const q = `query ($g: ID!, $asOf: DateTime) { group(id: $g) { members(asOf: $asOf, transitive: true) { nodes { role user { id } } } } }`;
    type Q = { group: { members: { nodes: { role: string; user: { id: string } }[] } } };
    const read = async (asOf: string | null) =>
      (await svc.ok<Q, unknown>(q, { g: parent, asOf }, owner)).group.members.nodes.map((n) => [n.user.id, n.role]);
    expect(await read(then)).toEqual([
      [owner.id, "owner"],
      [hal.id, "admin"],
    ]);
    expect(await read(null)).toEqual([[owner.id, "owner"]]);
    await svc.ok(`mutation ($id: ID!) { updateGroup(id: $id, input: { parentIds: [] }) { id } }`, { id: child }, owner);
    expect(await read(then)).toEqual([[owner.id, "owner"]]);
  });
});

describe("statements as of an instant", () => {
  const Shape = `query ($t: String, $asOf: DateTime, $me: ID!) {
    groups(first: 10, filter: { groupType: $t }) { nodes {
      memberCount(asOf: $asOf)
      members(asOf: $asOf, includeInactive: true, first: 10) { totalCount nodes { role status user {
        name memberships(asOf: $asOf) { role } groups(asOf: $asOf) { id }
      } history { role from changedBy { name } } } }
      membershipHistory(userId: $me, first: 5) { totalCount nodes { role } }
    } }
  }`;
  type ShapeData = { groups: { nodes: { memberCount: number; members: { totalCount: number } }[] } };

  it("depend on the query's shape, not on how many groups and members it lists", async () => {
    const lister = await svc.user({ name: "Lister" });
    await provision(svc, lister);
    const counts: number[] = [];
    for (const [type, size] of [
      ["hist-small", 2],
      ["hist-large", 6],
    ] as const) {
      for (let i = 0; i < size; i++) {
        const g = await createGroup(svc, lister, { groupType: type });
        for (let j = 0; j <= i % 3; j++) {
          const m = await svc.user();
          await addMember(svc, lister, g, m);
          await svc.ok(UpdateRole, { g, u: m.id, r: "admin" }, lister);
        }
      }
      const asOf = await dbNow();
      const { data, count } = await svc.statements<ShapeData, unknown>(Shape, { t: type, asOf, me: lister.id }, lister);
      expect(data.groups.nodes).toHaveLength(size);
      expect(data.groups.nodes.every((n) => n.members.totalCount === n.memberCount)).toBe(true);
      counts.push(count);
    }
    expect(counts[0]).toBe(counts[1]);
    // The page of groups, the caller's standing, the counts, the member pages (users ride along),
    // their memberships, their groups, their histories and the caller's own histories: one
    // statement each (who made the changes is the caller here, loaded with the request).
    expect(counts[0]).toBe(8);
  });
});

describe("the history statements' plans", () => {
  /** The scans of membership_periods in a plan (EXPLAIN's JSON), each with its index condition. */
  function periodScans(plan: Record<string, unknown>): { node: string; indexCond: string | null }[] {
    const own =
      plan["Relation Name"] === "membership_periods"
        ? [{ node: String(plan["Node Type"]), indexCond: (plan["Index Cond"] as string | undefined) ?? null }]
        : [];
    const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
    return [...own, ...children.flatMap(periodScans)];
  }

  /** The scans of membership_periods in the plan of `statement`, sequential scans costed away. */
  async function periodScansOf(statement: { text: string; values: unknown[] }) {
    // A table this small is cheapest read whole: with sequential scans costed away, what is left is
    // what the statement's shape allows. The rule written on each period allowed only a read of a
    // whole index; decided per pair, each pair is an index condition.
    const runner = svc.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL enable_seqscan = off`);
      const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)) as {
        "QUERY PLAN": { Plan: Record<string, unknown> }[];
      }[];
      return periodScans(row!["QUERY PLAN"][0]!.Plan);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it.each([
    [
      "Group.membershipHistory's pages",
      (v: Viewer, pairs: MemberKey[]) => historyPagesSql(v, pairs, { limit: 11, after: null }),
    ],
    ["Membership.history's periods", periodsOfPairsSql],
  ])("%s probe the periods of each pair a non-admin viewer may read, never the whole table", async (_name, build) => {
    const group = await createGroup(svc, owner);
    const ada = await svc.user({ name: "Ada" });
    await addMember(svc, owner, group, ada);
    const viewer = { id: owner.id, isGlobalAdmin: false };
    const pairs = [
      { groupId: group, userId: ada.id },
      { groupId: group, userId: owner.id },
    ];
    const scans = await periodScansOf(build(viewer, pairs));
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(scan.indexCond).toMatch(/group_id = .*user_id = /);
  });
});

describe("the contract's time and history block, as far as it is built", () => {
  const docs = path.resolve(__dirname, "../docs/contract");
  const read = (file: string) => fs.readFileSync(path.join(docs, file), "utf8");
  let sdl: string;
  beforeAll(async () => {
    sdl = (await buildGroupsSubgraph()).sdl;
  });

  it("covers MembershipPeriod, its connection, Membership.history and Group.membershipHistory (and notices one missing)", () => {
    const expected = contractSoFar(read("contract.graphql"), read("contract-next.graphql"));
    expect(contractProblems(expected, parse(sdl))).toEqual([]);
    const withoutHistory = visit(parse(sdl), {
      ObjectTypeDefinition: (node) =>
        node.name.value === "Group"
          ? { ...node, fields: node.fields?.filter((f) => f.name.value !== "membershipHistory") }
          : undefined,
    });
    expect(contractProblems(expected, withoutHistory)).toEqual(["missing field Group.membershipHistory"]);
  });

  it("has asOf: DateTime on members, memberCount, User.groups and User.memberships (the block's comments)", () => {
    const schema = buildASTSchema(parse(sdl), { assumeValidSDL: true });
    for (const [type, field] of [
      ["Group", "members"],
      ["Group", "memberCount"],
      ["User", "groups"],
      ["User", "memberships"],
    ] as const) {
      const t = schema.getType(type);
      if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
      const arg = t.getFields()[field]!.args.find((a) => a.name === "asOf");
      expect([type, field, arg?.type.toString()]).toEqual([type, field, "DateTime"]);
    }
  });
});

describe("the migration from the previous schema", () => {
  it("gives each existing membership a current period from its joinedAt, and its down undoes it", async () => {
    const database = await createTestDatabase();
    const options = {
      type: "postgres" as const,
      url: database.url,
      migrationsTableName: "migrations",
      migrationsTransactionMode: "each" as const,
    };
    const before = new DataSource({ ...options, migrations: migrations.slice(0, 5) });
    await before.initialize();
    try {
      expect(before.migrations.map((m) => m.name)).toContain("EventFeed1795000004000");
      await before.runMigrations();
      await before.query(`INSERT INTO users (id, name) VALUES
        ('00000000-0000-4000-8000-000000000001', 'Ann'), ('00000000-0000-4000-8000-000000000002', 'Ben')`);
      await before.query(`INSERT INTO groups (id, name) VALUES
        ('00000000-0000-4000-8000-0000000000a1', 'One'), ('00000000-0000-4000-8000-0000000000a2', 'Two')`);
      await before.query(`INSERT INTO memberships (group_id, user_id, role, status, invited_by, joined_at, expires_at) VALUES
        ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'owner', 'ACTIVE', NULL,
         '2021-03-04 05:06:07.891234+00', NULL),
        ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000002', 'member', 'PENDING',
         '00000000-0000-4000-8000-000000000001', '2022-01-01 00:00:00+00', NULL),
        ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000002', 'admin', 'INACTIVE',
         '00000000-0000-4000-8000-000000000001', '2023-06-30 12:00:00+00', '2024-01-01 00:00:00+00')`);
    } finally {
      await before.destroy();
    }

    const after = new DataSource({ ...options, migrations });
    await after.initialize();
    try {
      // The history migration and every later one.
      expect(await after.runMigrations()).toHaveLength(migrations.length - 5);
      const periods = (await after.query(
        `SELECT p.group_id AS "groupId", p.user_id AS "userId", p.role, p.status, p.valid_from AS "from",
           p.valid_to AS "to", p.changed_by AS "changedBy", p.membership_id = m.id AS "sameId", m.changed_by AS "rowChangedBy"
         FROM membership_periods p JOIN memberships m ON m.group_id = p.group_id AND m.user_id = p.user_id
         ORDER BY p.valid_from`,
      )) as Record<string, unknown>[];
      const ann = "00000000-0000-4000-8000-000000000001";
      expect(periods).toEqual([
        {
          groupId: "00000000-0000-4000-8000-0000000000a1",
          userId: ann,
          role: "owner",
          status: "ACTIVE",
          // Kept to the millisecond, the API's precision.
          from: new Date("2021-03-04T05:06:07.891Z"),
          to: null,
          changedBy: null,
          sameId: true,
          rowChangedBy: null,
        },
        {
          groupId: "00000000-0000-4000-8000-0000000000a1",
          userId: "00000000-0000-4000-8000-000000000002",
          role: "member",
          status: "PENDING",
          from: new Date("2022-01-01T00:00:00Z"),
          to: null,
          changedBy: ann,
          sameId: true,
          rowChangedBy: ann,
        },
        {
          groupId: "00000000-0000-4000-8000-0000000000a2",
          userId: "00000000-0000-4000-8000-000000000002",
          role: "admin",
          status: "INACTIVE",
          from: new Date("2023-06-30T12:00:00Z"),
          to: null,
          changedBy: ann,
          sameId: true,
          rowChangedBy: ann,
        },
      ]);
      // The trigger takes over from there.
      await after.query(`UPDATE memberships SET role = 'admin' WHERE user_id = $1`, [ann]);
      expect(await after.query(`SELECT count(*)::int AS n FROM membership_periods`)).toEqual([{ n: 4 }]);
      // (The seeded rows have no events and no lasting owner: only the history's rules apply here.)
      expect((await checkInvariants(after)).filter((v) => /period/.test(v))).toEqual([]);

      // Down to the previous schema: undo every migration after the history's, then the history's.
      for (let i = migrations.length; i >= 6; i--) await after.undoLastMigration();
      const left = (await after.query(
        `SELECT to_regclass('membership_periods') AS "table",
           (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'memberships' AND column_name = 'changed_by') AS "column",
           (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'membership_period%') AS "function",
           (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'memberships'::regclass AND NOT tgisinternal) AS triggers,
           (SELECT count(*)::int FROM memberships) AS memberships`,
      )) as Record<string, unknown>[];
      expect(left).toEqual([{ table: null, column: 0, function: 0, triggers: 0, memberships: 3 }]);
      // And up again: the same periods, from joinedAt.
      await after.runMigrations();
      expect(await after.query(`SELECT count(*)::int AS n FROM membership_periods WHERE valid_to IS NULL`)).toEqual([
        { n: 3 },
      ]);
    } finally {
      await after.destroy();
      await database.drop();
    }
  });
});
