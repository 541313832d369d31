import { graphql } from "./generated";
import type { GroupsQuery, GroupsQueryVariables } from "./generated/graphql";
import { codes, TestService, type TestUser } from "./utils/service";

const CreateGroup = graphql(`
  mutation CreateGroup($input: CreateGroupInput!) {
    createGroup(input: $input) {
      id
      name
      groupType
      description
      shortName
      url
      knowledgeArea
      campus
      visibility
      isActive
      permissionCascadeEnabled
      metadata
      createdAt
      updatedAt
      createdBy {
        id
      }
      memberCount
      parents {
        id
      }
    }
  }
`);

const UpdateGroup = graphql(`
  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {
    updateGroup(id: $id, input: $input) {
      id
      name
      description
      visibility
      isActive
      metadata
      parents {
        id
      }
    }
  }
`);

const DeleteGroup = graphql(`
  mutation DeleteGroup($id: ID!) {
    deleteGroup(id: $id)
  }
`);

const GroupById = graphql(`
  query GroupById($id: ID!) {
    group(id: $id) {
      id
      name
      isActive
      parents {
        id
      }
      children(includeInactive: true) {
        id
      }
    }
  }
`);

const GroupByName = graphql(`
  query GroupByName($name: String!, $groupType: String) {
    groupByName(name: $name, groupType: $groupType) {
      id
      groupType
    }
  }
`);

const Groups = graphql(`
  query Groups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $after: String, $offset: Int) {
    groups(filter: $filter, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
        }
      }
      nodes {
        id
        name
      }
    }
  }
`);

/** A membership row written directly: the membership API arrives with the next issue. */
async function addMembershipRow(svc: TestService, groupId: string, user: TestUser, role: string): Promise<void> {
  await svc.gql(`{ me { id } }`, {}, user);
  await svc.db.query(`INSERT INTO memberships (group_id, user_id, role, status) VALUES ($1, $2, $3, 'ACTIVE')`, [
    groupId,
    user.id,
    role,
  ]);
}

async function eventsOf(svc: TestService, groupId: string) {
  return (await svc.db.query(
    `SELECT type, user_id AS "userId", actor_id AS "actorId", payload FROM domain_events WHERE group_id = $1 ORDER BY id`,
    [groupId],
  )) as { type: string; userId: string | null; actorId: string; payload: Record<string, unknown> }[];
}

describe("groups", () => {
  let svc: TestService;
  let admin: TestUser;
  let alice: TestUser;

  beforeAll(async () => {
    svc = await TestService.start({ maxGroupsPerUser: 5 });
    admin = await svc.user({ admin: true });
    alice = await svc.user();
  });
  afterAll(() => svc.stop());

  describe("create", () => {
    it("applies the contract's defaults and makes the creator the owner", async () => {
      const { createGroup: g } = await svc.ok(CreateGroup, { input: { name: "Acme Corp" } }, alice);
      expect(g).toMatchObject({
        name: "Acme Corp",
        groupType: "organization",
        description: null,
        shortName: null,
        url: null,
        visibility: "PRIVATE",
        isActive: true,
        permissionCascadeEnabled: true,
        metadata: {},
        createdBy: { id: alice.id },
        memberCount: 1,
        parents: [],
      });
      const [owner] = await svc.db.query(`SELECT role, status FROM memberships WHERE group_id = $1 AND user_id = $2`, [
        g.id,
        alice.id,
      ]);
      expect(owner).toEqual({ role: "owner", status: "ACTIVE" });
      const events = await eventsOf(svc, g.id);
      expect(events).toEqual([
        expect.objectContaining({
          type: "GROUP_CREATED",
          actorId: alice.id,
          payload: expect.objectContaining({ name: "Acme Corp", groupType: "organization", createdBy: alice.id }),
        }),
        expect.objectContaining({
          type: "MEMBER_ADDED",
          userId: alice.id,
          actorId: alice.id,
          payload: expect.objectContaining({ role: "owner", invitedBy: alice.id }),
        }),
      ]);
    });

    it.each([
      ["empty name", { name: "" }, "name"],
      ["name over 255", { name: "x".repeat(256) }, "name"],
      ["shortName over 50", { name: "ok", shortName: "s".repeat(51) }, "shortName"],
      ["empty groupType", { name: "ok", groupType: "" }, "groupType"],
      ["groupType over 50", { name: "ok", groupType: "t".repeat(51) }, "groupType"],
      ["ftp url", { name: "ok", url: "ftp://example.org" }, "url"],
      ["javascript url", { name: "ok", url: "javascript:alert(1)" }, "url"],
      ["non-string metadata", { name: "ok", metadata: { a: 1 } }, "metadata"],
      ["nested metadata", { name: "ok", metadata: { a: { b: "c" } } }, "metadata"],
      ["malformed parent id", { name: "ok", parentIds: ["nope"] }, "parentIds"],
    ])("refuses %s with BAD_USER_INPUT naming the field", async (_label, input, field) => {
      const res = await svc.gql(CreateGroup, { input: input as never }, alice);
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(Object.keys(res.errors![0]!.extensions!.details as object)).toContain(field);
    });

    it("accepts the limits themselves", async () => {
      const res = await svc.ok(
        CreateGroup,
        {
          input: {
            name: "n".repeat(255),
            shortName: "s".repeat(50),
            groupType: "t".repeat(50),
            url: "https://example.org/x",
            metadata: { k: "v" },
          },
        },
        admin,
      );
      expect(res.createGroup.name).toHaveLength(255);
    });

    it("refuses a taken (shortName, campus) pair with CONFLICT, but allows it on another campus or without campus", async () => {
      await svc.ok(CreateGroup, { input: { name: "CS 1", shortName: "CS", campus: "North" } }, admin);
      const dup = await svc.gql(CreateGroup, { input: { name: "CS 2", shortName: "CS", campus: "North" } }, admin);
      expect(codes(dup)).toEqual(["CONFLICT"]);
      expect(dup.errors![0]!.extensions!.field).toBe("shortName");
      await svc.ok(CreateGroup, { input: { name: "CS 3", shortName: "CS", campus: "South" } }, admin);
      await svc.ok(CreateGroup, { input: { name: "CS 4", shortName: "CS" } }, admin);
      await svc.ok(CreateGroup, { input: { name: "CS 5", shortName: "CS" } }, admin);
    });

    it("needs groups.create_subgroup in each parent", async () => {
      const { createGroup: parent } = await svc.ok(
        CreateGroup,
        { input: { name: "Parent", visibility: "PUBLIC" } },
        admin,
      );
      const outsider = await svc.user();
      const denied = await svc.gql(CreateGroup, { input: { name: "Child", parentIds: [parent.id] } }, outsider);
      expect(codes(denied)).toEqual(["FORBIDDEN"]);
      expect(denied.errors![0]!.message).toContain("groups.create_subgroup");
      const member = await svc.user();
      await addMembershipRow(svc, parent.id, member, "member");
      expect(codes(await svc.gql(CreateGroup, { input: { name: "Child", parentIds: [parent.id] } }, member))).toEqual([
        "FORBIDDEN",
      ]);
      const groupAdmin = await svc.user();
      await addMembershipRow(svc, parent.id, groupAdmin, "admin");
      const ok = await svc.ok(CreateGroup, { input: { name: "Child", parentIds: [parent.id] } }, groupAdmin);
      expect(ok.createGroup.parents).toEqual([{ id: parent.id }]);
      const missing = await svc.gql(
        CreateGroup,
        { input: { name: "Orphan", parentIds: ["00000000-0000-4000-8000-000000000999"] } },
        admin,
      );
      expect(codes(missing)).toEqual(["NOT_FOUND"]);
    });

    it("caps the groups one user creates at MAX_GROUPS_PER_USER; global admins are exempt", async () => {
      const bob = await svc.user();
      for (let i = 0; i < 5; i++) await svc.ok(CreateGroup, { input: { name: `Bob ${i}` } }, bob);
      const sixth = await svc.gql(CreateGroup, { input: { name: "Bob 6" } }, bob);
      expect(codes(sixth)).toEqual(["BAD_USER_INPUT"]);
      expect(sixth.errors![0]!.message).toContain("MAX_GROUPS_PER_USER");
      const adminCount = Number(
        (await svc.db.query(`SELECT count(*) AS n FROM groups WHERE created_by = $1`, [admin.id]))[0].n,
      );
      expect(adminCount).toBeGreaterThanOrEqual(5);
      await svc.ok(CreateGroup, { input: { name: "Admin extra" } }, admin);
    });

    it("holds the cap when many creations race", async () => {
      const carol = await svc.user();
      const results = await Promise.all(
        [...Array(12).keys()].map((i) => svc.gql(CreateGroup, { input: { name: `Race ${i}` } }, carol)),
      );
      expect(results.filter((r) => !r.errors).length).toBe(5);
      expect(results.filter((r) => r.errors).every((r) => codes(r)[0] === "BAD_USER_INPUT")).toBe(true);
    });
  });

  describe("update and delete", () => {
    it("changes only the given fields, records fieldsChanged, and clears nullable fields with null", async () => {
      const { createGroup: g } = await svc.ok(
        CreateGroup,
        { input: { name: "Old", description: "d", metadata: { a: "1" } } },
        alice,
      );
      const { updateGroup: u } = await svc.ok(
        UpdateGroup,
        { id: g.id, input: { name: "New", description: null } },
        alice,
      );
      expect(u).toMatchObject({ name: "New", description: null, metadata: { a: "1" }, visibility: "PRIVATE" });
      const events = await eventsOf(svc, g.id);
      expect(events.map((e) => e.type)).toEqual(["GROUP_CREATED", "MEMBER_ADDED", "GROUP_UPDATED"]);
      expect((events[2]!.payload.fieldsChanged as string[]).sort()).toEqual(["description", "name"]);
      expect(codes(await svc.gql(UpdateGroup, { id: g.id, input: { name: null } }, alice))).toEqual(["BAD_USER_INPUT"]);
    });

    it("needs groups.update: owner and admin may, member and outsider may not", async () => {
      const { createGroup: g } = await svc.ok(CreateGroup, { input: { name: "Guarded", visibility: "PUBLIC" } }, admin);
      const member = await svc.user();
      const groupAdmin = await svc.user();
      await addMembershipRow(svc, g.id, member, "member");
      await addMembershipRow(svc, g.id, groupAdmin, "admin");
      const outsider = await svc.user();
      const denied = await svc.gql(UpdateGroup, { id: g.id, input: { name: "x" } }, member);
      expect(codes(denied)).toEqual(["FORBIDDEN"]);
      expect(denied.errors![0]!.message).toContain("groups.update");
      expect(codes(await svc.gql(UpdateGroup, { id: g.id, input: { name: "x" } }, outsider))).toEqual(["FORBIDDEN"]);
      await svc.ok(UpdateGroup, { id: g.id, input: { name: "By admin" } }, groupAdmin);
      // deleting needs groups.delete, which only owners hold
      expect(codes(await svc.gql(DeleteGroup, { id: g.id }, groupAdmin))).toEqual(["FORBIDDEN"]);
    });

    it("answers NOT_FOUND for a group that does not exist or that the caller cannot see", async () => {
      const { createGroup: secret } = await svc.ok(CreateGroup, { input: { name: "Secret" } }, admin);
      const outsider = await svc.user();
      expect(codes(await svc.gql(UpdateGroup, { id: secret.id, input: { name: "x" } }, outsider))).toEqual([
        "NOT_FOUND",
      ]);
      expect(codes(await svc.gql(DeleteGroup, { id: "00000000-0000-4000-8000-000000000404" }, admin))).toEqual([
        "NOT_FOUND",
      ]);
      expect(codes(await svc.gql(DeleteGroup, { id: "garbage" }, admin))).toEqual(["NOT_FOUND"]);
    });

    it("refuses CONFLICT on update too", async () => {
      await svc.ok(CreateGroup, { input: { name: "Math", shortName: "MA", campus: "East" } }, admin);
      const { createGroup: other } = await svc.ok(
        CreateGroup,
        { input: { name: "Music", shortName: "MU", campus: "East" } },
        admin,
      );
      expect(codes(await svc.gql(UpdateGroup, { id: other.id, input: { shortName: "MA" } }, admin))).toEqual([
        "CONFLICT",
      ]);
    });

    it("soft-deletes with isActive: false (hidden from lists by default, still readable)", async () => {
      const { createGroup: g } = await svc.ok(CreateGroup, { input: { name: "Archived unit" } }, admin);
      await svc.ok(UpdateGroup, { id: g.id, input: { isActive: false } }, admin);
      expect((await svc.ok(GroupById, { id: g.id }, admin)).group?.isActive).toBe(false);
      const active = await svc.ok(Groups, { filter: { search: "Archived unit" } }, admin);
      expect(active.groups.totalCount).toBe(0);
      const both = await svc.ok(Groups, { filter: { search: "Archived unit", isActive: null } }, admin);
      expect(both.groups.totalCount).toBe(1);
    });

    it("hard delete removes memberships and parent links; children stay, losing this parent; the event stays", async () => {
      const { createGroup: top } = await svc.ok(CreateGroup, { input: { name: "Top" } }, admin);
      const { createGroup: mid } = await svc.ok(CreateGroup, { input: { name: "Mid", parentIds: [top.id] } }, admin);
      const { createGroup: leaf } = await svc.ok(
        CreateGroup,
        { input: { name: "Leaf", parentIds: [mid.id, top.id] } },
        admin,
      );
      expect(await svc.ok(DeleteGroup, { id: mid.id }, admin)).toEqual({ deleteGroup: true });
      expect((await svc.ok(GroupById, { id: mid.id }, admin)).group).toBeNull();
      expect((await svc.ok(GroupById, { id: leaf.id }, admin)).group?.parents).toEqual([{ id: top.id }]);
      expect(await svc.db.query(`SELECT 1 FROM memberships WHERE group_id = $1`, [mid.id])).toEqual([]);
      expect((await eventsOf(svc, mid.id)).map((e) => e.type)).toEqual([
        "GROUP_CREATED",
        "MEMBER_ADDED",
        "CHILD_ADDED", // Leaf created under it
        "GROUP_DELETED",
      ]);
      // Its parent's log says it lost a child.
      expect((await eventsOf(svc, top.id)).map((e) => e.type)).toEqual([
        "GROUP_CREATED",
        "MEMBER_ADDED",
        "CHILD_ADDED",
        "CHILD_ADDED",
        "CHILD_REMOVED",
      ]);
    });

    it("refuses PUBLIC when ALLOW_PUBLIC_GROUPS=false", async () => {
      const strict = await TestService.start({ allowPublicGroups: false });
      try {
        const user = await strict.user();
        const res = await strict.gql(CreateGroup, { input: { name: "Open", visibility: "PUBLIC" } }, user);
        expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
        expect(res.errors![0]!.extensions!.details).toHaveProperty("visibility");
        await strict.ok(CreateGroup, { input: { name: "Closed" } }, user);
      } finally {
        await strict.stop();
      }
    });
  });

  describe("visibility", () => {
    it("shows a PRIVATE group only to those holding groups.view and global admins", async () => {
      const { createGroup: g } = await svc.ok(CreateGroup, { input: { name: "Hidden lab", groupType: "lab" } }, alice);
      const outsider = await svc.user();
      expect((await svc.ok(GroupById, { id: g.id }, outsider)).group).toBeNull();
      expect((await svc.ok(GroupByName, { name: "Hidden lab" }, outsider)).groupByName).toBeNull();
      expect((await svc.ok(Groups, { filter: { search: "Hidden lab" } }, outsider)).groups.totalCount).toBe(0);
      expect((await svc.ok(GroupById, { id: g.id }, alice)).group?.id).toBe(g.id);
      expect((await svc.ok(GroupById, { id: g.id }, admin)).group?.id).toBe(g.id);
      const viewer = await svc.user();
      await addMembershipRow(svc, g.id, viewer, "viewer");
      expect((await svc.ok(Groups, { filter: { search: "Hidden lab" } }, viewer)).groups.totalCount).toBe(1);
      expect((await svc.ok(GroupByName, { name: "Hidden lab", groupType: "lab" }, viewer)).groupByName?.id).toBe(g.id);
      expect((await svc.ok(GroupByName, { name: "Hidden lab", groupType: "team" }, viewer)).groupByName).toBeNull();
      expect((await svc.ok(GroupByName, { name: "hidden lab" }, viewer)).groupByName).toBeNull();
    });

    it("shows a PUBLIC group to everyone", async () => {
      const { createGroup: g } = await svc.ok(
        CreateGroup,
        { input: { name: "Open forum", visibility: "PUBLIC" } },
        alice,
      );
      const outsider = await svc.user();
      expect((await svc.ok(GroupById, { id: g.id }, outsider)).group?.id).toBe(g.id);
    });
  });
});

describe("groups: filters, ordering and pagination", () => {
  let svc: TestService;
  let admin: TestUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true });
    const make = async (name: string, input: Record<string, unknown> = {}) => {
      const { createGroup } = await svc.ok(CreateGroup, { input: { name, ...input } as never }, admin);
      ids[name] = createGroup.id;
    };
    await make("Uni", { groupType: "organization", campus: "Main", visibility: "PUBLIC" });
    await make("Physics", {
      groupType: "department",
      campus: "Main",
      knowledgeArea: "science",
      parentIds: [ids.Uni],
      shortName: "PHY",
    });
    await make("Chemistry", {
      groupType: "department",
      campus: "North",
      knowledgeArea: "science",
      parentIds: [ids.Uni],
    });
    await make("History", {
      groupType: "department",
      campus: "Main",
      knowledgeArea: "humanities",
      parentIds: [ids.Uni],
      metadata: { floor: "2", wing: "east" },
    });
    await make("Quantum team", {
      groupType: "team",
      campus: "Main",
      parentIds: [ids.Physics],
      metadata: { floor: "2" },
    });
    await make("Old team", { groupType: "team", campus: "Main", parentIds: [ids.Physics] });
    await svc.ok(UpdateGroup, { id: ids["Old team"]!, input: { isActive: false } }, admin);
  });
  afterAll(() => svc.stop());

  const names = async (vars: GroupsQueryVariables) =>
    (await svc.ok(Groups, vars, admin)).groups.nodes.map((n) => n.name);

  it.each<[string, GroupsQueryVariables, string[]]>([
    ["groupType", { filter: { groupType: "department" } }, ["Chemistry", "History", "Physics"]],
    ["campus", { filter: { campus: "North" } }, ["Chemistry"]],
    ["knowledgeArea", { filter: { knowledgeArea: "science" } }, ["Chemistry", "Physics"]],
    ["isActive default true", { filter: { groupType: "team" } }, ["Quantum team"]],
    ["isActive false", { filter: { isActive: false } }, ["Old team"]],
    ["isActive null = both", { filter: { groupType: "team", isActive: null } }, ["Old team", "Quantum team"]],
    ["visibility", { filter: { visibility: "PUBLIC" } }, ["Uni"]],
    ["search on name, case-insensitive", { filter: { search: "CHEM" } }, ["Chemistry"]],
    ["search on shortName", { filter: { search: "phy" } }, ["Physics"]],
    ["search with LIKE wildcards is literal", { filter: { search: "%" } }, []],
    ["parentId", { filter: { parentId: "PARENT" } }, ["Chemistry", "History", "Physics"]],
    ["rootsOnly", { filter: { rootsOnly: true } }, ["Uni"]],
    ["metadata containment", { filter: { metadata: { floor: "2" } } }, ["History", "Quantum team"]],
    ["metadata all pairs", { filter: { metadata: { floor: "2", wing: "east" } } }, ["History"]],
    ["combined", { filter: { campus: "Main", groupType: "department" } }, ["History", "Physics"]],
  ])("filters by %s", async (_label, vars, expected) => {
    if (vars.filter?.parentId === "PARENT") vars = { filter: { parentId: ids.Uni } };
    expect(await names(vars)).toEqual(expected);
  });

  it("orders by name, createdAt and updatedAt in both directions", async () => {
    const all = { filter: { isActive: null } };
    expect(await names({ ...all, orderBy: { field: "NAME", direction: "DESC" } })).toEqual([
      "Uni",
      "Quantum team",
      "Physics",
      "Old team",
      "History",
      "Chemistry",
    ]);
    expect(await names({ ...all, orderBy: { field: "CREATED_AT", direction: "ASC" } })).toEqual([
      "Uni",
      "Physics",
      "Chemistry",
      "History",
      "Quantum team",
      "Old team",
    ]);
    expect((await names({ ...all, orderBy: { field: "UPDATED_AT", direction: "DESC" } }))[0]).toBe("Old team");
  });

  it("walks every page with after, and with offset, with no gap or duplicate", async () => {
    for (const orderBy of [
      { field: "NAME" as const, direction: "ASC" as const },
      { field: "CREATED_AT" as const, direction: "DESC" as const },
    ]) {
      const expected = await names({ filter: { isActive: null }, orderBy, first: 100 });
      const seen: string[] = [];
      let after: string | null | undefined = null;
      for (let guard = 0; guard < 10; guard++) {
        const page: GroupsQuery = await svc.ok(Groups, { filter: { isActive: null }, orderBy, first: 4, after }, admin);
        expect(page.groups.totalCount).toBe(6);
        expect(page.groups.edges.map((e) => e.node.id)).toEqual(page.groups.nodes.map((n) => n.id));
        expect(page.groups.edges.at(-1)?.cursor ?? null).toBe(page.groups.pageInfo.endCursor);
        seen.push(...page.groups.nodes.map((n) => n.name));
        if (!page.groups.pageInfo.hasNextPage) break;
        after = page.groups.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      const byOffset = [
        ...(await names({ filter: { isActive: null }, orderBy, first: 4, offset: 0 })),
        ...(await names({ filter: { isActive: null }, orderBy, first: 4, offset: 4 })),
      ];
      expect(byOffset).toEqual(expected);
    }
  });

  it("caps first at 500 and refuses bad cursors and after+offset", async () => {
    expect(codes(await svc.gql(Groups, { first: 501 }, admin))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await svc.gql(Groups, { first: -1 }, admin))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await svc.gql(Groups, { after: "garbage" }, admin))).toEqual(["BAD_USER_INPUT"]);
    const first = await svc.ok(Groups, { first: 1 }, admin);
    expect(codes(await svc.gql(Groups, { after: first.groups.pageInfo.endCursor, offset: 1 }, admin))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect((await svc.ok(Groups, { first: 500 }, admin)).groups.nodes.length).toBe(5);
  });
});
