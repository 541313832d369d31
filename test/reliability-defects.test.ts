import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { codes, type GraphQLResponse, TestService, type TestUser } from "./utils/service";

/**
 * Issue 16: a caller acting with a role lost a moment before, a group left without a lasting owner,
 * a group deleted twice, a parent deleted under a creation answered INTERNAL_SERVER_ERROR, and
 * events for changes that changed nothing. Every race runs for real, through the public API.
 */

const UpdateMemberRole = `mutation ($g: ID!, $u: ID!, $role: String!) {
  updateMemberRole(groupId: $g, userId: $u, role: $role) { role } }`;
const SetMemberStatus = `mutation ($g: ID!, $u: ID!, $status: MembershipStatus!) {
  setMemberStatus(groupId: $g, userId: $u, status: $status) { status expiresAt } }`;
const RemoveMember = `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`;
const AddMember = `mutation ($i: AddMemberInput!) { addMember(input: $i) { id } }`;
const DeleteGroup = `mutation ($id: ID!) { deleteGroup(id: $id) }`;
const CreateGroup = `mutation ($i: CreateGroupInput!) { createGroup(input: $i) { id } }`;
const UpdateGroup = `mutation ($id: ID!, $i: UpdateGroupInput!) { updateGroup(id: $id, input: $i) { id } }`;
const AddLeader = `mutation ($i: AddLeaderInput!) { addLeader(input: $i) { id } }`;
const RemoveLeader = `mutation ($i: RemoveLeaderInput!) { removeLeader(input: $i) { endDate isActive } }`;

interface EventRow {
  id: string;
  type: string;
  actorId: string | null;
  userId: string | null;
}

const daysFromToday = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe("reliability defects (issue 16)", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  /** The group's events, oldest first (ids are handed out in commit order within a group's lock). */
  async function events(groupId: string, type?: string): Promise<EventRow[]> {
    return (await svc.db.query(
      `SELECT id::text AS id, type, actor_id AS "actorId", user_id AS "userId" FROM domain_events
       WHERE group_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY id`,
      [groupId, type ?? null],
    )) as EventRow[];
  }

  async function roleOf(groupId: string, userId: string): Promise<string | null> {
    const rows = (await svc.db.query(`SELECT role FROM memberships WHERE group_id = $1 AND user_id = $2`, [
      groupId,
      userId,
    ])) as { role: string }[];
    return rows[0]?.role ?? null;
  }

  describe("the caller's authority is decided under the group's lock", () => {
    let a: TestUser;
    let b: TestUser;
    let c: TestUser;
    beforeAll(async () => {
      [a, b, c] = [await svc.user({ name: "A" }), await svc.user({ name: "B" }), await svc.user({ name: "C" })];
      await provision(svc, a, b, c);
    });

    /** A group owned by A, B and C. */
    async function threeOwners(): Promise<string> {
      const g = await createGroup(svc, a);
      await addMember(svc, a, g, b, { role: "owner" });
      await addMember(svc, a, g, c, { role: "owner" });
      return g;
    }

    // What A does to B, and what B does meanwhile (to C, or adding someone).
    const RACES: {
      name: string;
      /** B's role once A is done: demoted or removed. */
      bEnds: string | null;
      aOnB: (g: string) => Promise<GraphQLResponse<unknown>>;
      bActs: (g: string, extra: TestUser) => Promise<GraphQLResponse<unknown>>;
    }[] = [
      {
        name: "A demotes B while B demotes C",
        bEnds: "member",
        aOnB: (g) => svc.gql(UpdateMemberRole, { g, u: b.id, role: "member" }, a),
        bActs: (g) => svc.gql(UpdateMemberRole, { g, u: c.id, role: "member" }, b),
      },
      {
        name: "A removes B while B removes C",
        bEnds: null,
        aOnB: (g) => svc.gql(RemoveMember, { g, u: b.id }, a),
        bActs: (g) => svc.gql(RemoveMember, { g, u: c.id }, b),
      },
      {
        name: "A demotes B while B deactivates C",
        bEnds: "member",
        aOnB: (g) => svc.gql(UpdateMemberRole, { g, u: b.id, role: "member" }, a),
        bActs: (g) => svc.gql(SetMemberStatus, { g, u: c.id, status: "INACTIVE" }, b),
      },
      {
        name: "A demotes B while B adds an admin",
        bEnds: "member",
        aOnB: (g) => svc.gql(UpdateMemberRole, { g, u: b.id, role: "member" }, a),
        bActs: (g, extra) => svc.gql(AddMember, { i: { groupId: g, userId: extra.id, role: "admin" } }, b),
      },
    ];

    // Both may succeed, when B's change takes the group's lock first: B still held the role then, and
    // A's change follows. What must never happen is B's change committing after A's took the role
    // away; event ids are handed out under the group's lock, so they tell the order.
    it.each(RACES.map((r) => [r.name, r] as const))(
      "%s, in 20 groups at once: B never acts after losing the role",
      async (_name, race) => {
        const extra = await svc.user();
        await provision(svc, extra);
        const groups: string[] = [];
        for (let i = 0; i < 20; i++) groups.push(await threeOwners());
        const outcomes = await Promise.all(
          groups.map(async (g) => {
            const [byA, byB] = await Promise.all([race.aOnB(g), race.bActs(g, extra)]);
            return { g, byA, byB };
          }),
        );
        for (const { g, byA, byB } of outcomes) {
          // A keeps its role throughout: its change always goes through.
          expect(codes(byA)).toEqual([]);
          expect(await roleOf(g, b.id)).toBe(race.bEnds);
          if (codes(byB).length > 0) {
            // B came second: refused for the role it no longer holds (NOT_FOUND when, removed before
            // its request began, it could no longer see the group), and nothing of it was written.
            expect([["FORBIDDEN"], ["NOT_FOUND"]]).toContainEqual(codes(byB));
            expect((await events(g)).filter((e) => e.actorId === b.id)).toEqual([]);
            continue;
          }
          // Both went through: then B's change committed before A's took B's role away.
          const all = await events(g);
          const bChange = all.find((e) => e.actorId === b.id);
          const aOnB = all.find((e) => e.actorId === a.id && e.userId === b.id && e.type !== "MEMBER_ADDED");
          expect(bChange).toBeDefined();
          expect(aOnB).toBeDefined();
          expect(BigInt(bChange!.id)).toBeLessThan(BigInt(aOnB!.id));
        }
        expect(await checkInvariants(svc.db)).toEqual([]);
      },
    );
  });

  describe("a write made of one guarded statement re-checks what it relied on, on the rows' newest versions", () => {
    /**
     * Runs `change` in a transaction of its own, left open while `request` starts and waits on the
     * rows it locked, then commits it: `request` read its facts before the change and writes after it.
     */
    async function committedWhileWaiting(
      change: { sql: string; params: unknown[] },
      request: () => Promise<GraphQLResponse<unknown>>,
    ): Promise<GraphQLResponse<unknown>> {
      const runner = svc.db.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(change.sql, change.params);
        const pending = request();
        // The request has read its facts and waits on a row lock of the change.
        for (let waited = 0; ; waited += 20) {
          const [{ n }] = (await svc.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )) as { n: number }[];
          if (n > 0) break;
          if (waited > 5000) throw new Error("the request never waited on the change's lock");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await runner.commitTransaction();
        return await pending;
      } finally {
        await runner.release();
      }
    }

    let a: TestUser;
    let b: TestUser;
    let c: TestUser;
    beforeAll(async () => {
      [a, b, c] = [await svc.user({ name: "A" }), await svc.user({ name: "B" }), await svc.user({ name: "C" })];
      await provision(svc, a, b, c);
    });

    it("B removing C while B's demotion commits: refused (FORBIDDEN), C stays, nothing of B's written", async () => {
      const g = await createGroup(svc, a);
      await addMember(svc, a, g, b, { role: "owner" });
      await addMember(svc, a, g, c, { role: "owner" });
      const res = await committedWhileWaiting(
        { sql: `UPDATE memberships SET role = 'member' WHERE group_id = $1 AND user_id = $2`, params: [g, b.id] },
        () => svc.gql(RemoveMember, { g, u: c.id }, b),
      );
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(await roleOf(g, c.id)).toBe("owner");
      expect((await events(g)).filter((e) => e.actorId === b.id)).toEqual([]);
    });

    it("B adding an admin while B's removal commits: refused, no membership, nothing of B's written", async () => {
      const g = await createGroup(svc, a);
      await addMember(svc, a, g, b, { role: "admin" });
      const extra = await svc.user();
      await provision(svc, extra);
      const res = await committedWhileWaiting(
        { sql: `DELETE FROM memberships WHERE group_id = $1 AND user_id = $2`, params: [g, b.id] },
        () => svc.gql(AddMember, { i: { groupId: g, userId: extra.id, role: "admin" } }, b),
      );
      // Removed, B can no longer see the PRIVATE group.
      expect(codes(res)).toEqual(["NOT_FOUND"]);
      expect(await roleOf(g, extra.id)).toBeNull();
      expect((await events(g)).filter((e) => e.actorId === b.id)).toEqual([]);
    });

    it("removing one of two lasting owners while the other is deactivated: BAD_USER_INPUT, the owner stays", async () => {
      const admin = await svc.user({ admin: true });
      const g = await createGroup(svc, a);
      await addMember(svc, a, g, b, { role: "owner" });
      const res = await committedWhileWaiting(
        { sql: `UPDATE memberships SET status = 'INACTIVE' WHERE group_id = $1 AND user_id = $2`, params: [g, a.id] },
        () => svc.gql(RemoveMember, { g, u: b.id }, admin),
      );
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(await roleOf(g, b.id)).toBe("owner");
      expect((await events(g, "MEMBER_REMOVED")).length).toBe(0);
    });
  });

  describe("a group always keeps an ACTIVE owner without expiresAt", () => {
    it("an owner that expires does not count: the last lasting owner cannot leave, be demoted or deactivated", async () => {
      const creator = await svc.user();
      const temporary = await svc.user();
      await provision(svc, creator);
      const g = await createGroup(svc, creator);
      await addMember(svc, creator, g, temporary, {
        role: "owner",
        // The rule does not wait for the expiry: an owner that will expire is no lasting owner.
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const attempts = [
        await svc.gql(RemoveMember, { g, u: creator.id }, creator),
        await svc.gql(RemoveMember, { g, u: creator.id }, temporary),
        await svc.gql(UpdateMemberRole, { g, u: creator.id, role: "admin" }, creator),
        await svc.gql(UpdateMemberRole, { g, u: creator.id, role: "admin" }, temporary),
        await svc.gql(SetMemberStatus, { g, u: creator.id, status: "INACTIVE" }, creator),
        await svc.gql(SetMemberStatus, { g, u: creator.id, status: "PENDING" }, temporary),
      ];
      for (const res of attempts) {
        expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
        expect(res.errors![0]!.extensions!.details).toEqual({ userId: [expect.stringContaining("without an expiry")] });
      }
      expect(await roleOf(g, creator.id)).toBe("owner");
      expect((await events(g)).map((e) => e.type)).toEqual(["GROUP_CREATED", "MEMBER_ADDED", "MEMBER_ADDED"]);

      // The expiring owner itself may go; a second lasting owner lets the creator leave.
      const lasting = await svc.user();
      await addMember(svc, creator, g, lasting, { role: "owner" });
      expect((await svc.ok(RemoveMember, { g, u: temporary.id }, creator)) as unknown).toEqual({ removeMember: true });
      expect((await svc.ok(RemoveMember, { g, u: creator.id }, creator)) as unknown).toEqual({ removeMember: true });
      expect(codes(await svc.gql(RemoveMember, { g, u: lasting.id }, lasting))).toEqual(["BAD_USER_INPUT"]);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("a PENDING or INACTIVE owner does not count either", async () => {
      const creator = await svc.user();
      const invited = await svc.user();
      const paused = await svc.user();
      await provision(svc, creator);
      const g = await createGroup(svc, creator);
      await addMember(svc, creator, g, invited, { role: "owner", status: "PENDING" });
      await addMember(svc, creator, g, paused, { role: "owner" });
      await svc.ok(SetMemberStatus, { g, u: paused.id, status: "INACTIVE" }, creator);
      expect(codes(await svc.gql(RemoveMember, { g, u: creator.id }, creator))).toEqual(["BAD_USER_INPUT"]);
      expect(await roleOf(g, creator.id)).toBe("owner");
    });
  });

  describe("deleteGroup", () => {
    it("six concurrent deletions of one group: one true, five NOT_FOUND, one GROUP_DELETED (5 rounds)", async () => {
      const owner = await svc.user();
      await provision(svc, owner);
      for (let round = 0; round < 5; round++) {
        const parent = await createGroup(svc, owner);
        const g = await createGroup(svc, owner, { parentIds: [parent] });
        const answers = await Promise.all(Array.from({ length: 6 }, () => svc.gql(DeleteGroup, { id: g }, owner)));
        expect(answers.filter((r) => (r.data as { deleteGroup?: boolean } | null)?.deleteGroup === true)).toHaveLength(
          1,
        );
        expect(answers.flatMap(codes)).toEqual(Array(5).fill("NOT_FOUND"));
        expect(await events(g, "GROUP_DELETED")).toHaveLength(1);
        expect(await events(parent, "CHILD_REMOVED")).toHaveLength(1);
      }
    });
  });

  describe("a parent deleted while a group is created or moved under it", () => {
    it("answers success or NOT_FOUND, never INTERNAL_SERVER_ERROR (40 creations, 20 moves)", async () => {
      const owner = await svc.user();
      await provision(svc, owner);
      const seen = new Map<string, number>();
      const note = (res: GraphQLResponse<unknown>) => {
        const code = codes(res)[0] ?? "ok";
        seen.set(code, (seen.get(code) ?? 0) + 1);
      };
      for (let i = 0; i < 40; i++) {
        const parent = await createGroup(svc, owner, { name: `Doomed parent ${i}` });
        const [created, deleted] = await Promise.all([
          svc.gql(CreateGroup, { i: { name: `Child ${i}`, parentIds: [parent] } }, owner),
          svc.gql(DeleteGroup, { id: parent }, owner),
        ]);
        note(created);
        expect(codes(deleted)).toEqual([]);
      }
      const mover = await createGroup(svc, owner, { name: "Mover" });
      for (let i = 0; i < 20; i++) {
        const parent = await createGroup(svc, owner, { name: `Doomed new parent ${i}` });
        const [moved, deleted] = await Promise.all([
          svc.gql(UpdateGroup, { id: mover, i: { parentIds: [parent] } }, owner),
          svc.gql(DeleteGroup, { id: parent }, owner),
        ]);
        note(moved);
        expect(codes(deleted)).toEqual([]);
      }
      expect([...seen.keys()].filter((code) => code !== "ok" && code !== "NOT_FOUND")).toEqual([]);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });
  });

  describe("a change that changes nothing writes no event", () => {
    let owner: TestUser;
    let someone: TestUser;
    beforeAll(async () => {
      owner = await svc.user();
      someone = await svc.user();
      await provision(svc, owner, someone);
    });

    it("removeLeader with the end a leadership already has: BAD_USER_INPUT, no second LEADER_REMOVED", async () => {
      const g = await createGroup(svc, owner);
      await svc.ok(AddLeader, { i: { groupId: g, userId: someone.id, startDate: daysFromToday(-10) } }, owner);
      const end = { i: { groupId: g, userId: someone.id, endDate: daysFromToday(30) } };
      expect(await svc.ok(RemoveLeader, end, owner)).toEqual({
        removeLeader: { endDate: daysFromToday(30), isActive: true },
      });
      const again = await svc.gql(RemoveLeader, end, owner);
      expect(codes(again)).toEqual(["BAD_USER_INPUT"]);
      expect(again.errors![0]!.extensions!.details).toEqual({ userId: [expect.stringContaining("already ends on")] });
      // Concurrent identical requests: one wins, the rest change nothing.
      const later = { i: { groupId: g, userId: someone.id, endDate: daysFromToday(60) } };
      const racing = await Promise.all(Array.from({ length: 5 }, () => svc.gql(RemoveLeader, later, owner)));
      expect(racing.flatMap(codes)).toEqual(Array(4).fill("BAD_USER_INPUT"));
      // Moving a scheduled end is a change; a past end makes the leader not current (BAD_USER_INPUT again).
      await svc.ok(RemoveLeader, { i: { ...end.i, endDate: daysFromToday(-1) } }, owner);
      expect(codes(await svc.gql(RemoveLeader, { i: { ...end.i, endDate: daysFromToday(-1) } }, owner))).toEqual([
        "BAD_USER_INPUT",
      ]);
      expect(await events(g, "LEADER_REMOVED")).toHaveLength(3);
    });

    it("updateMemberRole to the role held and setMemberStatus to the status held: no event, even when racing", async () => {
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, someone);
      const roles = await Promise.all(
        Array.from({ length: 4 }, () => svc.gql(UpdateMemberRole, { g, u: someone.id, role: "admin" }, owner)),
      );
      expect(roles.flatMap(codes)).toEqual([]);
      await svc.ok(UpdateMemberRole, { g, u: someone.id, role: "admin" }, owner);
      expect(await events(g, "MEMBER_ROLE_CHANGED")).toHaveLength(1);

      await svc.ok(SetMemberStatus, { g, u: someone.id, status: "ACTIVE" }, owner);
      expect(await events(g, "MEMBER_STATUS_CHANGED")).toHaveLength(0);
      const statuses = await Promise.all(
        Array.from({ length: 4 }, () => svc.gql(SetMemberStatus, { g, u: someone.id, status: "INACTIVE" }, owner)),
      );
      expect(statuses.flatMap(codes)).toEqual([]);
      expect(await events(g, "MEMBER_STATUS_CHANGED")).toHaveLength(1);
    });

    it("setMemberStatus PENDING on an expired membership makes it PENDING (its past expiry cleared), or is not recorded", async () => {
      const g = await createGroup(svc, owner);
      const temp = await svc.user();
      await addMember(svc, owner, g, temp, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      await svc.db.query(
        `UPDATE memberships SET expires_at = now() - interval '1 second' WHERE group_id = $1 AND user_id = $2`,
        [g, temp.id],
      );
      // Expired reads as INACTIVE: setting INACTIVE changes nothing.
      await svc.ok(SetMemberStatus, { g, u: temp.id, status: "INACTIVE" }, owner);
      expect(await events(g, "MEMBER_STATUS_CHANGED")).toHaveLength(0);
      const { setMemberStatus } = await svc.ok<
        { setMemberStatus: { status: string; expiresAt: string | null } },
        unknown
      >(SetMemberStatus, { g, u: temp.id, status: "PENDING" }, owner);
      expect(setMemberStatus).toEqual({ status: "PENDING", expiresAt: null });
      expect(await events(g, "MEMBER_STATUS_CHANGED")).toHaveLength(1);
    });

    it("updateGroup with the values the group has (metadata in another key order, the same parents): no event", async () => {
      const parent = await createGroup(svc, owner);
      const input = {
        name: "Same",
        description: "d",
        url: "https://example.org",
        visibility: "PRIVATE",
        permissionCascadeEnabled: true,
        metadata: { a: "1", b: "2" },
        parentIds: [parent],
      };
      const g = (await svc.ok<{ createGroup: { id: string } }, unknown>(CreateGroup, { i: input }, owner)).createGroup
        .id;
      const before = (await events(g)).length;
      await svc.ok(UpdateGroup, { id: g, i: { ...input, isActive: true, metadata: { b: "2", a: "1" } } }, owner);
      expect(await events(g)).toHaveLength(before);
      expect(await events(parent, "CHILD_ADDED")).toHaveLength(1);
    });
  });
});
