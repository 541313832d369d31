import crypto from "node:crypto";
import { graphql } from "./generated";
import { addMember, createChain, createGroup, provision } from "./utils/builders";
import { codes, TestService, type TestUser } from "./utils/service";

const CreateInitiative = graphql(`
  mutation InitiativeCreate($input: CreateInitiativeInput!) {
    createInitiative(input: $input) {
      id
      name
      description
      startDate
      endDate
      createdAt
      updatedAt
      groups {
        id
      }
    }
  }
`);

const UpdateInitiative = graphql(`
  mutation InitiativeUpdate($id: ID!, $input: UpdateInitiativeInput!) {
    updateInitiative(id: $id, input: $input) {
      id
      name
      description
      startDate
      endDate
      createdAt
      updatedAt
    }
  }
`);

const DeleteInitiative = graphql(`
  mutation InitiativeDelete($id: ID!) {
    deleteInitiative(id: $id)
  }
`);

const LinkInitiative = graphql(`
  mutation InitiativeLink($groupId: ID!, $initiativeId: ID!) {
    linkInitiative(groupId: $groupId, initiativeId: $initiativeId) {
      id
      initiativeCount
      initiatives {
        id
      }
    }
  }
`);

const UnlinkInitiative = graphql(`
  mutation InitiativeUnlink($groupId: ID!, $initiativeId: ID!) {
    unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) {
      id
      initiativeCount
      initiatives {
        id
      }
    }
  }
`);

const InitiativeById = graphql(`
  query InitiativeById($id: ID!) {
    initiative(id: $id) {
      id
      name
      groups {
        id
      }
    }
  }
`);

const InitiativeList = graphql(`
  query InitiativeList($search: String, $first: Int, $after: String) {
    initiatives(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
      }
    }
  }
`);

const GroupInitiatives = graphql(`
  query InitiativeGroupInitiatives($id: ID!) {
    group(id: $id) {
      initiativeCount
      initiatives {
        id
        name
      }
    }
  }
`);

const GroupsWithInitiatives = graphql(`
  query InitiativeGroupsWithInitiatives {
    groups(first: 50) {
      nodes {
        initiatives {
          id
          name
        }
        initiativeCount
      }
    }
  }
`);

const InitiativesWithGroups = graphql(`
  query InitiativeListWithGroups {
    initiatives(first: 50) {
      nodes {
        groups {
          id
        }
      }
    }
  }
`);

const Entities = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Initiative { id name } } }`;

const UNKNOWN = "00000000-0000-4000-8000-00000000dead";

interface StoredEvent {
  type: string;
  groupId: string;
  userId: string | null;
  actorId: string;
  payload: Record<string, unknown>;
}

/** The initiative events of the given groups, oldest first. */
async function initiativeEvents(svc: TestService, ...groupIds: string[]): Promise<StoredEvent[]> {
  return (await svc.db.query(
    `SELECT type, group_id AS "groupId", user_id AS "userId", actor_id AS "actorId", payload FROM domain_events
     WHERE group_id = ANY($1::uuid[]) AND type LIKE 'INITIATIVE_%' ORDER BY id`,
    [groupIds],
  )) as StoredEvent[];
}

describe("initiatives", () => {
  let svc: TestService;
  let alice: TestUser; // creates initiatives
  let bob: TestUser; // another user
  let admin: TestUser; // global admin
  let owner: TestUser; // owns groups

  beforeAll(async () => {
    svc = await TestService.start();
    alice = await svc.user({ name: "Alice" });
    bob = await svc.user({ name: "Bob" });
    admin = await svc.user({ name: "Ada", admin: true });
    owner = await svc.user({ name: "Olive" });
    await provision(svc, alice, bob, admin, owner);
  });
  afterAll(() => svc.stop());

  /** Creates an initiative as `as` (alice by default); answers its id. */
  async function initiative(name: string, as: TestUser = alice, extra: Record<string, string> = {}): Promise<string> {
    return (await svc.ok(CreateInitiative, { input: { name, ...extra } }, as)).createInitiative.id;
  }

  describe("createInitiative", () => {
    it("needs only a name; the rest defaults to null and it has no groups", async () => {
      const { createInitiative: i } = await svc.ok(CreateInitiative, { input: { name: "Open Science" } }, bob);
      expect(i).toMatchObject({ name: "Open Science", description: null, startDate: null, endDate: null, groups: [] });
      expect(Date.parse(i.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(i.updatedAt).toBe(i.createdAt);
      const [row] = (await svc.db.query(`SELECT created_by AS "createdBy" FROM initiatives WHERE id = $1`, [i.id])) as {
        createdBy: string;
      }[];
      expect(row!.createdBy).toBe(bob.id);
    });

    it("takes every field, and an endDate equal to the startDate", async () => {
      const input = { name: "Green Campus", description: "Less CO₂", startDate: "2024-02-29", endDate: "2024-12-31" };
      const { createInitiative: i } = await svc.ok(CreateInitiative, { input }, alice);
      expect(i).toMatchObject(input);
      const same = { name: "One Day", startDate: "2025-01-01", endDate: "2025-01-01" };
      expect((await svc.ok(CreateInitiative, { input: same }, alice)).createInitiative).toMatchObject(same);
      const fromInitiative = await svc.ok(InitiativeById, { id: i.id }, bob);
      expect(fromInitiative.initiative).toEqual({ id: i.id, name: "Green Campus", groups: [] });
    });

    it("refuses bad input with BAD_USER_INPUT naming the field", async () => {
      const cases: [Record<string, unknown>, string | null][] = [
        [{ name: "" }, "name"],
        [{ name: "x".repeat(256) }, "name"],
        [{ name: "nul\u0000" }, "name"],
        [{ name: "ok", description: "d".repeat(10_001) }, "description"],
        [{ name: "ok", description: "nul\u0000" }, "description"],
        [{ name: "ok", startDate: "2024-06-01", endDate: "2024-05-31" }, "endDate"],
        [{ name: "ok", startDate: "2024-02-30" }, null],
        [{ name: "ok", endDate: "31.12.2024" }, null],
      ];
      for (const [input, field] of cases) {
        const res = await svc.gql(CreateInitiative, { input: input as { name: string } }, alice);
        expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
        if (field) expect(Object.keys(res.errors![0]!.extensions!.details as object)).toEqual([field]);
      }
      expect((await svc.gql(CreateInitiative, { input: { name: "x".repeat(255) } }, alice)).errors).toBeUndefined();
    });

    it("needs a token", async () => {
      expect(codes(await svc.gql(CreateInitiative, { input: { name: "Anonymous" } }))).toEqual(["UNAUTHENTICATED"]);
      expect(codes(await svc.gql(InitiativeList, {}))).toEqual(["UNAUTHENTICATED"]);
    });
  });

  describe("updateInitiative", () => {
    it("changes only the fields given; null clears the optional ones", async () => {
      const id = await initiative("Before", alice, { description: "keep", startDate: "2024-01-01" });
      const { updateInitiative: a } = await svc.ok(UpdateInitiative, { id, input: { name: "After" } }, alice);
      expect(a).toMatchObject({ name: "After", description: "keep", startDate: "2024-01-01", endDate: null });
      expect(Date.parse(a.updatedAt)).toBeGreaterThan(Date.parse(a.createdAt));
      const { updateInitiative: b } = await svc.ok(
        UpdateInitiative,
        { id, input: { description: null, startDate: null, endDate: "2023-01-01" } },
        alice,
      );
      expect(b).toMatchObject({ name: "After", description: null, startDate: null, endDate: "2023-01-01" });
      const { updateInitiative: same } = await svc.ok(UpdateInitiative, { id, input: {} }, alice);
      expect(same).toEqual(b);
    });

    it("checks the date order against the stored dates, and refuses a null name", async () => {
      const id = await initiative("Dated", alice, { startDate: "2024-05-01", endDate: "2024-06-30" });
      const cases: [Record<string, unknown>, string][] = [
        [{ endDate: "2024-04-30" }, "endDate"],
        [{ startDate: "2024-07-01" }, "endDate"],
        [{ startDate: "2024-07-01", endDate: "2024-06-30" }, "endDate"],
        [{ name: null }, "name"],
        [{ name: "" }, "name"],
        [{ endDate: "2024-02-30" }, ""],
      ];
      for (const [input, field] of cases) {
        const res = await svc.gql(UpdateInitiative, { id, input }, alice);
        expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
        if (field) expect(Object.keys(res.errors![0]!.extensions!.details as object)).toEqual([field]);
      }
      expect(
        (await svc.ok(UpdateInitiative, { id, input: { startDate: "2024-07-01", endDate: null } }, alice))
          .updateInitiative,
      ).toMatchObject({ name: "Dated", startDate: "2024-07-01", endDate: null });
      expect(
        (await svc.ok(UpdateInitiative, { id, input: { startDate: null, endDate: "2020-01-01" } }, alice))
          .updateInitiative,
      ).toMatchObject({ startDate: null, endDate: "2020-01-01" });
    });

    it("the database refuses an end before the start too (initiatives_dates_order)", async () => {
      await expect(
        svc.db.query(`INSERT INTO initiatives (name, start_date, end_date) VALUES ('x', '2024-02-02', '2024-02-01')`),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ constraint: "initiatives_dates_order" }) });
    });
  });

  describe("who may update and delete", () => {
    it("the creator or a global admin; anyone else is FORBIDDEN; an unknown id is NOT_FOUND", async () => {
      const id = await initiative("Guarded");
      const forbidden = await svc.gql(UpdateInitiative, { id, input: { name: "Mine now" } }, bob);
      expect(codes(forbidden)).toEqual(["FORBIDDEN"]);
      expect(forbidden.errors![0]!.message).toMatch(/creator .* or a global admin/);
      expect(codes(await svc.gql(DeleteInitiative, { id }, bob))).toEqual(["FORBIDDEN"]);
      expect((await svc.ok(UpdateInitiative, { id, input: { name: "By admin" } }, admin)).updateInitiative.name).toBe(
        "By admin",
      );
      expect((await svc.ok(UpdateInitiative, { id, input: { name: "By Alice" } }, alice)).updateInitiative.name).toBe(
        "By Alice",
      );
      for (const missing of [UNKNOWN, "not-a-uuid"]) {
        expect(codes(await svc.gql(UpdateInitiative, { id: missing, input: { name: "x" } }, alice))).toEqual([
          "NOT_FOUND",
        ]);
        expect(codes(await svc.gql(DeleteInitiative, { id: missing }, admin))).toEqual(["NOT_FOUND"]);
      }
      expect((await svc.ok(DeleteInitiative, { id }, alice)).deleteInitiative).toBe(true);
      expect((await svc.ok(InitiativeById, { id }, alice)).initiative).toBeNull();
      expect(codes(await svc.gql(DeleteInitiative, { id }, alice))).toEqual(["NOT_FOUND"]);
      const byAdmin = await initiative("Admin deletes");
      expect((await svc.ok(DeleteInitiative, { id: byAdmin }, admin)).deleteInitiative).toBe(true);
    });
  });

  describe("linkInitiative and unlinkInitiative", () => {
    it("need initiatives.manage: owner and admin may, a plain member is FORBIDDEN, an outsider of a PRIVATE group gets NOT_FOUND", async () => {
      const g = await createGroup(svc, owner);
      const id = await initiative("Linkable");
      const groupAdmin = await svc.user();
      const member = await svc.user();
      const outsider = await svc.user();
      await addMember(svc, owner, g, groupAdmin, { role: "admin" });
      await addMember(svc, owner, g, member);
      await provision(svc, outsider);

      const refused = await svc.gql(LinkInitiative, { groupId: g, initiativeId: id }, member);
      expect(codes(refused)).toEqual(["FORBIDDEN"]);
      expect(refused.errors![0]!.message).toContain("initiatives.manage");
      expect(refused.errors![0]!.extensions!.permission).toBe("initiatives.manage");
      expect(codes(await svc.gql(LinkInitiative, { groupId: g, initiativeId: id }, outsider))).toEqual(["NOT_FOUND"]);
      // The initiative's creator has no say over the group.
      expect(codes(await svc.gql(LinkInitiative, { groupId: g, initiativeId: id }, alice))).toEqual(["NOT_FOUND"]);

      expect((await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, groupAdmin)).linkInitiative).toEqual({
        id: g,
        initiativeCount: 1,
        initiatives: [{ id }],
      });
      expect(codes(await svc.gql(UnlinkInitiative, { groupId: g, initiativeId: id }, member))).toEqual(["FORBIDDEN"]);
      expect(codes(await svc.gql(UnlinkInitiative, { groupId: g, initiativeId: id }, outsider))).toEqual(["NOT_FOUND"]);
      expect((await svc.ok(UnlinkInitiative, { groupId: g, initiativeId: id }, owner)).unlinkInitiative).toEqual({
        id: g,
        initiativeCount: 0,
        initiatives: [],
      });
      expect(
        (await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, admin)).linkInitiative.initiativeCount,
      ).toBe(1);
    });

    it("an admin of a cascading parent may link in the child", async () => {
      const [parent, child] = await createChain(svc, owner, 2);
      const parentAdmin = await svc.user();
      await addMember(svc, owner, parent!, parentAdmin, { role: "admin" });
      const id = await initiative("Cascaded");
      await svc.ok(LinkInitiative, { groupId: child!, initiativeId: id }, parentAdmin);
      await svc.ok(UnlinkInitiative, { groupId: child!, initiativeId: id }, parentAdmin);
    });

    it("answers NOT_FOUND for an unknown or malformed initiative or group", async () => {
      const g = await createGroup(svc, owner);
      const id = await initiative("Exists");
      for (const vars of [
        { groupId: g, initiativeId: UNKNOWN },
        { groupId: g, initiativeId: "nope" },
        { groupId: UNKNOWN, initiativeId: id },
        { groupId: "nope", initiativeId: id },
      ]) {
        expect(codes(await svc.gql(LinkInitiative, vars, owner))).toEqual(["NOT_FOUND"]);
        expect(codes(await svc.gql(UnlinkInitiative, vars, owner))).toEqual(["NOT_FOUND"]);
      }
      expect(await initiativeEvents(svc, g)).toEqual([]);
    });

    it("write INITIATIVE_LINKED / INITIATIVE_UNLINKED once; repeating either changes nothing", async () => {
      const g = await createGroup(svc, owner);
      const id = await initiative("Evented");
      const expected = (type: string) => ({
        type,
        groupId: g,
        userId: null,
        actorId: owner.id,
        payload: { initiativeId: id, name: "Evented" },
      });
      await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, owner);
      const again = await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, owner);
      expect(again.linkInitiative.initiatives).toEqual([{ id }]);
      expect(await initiativeEvents(svc, g)).toEqual([expected("INITIATIVE_LINKED")]);
      await svc.ok(UnlinkInitiative, { groupId: g, initiativeId: id }, owner);
      const twice = await svc.ok(UnlinkInitiative, { groupId: g, initiativeId: id }, owner);
      expect(twice.unlinkInitiative.initiativeCount).toBe(0);
      expect(await initiativeEvents(svc, g)).toEqual([expected("INITIATIVE_LINKED"), expected("INITIATIVE_UNLINKED")]);
      const [{ n }] = (await svc.db.query(`SELECT count(*)::int AS n FROM group_initiatives WHERE initiative_id = $1`, [
        id,
      ])) as { n: number }[];
      expect(n).toBe(0);
    });

    it("deleteInitiative removes its links and writes INITIATIVE_UNLINKED for every linked group", async () => {
      const g1 = await createGroup(svc, owner);
      const g2 = await createGroup(svc, owner, { visibility: "PUBLIC" });
      const other = await createGroup(svc, owner);
      const id = await initiative("Doomed");
      const keep = await initiative("Survivor");
      for (const g of [g1, g2]) await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, owner);
      await svc.ok(LinkInitiative, { groupId: g2, initiativeId: keep }, owner);
      await svc.ok(DeleteInitiative, { id }, alice);
      const unlinked = (await initiativeEvents(svc, g1, g2, other)).filter((e) => e.type === "INITIATIVE_UNLINKED");
      expect(unlinked.map((e) => e.groupId).sort()).toEqual([g1, g2].sort());
      for (const e of unlinked) {
        expect(e).toMatchObject({ userId: null, actorId: alice.id, payload: { initiativeId: id, name: "Doomed" } });
      }
      expect((await svc.ok(GroupInitiatives, { id: g1 }, owner)).group).toEqual({
        initiativeCount: 0,
        initiatives: [],
      });
      expect((await svc.ok(GroupInitiatives, { id: g2 }, owner)).group).toEqual({
        initiativeCount: 1,
        initiatives: [{ id: keep, name: "Survivor" }],
      });
    });
  });

  describe("reading", () => {
    it("Initiative.groups lists only the linked groups the caller can see, by name", async () => {
      const pub = await createGroup(svc, owner, { name: "B public", visibility: "PUBLIC" });
      const priv = await createGroup(svc, owner, { name: "A private" });
      const id = await initiative("Shared");
      for (const g of [pub, priv]) await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, owner);
      const groupsAs = async (as: TestUser) =>
        (await svc.ok(InitiativeById, { id }, as)).initiative!.groups.map((g) => g.id);
      expect(await groupsAs(owner)).toEqual([priv, pub]);
      expect(await groupsAs(admin)).toEqual([priv, pub]);
      expect(await groupsAs(bob)).toEqual([pub]);
      expect(await groupsAs(alice)).toEqual([pub]);
    });

    it("Group.initiatives is ordered by name, with initiativeCount", async () => {
      const g = await createGroup(svc, owner);
      const ids: Record<string, string> = {};
      for (const name of ["Mango", "Apple", "Cherry", "Banana"]) {
        ids[name] = await initiative(name);
        await svc.ok(LinkInitiative, { groupId: g, initiativeId: ids[name]! }, owner);
      }
      await initiative("Not linked");
      const { group } = await svc.ok(GroupInitiatives, { id: g }, owner);
      expect(group).toEqual({
        initiativeCount: 4,
        initiatives: ["Apple", "Banana", "Cherry", "Mango"].map((name) => ({ id: ids[name], name })),
      });
    });

    it("Query.initiatives searches names case-insensitively and pages through every match with totalCount", async () => {
      const tag = crypto.randomBytes(4).toString("hex");
      const names = [1, 2, 3, 4, 5].map((n) => `Search ${tag.toUpperCase()} ${n}`);
      for (const name of [...names].reverse()) await initiative(name);
      await initiative(`Unrelated ${crypto.randomBytes(4).toString("hex")}`);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const res: Awaited<ReturnType<typeof listPage>> = await listPage(`search ${tag}`, 2, after);
        expect(res.totalCount).toBe(5);
        seen.push(...res.nodes.map((n) => n.name));
        pages++;
        if (!res.pageInfo.hasNextPage) break;
        after = res.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(names);

      const none = await listPage(`no such ${tag}`, 10, null);
      expect(none).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
      // LIKE wildcards in the search are plain characters.
      expect((await listPage(`${tag.toUpperCase()} _`, 10, null)).totalCount).toBe(0);
      const all = await listPage(null, 500, null);
      expect(all.totalCount).toBeGreaterThanOrEqual(6);
    });

    async function listPage(search: string | null, first: number, after: string | null) {
      return (await svc.ok(InitiativeList, { search, first, after }, bob)).initiatives;
    }

    it("Query.initiatives refuses first over 500 and a forged cursor", async () => {
      expect(codes(await svc.gql(InitiativeList, { first: 501 }, bob))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await svc.gql(InitiativeList, { after: "bogus" }, bob))).toEqual(["BAD_USER_INPUT"]);
    });

    it("Query.initiative answers null for an unknown or malformed id", async () => {
      expect((await svc.ok(InitiativeById, { id: UNKNOWN }, bob)).initiative).toBeNull();
      expect((await svc.ok(InitiativeById, { id: "not-a-uuid" }, bob)).initiative).toBeNull();
    });

    it("resolves Initiative entities in key order, null for unknown ones, in one statement", async () => {
      const a = await initiative("Entity A");
      const b = await initiative("Entity B");
      const r = [
        { __typename: "Initiative", id: b },
        { __typename: "Initiative", id: UNKNOWN },
        { __typename: "Initiative", id: a },
        { __typename: "Initiative", id: "malformed" },
      ];
      const { data, count } = await svc.statements<{ _entities: unknown[] }, unknown>(Entities, { r }, bob);
      expect(data._entities).toEqual([{ id: b, name: "Entity B" }, null, { id: a, name: "Entity A" }, null]);
      expect(count).toBe(1);
    });
  });
});

describe("initiatives: statement counts", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  /** Creates `n` initiatives as `as`, each linked to the given groups; answers their ids. */
  async function seedInitiatives(as: TestUser, n: number, groupIds: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = (await svc.ok(CreateInitiative, { input: { name: `Initiative ${ids.length}` } }, as)).createInitiative
        .id;
      for (const g of groupIds) await svc.ok(LinkInitiative, { groupId: g, initiativeId: id }, as);
      ids.push(id);
    }
    return ids;
  }

  it("initiatives(first: 50) { nodes { groups } }: the same for 3 as for 20 initiatives", async () => {
    const user = await svc.user();
    await svc.ok(`{ me { id } }`, {}, user);
    // PRIVATE (the default) throughout: the next test lists groups and must see only its user's.
    const groups = [await createGroup(svc, user), await createGroup(svc, user), await createGroup(svc, user)];
    await seedInitiatives(user, 3, groups.slice(0, 2));
    const few = await svc.statements(InitiativesWithGroups, {}, user);
    await seedInitiatives(user, 17, groups.slice(1));
    const many = await svc.statements(InitiativesWithGroups, {}, user);
    expect(few.data.initiatives.nodes).toHaveLength(3);
    expect(many.data.initiatives.nodes).toHaveLength(20);
    expect(many.data.initiatives.nodes.every((n) => n.groups.length === 2)).toBe(true);
    // The page with its totalCount, then the visible groups of every initiative on it.
    expect(few.count).toBe(2);
    expect(many.count).toBe(few.count);
  });

  it("groups(first: 50) { nodes { initiatives, initiativeCount } }: the same for 5 as for 30 groups", async () => {
    const counts: number[] = [];
    for (const size of [5, 30]) {
      // A user of its own: groups are PRIVATE by default, so the list holds exactly this user's groups.
      const user = await svc.user();
      await svc.ok(`{ me { id } }`, {}, user);
      const groups: string[] = [];
      for (let i = 0; i < size; i++) groups.push(await createGroup(svc, user));
      const [a, b] = await seedInitiatives(user, 2, []);
      for (const [i, g] of groups.entries()) {
        await svc.ok(LinkInitiative, { groupId: g, initiativeId: a! }, user);
        if (i % 2 === 0) await svc.ok(LinkInitiative, { groupId: g, initiativeId: b! }, user);
      }
      const { data, count } = await svc.statements(GroupsWithInitiatives, {}, user);
      expect(data.groups.nodes).toHaveLength(size);
      expect(data.groups.nodes.every((n) => n.initiativeCount === n.initiatives.length)).toBe(true);
      expect(data.groups.nodes.filter((n) => n.initiativeCount === 2)).toHaveLength(Math.ceil(size / 2));
      counts.push(count);
    }
    // The groups page with the initiatives of every group on it (planned), their counts.
    expect(counts).toEqual([2, 2]);
  });
});
