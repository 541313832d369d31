import { graphql } from "./generated";
import { addMember, createChain, createGroup, provision } from "./utils/builders";
import { codes, TestService, type TestUser } from "./utils/service";

const AddLeader = graphql(`
  mutation AddLeader($input: AddLeaderInput!) {
    addLeader(input: $input) {
      id
      startDate
      endDate
      isActive
      createdAt
      updatedAt
      group {
        id
      }
      user {
        id
      }
    }
  }
`);

const RemoveLeader = graphql(`
  mutation RemoveLeader($input: RemoveLeaderInput!) {
    removeLeader(input: $input) {
      id
      startDate
      endDate
      isActive
    }
  }
`);

const Leaders = graphql(`
  query Leaders($id: ID!, $asOf: Date) {
    group(id: $id) {
      leaders(asOf: $asOf) {
        user {
          id
        }
        startDate
        endDate
      }
      leaderCount
      warnings
      leadershipHistory {
        user {
          id
        }
        startDate
        endDate
        isActive
      }
    }
  }
`);

const UserLeaderships = graphql(`
  query UserLeaderships($id: ID!, $includeHistorical: Boolean) {
    user(id: $id) {
      leaderships(includeHistorical: $includeHistorical) {
        startDate
        endDate
        isActive
        group {
          id
        }
      }
    }
  }
`);

const GroupsWithLeaders = graphql(`
  query GroupsWithLeaders($search: String) {
    groups(first: 50, filter: { search: $search }) {
      nodes {
        id
        leaderCount
        warnings
        leaders {
          user {
            name
          }
        }
        leadershipHistory {
          id
        }
      }
    }
  }
`);

const today = () => new Date().toISOString().slice(0, 10);
const daysFromToday = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe("leadership", () => {
  let svc: TestService;
  let owner: TestUser;
  let lea: TestUser;
  let max: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user({ name: "Olive Owner" });
    lea = await svc.user({ name: "Lea Leader" });
    max = await svc.user({ name: "Max" });
    await provision(svc, owner, lea, max);
  });
  afterAll(() => svc.stop());

  it("starts today by default; a leader need not be a member; LEADER_ADDED is recorded", async () => {
    const g = await createGroup(svc, owner);
    const { addLeader } = await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id } }, owner);
    expect(addLeader).toMatchObject({
      startDate: today(),
      endDate: null,
      isActive: true,
      group: { id: g },
      user: { id: lea.id },
    });
    const events = await svc.db.query(
      `SELECT type, user_id, actor_id, payload FROM domain_events WHERE group_id = $1 AND type = 'LEADER_ADDED'`,
      [g],
    );
    expect(events).toEqual([
      {
        type: "LEADER_ADDED",
        user_id: lea.id,
        actor_id: owner.id,
        payload: { leadershipId: addLeader.id, startDate: today(), endDate: null },
      },
    ]);
    const { group } = await svc.ok(Leaders, { id: g }, owner);
    expect(group).toMatchObject({ leaderCount: 1, warnings: [], leaders: [{ user: { id: lea.id } }] });
  });

  it("flags a group without a current leader with a warning, not an error", async () => {
    const g = await createGroup(svc, owner);
    expect((await svc.ok(Leaders, { id: g }, owner)).group).toMatchObject({
      leaderCount: 0,
      warnings: ["no current leader"],
    });
  });

  it("refuses bad input: duplicate active leader, non-leader removal, end before start, bad dates, unknown ids", async () => {
    const g = await createGroup(svc, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2024-01-10" } }, owner);
    const cases = await Promise.all([
      svc.gql(AddLeader, { input: { groupId: g, userId: lea.id } }, owner),
      svc.gql(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2023-05-01" } }, owner),
      svc.gql(RemoveLeader, { input: { groupId: g, userId: max.id } }, owner),
      svc.gql(RemoveLeader, { input: { groupId: g, userId: lea.id, endDate: "2024-01-09" } }, owner),
      svc.gql(AddLeader, { input: { groupId: g, userId: max.id, startDate: "2024-02-30" } }, owner),
    ]);
    expect(cases.map(codes)).toEqual(Array(5).fill(["BAD_USER_INPUT"]));
    expect(Object.keys(cases[0]!.errors![0]!.extensions!.details as object)).toEqual(["userId"]);
    expect(Object.keys(cases[3]!.errors![0]!.extensions!.details as object)).toEqual(["endDate"]);
    expect(
      codes(await svc.gql(AddLeader, { input: { groupId: g, userId: "00000000-0000-4000-8000-00000000dead" } }, owner)),
    ).toEqual(["NOT_FOUND"]);
    expect(
      codes(
        await svc.gql(AddLeader, { input: { groupId: "00000000-0000-4000-8000-00000000beef", userId: lea.id } }, owner),
      ),
    ).toEqual(["NOT_FOUND"]);
    // Nothing changed: one period, still open.
    expect((await svc.ok(Leaders, { id: g, asOf: "2024-06-01" }, owner)).group?.leadershipHistory).toEqual([
      { user: { id: lea.id }, startDate: "2024-01-10", endDate: null, isActive: true },
    ]);
  });

  it("answers leaders as of any date: start date included, end date excluded", async () => {
    const g = await createGroup(svc, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2020-01-01" } }, owner);
    const { removeLeader } = await svc.ok(
      RemoveLeader,
      { input: { groupId: g, userId: lea.id, endDate: "2020-06-01" } },
      owner,
    );
    expect(removeLeader).toMatchObject({ startDate: "2020-01-01", endDate: "2020-06-01", isActive: false });
    const at = async (asOf: string) =>
      (await svc.ok(Leaders, { id: g, asOf }, owner)).group!.leaders.map((l) => l.user.id);
    expect(await at("2019-12-31")).toEqual([]);
    expect(await at("2020-01-01")).toEqual([lea.id]);
    expect(await at("2020-05-31")).toEqual([lea.id]);
    expect(await at("2020-06-01")).toEqual([]);
    expect((await svc.ok(Leaders, { id: g }, owner)).group).toMatchObject({
      leaderCount: 0,
      warnings: ["no current leader"],
    });
  });

  it("keeps the whole history, oldest first; ending keeps the period; a later period may follow", async () => {
    const g = await createGroup(svc, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: max.id, startDate: "2021-03-01" } }, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2019-01-01" } }, owner);
    await svc.ok(RemoveLeader, { input: { groupId: g, userId: lea.id, endDate: "2021-03-01" } }, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2022-01-01" } }, owner);
    const history = (await svc.ok(Leaders, { id: g }, owner)).group!.leadershipHistory;
    expect(history.map((h) => [h.user.id, h.startDate, h.endDate])).toEqual([
      [lea.id, "2019-01-01", "2021-03-01"],
      [max.id, "2021-03-01", null],
      [lea.id, "2022-01-01", null],
    ]);
    expect((await svc.ok(Leaders, { id: g, asOf: "2021-02-28" }, owner)).group!.leaders.map((l) => l.user.id)).toEqual([
      lea.id,
    ]);
    expect((await svc.ok(Leaders, { id: g }, owner)).group!.leaderCount).toBe(2);
    // A period overlapping the past one is refused by the database's rule.
    expect(
      codes(await svc.gql(AddLeader, { input: { groupId: g, userId: lea.id, startDate: "2020-01-01" } }, owner)),
    ).toEqual(["BAD_USER_INPUT"]);
  });

  it("a scheduled end keeps the leader active until that day; history and current lists per user", async () => {
    const g = await createGroup(svc, owner);
    const u = await svc.user();
    await provision(svc, u);
    await svc.ok(AddLeader, { input: { groupId: g, userId: u.id, startDate: "2020-01-01" } }, owner);
    await svc.ok(RemoveLeader, { input: { groupId: g, userId: u.id, endDate: "2020-02-01" } }, owner);
    await svc.ok(AddLeader, { input: { groupId: g, userId: u.id, startDate: daysFromToday(-3) } }, owner);
    const { removeLeader } = await svc.ok(
      RemoveLeader,
      { input: { groupId: g, userId: u.id, endDate: daysFromToday(5) } },
      owner,
    );
    expect(removeLeader.isActive).toBe(true);
    const current = (await svc.ok(UserLeaderships, { id: u.id }, owner)).user!.leaderships;
    expect(current.map((l) => [l.startDate, l.endDate])).toEqual([[daysFromToday(-3), daysFromToday(5)]]);
    const all = (await svc.ok(UserLeaderships, { id: u.id, includeHistorical: true }, owner)).user!.leaderships;
    expect(all.map((l) => l.isActive)).toEqual([true, false]);
    // An outsider of the PRIVATE group sees none of it.
    const outsider = await svc.user();
    expect((await svc.ok(UserLeaderships, { id: u.id, includeHistorical: true }, outsider)).user!.leaderships).toEqual(
      [],
    );
  });

  it("concurrent duplicate addLeader: exactly one succeeds, every round", async () => {
    for (let round = 0; round < 3; round++) {
      const g = await createGroup(svc, owner);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => svc.gql(AddLeader, { input: { groupId: g, userId: lea.id } }, owner)),
      );
      expect(results.filter((r) => !r.errors).length).toBe(1);
      expect(results.flatMap(codes)).toEqual(Array(9).fill("BAD_USER_INPUT"));
      const rows = await svc.db.query(`SELECT 1 FROM leaderships WHERE group_id = $1`, [g]);
      expect(rows).toHaveLength(1);
    }
  });

  it("needs leaders.manage: a plain member is FORBIDDEN, an admin of a cascading parent may", async () => {
    const [parent, child] = await createChain(svc, owner, 2);
    await addMember(svc, owner, child!, max);
    const res = await svc.gql(AddLeader, { input: { groupId: child!, userId: max.id } }, max);
    expect(codes(res)).toEqual(["FORBIDDEN"]);
    expect(res.errors![0]!.message).toContain("leaders.manage");
    const parentAdmin = await svc.user();
    await addMember(svc, owner, parent!, parentAdmin, { role: "admin" });
    await svc.ok(AddLeader, { input: { groupId: child!, userId: max.id } }, parentAdmin);
    expect(codes(await svc.gql(RemoveLeader, { input: { groupId: child!, userId: max.id } }, max))).toEqual([
      "FORBIDDEN",
    ]);
    await svc.ok(RemoveLeader, { input: { groupId: child!, userId: max.id } }, parentAdmin);
    const outsider = await svc.user();
    expect(codes(await svc.gql(AddLeader, { input: { groupId: child!, userId: max.id } }, outsider))).toEqual([
      "NOT_FOUND",
    ]);
  });

  it("resolves Leadership entities, null for unknown or invisible ones", async () => {
    const g = await createGroup(svc, owner);
    const { addLeader } = await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id } }, owner);
    const doc = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Leadership { id user { id } } } }`;
    const r = [
      { __typename: "Leadership", id: addLeader.id },
      { __typename: "Leadership", id: "00000000-0000-4000-8000-000000000bad" },
    ];
    expect((await svc.ok<{ _entities: unknown[] }, unknown>(doc, { r }, owner))._entities).toEqual([
      { id: addLeader.id, user: { id: lea.id } },
      null,
    ]);
    const outsider = await svc.user();
    expect((await svc.ok<{ _entities: unknown[] }, unknown>(doc, { r }, outsider))._entities).toEqual([null, null]);
  });

  it("a list of groups with leaders, leaderCount, warnings and history costs a fixed number of statements", async () => {
    const viewer = await svc.user({ admin: true });
    await provision(svc, viewer);
    const seed = async (prefix: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const g = await createGroup(svc, owner, { name: `${prefix} ${i}` });
        if (i % 2 === 0) await svc.ok(AddLeader, { input: { groupId: g, userId: lea.id } }, owner);
        if (i % 3 === 0)
          await svc.ok(AddLeader, { input: { groupId: g, userId: max.id, startDate: "2020-01-01" } }, owner);
      }
    };
    await seed("Few", 5);
    await seed("Many", 30);
    const few = await svc.statements(GroupsWithLeaders, { search: "Few" }, viewer);
    const many = await svc.statements(GroupsWithLeaders, { search: "Many" }, viewer);
    expect(few.data.groups.nodes).toHaveLength(5);
    expect(many.data.groups.nodes).toHaveLength(30);
    expect(many.data.groups.nodes.filter((g) => g.leaderCount === 0).every((g) => g.warnings.length === 1)).toBe(true);
    // The groups page with every leadership and its user (planned; leaders as of today and the
    // history are cut from it); leader counts.
    expect(few.count).toBe(2);
    expect(many.count).toBe(few.count);
  });
});
