import crypto from "node:crypto";
import { graphql } from "./generated";
import type { AuthzCheckQuery } from "./generated/graphql";
import { addMember, createChain, createGroup, provision } from "./utils/builders";
import { codes, TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";
import { CONTRACT_PERMISSIONS } from "./utils/contract-registry";

/**
 * Authorization through the public API, on a real database: checkPermission and User.permissions
 * (cascade, DAG, statuses, archived groups, global admins), who may ask, visibility through every
 * path, the role rank rules, and statement counts that do not grow with the data.
 */

// ---------------------------------------------------------------- documents

const Check = graphql(`
  query AuthzCheck($userId: ID!, $groupId: ID!, $permission: String!) {
    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {
      allowed
      permission
      globalAdmin
      grants {
        group {
          id
        }
        role
        inherited
        path {
          id
        }
      }
    }
  }
`);

const CheckGroupNames = graphql(`
  query AuthzCheckGroupNames($userId: ID!, $groupId: ID!, $permission: String!) {
    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {
      allowed
      grants {
        group {
          id
          name
        }
        path {
          id
          name
        }
      }
    }
  }
`);

const UserPermissions = graphql(`
  query AuthzUserPermissions($userId: ID!, $groupId: ID!) {
    user(id: $userId) {
      id
      permissions(groupId: $groupId)
    }
  }
`);

const PermissionKeys = graphql(`
  query AuthzPermissionKeys {
    permissions {
      key
    }
    roles {
      name
      permissions
    }
  }
`);

const UpdateGroup = graphql(`
  mutation AuthzUpdateGroup($id: ID!, $input: UpdateGroupInput!) {
    updateGroup(id: $id, input: $input) {
      id
      isActive
      permissionCascadeEnabled
    }
  }
`);

const AddMember = graphql(`
  mutation AuthzAddMember($input: AddMemberInput!) {
    addMember(input: $input) {
      id
      role
      status
    }
  }
`);

const ChangeRole = graphql(`
  mutation AuthzChangeRole($groupId: ID!, $userId: ID!, $role: String!) {
    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {
      id
      role
    }
  }
`);

const SetStatus = graphql(`
  mutation AuthzSetStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {
    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {
      id
      status
    }
  }
`);

const Respond = graphql(`
  mutation AuthzRespond($groupId: ID!, $accept: Boolean!) {
    respondToInvitation(groupId: $groupId, accept: $accept) {
      id
      status
    }
  }
`);

const RemoveMember = graphql(`
  mutation AuthzRemoveMember($groupId: ID!, $userId: ID!) {
    removeMember(groupId: $groupId, userId: $userId)
  }
`);

const MembershipOf = graphql(`
  query AuthzMembershipOf($groupId: ID!, $userId: ID!) {
    membership(groupId: $groupId, userId: $userId) {
      role
      status
    }
  }
`);

const GroupById = graphql(`
  query AuthzGroupById($id: ID!) {
    group(id: $id) {
      id
    }
  }
`);

const GroupsSearch = graphql(`
  query AuthzGroupsSearch($search: String!) {
    groups(filter: { search: $search }, first: 500) {
      nodes {
        id
      }
    }
  }
`);

const GroupsSearchAll = graphql(`
  query AuthzGroupsSearchAll($search: String!) {
    groups(filter: { search: $search, isActive: null }, first: 500) {
      nodes {
        id
      }
    }
  }
`);

const Relatives = graphql(`
  query AuthzRelatives($id: ID!) {
    group(id: $id) {
      children(includeInactive: true) {
        id
      }
      descendants {
        nodes {
          group {
            id
          }
        }
      }
    }
  }
`);

const GroupByName = graphql(`
  query AuthzGroupByName($name: String!) {
    groupByName(name: $name) {
      id
    }
  }
`);

const Entities = graphql(`
  query AuthzEntities($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Group {
        id
      }
    }
  }
`);

const SomeonesGroups = graphql(`
  query AuthzSomeonesGroups($id: ID!) {
    user(id: $id) {
      groups {
        id
      }
      transitive: groups(transitive: true) {
        id
      }
      memberships {
        group {
          id
        }
      }
    }
  }
`);

const TransitiveMembers = graphql(`
  query AuthzTransitiveMembers($id: ID!) {
    group(id: $id) {
      members(transitive: true, first: 100) {
        totalCount
        nodes {
          user {
            id
          }
        }
      }
    }
  }
`);

const UserTransitiveGroups = graphql(`
  query AuthzUserTransitiveGroups($id: ID!) {
    user(id: $id) {
      groups(transitive: true) {
        id
      }
    }
  }
`);

const GroupsWithMembers = graphql(`
  query AuthzGroupsWithMembers {
    groups(first: 50) {
      nodes {
        id
        members(first: 10) {
          nodes {
            role
            user {
              name
            }
          }
        }
      }
    }
  }
`);

// ---------------------------------------------------------------- helpers

type CheckResult = AuthzCheckQuery["checkPermission"];

async function check(svc: TestService, as: TestUser, userId: string, groupId: string, permission = "groups.view") {
  return (await svc.ok(Check, { userId, groupId, permission }, as)).checkPermission;
}

/** The grants of a check as plain ids, for exact comparisons. */
function grantsOf(result: CheckResult) {
  return result.grants.map((g) => ({
    group: g.group.id,
    role: g.role,
    inherited: g.inherited,
    path: g.path.map((p) => p.id),
  }));
}

const denied = (permission: string) => ({ allowed: false, permission, globalAdmin: false, grants: [] });

/** Makes `user` a global admin (provisioned with the admin role claim). */
async function globalAdmin(svc: TestService): Promise<TestUser> {
  const admin = await svc.user({ admin: true });
  await provision(svc, admin);
  return admin;
}

/** Provisioned users that hold nothing yet. */
async function users(svc: TestService, count: number): Promise<TestUser[]> {
  const list: TestUser[] = [];
  for (let i = 0; i < count; i++) list.push(await svc.user());
  await provision(svc, ...list);
  return list;
}

// ---------------------------------------------------------------- 1. checkPermission

describe("checkPermission: which grants count", () => {
  let svc: TestService;
  let ga: TestUser; // the caller of most checks: may ask about anyone
  let owner: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    ga = await globalAdmin(svc);
    [owner] = await users(svc, 1);
  });
  afterAll(() => svc.stop());

  describe("down a chain", () => {
    let chain: string[];
    let member: TestUser;

    beforeAll(async () => {
      chain = await createChain(svc, owner!, 4, { name: "Chain" }); // L0 -> L1 -> L2 -> L3
      [member] = await users(svc, 1);
      await addMember(svc, owner!, chain[0]!, member!, { role: "member" });
    });

    it("a direct grant: not inherited, path [target]", async () => {
      const result = await check(svc, ga, member!.id, chain[0]!);
      expect(result).toMatchObject({ allowed: true, permission: "groups.view", globalAdmin: false });
      expect(grantsOf(result)).toEqual([{ group: chain[0], role: "member", inherited: false, path: [chain[0]] }]);
    });

    it("inherited through 1 and 3 levels, with the path from the holding group down to the target", async () => {
      const one = await check(svc, ga, member!.id, chain[1]!);
      expect(one.allowed).toBe(true);
      expect(grantsOf(one)).toEqual([{ group: chain[0], role: "member", inherited: true, path: chain.slice(0, 2) }]);
      const three = await check(svc, ga, member!.id, chain[3]!);
      expect(three.allowed).toBe(true);
      expect(grantsOf(three)).toEqual([{ group: chain[0], role: "member", inherited: true, path: chain }]);
    });

    it("lists every grant that allows it, nearest first", async () => {
      // The creator is owner of each level directly, so the leaf has four grants.
      const result = await check(svc, ga, owner!.id, chain[3]!, "groups.delete");
      expect(grantsOf(result)).toEqual([
        { group: chain[3], role: "owner", inherited: false, path: [chain[3]] },
        { group: chain[2], role: "owner", inherited: true, path: chain.slice(2) },
        { group: chain[1], role: "owner", inherited: true, path: chain.slice(1) },
        { group: chain[0], role: "owner", inherited: true, path: chain },
      ]);
    });

    it("lists only the grants whose role grants the permission; denied means no grants", async () => {
      expect(await check(svc, ga, member!.id, chain[3]!, "members.add")).toEqual(denied("members.add"));
      expect(await check(svc, ga, member!.id, chain[0]!, "groups.delete")).toEqual(denied("groups.delete"));
    });

    it("denied for a user with no role anywhere: allowed false, grants []", async () => {
      const [outsider] = await users(svc, 1);
      expect(await check(svc, ga, outsider!.id, chain[0]!)).toEqual(denied("groups.view"));
      expect(await check(svc, ga, outsider!.id, chain[3]!, "events.view")).toEqual(denied("events.view"));
    });
  });

  describe("permissionCascadeEnabled", () => {
    let top: string;
    let middle: string;
    let target: string;
    let member: TestUser;

    beforeAll(async () => {
      top = await createGroup(svc, owner!, { name: "Cascade top" });
      middle = await createGroup(svc, owner!, { name: "Cascade middle", parentIds: [top] });
      // The target's own flag is off: it only governs what flows out of the target.
      target = await createGroup(svc, owner!, {
        name: "Cascade target",
        parentIds: [middle],
        permissionCascadeEnabled: false,
      });
      [member] = await users(svc, 1);
      await addMember(svc, owner!, top, member!, { role: "admin" });
    });

    it("the target's own flag does not matter", async () => {
      const result = await check(svc, ga, member!.id, target, "members.add");
      expect(result.allowed).toBe(true);
      expect(grantsOf(result)).toEqual([{ group: top, role: "admin", inherited: true, path: [top, middle, target] }]);
    });

    it("a flag off on an intermediate group blocks inheritance below it, not into it", async () => {
      await svc.ok(UpdateGroup, { id: middle, input: { permissionCascadeEnabled: false } }, owner!);
      expect(await check(svc, ga, member!.id, target)).toEqual(denied("groups.view"));
      const intoMiddle = await check(svc, ga, member!.id, middle);
      expect(grantsOf(intoMiddle)).toEqual([{ group: top, role: "admin", inherited: true, path: [top, middle] }]);
      // A blocked role gives no visibility either: the target is PRIVATE.
      const asMember = await svc.ok(GroupById, { id: target }, member!);
      expect(asMember.group).toBeNull();
    });

    it("one cascading path is enough (a second parent that cascades)", async () => {
      const side = await createGroup(svc, owner!, { name: "Cascade side", parentIds: [top] });
      await svc.ok(UpdateGroup, { id: target, input: { parentIds: [middle, side] } }, owner!);
      const result = await check(svc, ga, member!.id, target);
      expect(grantsOf(result)).toEqual([{ group: top, role: "admin", inherited: true, path: [top, side, target] }]);
    });
  });

  it("in a DAG, grants held in both ancestors are both listed, each with its path", async () => {
    //   R        Q
    //   |        |
    //   P        |
    //    \      /
    //     target
    const r = await createGroup(svc, owner!, { name: "Dag R" });
    const p = await createGroup(svc, owner!, { name: "Dag P", parentIds: [r] });
    const q = await createGroup(svc, owner!, { name: "Dag Q" });
    const target = await createGroup(svc, owner!, { name: "Dag target", parentIds: [p, q] });
    const [user] = await users(svc, 1);
    await addMember(svc, owner!, r, user!, { role: "admin" });
    await addMember(svc, owner!, q, user!, { role: "member" });

    const view = await check(svc, ga, user!.id, target);
    expect(view.allowed).toBe(true);
    expect(grantsOf(view)).toEqual([
      { group: q, role: "member", inherited: true, path: [q, target] },
      { group: r, role: "admin", inherited: true, path: [r, p, target] },
    ]);
    // Only the admin role grants members.add.
    const add = await check(svc, ga, user!.id, target, "members.add");
    expect(grantsOf(add)).toEqual([{ group: r, role: "admin", inherited: true, path: [r, p, target] }]);
  });

  describe("memberships that do not count", () => {
    let parent: string;
    let child: string;

    beforeAll(async () => {
      parent = await createGroup(svc, owner!, { name: "Status parent" });
      child = await createGroup(svc, owner!, { name: "Status child", parentIds: [parent] });
    });

    /** Denied in the group and below; and the SQL mirror of the rule agrees (PRIVATE groups stay hidden). */
    const expectNothing = async (user: TestUser) => {
      expect(await check(svc, ga, user.id, parent)).toEqual(denied("groups.view"));
      expect(await check(svc, ga, user.id, child)).toEqual(denied("groups.view"));
      expect((await svc.ok(GroupById, { id: child }, user)).group).toBeNull();
      const listed = await svc.ok(GroupsSearch, { search: "Status " }, user);
      expect(listed.groups.nodes).toEqual([]);
    };

    it("PENDING grants nothing (until accepted)", async () => {
      const [invited] = await users(svc, 1);
      await addMember(svc, owner!, parent, invited!, { role: "admin", status: "PENDING" });
      await expectNothing(invited!);
      await svc.ok(Respond, { groupId: parent, accept: true }, invited!);
      expect((await check(svc, ga, invited!.id, child)).allowed).toBe(true);
    });

    it("INACTIVE (setMemberStatus) grants nothing", async () => {
      const [user] = await users(svc, 1);
      await addMember(svc, owner!, parent, user!, { role: "admin" });
      expect((await check(svc, ga, user!.id, child)).allowed).toBe(true);
      const { setMemberStatus } = await svc.ok(
        SetStatus,
        { groupId: parent, userId: user!.id, status: "INACTIVE" },
        owner!,
      );
      expect(setMemberStatus.status).toBe("INACTIVE");
      await expectNothing(user!);
    });

    it("an expired membership grants nothing", async () => {
      const [user] = await users(svc, 1);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      const membershipId = await addMember(svc, owner!, parent, user!, { role: "admin", expiresAt: tomorrow });
      expect((await check(svc, ga, user!.id, child)).allowed).toBe(true);
      // The API refuses past dates: expire it in the database.
      await svc.db.query(`UPDATE memberships SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        membershipId,
      ]);
      await expectNothing(user!);
    });

    it("a membership in an archived group grants nothing, there or below", async () => {
      const archived = await createGroup(svc, owner!, { name: "Archived parent" });
      const below = await createGroup(svc, owner!, { name: "Archived child", parentIds: [archived] });
      const [user] = await users(svc, 1);
      await addMember(svc, owner!, archived, user!, { role: "admin" });
      expect((await check(svc, ga, user!.id, below)).allowed).toBe(true);
      const { updateGroup } = await svc.ok(UpdateGroup, { id: archived, input: { isActive: false } }, owner!);
      expect(updateGroup.isActive).toBe(false);
      expect(await check(svc, ga, user!.id, archived)).toEqual(denied("groups.view"));
      expect(await check(svc, ga, user!.id, below)).toEqual(denied("groups.view"));
    });

    it("in an archived group only its direct owners' role counts, there and not below", async () => {
      const archived = await createGroup(svc, owner!, { name: "Archived owned" });
      const [directOwner, childCreator] = await users(svc, 2);
      await addMember(svc, owner!, archived, directOwner!, { role: "owner" });
      await addMember(svc, owner!, archived, childCreator!, { role: "admin" });
      const below = await createGroup(svc, childCreator!, { name: "Archived owned child", parentIds: [archived] });
      expect((await check(svc, ga, directOwner!.id, below)).allowed).toBe(true);
      await svc.ok(UpdateGroup, { id: archived, input: { isActive: false } }, owner!);
      const there = await check(svc, ga, directOwner!.id, archived, "groups.delete");
      expect(there).toMatchObject({ allowed: true, globalAdmin: false });
      expect(grantsOf(there)).toEqual([{ group: archived, role: "owner", inherited: false, path: [archived] }]);
      // An archived group passes nothing down, its owners' roles included.
      expect(await check(svc, ga, directOwner!.id, below)).toEqual(denied("groups.view"));
      expect(await check(svc, ga, childCreator!.id, archived, "groups.update")).toEqual(denied("groups.update"));
      // Below, the child's own owner keeps their role.
      expect((await check(svc, ga, childCreator!.id, below, "groups.delete")).allowed).toBe(true);
    });
  });

  it("a global-admin subject is allowed everything: globalAdmin true", async () => {
    const subject = await globalAdmin(svc);
    const group = await createGroup(svc, owner!, { name: "Admin subject" });
    for (const permission of ["groups.view", "groups.delete", "members.change_role"]) {
      const result = await check(svc, owner!, subject.id, group, permission);
      expect(result).toEqual({ allowed: true, permission, globalAdmin: true, grants: [] });
    }
  });

  it("a subject's global-admin flag follows their latest token", async () => {
    const subject = await globalAdmin(svc);
    const group = await createGroup(svc, owner!, { name: "Admin flag" });
    expect((await check(svc, ga, subject.id, group)).globalAdmin).toBe(true);
    await provision(svc, await svc.user({ id: subject.id })); // a new token without the admin role
    expect(await check(svc, ga, subject.id, group)).toEqual(denied("groups.view"));
  });
});

// ---------------------------------------------------------------- 2. who may ask

describe("checkPermission and User.permissions: who may ask", () => {
  let svc: TestService;
  let ga: TestUser;
  let owner: TestUser;
  let viewer: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let priv: string;
  let pub: string;

  beforeAll(async () => {
    svc = await TestService.start();
    ga = await globalAdmin(svc);
    [owner, viewer, member, outsider] = await users(svc, 4);
    priv = await createGroup(svc, owner!, { name: "Ask private" });
    pub = await createGroup(svc, owner!, { name: "Ask public", visibility: "PUBLIC" });
    await addMember(svc, owner!, priv, viewer!, { role: "viewer" });
    await addMember(svc, owner!, priv, member!, { role: "member" });
  });
  afterAll(() => svc.stop());

  it("anyone may ask about themselves, even a plain viewer", async () => {
    expect(await check(svc, viewer!, viewer!.id, priv, "members.view")).toEqual(denied("members.view"));
    expect((await check(svc, viewer!, viewer!.id, priv, "groups.view")).allowed).toBe(true);
    const own = await svc.ok(UserPermissions, { userId: viewer!.id, groupId: priv }, viewer!);
    expect(own.user!.permissions).toEqual(["groups.view"]);
    // An outsider about themselves in a PUBLIC group: allowed false, no error.
    expect(await check(svc, outsider!, outsider!.id, pub)).toEqual(denied("groups.view"));
  });

  it("about another user needs members.view in that group: FORBIDDEN naming it", async () => {
    const asViewer = await svc.gql(Check, { userId: member!.id, groupId: priv, permission: "groups.view" }, viewer!);
    expect(codes(asViewer)).toEqual(["FORBIDDEN"]);
    expect(asViewer.errors![0]!.message).toContain("members.view");
    const perms = await svc.gql(UserPermissions, { userId: member!.id, groupId: priv }, viewer!);
    expect(codes(perms)).toEqual(["FORBIDDEN"]);
    expect(perms.errors![0]!.message).toContain("members.view");
    // PUBLIC lets the outsider see the group, not its members' permissions.
    const publicGroup = await svc.gql(Check, { userId: owner!.id, groupId: pub, permission: "groups.view" }, outsider!);
    expect(codes(publicGroup)).toEqual(["FORBIDDEN"]);
    expect(publicGroup.errors![0]!.message).toContain("members.view");
    // members.view is enough.
    expect((await check(svc, member!, viewer!.id, priv)).allowed).toBe(true);
    expect((await svc.ok(UserPermissions, { userId: viewer!.id, groupId: priv }, member!)).user!.permissions).toEqual([
      "groups.view",
    ]);
  });

  it("a PRIVATE group the caller cannot see is NOT_FOUND, like one that does not exist", async () => {
    const missing = crypto.randomUUID();
    for (const userId of [member!.id, outsider!.id]) {
      const hidden = await svc.gql(Check, { userId, groupId: priv, permission: "groups.view" }, outsider!);
      const absent = await svc.gql(Check, { userId, groupId: missing, permission: "groups.view" }, outsider!);
      expect(codes(hidden)).toEqual(["NOT_FOUND"]);
      expect(codes(absent)).toEqual(["NOT_FOUND"]);
      expect(hidden.errors![0]!.message.replace(priv, "<id>")).toBe(
        absent.errors![0]!.message.replace(missing, "<id>"),
      );
    }
    const perms = await svc.gql(UserPermissions, { userId: member!.id, groupId: priv }, outsider!);
    expect(codes(perms)).toEqual(["NOT_FOUND"]);
  });

  it("an unknown permission key is BAD_USER_INPUT", async () => {
    const res = await svc.gql(Check, { userId: member!.id, groupId: priv, permission: "groups.fly" }, member!);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0]!.extensions!.details).toHaveProperty("permission");
  });

  it("an unknown user id is NOT_FOUND", async () => {
    for (const userId of [crypto.randomUUID(), "not-a-uuid"]) {
      const res = await svc.gql(Check, { userId, groupId: priv, permission: "groups.view" }, member!);
      expect(codes(res)).toEqual(["NOT_FOUND"]);
    }
  });

  it("grants never show the caller a PRIVATE group it cannot see", async () => {
    // The subject's role is held in PRIVATE ancestors; the caller holds members.view in the target only.
    const top = await createGroup(svc, owner!, { name: "Ask hidden top" });
    const between = await createGroup(svc, owner!, { name: "Ask hidden between", parentIds: [top] });
    const target = await createGroup(svc, owner!, { name: "Ask target", parentIds: [between] });
    const [subject, caller] = await users(svc, 2);
    await addMember(svc, owner!, top, subject!, { role: "admin" });
    await addMember(svc, owner!, target, caller!, { role: "member" });
    expect((await svc.ok(GroupById, { id: top }, caller!)).group).toBeNull();
    expect((await svc.ok(GroupById, { id: between }, caller!)).group).toBeNull();

    const { checkPermission } = await svc.ok(
      CheckGroupNames,
      { userId: subject!.id, groupId: target, permission: "groups.view" },
      caller!,
    );
    expect(checkPermission.allowed).toBe(true);
    // A caller holding members.view in the target must not learn the ids and names of PRIVATE
    // ancestors it cannot see through group(id), groups(...), groupByName or _entities: a grant
    // whose path passes through one is left out (checkPermission in src/memberships/membership.queries.ts).
    const shown = checkPermission.grants.flatMap((g) => [g.group, ...g.path]).map((g) => g.name);
    expect(shown).not.toContain("Ask hidden top");
    expect(shown).not.toContain("Ask hidden between");
  });

  it("a global admin may ask about anyone, anywhere", async () => {
    expect((await check(svc, ga, member!.id, priv, "members.view")).allowed).toBe(true);
    expect(await check(svc, ga, outsider!.id, priv)).toEqual(denied("groups.view"));
    const perms = await svc.ok(UserPermissions, { userId: outsider!.id, groupId: priv }, ga);
    expect(perms.user!.permissions).toEqual([]);
  });
});

// ---------------------------------------------------------------- 3. User.permissions == checkPermission

describe("User.permissions agrees with checkPermission for every key", () => {
  let svc: TestService;
  let ga: TestUser;
  let target: string;
  let keys: string[];
  let roleKeys: Map<string, string[]>;
  const subjects: Record<string, TestUser> = {};

  beforeAll(async () => {
    svc = await TestService.start();
    ga = await globalAdmin(svc);
    const [owner, admin, member, viewer, cascaded, outsider] = await users(svc, 6);
    Object.assign(subjects, { owner, admin, member, viewer, cascaded, outsider, globalAdmin: ga });
    const ancestor = await createGroup(svc, owner!, { name: "Agree ancestor" });
    // PUBLIC, so the outsider may ask about themselves.
    target = await createGroup(svc, owner!, { name: "Agree target", parentIds: [ancestor], visibility: "PUBLIC" });
    await addMember(svc, owner!, target, admin!, { role: "admin" });
    await addMember(svc, owner!, target, member!, { role: "member" });
    await addMember(svc, owner!, target, viewer!, { role: "viewer" });
    await addMember(svc, owner!, ancestor, cascaded!, { role: "admin" });
    const data = await svc.ok(PermissionKeys, {}, ga);
    keys = data.permissions.map((p) => p.key).sort();
    roleKeys = new Map(data.roles.map((r) => [r.name, [...r.permissions].sort()]));
  });
  afterAll(() => svc.stop());

  it("the registry holds at least the 11 default keys", () => {
    expect(keys).toEqual(expect.arrayContaining([...CONTRACT_PERMISSIONS]));
  });

  const expectedRole: Record<string, string | null> = {
    owner: "owner",
    admin: "admin",
    member: "member",
    viewer: "viewer",
    cascaded: "admin",
    outsider: null,
    globalAdmin: "*",
  };

  it.each(Object.keys(expectedRole))("%s: the same set, asked by a global admin and by themselves", async (name) => {
    const subject = subjects[name]!;
    const expected = expectedRole[name] === "*" ? keys : expectedRole[name] ? roleKeys.get(expectedRole[name]!)! : [];
    for (const caller of [ga, subject]) {
      const listed = (await svc.ok(UserPermissions, { userId: subject.id, groupId: target }, caller)).user!.permissions;
      const allowed: string[] = [];
      for (const permission of keys) {
        if ((await check(svc, caller, subject.id, target, permission)).allowed) allowed.push(permission);
      }
      expect([...listed].sort()).toEqual(allowed);
      expect(allowed).toEqual(expected);
    }
  });

  it("the expected sets are the contract's", () => {
    expect(roleKeys.get("viewer")).toEqual(["groups.view"]);
    expect(roleKeys.get("member")).toEqual(["events.view", "groups.view", "members.view"]);
    expect(roleKeys.get("admin")).not.toContain("groups.delete");
    expect(roleKeys.get("owner")).toContain("groups.delete");
  });
});

// ---------------------------------------------------------------- 4. visibility

describe("visibility of a PRIVATE group is the same through every path", () => {
  let svc: TestService;
  let owner: TestUser;
  let ga: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    ga = await globalAdmin(svc);
    [owner] = await users(svc, 1);
  });
  afterAll(() => svc.stop());

  /** Whether `as` sees the group through group(id), groups(...), groupByName and _entities. */
  async function seenThrough(as: TestUser, id: string, name: string) {
    const byId = (await svc.ok(GroupById, { id }, as)).group?.id === id;
    const listed = (await svc.ok(GroupsSearch, { search: name }, as)).groups.nodes.some((g) => g.id === id);
    const byName = (await svc.ok(GroupByName, { name }, as)).groupByName?.id === id;
    const entities = await svc.ok(Entities, { r: [{ __typename: "Group", id }] }, as);
    const entity = (entities._entities[0] as { id?: string } | null)?.id === id;
    return { byId, listed, byName, entity };
  }

  const everywhere = { byId: true, listed: true, byName: true, entity: true };
  const nowhere = { byId: false, listed: false, byName: false, entity: false };

  it("hidden from an outsider, shown to members and global admins", async () => {
    const id = await createGroup(svc, owner!, { name: "Vis Secret" });
    const [outsider, viewer] = await users(svc, 2);
    await addMember(svc, owner!, id, viewer!, { role: "viewer" });
    expect(await seenThrough(outsider!, id, "Vis Secret")).toEqual(nowhere);
    expect(await seenThrough(viewer!, id, "Vis Secret")).toEqual(everywhere);
    expect(await seenThrough(owner!, id, "Vis Secret")).toEqual(everywhere);
    expect(await seenThrough(ga, id, "Vis Secret")).toEqual(everywhere);
  });

  it("a PRIVATE child of a PUBLIC parent is not among the parent's children or descendants for an outsider", async () => {
    const parent = await createGroup(svc, owner!, { name: "Vis Open parent", visibility: "PUBLIC" });
    const child = await createGroup(svc, owner!, { name: "Vis Closed child", parentIds: [parent] });
    const [outsider] = await users(svc, 1);
    const seen = (await svc.ok(Relatives, { id: parent }, outsider!)).group!;
    expect(seen.children).toEqual([]);
    expect(seen.descendants.nodes).toEqual([]);
    expect(await seenThrough(outsider!, child, "Vis Closed child")).toEqual(nowhere);
    const asOwner = (await svc.ok(Relatives, { id: parent }, owner!)).group!;
    expect(asOwner.children).toEqual([{ id: child }]);
  });

  it("an archived PRIVATE group: its own members but its owners lose it on every path; an active cascading parent's members keep it", async () => {
    const parent = await createGroup(svc, owner!, { name: "Vis Keeper" });
    const archived = await createGroup(svc, owner!, { name: "Vis Archived", parentIds: [parent] });
    const [parentViewer, directAdmin, directOwner] = await users(svc, 3);
    await addMember(svc, owner!, parent, parentViewer!, { role: "viewer" });
    await addMember(svc, owner!, archived, directAdmin!, { role: "admin" });
    await addMember(svc, owner!, archived, directOwner!, { role: "owner" });
    await svc.ok(UpdateGroup, { id: archived, input: { isActive: false } }, owner!);

    const paths = async (as: TestUser) => {
      const listed = (await svc.ok(GroupsSearchAll, { search: "Vis Archived" }, as)).groups.nodes;
      return { ...(await seenThrough(as, archived, "Vis Archived")), listed: listed.some((g) => g.id === archived) };
    };
    expect(await paths(directAdmin!)).toEqual(nowhere);
    // Its direct owners keep it, on every path (the rule and its SQL mirror agree).
    expect(await paths(directOwner!)).toEqual(everywhere);
    expect(await paths(parentViewer!)).toEqual(everywhere);
    expect(await paths(ga)).toEqual(everywhere);
  });

  it("a member of a cascading parent sees its PRIVATE child; with cascade off on the parent, not", async () => {
    const cascading = await createGroup(svc, owner!, { name: "Vis Cascading" });
    const child = await createGroup(svc, owner!, { name: "Vis Cascading child", parentIds: [cascading] });
    const blocking = await createGroup(svc, owner!, { name: "Vis Blocking", permissionCascadeEnabled: false });
    const blockedChild = await createGroup(svc, owner!, { name: "Vis Blocking child", parentIds: [blocking] });
    const [parentMember, blockedMember, childMember] = await users(svc, 3);
    await addMember(svc, owner!, cascading, parentMember!, { role: "viewer" });
    await addMember(svc, owner!, blocking, blockedMember!, { role: "admin" });
    await addMember(svc, owner!, child, childMember!, { role: "member" });

    expect(await seenThrough(parentMember!, child, "Vis Cascading child")).toEqual(everywhere);
    expect(await seenThrough(blockedMember!, blocking, "Vis Blocking")).toEqual(everywhere);
    expect(await seenThrough(blockedMember!, blockedChild, "Vis Blocking child")).toEqual(nowhere);
    // Grants flow down, never up.
    expect(await seenThrough(childMember!, child, "Vis Cascading child")).toEqual(everywhere);
    expect(await seenThrough(childMember!, cascading, "Vis Cascading")).toEqual(nowhere);
    // Turning cascade off on the parent hides the child from the parent's member on every path.
    await svc.ok(UpdateGroup, { id: cascading, input: { permissionCascadeEnabled: false } }, owner!);
    expect(await seenThrough(parentMember!, child, "Vis Cascading child")).toEqual(nowhere);
  });

  it("someone else's User.groups lists only groups the caller sees; User.memberships only where the caller holds members.view", async () => {
    const [subject, caller] = await users(svc, 2);
    const publicGroup = await createGroup(svc, owner!, { name: "Vis Public", visibility: "PUBLIC" });
    const hidden = await createGroup(svc, owner!, { name: "Vis Hidden" });
    const viewed = await createGroup(svc, owner!, { name: "Vis Viewed" });
    const shared = await createGroup(svc, owner!, { name: "Vis Shared" });
    const hiddenParent = await createGroup(svc, owner!, { name: "Vis Hidden parent" });
    const underHidden = await createGroup(svc, owner!, {
      name: "Vis Under hidden",
      parentIds: [hiddenParent],
      visibility: "PUBLIC",
    });
    for (const g of [publicGroup, hidden, viewed, shared, underHidden]) await addMember(svc, owner!, g, subject!);
    await addMember(svc, owner!, viewed, caller!, { role: "viewer" }); // sees it, no members.view
    await addMember(svc, owner!, shared, caller!, { role: "member" }); // members.view

    const { user } = await svc.ok(SomeonesGroups, { id: subject!.id }, caller!);
    const sorted = (ids: string[]) => [...ids].sort();
    expect(sorted(user!.groups.map((g) => g.id))).toEqual(sorted([publicGroup, viewed, shared, underHidden]));
    // transitive adds ancestors, still only visible ones (not "Vis Hidden parent").
    expect(sorted(user!.transitive.map((g) => g.id))).toEqual(sorted([publicGroup, viewed, shared, underHidden]));
    expect(user!.memberships.map((m) => m.group.id)).toEqual([shared]);

    // The subject sees all of their own.
    const own = await svc.ok(SomeonesGroups, { id: subject!.id }, subject!);
    expect(sorted(own.user!.groups.map((g) => g.id))).toEqual(
      sorted([publicGroup, hidden, viewed, shared, underHidden]),
    );
    expect(own.user!.memberships).toHaveLength(5);
  });
});

// ---------------------------------------------------------------- 4b. archived groups and their owners

const DeleteGroupDoc = `mutation AuthzDeleteGroup($id: ID!) { deleteGroup(id: $id) }`;
const ArchivedGroup = `query AuthzArchivedGroup($id: ID!) { group(id: $id) { id isActive } }`;
const AddMemberDoc = `mutation AuthzArchivedAddMember($input: AddMemberInput!) { addMember(input: $input) { role } }`;
const GroupEventsAfter = `subscription AuthzGroupEventsAfter($after: ID) { groupEvents(after: $after) { id type groupId } }`;

describe("an archived group: its direct owners keep it, to restore or delete it", () => {
  let svc: TestService;
  let ga: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    ga = await globalAdmin(svc);
  });
  afterAll(() => svc.stop());

  const groupAs = async (id: string, as: TestUser) =>
    (await svc.ok<{ group: { id: string; isActive: boolean } | null }, unknown>(ArchivedGroup, { id }, as)).group;
  const archive = (id: string, as: TestUser, isActive = false) => svc.gql(UpdateGroup, { id, input: { isActive } }, as);

  it("an owner archives their group, sees it, restores it, archives it again and deletes it", async () => {
    const [owner, admin] = await users(svc, 2);
    const group = await createGroup(svc, owner!, { name: "Archive own" });
    await addMember(svc, owner!, group, admin!, { role: "admin" });

    expect((await archive(group, owner!)).data?.updateGroup.isActive).toBe(false);
    expect(await groupAs(group, owner!)).toEqual({ id: group, isActive: false });
    const listed = await svc.ok(GroupsSearchAll, { search: "Archive own" }, owner!);
    expect(listed.groups.nodes).toEqual([{ id: group }]);
    // Whatever owner may, in the archived group itself: here, adding a member.
    const [newcomer] = await users(svc, 1);
    const added = await svc.ok<{ addMember: { role: string } }, unknown>(
      AddMemberDoc,
      { input: { groupId: group, userId: newcomer!.id, role: "viewer" } },
      owner!,
    );
    expect(added.addMember.role).toBe("viewer");

    const restored = await archive(group, owner!, true);
    expect(restored.errors).toBeUndefined();
    expect(restored.data?.updateGroup.isActive).toBe(true);
    expect(await groupAs(group, admin!)).toEqual({ id: group, isActive: true });

    expect((await archive(group, owner!)).data?.updateGroup.isActive).toBe(false);
    const deleted = await svc.gql<{ deleteGroup: boolean }, unknown>(DeleteGroupDoc, { id: group }, owner!);
    expect(deleted).toMatchObject({ data: { deleteGroup: true } });
    expect(deleted.errors).toBeUndefined();
    expect(await groupAs(group, ga)).toBeNull();
  });

  it("an admin of the archived group gets NOT_FOUND, as does an owner whose membership is not ACTIVE", async () => {
    const [owner, admin, resting] = await users(svc, 3);
    const group = await createGroup(svc, owner!, { name: "Archive refused" });
    await addMember(svc, owner!, group, admin!, { role: "admin" });
    await addMember(svc, owner!, group, resting!, { role: "owner" });
    await svc.ok(SetStatus, { groupId: group, userId: resting!.id, status: "INACTIVE" }, owner!);
    expect((await archive(group, owner!)).errors).toBeUndefined();

    for (const user of [admin!, resting!]) {
      expect(await groupAs(group, user)).toBeNull();
      expect(codes(await archive(group, user, true))).toEqual(["NOT_FOUND"]);
      expect(codes(await svc.gql(DeleteGroupDoc, { id: group }, user))).toEqual(["NOT_FOUND"]);
    }
    expect(await groupAs(group, ga)).toEqual({ id: group, isActive: false });
  });

  it("a PUBLIC archived group is seen by its admin, who may not restore or delete it (FORBIDDEN)", async () => {
    const [owner, admin] = await users(svc, 2);
    const group = await createGroup(svc, owner!, { name: "Archive public", visibility: "PUBLIC" });
    await addMember(svc, owner!, group, admin!, { role: "admin" });
    expect((await archive(group, owner!)).errors).toBeUndefined();
    expect(await groupAs(group, admin!)).toEqual({ id: group, isActive: false });
    expect(codes(await archive(group, admin!, true))).toEqual(["FORBIDDEN"]);
    expect(codes(await svc.gql(DeleteGroupDoc, { id: group }, admin!))).toEqual(["FORBIDDEN"]);
    expect(codes(await archive(group, owner!, true))).toEqual([]);
  });

  it("the owner of an active cascading parent still manages it; its own owner too", async () => {
    const [parentOwner, groupOwner, parentViewer] = await users(svc, 3);
    const parent = await createGroup(svc, parentOwner!, { name: "Archive parent" });
    await addMember(svc, parentOwner!, parent, groupOwner!, { role: "admin" });
    await addMember(svc, parentOwner!, parent, parentViewer!, { role: "viewer" });
    const group = await createGroup(svc, groupOwner!, { name: "Archive under parent", parentIds: [parent] });
    await svc.ok(RemoveMember, { groupId: parent, userId: groupOwner!.id }, parentOwner!);
    expect((await archive(group, groupOwner!)).errors).toBeUndefined();

    // Roles inherited from the active parent count in the archived group as before.
    expect(await groupAs(group, parentViewer!)).toEqual({ id: group, isActive: false });
    expect(await groupAs(group, groupOwner!)).toEqual({ id: group, isActive: false });
    expect(codes(await archive(group, parentViewer!, true))).toEqual(["FORBIDDEN"]);
    expect((await archive(group, parentOwner!, true)).data?.updateGroup.isActive).toBe(true);
    expect((await archive(group, groupOwner!)).data?.updateGroup.isActive).toBe(false);
    expect(await svc.ok<{ deleteGroup: boolean }, unknown>(DeleteGroupDoc, { id: group }, parentOwner!)).toEqual({
      deleteGroup: true,
    });
  });

  it("the owner who deletes their archived group still hears GROUP_DELETED", async () => {
    const [owner] = await users(svc, 1);
    const group = await createGroup(svc, owner!, { name: "Archive heard" });
    expect((await archive(group, owner!)).errors).toBeUndefined();
    const [{ after }] = (await svc.db.query(`SELECT max(id)::text AS after FROM domain_events`)) as {
      after: string;
    }[];
    await svc.ok(DeleteGroupDoc, { id: group }, owner!);
    // Replayed after the deletion: delivery relies on who could read the group when it was deleted.
    const caller = new WsCaller(svc.url, owner!.token);
    try {
      const stream = caller.subscribe<{ groupEvents: { type: string; groupId: string } }, unknown>(GroupEventsAfter, {
        after,
      });
      const [event] = await stream.next(1);
      expect(event!.groupEvents).toMatchObject({ type: "GROUP_DELETED", groupId: group });
    } finally {
      await caller.close();
    }
  });
});

// ---------------------------------------------------------------- 5. role rules

describe("role rules through the API", () => {
  let svc: TestService;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let group: string;

  const roleOf = async (groupId: string, userId: string) =>
    (await svc.ok(MembershipOf, { groupId, userId }, owner!)).membership?.role ?? null;

  beforeAll(async () => {
    svc = await TestService.start();
    [owner, admin, member] = await users(svc, 3);
    group = await createGroup(svc, owner!, { name: "Rules group" });
    await addMember(svc, owner!, group, admin!, { role: "admin" });
    await addMember(svc, owner!, group, member!, { role: "member" });
  });
  afterAll(() => svc.stop());

  it("an admin cannot add an owner nor promote anyone to owner", async () => {
    const [newcomer] = await users(svc, 1);
    const add = await svc.gql(AddMember, { input: { groupId: group, userId: newcomer!.id, role: "owner" } }, admin!);
    expect(codes(add)).toEqual(["FORBIDDEN"]);
    expect(await roleOf(group, newcomer!.id)).toBeNull();
    const promote = await svc.gql(ChangeRole, { groupId: group, userId: member!.id, role: "owner" }, admin!);
    expect(codes(promote)).toEqual(["FORBIDDEN"]);
    expect(await roleOf(group, member!.id)).toBe("member");
  });

  it("an admin can add another admin", async () => {
    const [newcomer] = await users(svc, 1);
    const { addMember: added } = await svc.ok(
      AddMember,
      { input: { groupId: group, userId: newcomer!.id, role: "admin" } },
      admin!,
    );
    expect(added.role).toBe("admin");
  });

  it("an admin cannot demote or remove an owner; an owner can", async () => {
    const [second] = await users(svc, 1);
    const { addMember: added } = await svc.ok(
      AddMember,
      { input: { groupId: group, userId: second!.id, role: "owner" } },
      owner!,
    );
    expect(added.role).toBe("owner");

    const demote = await svc.gql(ChangeRole, { groupId: group, userId: second!.id, role: "admin" }, admin!);
    expect(codes(demote)).toEqual(["FORBIDDEN"]);
    const remove = await svc.gql(RemoveMember, { groupId: group, userId: second!.id }, admin!);
    expect(codes(remove)).toEqual(["FORBIDDEN"]);
    const deactivate = await svc.gql(SetStatus, { groupId: group, userId: second!.id, status: "INACTIVE" }, admin!);
    expect(codes(deactivate)).toEqual(["FORBIDDEN"]);
    expect(await roleOf(group, second!.id)).toBe("owner");

    expect(
      (await svc.ok(ChangeRole, { groupId: group, userId: member!.id, role: "owner" }, owner!)).updateMemberRole.role,
    ).toBe("owner");
    expect(
      (await svc.ok(ChangeRole, { groupId: group, userId: member!.id, role: "member" }, owner!)).updateMemberRole.role,
    ).toBe("member");
    expect(
      (await svc.ok(ChangeRole, { groupId: group, userId: second!.id, role: "admin" }, owner!)).updateMemberRole.role,
    ).toBe("admin");
    expect((await svc.ok(RemoveMember, { groupId: group, userId: second!.id }, owner!)).removeMember).toBe(true);
  });

  describe("through a cascading parent", () => {
    let parentOwner: TestUser;
    let parent: string;
    let child: string;

    beforeAll(async () => {
      [parentOwner] = await users(svc, 1);
      const [childCreator] = await users(svc, 1);
      parent = await createGroup(svc, parentOwner!, { name: "Rules parent" });
      await addMember(svc, parentOwner!, parent, childCreator!, { role: "admin" });
      // Created by someone else: the parent's owner has no membership in the child.
      child = await createGroup(svc, childCreator!, { name: "Rules child", parentIds: [parent] });
      expect(await roleOf(child, parentOwner!.id)).toBeNull();
    });

    it("the owner of a cascading parent can add an owner in the child", async () => {
      const [newcomer] = await users(svc, 1);
      const { addMember: added } = await svc.ok(
        AddMember,
        { input: { groupId: child, userId: newcomer!.id, role: "owner" } },
        parentOwner!,
      );
      expect(added.role).toBe("owner");
    });

    it("nobody promotes themselves, not even an owner by cascade", async () => {
      await svc.ok(AddMember, { input: { groupId: child, userId: parentOwner!.id, role: "member" } }, parentOwner!);
      const res = await svc.gql(ChangeRole, { groupId: child, userId: parentOwner!.id, role: "admin" }, parentOwner!);
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(res.errors![0]!.message).toMatch(/promote themselves/);
      expect(await svc.ok(MembershipOf, { groupId: child, userId: parentOwner!.id }, parentOwner!)).toEqual({
        membership: { role: "member", status: "ACTIVE" },
      });
    });
  });

  it("self-demotion works while another owner remains; the last owner cannot", async () => {
    const [first, second] = await users(svc, 2);
    const g = await createGroup(svc, first!, { name: "Rules demotion" });
    await addMember(svc, first!, g, second!, { role: "owner" });
    const { updateMemberRole } = await svc.ok(ChangeRole, { groupId: g, userId: first!.id, role: "admin" }, first!);
    expect(updateMemberRole.role).toBe("admin");
    const last = await svc.gql(ChangeRole, { groupId: g, userId: second!.id, role: "admin" }, second!);
    expect(codes(last)).toEqual(["BAD_USER_INPUT"]);
    expect(await svc.ok(MembershipOf, { groupId: g, userId: second!.id }, second!)).toEqual({
      membership: { role: "owner", status: "ACTIVE" },
    });
  });
});

// ---------------------------------------------------------------- 6. statement counts

describe("statement counts do not grow with the data", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  /** Provisioned users, warmed up so provisioning is never counted. */
  const warm = async (count: number) => {
    const list = await users(svc, count);
    for (const u of list) await svc.ok(`{ me { id } }`, {}, u);
    return list;
  };

  it("checkPermission on a 10-level chain with the only role at the top: one statement, as for 3 levels", async () => {
    const [owner, user] = await warm(2);
    const counts: number[] = [];
    for (const length of [10, 3]) {
      const chain = await createChain(svc, owner!, length, { name: `Count chain ${length}` });
      await addMember(svc, owner!, chain[0]!, user!, { role: "member" });
      const leaf = chain.at(-1)!;
      // 1: the subject's and the caller's facts (ancestry, memberships, admin flags), one batch;
      // 2: the target and every group on the grants' paths.
      const { data, count } = await svc.statements(
        Check,
        { userId: user!.id, groupId: leaf, permission: "groups.view" },
        user!,
      );
      expect(data.checkPermission.allowed).toBe(true);
      expect(data.checkPermission.grants).toHaveLength(1);
      expect(data.checkPermission.grants[0]!.path.map((g) => g.id)).toEqual(chain);
      expect(data.checkPermission.grants[0]!.path).toHaveLength(length);
      expect(count).toBeLessThanOrEqual(2);
      counts.push(count);
      // Asked by the chain's owner (owner of every level: 10 grants), still the same.
      const byOwner = await svc.statements(
        Check,
        { userId: owner!.id, groupId: leaf, permission: "groups.delete" },
        owner!,
      );
      expect(byOwner.data.checkPermission.grants).toHaveLength(length);
      expect(byOwner.count).toBe(count);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBe(1); // the path groups come with the facts (one statement)
  });

  it("group.members(transitive) costs the same for a small tree and a large one", async () => {
    const [owner] = await warm(1);
    const small = await createGroup(svc, owner!, { name: "Count small" });
    const smallChild = await createGroup(svc, owner!, { name: "Count small child", parentIds: [small] });
    const [one] = await users(svc, 1);
    await addMember(svc, owner!, smallChild, one!);

    const large = await createGroup(svc, owner!, { name: "Count large" });
    const memberIds = new Set([owner!.id]);
    for (let i = 0; i < 3; i++) {
      const child = await createGroup(svc, owner!, { name: `Count large ${i}`, parentIds: [large] });
      for (let j = 0; j < 2; j++) {
        const grandchild = await createGroup(svc, owner!, { name: `Count large ${i}.${j}`, parentIds: [child] });
        for (const u of await users(svc, 4)) {
          await addMember(svc, owner!, grandchild, u);
          memberIds.add(u.id);
        }
      }
    }

    // 1: group(id) by id; 2: the caller's standing in it (visibility, then members.view, cached);
    // 3: the page of members with totalCount and their users.
    const a = await svc.statements(TransitiveMembers, { id: small }, owner!);
    expect(a.data.group!.members.totalCount).toBe(2);
    const b = await svc.statements(TransitiveMembers, { id: large }, owner!);
    expect(b.data.group!.members.totalCount).toBe(memberIds.size);
    expect(new Set(b.data.group!.members.nodes.map((n) => n.user.id))).toEqual(memberIds);
    expect(b.count).toBe(a.count);
    expect(a.count).toBe(3);
  });

  it("user.groups(transitive) costs the same for few and many groups", async () => {
    const [owner, few, many] = await warm(3);
    const g = await createGroup(svc, owner!, { name: "Count few" });
    await addMember(svc, owner!, g, few!);
    const chainA = await createChain(svc, owner!, 5, { name: "Count many A" });
    const chainB = await createChain(svc, owner!, 5, { name: "Count many B" });
    for (const id of [chainA.at(-1)!, chainB.at(-1)!, chainB[2]!]) await addMember(svc, owner!, id, many!);

    // 1: the user by id; 2: their groups with ancestors, visibility included.
    const a = await svc.statements(UserTransitiveGroups, { id: few!.id }, owner!);
    expect(a.data.user!.groups.map((x) => x.id)).toEqual([g]);
    const b = await svc.statements(UserTransitiveGroups, { id: many!.id }, owner!);
    expect(b.data.user!.groups).toHaveLength(10);
    expect(b.count).toBe(a.count);
    expect(a.count).toBe(2);
  });

  it("groups(first: 50) with members(first: 10) costs the same for 5 and 30 groups", async () => {
    const counts: number[] = [];
    for (const size of [5, 30]) {
      const [owner] = await warm(1);
      for (let i = 0; i < size; i++) {
        const id = await createGroup(svc, owner!, { name: `Count list ${size}.${i}` });
        for (const u of await users(svc, 2)) await addMember(svc, owner!, id, u, { role: "member" });
      }
      // 1: the page of groups with totalCount and a page of members for every group, with their
      // users (planned); 2: the caller's standing in all of them (members.view).
      const { data, count } = await svc.statements(GroupsWithMembers, {}, owner!);
      expect(data.groups.nodes).toHaveLength(size);
      for (const node of data.groups.nodes) expect(node.members.nodes).toHaveLength(3);
      counts.push(count);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[0]).toBe(2);
  });
});
