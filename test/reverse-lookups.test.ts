import crypto from "node:crypto";
import fc from "fast-check";
import { canonical, requestFor, type ShapeName, type Targets } from "../bench/lib/shapes";
import { HELD_GROUPS, HOLDERS } from "../bench/peers/sql";
import { addMember, createChain, createGroup, provision } from "./utils/builders";
import { codes, type GraphQLResponse, TestService, type TestUser } from "./utils/service";

/**
 * The reverse permission lookups (User.groupsWithPermission, Group.usersWithPermission) agree with
 * checkPermission: on random hierarchies for every (user, group) pair, seen by a global admin and by
 * an ordinary caller; their statement counts do not grow with depth or size; bad input is refused.
 */

interface GrantAnswer {
  group: { id: string };
  role: string;
  inherited: boolean;
  path: { id: string }[];
}
interface CheckAnswer {
  allowed: boolean;
  globalAdmin: boolean;
  grants: GrantAnswer[];
}
interface GroupsAnswer {
  groupsWithPermission: { totalCount: number; nodes: { id: string }[] };
}
interface HoldersAnswer {
  usersWithPermission: { totalCount: number; nodes: { user: { id: string }; grants: GrantAnswer[] }[] };
}

const GRANTS = `grants { group { id } role inherited path { id } }`;
const ROLES = ["viewer", "member", "admin", "owner"] as const;
const STATUSES = ["ACTIVE", "ACTIVE", "ACTIVE", "PENDING", "INACTIVE", "SCHEDULED"] as const;
const PERMISSIONS = ["groups.view", "members.view", "members.add", "groups.delete"] as const;
/** Users in the random worlds; the last one is a global admin. */
const PEOPLE = 4;

interface World {
  groups: { visibility: "PUBLIC" | "PRIVATE"; active: boolean; cascade: boolean; parents: number[] }[];
  memberships: {
    user: number;
    group: number;
    role: string;
    status: string;
    expiry: "none" | "past" | "future";
  }[];
  permission: string;
  /** The ordinary caller: one of the users who is not a global admin. */
  caller: number;
}

const world: fc.Arbitrary<World> = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc.record({
    groups: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          visibility: fc.constantFrom("PUBLIC" as const, "PRIVATE" as const),
          active: fc.constantFrom(true, true, true, false),
          cascade: fc.constantFrom(true, true, false),
          // Parents only among earlier groups: a DAG by construction, diamonds included.
          parents:
            i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: 2 }),
        }),
      ),
    ),
    memberships: fc.uniqueArray(
      fc.record({
        user: fc.integer({ min: 0, max: PEOPLE - 1 }),
        group: fc.integer({ min: 0, max: n - 1 }),
        role: fc.constantFrom(...ROLES),
        status: fc.constantFrom(...STATUSES),
        expiry: fc.constantFrom("none" as const, "none" as const, "past" as const, "future" as const),
      }),
      { selector: (m) => `${m.user}/${m.group}`, maxLength: n * PEOPLE },
    ),
    permission: fc.constantFrom(...PERMISSIONS),
    caller: fc.integer({ min: 0, max: PEOPLE - 2 }),
  }),
);

describe("reverse permission lookups agree with checkPermission", () => {
  let svc: TestService;
  let admin: TestUser;
  let people: TestUser[];

  beforeAll(async () => {
    // A whole world's lists and checks in one request each: far above the default cost budget.
    svc = await TestService.start({ maxQueryCost: 100_000_000 });
    admin = await svc.user({ admin: true });
    people = await Promise.all(Array.from({ length: PEOPLE }, (_, i) => svc.user({ admin: i === PEOPLE - 1 })));
    await provision(svc, admin, ...people);
  });
  afterAll(() => svc.stop());

  async function seed(w: World): Promise<string[]> {
    // Memberships and links go with their groups (ON DELETE CASCADE).
    await svc.db.query(`DELETE FROM groups`);
    const ids = w.groups.map(() => crypto.randomUUID());
    await svc.db.query(
      `INSERT INTO groups (id, name, visibility, is_active, permission_cascade_enabled)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::boolean[])`,
      [
        ids,
        ids.map((_, i) => `World ${i}`),
        w.groups.map((g) => g.visibility),
        w.groups.map((g) => g.active),
        w.groups.map((g) => g.cascade),
      ],
    );
    const edges = w.groups.flatMap((g, i) => g.parents.map((p) => [ids[i]!, ids[p]!]));
    await svc.db.query(`INSERT INTO group_parents (child_id, parent_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`, [
      edges.map((e) => e[0]),
      edges.map((e) => e[1]),
    ]);
    const expiry = { none: null, past: "-1 hour", future: "1 day" } as const;
    await svc.db.query(
      `INSERT INTO memberships (group_id, user_id, role, status, expires_at, starts_at)
       SELECT g, u, r, s, now() + e::interval, CASE WHEN s = 'SCHEDULED' THEN now() + interval '1 day' END
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS x(g, u, r, s, e)`,
      [
        w.memberships.map((m) => ids[m.group]),
        w.memberships.map((m) => people[m.user]!.id),
        w.memberships.map((m) => m.role),
        w.memberships.map((m) => m.status),
        w.memberships.map((m) => expiry[m.expiry]),
      ],
    );
    // Fresh statistics: on tables never analyzed PostgreSQL guesses thousands of rows, and a plan
    // costed that high is JIT-compiled (half a second each, for a handful of rows).
    await svc.db.query(`ANALYZE groups, group_parents, memberships, users`);
    return ids;
  }

  /**
   * The variables naming a world's users ($u0...) and groups ($g0...): the documents differ only by
   * the number of groups, so each is compiled once (graphql-jit), not once per world.
   */
  function names(ids: string[], permission: string) {
    const declared = [...people.map((_, i) => `$u${i}: ID!`), ...ids.map((_, i) => `$g${i}: ID!`), "$p: String!"];
    const variables: Record<string, string> = { p: permission };
    people.forEach((p, i) => (variables[`u${i}`] = p.id));
    ids.forEach((id, i) => (variables[`g${i}`] = id));
    return { declared: declared.join(", "), variables };
  }

  /** Every user's groups and every group's holders, one request. */
  async function lists(ids: string[], permission: string, as: TestUser) {
    const { declared, variables } = names(ids, permission);
    const users = people.map(
      (_, i) =>
        `u${i}: user(id: $u${i}) { groupsWithPermission(permission: $p, first: 50) { totalCount nodes { id } } }`,
    );
    const groups = ids.map(
      (_, i) =>
        `g${i}: group(id: $g${i}) { usersWithPermission(permission: $p, first: 50) { totalCount nodes { user { id } ${GRANTS} } } }`,
    );
    return svc.gql<Record<string, GroupsAnswer | HoldersAnswer | null>, Record<string, string>>(
      `query (${declared}) { ${[...users, ...groups].join("\n")} }`,
      variables,
      as,
    );
  }

  /** checkPermission for every (user, group) pair, one request. */
  async function checks(ids: string[], permission: string, as: TestUser) {
    const { declared, variables } = names(ids, permission);
    const fields = people.flatMap((_, u) =>
      ids.map(
        (_, g) =>
          `c${u}_${g}: checkPermission(userId: $u${u}, groupId: $g${g}, permission: $p) { allowed globalAdmin ${GRANTS} }`,
      ),
    );
    return svc.gql<Record<string, CheckAnswer>, Record<string, string>>(
      `query (${declared}) { ${fields.join("\n")} }`,
      variables,
      as,
    );
  }

  const checkQuery = `query ($u: ID!, $g: ID!, $p: String!) {
    checkPermission(userId: $u, groupId: $g, permission: $p) { allowed globalAdmin ${GRANTS} } }`;

  const sortedIds = (list: { id: string }[]) => list.map((x) => x.id).sort();

  it("for every (user, group) pair, as a global admin and as an ordinary caller", async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const ids = await seed(w);
        const pairs = people.flatMap((_, u) => ids.map((_, g) => [u, g] as const));

        // The truth: checkPermission as a global admin (every group visible, every grant shown).
        const truthRes = await checks(ids, w.permission, admin);
        expect(truthRes.errors).toBeUndefined();
        const truth = (u: number, g: number) => truthRes.data![`c${u}_${g}`]!;
        const held = (u: number, g: number) => truth(u, g).grants.length > 0;
        for (const [u, g] of pairs) expect(truth(u, g).allowed).toBe(held(u, g) || u === PEOPLE - 1);

        // As the global admin: every holding, with checkPermission's grants.
        const asAdmin = await lists(ids, w.permission, admin);
        expect(asAdmin.errors).toBeUndefined();
        people.forEach((_, u) => {
          const got = (asAdmin.data![`u${u}`] as { groupsWithPermission: GroupsAnswer["groupsWithPermission"] })
            .groupsWithPermission;
          const expected = ids.filter((_, g) => held(u, g)).sort();
          expect(sortedIds(got.nodes)).toEqual(expected);
          expect(got.totalCount).toBe(expected.length);
        });
        ids.forEach((_, g) => {
          const got = (asAdmin.data![`g${g}`] as HoldersAnswer).usersWithPermission;
          const expected = people.flatMap((p, u) => (held(u, g) ? [p.id] : [])).sort();
          expect(got.nodes.map((n) => n.user.id).sort()).toEqual(expected);
          expect(got.totalCount).toBe(expected.length);
          for (const node of got.nodes) {
            const u = people.findIndex((p) => p.id === node.user.id);
            expect(node.grants).toEqual(truth(u, g).grants);
          }
        });

        // As an ordinary caller: what checkPermission lets them ask, and the grants it shows them.
        const caller = people[w.caller]!;
        const answers = await Promise.all(
          pairs.map(([u, g]) =>
            svc.gql<{ checkPermission: CheckAnswer }, unknown>(
              checkQuery,
              { u: people[u]!.id, g: ids[g], p: w.permission },
              caller,
            ),
          ),
        );
        const asked = (u: number, g: number) => answers[u * ids.length + g]!;
        const answerable = (u: number, g: number) => asked(u, g).errors === undefined;
        const other = people.findIndex((_, u) => u !== w.caller);
        const asCaller = await lists(ids, w.permission, caller);
        people.forEach((_, u) => {
          const got = (asCaller.data![`u${u}`] as GroupsAnswer).groupsWithPermission;
          const expected = ids.filter((_, g) => held(u, g) && answerable(u, g)).sort();
          expect(sortedIds(got.nodes)).toEqual(expected);
          expect(got.totalCount).toBe(expected.length);
        });
        ids.forEach((_, g) => {
          const entry = asCaller.data![`g${g}`] as HoldersAnswer | null;
          const visible = answerable(w.caller, g);
          const mayList = visible && answerable(other, g);
          if (!visible) {
            expect(entry).toBeNull();
            return;
          }
          if (!mayList) {
            expect(entry).toBeNull();
            const error = asCaller.errors?.find((e) => e.path?.[0] === `g${g}`);
            expect(error?.extensions?.code).toBe("FORBIDDEN");
            return;
          }
          const got = entry!.usersWithPermission;
          const expected = people.flatMap((p, u) => (held(u, g) ? [p.id] : [])).sort();
          expect(got.nodes.map((n) => n.user.id).sort()).toEqual(expected);
          expect(got.totalCount).toBe(expected.length);
          for (const node of got.nodes) {
            const u = people.findIndex((p) => p.id === node.user.id);
            expect(node.grants).toEqual(asked(u, g).data!.checkPermission.grants);
          }
        });
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("reverse permission lookups: paging, rights and bad input", () => {
  let svc: TestService;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let root: string;
  let team: string;
  const helpers: TestUser[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user({ name: "Olga Owner" });
    member = await svc.user({ name: "Max Member" });
    outsider = await svc.user({ name: "Otto Outsider" });
    for (const name of ["Ada", "Bea", "Cy", "Dee"]) helpers.push(await svc.user({ name }));
    await provision(svc, owner, member, outsider, ...helpers);
    root = await createGroup(svc, owner, { name: "Lookup Root", groupType: "org" });
    team = await createGroup(svc, owner, { name: "Lookup Team", groupType: "team", parentIds: [root] });
    await addMember(svc, owner, team, member);
    for (const h of helpers) await addMember(svc, owner, root, h, { role: "admin" });
    for (let i = 0; i < 3; i++) {
      await createGroup(svc, owner, { name: `Lookup Sub ${i}`, groupType: "team", parentIds: [team] });
    }
  });
  afterAll(() => svc.stop());

  const usersQuery = `query ($g: ID!, $p: String!, $first: Int, $after: String) {
    group(id: $g) { usersWithPermission(permission: $p, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { user { id name } ${GRANTS} } } } }`;
  const groupsQuery = `query ($u: ID!, $p: String!, $t: String, $first: Int, $after: String) {
    user(id: $u) { groupsWithPermission(permission: $p, groupType: $t, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id name } edges { cursor node { id } } } } }`;

  it("pages of holders, by name, each with the grants that give it, and the exact total", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: {
        group: {
          usersWithPermission: {
            totalCount: number;
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            nodes: { user: { id: string; name: string }; grants: GrantAnswer[] }[];
          };
        };
      } = await svc.ok(usersQuery, { g: team, p: "members.add", first: 2, after }, owner);
      const page = data.group.usersWithPermission;
      expect(page.totalCount).toBe(5); // the owner and the four admins of the root
      seen.push(...page.nodes.map((n) => n.user.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(["Ada", "Bea", "Cy", "Dee", "Olga Owner"]);
    const all = await svc.ok<{ group: HoldersAnswer }, unknown>(usersQuery, { g: team, p: "members.add" }, owner);
    const olga = all.group.usersWithPermission.nodes.find((n) => n.user.id === owner.id)!;
    // The owner holds it in the team directly and from the root by cascade, nearest first.
    expect(olga.grants).toEqual([
      { group: { id: team }, role: "owner", inherited: false, path: [{ id: team }] },
      { group: { id: root }, role: "owner", inherited: true, path: [{ id: root }, { id: team }] },
    ]);
    // The plain member does not add members; members.view, they do hold.
    expect(all.group.usersWithPermission.nodes.map((n) => n.user.id)).not.toContain(member.id);
    const viewers = await svc.ok<{ group: HoldersAnswer }, unknown>(usersQuery, { g: team, p: "members.view" }, member);
    expect(viewers.group.usersWithPermission.totalCount).toBe(6);
  });

  it("pages of groups, by name, filtered by type, with cursors that continue", async () => {
    const first = await svc.ok<{ user: GroupsAnswer & Record<string, never> }, unknown>(
      groupsQuery,
      { u: owner.id, p: "groups.delete", first: 2 },
      owner,
    );
    const page = first.user.groupsWithPermission as unknown as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: { name: string }[];
    };
    expect(page.totalCount).toBe(5);
    expect(page.nodes.map((n) => n.name)).toEqual(["Lookup Root", "Lookup Sub 0"]);
    const next = await svc.ok<{ user: { groupsWithPermission: { nodes: { name: string }[] } } }, unknown>(
      groupsQuery,
      { u: owner.id, p: "groups.delete", first: 10, after: page.pageInfo.endCursor },
      owner,
    );
    expect(next.user.groupsWithPermission.nodes.map((n) => n.name)).toEqual([
      "Lookup Sub 1",
      "Lookup Sub 2",
      "Lookup Team",
    ]);
    const teams = await svc.ok<{ user: { groupsWithPermission: { totalCount: number } } }, unknown>(
      groupsQuery,
      { u: member.id, p: "groups.view", t: "team" },
      member,
    );
    // The member's team and the three below it (cascade), not the root.
    expect(teams.user.groupsWithPermission.totalCount).toBe(4);
  });

  it("about someone else, only groups where the caller may ask (members.view), as checkPermission", async () => {
    // The helpers administer the root; the member sees the team and below it, where they hold members.view.
    const res = await svc.ok<{ user: { groupsWithPermission: { nodes: { name: string }[] } } }, unknown>(
      groupsQuery,
      { u: helpers[0]!.id, p: "members.add" },
      member,
    );
    expect(res.user.groupsWithPermission.nodes.map((n) => n.name)).toEqual([
      "Lookup Sub 0",
      "Lookup Sub 1",
      "Lookup Sub 2",
      "Lookup Team",
    ]);
    const none = await svc.ok<{ user: { groupsWithPermission: { totalCount: number } } }, unknown>(
      groupsQuery,
      { u: helpers[0]!.id, p: "members.add" },
      outsider,
    );
    expect(none.user.groupsWithPermission.totalCount).toBe(0);
  });

  it("usersWithPermission needs members.view in the group", async () => {
    const publicGroup = await createGroup(svc, owner, { name: "Lookup Public", visibility: "PUBLIC" });
    const res = await svc.gql(usersQuery, { g: publicGroup, p: "groups.view" }, outsider);
    expect(codes(res)).toEqual(["FORBIDDEN"]);
    expect(res.errors![0]!.message).toContain("members.view");
    expect(res.data).toEqual({ group: null });
  });

  it("bad input: an unknown permission key, a bad cursor, first out of range", async () => {
    const expectBad = (res: GraphQLResponse<unknown>, field: string) => {
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(Object.keys((res.errors![0]!.extensions?.details ?? {}) as object)).toEqual([field]);
    };
    const unknownKey = await svc.gql(usersQuery, { g: team, p: "groups.fly" }, owner);
    expectBad(unknownKey, "permission");
    expect(unknownKey.errors![0]!.message).toMatch(/unknown permission "groups.fly"/);
    expectBad(await svc.gql(groupsQuery, { u: owner.id, p: "nope" }, owner), "permission");
    for (const after of ["not-a-cursor", Buffer.from(JSON.stringify([1, 2])).toString("base64url")]) {
      expectBad(await svc.gql(usersQuery, { g: team, p: "groups.view", after }, owner), "after");
      expectBad(await svc.gql(groupsQuery, { u: owner.id, p: "groups.view", after }, owner), "after");
    }
    // Selecting only the totals: a page of 501 full nodes would exceed the cost budget before it is asked.
    const usersTotal = `query ($g: ID!, $first: Int) { group(id: $g) {
      usersWithPermission(permission: "groups.view", first: $first) { totalCount } } }`;
    const groupsTotal = `query ($u: ID!, $first: Int) { user(id: $u) {
      groupsWithPermission(permission: "groups.view", first: $first) { totalCount } } }`;
    for (const first of [-1, 501]) {
      expectBad(await svc.gql(usersTotal, { g: team, first }, owner), "first");
      expectBad(await svc.gql(groupsTotal, { u: owner.id, first }, owner), "first");
    }
  });

  it("the benchmark's R1 and R2: the service answers as the floor's hand-written statements", async () => {
    const benchAdmin = await svc.user({ admin: true, name: "Bench admin" });
    await provision(svc, benchAdmin);
    const sub = (
      await svc.ok<{ groupByName: { id: string } }, unknown>(`{ groupByName(name: "Lookup Sub 0") { id } }`, {}, owner)
    ).groupByName.id;
    const none = "00000000-0000-4000-8000-000000000000";
    const t: Targets = {
      adminId: benchAdmin.id,
      deepGroupId: none,
      chainUserId: helpers[0]!.id,
      chainGroupId: sub,
      detailGroupId: none,
      m1GroupId: none,
      spareUserIds: [none],
      m2ParentId: none,
    };
    for (const [shape, statement] of [
      ["R1", HELD_GROUPS],
      ["R2", HOLDERS],
    ] as const) {
      const service = JSON.parse(requestFor("service", shape, t).body) as { query: string; variables: unknown };
      const floor = JSON.parse(requestFor("floor", shape, t).body) as Record<string, unknown>;
      const data = await svc.ok<Record<string, unknown>, unknown>(service.query, service.variables, benchAdmin);
      const values =
        shape === "R1" ? [floor.userId, floor.permission, floor.first] : [floor.groupId, floor.permission, floor.first];
      const [row] = (await svc.db.query(statement, values)) as { answer: Record<string, unknown> }[];
      const answer = canonical("service", shape as ShapeName, data) as { totalCount: number };
      expect(answer).toEqual(canonical("floor", shape as ShapeName, row!.answer));
      expect(answer.totalCount).toBe(shape === "R1" ? 5 : 6);
    }
  });

  describe("statement counts: fixed whatever the depth, the size or the list length", () => {
    const holdersDeep = `query ($g: ID!) { group(id: $g) { usersWithPermission(permission: "members.view", first: 100) {
      totalCount nodes { user { id name } ${GRANTS} } } } }`;
    const groupsDeep = `query ($u: ID!) { user(id: $u) { groupsWithPermission(permission: "groups.view", first: 100) {
      totalCount nodes { id name } } } }`;
    const listOfGroups = `query ($t: String!) { groups(filter: { groupType: $t }, first: 20) { nodes {
      usersWithPermission(permission: "members.view", first: 10) { totalCount nodes { user { name } ${GRANTS} } } } } }`;
    const listOfUsers = `query ($ids: [_Any!]!) { usersByIds: _entities(representations: $ids) { ... on User {
      groupsWithPermission(permission: "groups.view", first: 10) { totalCount nodes { name } } } } }`;

    async function world(size: number) {
      const chainOwner = await svc.user({ name: `Chain owner ${size}` });
      const chain = await createChain(svc, chainOwner, size, { name: `Chain ${size}`, groupType: `chain${size}` });
      const members: TestUser[] = [];
      for (let i = 0; i < size; i++) {
        const m = await svc.user({ name: `Chain member ${size}-${i}` });
        await addMember(svc, chainOwner, chain[i]!, m, { role: i % 2 ? "member" : "admin" });
        members.push(m);
      }
      return { chainOwner, chain, members };
    }

    it("Group.usersWithPermission and User.groupsWithPermission, as a member, for 2 and 8 levels", async () => {
      const counts: number[][] = [];
      for (const size of [2, 8]) {
        const w = await world(size);
        const bottom = w.chain[w.chain.length - 1]!;
        const holders = await svc.statements(holdersDeep, { g: bottom }, w.members[0]!);
        const data = holders.data as { group: HoldersAnswer };
        expect(data.group.usersWithPermission.totalCount).toBe(size + 1);
        const groups = await svc.statements(groupsDeep, { u: w.chainOwner.id }, w.members[0]!);
        expect((groups.data as { user: GroupsAnswer }).user.groupsWithPermission.totalCount).toBe(size);
        const lists = await svc.statements(listOfGroups, { t: `chain${size}` }, w.chainOwner);
        const users = await svc.statements(
          listOfUsers,
          { ids: w.members.map((m) => ({ __typename: "User", id: m.id })) },
          w.chainOwner,
        );
        counts.push([holders.count, groups.count, lists.count, users.count]);
      }
      expect(counts[0]).toEqual(counts[1]);
      // group(id) with the caller's standing (2: the row, the facts), the holders page, their facts.
      // user(id), then the page. groups(...) page (planned relations), the caller's standing in every
      // listed group, the holders pages, their facts. _entities' users, then every user's page.
      expect(counts[0]).toEqual([4, 2, 4, 2]);
    });
  });
});
