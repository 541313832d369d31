import { graphql } from "./generated";
import { addMember, createChain, createGroup, provision } from "./utils/builders";
import { codes, TestService, type TestUser } from "./utils/service";

const AddMember = graphql(`
  mutation AddMember($input: AddMemberInput!) {
    addMember(input: $input) {
      id
      role
      status
      isActive
      joinedAt
      expiresAt
      group {
        id
      }
      user {
        id
      }
      invitedBy {
        id
      }
    }
  }
`);

const UpdateMemberRole = graphql(`
  mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {
    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {
      id
      role
    }
  }
`);

const SetMemberStatus = graphql(`
  mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {
    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {
      id
      status
      isActive
    }
  }
`);

const RespondToInvitation = graphql(`
  mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {
    respondToInvitation(groupId: $groupId, accept: $accept) {
      id
      status
    }
  }
`);

const RemoveMember = graphql(`
  mutation RemoveMember($groupId: ID!, $userId: ID!) {
    removeMember(groupId: $groupId, userId: $userId)
  }
`);

const MembershipQuery = graphql(`
  query MembershipOf($groupId: ID!, $userId: ID!) {
    membership(groupId: $groupId, userId: $userId) {
      id
      role
      status
      isActive
    }
    group(id: $groupId) {
      memberCount
      membership(userId: $userId) {
        id
        status
      }
    }
  }
`);

const Members = graphql(`
  query Members($id: ID!, $role: String, $includeInactive: Boolean, $transitive: Boolean, $first: Int, $after: String) {
    group(id: $id) {
      members(role: $role, includeInactive: $includeInactive, transitive: $transitive, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          role
          status
          user {
            id
          }
          group {
            id
          }
        }
      }
    }
  }
`);

const UserMemberships = graphql(`
  query UserMemberships($id: ID!, $includeInactive: Boolean, $role: String, $transitive: Boolean, $groupType: String) {
    user(id: $id) {
      memberships(includeInactive: $includeInactive, role: $role) {
        role
        status
        group {
          id
        }
      }
      groups(transitive: $transitive, groupType: $groupType) {
        id
      }
    }
  }
`);

const CanUpdate = graphql(`
  query CanUpdate($userId: ID!, $groupId: ID!) {
    checkPermission(userId: $userId, groupId: $groupId, permission: "groups.update") {
      allowed
    }
  }
`);

async function eventsOf(svc: TestService, groupId: string, userId: string) {
  return (await svc.db.query(
    `SELECT type, actor_id AS "actorId", payload FROM domain_events WHERE group_id = $1 AND user_id = $2 ORDER BY id`,
    [groupId, userId],
  )) as { type: string; actorId: string; payload: Record<string, unknown> }[];
}

const future = () => new Date(Date.now() + 3_600_000).toISOString();

describe("memberships", () => {
  let svc: TestService;
  let owner: TestUser;
  let admin: TestUser;
  let bob: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user({ name: "Olive Owner" });
    admin = await svc.user({ name: "Ada Admin" });
    bob = await svc.user({ name: "Bob" });
    outsider = await svc.user({ name: "Otto Outsider" });
    await provision(svc, owner, admin, bob, outsider);
  });
  afterAll(() => svc.stop());

  describe("addMember", () => {
    it("applies the defaults (member, ACTIVE, invited by the caller) and records MEMBER_ADDED", async () => {
      const g = await createGroup(svc, owner);
      const { addMember: m } = await svc.ok(AddMember, { input: { groupId: g, userId: bob.id } }, owner);
      expect(m).toMatchObject({
        role: "member",
        status: "ACTIVE",
        isActive: true,
        expiresAt: null,
        group: { id: g },
        user: { id: bob.id },
        invitedBy: { id: owner.id },
      });
      expect(Date.parse(m.joinedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(await eventsOf(svc, g, bob.id)).toEqual([
        {
          type: "MEMBER_ADDED",
          actorId: owner.id,
          payload: expect.objectContaining({ role: "member", invitedBy: owner.id }),
        },
      ]);
      const { membership, group } = await svc.ok(MembershipQuery, { groupId: g, userId: bob.id }, owner);
      expect(membership).toMatchObject({ id: m.id, role: "member", status: "ACTIVE" });
      expect(group).toMatchObject({ memberCount: 2, membership: { id: m.id } });
    });

    it("takes role, invitedBy and a future expiresAt", async () => {
      const g = await createGroup(svc, owner);
      const expiresAt = future();
      const { addMember: m } = await svc.ok(
        AddMember,
        { input: { groupId: g, userId: bob.id, role: "viewer", invitedBy: admin.id, expiresAt } },
        owner,
      );
      expect(m).toMatchObject({ role: "viewer", invitedBy: { id: admin.id }, expiresAt });
    });

    it("refuses bad input with BAD_USER_INPUT naming the field, and unknown ids with NOT_FOUND", async () => {
      const g = await createGroup(svc, owner);
      const cases: [Record<string, unknown>, string, string?][] = [
        [{ role: "emperor" }, "BAD_USER_INPUT", "role"],
        [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, "BAD_USER_INPUT", "expiresAt"],
        [{ status: "INACTIVE" }, "BAD_USER_INPUT", "status"],
        [{ userId: "00000000-0000-4000-8000-00000000dead" }, "NOT_FOUND"],
        [{ userId: "not-a-uuid" }, "NOT_FOUND"],
        [{ invitedBy: "00000000-0000-4000-8000-00000000dead" }, "NOT_FOUND"],
        [{ groupId: "00000000-0000-4000-8000-00000000beef" }, "NOT_FOUND"],
      ];
      for (const [patch, code, field] of cases) {
        const res = await svc.gql(AddMember, { input: { groupId: g, userId: bob.id, ...patch } }, owner);
        expect(codes(res)).toEqual([code]);
        if (field) expect(Object.keys(res.errors![0]!.extensions!.details as object)).toEqual([field]);
      }
      expect(await eventsOf(svc, g, bob.id)).toEqual([]);
    });

    it("needs members.add: FORBIDDEN for a plain member, NOT_FOUND for an outsider of a PRIVATE group", async () => {
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, bob);
      const res = await svc.gql(AddMember, { input: { groupId: g, userId: outsider.id } }, bob);
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(res.errors![0]!.message).toContain("members.add");
      expect(codes(await svc.gql(AddMember, { input: { groupId: g, userId: outsider.id } }, outsider))).toEqual([
        "NOT_FOUND",
      ]);
    });

    it("answers CONFLICT for a duplicate member, also when 20 identical requests race", async () => {
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, bob);
      expect(codes(await svc.gql(AddMember, { input: { groupId: g, userId: bob.id } }, owner))).toEqual(["CONFLICT"]);

      const racer = await svc.user();
      await provision(svc, racer);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => svc.gql(AddMember, { input: { groupId: g, userId: racer.id } }, owner)),
      );
      expect(results.filter((r) => !r.errors).length).toBe(1);
      expect(results.flatMap(codes).sort()).toEqual(Array(19).fill("CONFLICT"));
      expect(
        await svc.db.query(`SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2`, [g, racer.id]),
      ).toHaveLength(1);
      expect(await eventsOf(svc, g, racer.id)).toHaveLength(1);
    });
  });

  describe("invitations", () => {
    it("a PENDING invitation counts for nothing until accepted; accepting makes it ACTIVE", async () => {
      const g = await createGroup(svc, owner);
      const invitee = await svc.user();
      await addMember(svc, owner, g, invitee, { status: "PENDING", role: "admin" });
      // The invitee sees their own invitation, though the PRIVATE group is not yet visible to them.
      const mine = await svc.ok(MembershipQuery, { groupId: g, userId: invitee.id }, invitee);
      expect(mine).toEqual({
        membership: expect.objectContaining({ status: "PENDING", isActive: false }),
        group: null,
      });
      expect((await svc.ok(CanUpdate, { userId: invitee.id, groupId: g }, owner)).checkPermission.allowed).toBe(false);
      expect((await svc.ok(MembershipQuery, { groupId: g, userId: invitee.id }, owner)).group?.memberCount).toBe(1);

      const { respondToInvitation } = await svc.ok(RespondToInvitation, { groupId: g, accept: true }, invitee);
      expect(respondToInvitation).toMatchObject({ status: "ACTIVE" });
      expect((await svc.ok(CanUpdate, { userId: invitee.id, groupId: g }, owner)).checkPermission.allowed).toBe(true);
      expect((await eventsOf(svc, g, invitee.id)).map((e) => [e.type, e.payload])).toEqual([
        ["MEMBER_ADDED", expect.objectContaining({ status: "PENDING", role: "admin" })],
        ["MEMBER_STATUS_CHANGED", { oldStatus: "PENDING", newStatus: "ACTIVE" }],
      ]);
      // Nothing left to respond to.
      expect(codes(await svc.gql(RespondToInvitation, { groupId: g, accept: true }, invitee))).toEqual([
        "BAD_USER_INPUT",
      ]);
    });

    it("declining removes the membership and answers null", async () => {
      const g = await createGroup(svc, owner);
      const invitee = await svc.user();
      await addMember(svc, owner, g, invitee, { status: "PENDING" });
      const res = await svc.ok(RespondToInvitation, { groupId: g, accept: false }, invitee);
      expect(res.respondToInvitation).toBeNull();
      expect((await svc.ok(MembershipQuery, { groupId: g, userId: invitee.id }, owner)).membership).toBeNull();
      expect((await eventsOf(svc, g, invitee.id)).map((e) => e.type)).toEqual(["MEMBER_ADDED", "MEMBER_REMOVED"]);
    });

    it("refuses without an invitation (NOT_FOUND) and after it expired (BAD_USER_INPUT)", async () => {
      const g = await createGroup(svc, owner);
      const invitee = await svc.user();
      await provision(svc, invitee);
      expect(codes(await svc.gql(RespondToInvitation, { groupId: g, accept: true }, invitee))).toEqual(["NOT_FOUND"]);
      await addMember(svc, owner, g, invitee, { status: "PENDING", expiresAt: future() });
      await svc.db.query(`UPDATE memberships SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
        invitee.id,
      ]);
      expect(codes(await svc.gql(RespondToInvitation, { groupId: g, accept: true }, invitee))).toEqual([
        "BAD_USER_INPUT",
      ]);
    });
  });

  describe("expiry", () => {
    it("an expired membership counts as INACTIVE everywhere, at read time", async () => {
      const g = await createGroup(svc, owner);
      const temp = await svc.user();
      await addMember(svc, owner, g, temp, { role: "admin", expiresAt: future() });
      expect((await svc.ok(CanUpdate, { userId: temp.id, groupId: g }, owner)).checkPermission.allowed).toBe(true);
      // Time passes: no job runs, the stored status stays ACTIVE.
      await svc.db.query(`UPDATE memberships SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
        temp.id,
      ]);

      expect((await svc.ok(MembershipQuery, { groupId: g, userId: temp.id }, owner)).membership).toMatchObject({
        status: "INACTIVE",
        isActive: false,
      });
      expect((await svc.ok(CanUpdate, { userId: temp.id, groupId: g }, owner)).checkPermission.allowed).toBe(false);
      const members = await svc.ok(Members, { id: g }, owner);
      expect(members.group?.members.nodes.map((n) => n.user.id)).toEqual([owner.id]);
      const all = await svc.ok(Members, { id: g, includeInactive: true }, owner);
      expect(all.group?.members.nodes.find((n) => n.user.id === temp.id)?.status).toBe("INACTIVE");
      expect((await svc.ok(MembershipQuery, { groupId: g, userId: temp.id }, owner)).group?.memberCount).toBe(1);
      const user = await svc.ok(UserMemberships, { id: temp.id }, temp);
      expect(user.user).toEqual({ memberships: [], groups: [] });
      // The expired admin can no longer act.
      expect(codes(await svc.gql(AddMember, { input: { groupId: g, userId: bob.id } }, temp))).toEqual(["NOT_FOUND"]);
      // Reactivating clears the past expiry.
      const { setMemberStatus } = await svc.ok(
        SetMemberStatus,
        { groupId: g, userId: temp.id, status: "ACTIVE" },
        owner,
      );
      expect(setMemberStatus).toMatchObject({ status: "ACTIVE", isActive: true });
    });
  });

  describe("roles and status", () => {
    it("updateMemberRole records oldRole/newRole; same role changes nothing; unknown role or member refused", async () => {
      const g = await createGroup(svc, owner);
      const m = await svc.user();
      await addMember(svc, owner, g, m);
      const { updateMemberRole } = await svc.ok(UpdateMemberRole, { groupId: g, userId: m.id, role: "admin" }, owner);
      expect(updateMemberRole.role).toBe("admin");
      await svc.ok(UpdateMemberRole, { groupId: g, userId: m.id, role: "admin" }, owner);
      expect((await eventsOf(svc, g, m.id)).map((e) => [e.type, e.payload])).toEqual([
        ["MEMBER_ADDED", expect.anything()],
        ["MEMBER_ROLE_CHANGED", { oldRole: "member", newRole: "admin" }],
      ]);
      expect(codes(await svc.gql(UpdateMemberRole, { groupId: g, userId: m.id, role: "king" }, owner))).toEqual([
        "BAD_USER_INPUT",
      ]);
      expect(codes(await svc.gql(UpdateMemberRole, { groupId: g, userId: outsider.id, role: "admin" }, owner))).toEqual(
        ["NOT_FOUND"],
      );
      expect(codes(await svc.gql(UpdateMemberRole, { groupId: g, userId: m.id, role: "viewer" }, bob))).toEqual([
        "NOT_FOUND",
      ]);
    });

    it("setMemberStatus records oldStatus/newStatus, and an INACTIVE member loses access", async () => {
      const g = await createGroup(svc, owner);
      const m = await svc.user();
      await addMember(svc, owner, g, m, { role: "admin" });
      const { setMemberStatus } = await svc.ok(
        SetMemberStatus,
        { groupId: g, userId: m.id, status: "INACTIVE" },
        owner,
      );
      expect(setMemberStatus).toMatchObject({ status: "INACTIVE", isActive: false });
      expect((await eventsOf(svc, g, m.id)).map((e) => e.payload)).toContainEqual({
        oldStatus: "ACTIVE",
        newStatus: "INACTIVE",
      });
      expect((await svc.ok(CanUpdate, { userId: m.id, groupId: g }, owner)).checkPermission.allowed).toBe(false);
    });

    it("a member needs members.change_role to change anyone's role or status", async () => {
      const g = await createGroup(svc, owner);
      const m = await svc.user();
      await addMember(svc, owner, g, m);
      const res = await svc.gql(SetMemberStatus, { groupId: g, userId: owner.id, status: "INACTIVE" }, m);
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(res.errors![0]!.message).toContain("members.change_role");
    });
  });

  describe("removeMember", () => {
    it("removes (true), then answers false; records MEMBER_REMOVED; a member may leave on their own", async () => {
      const g = await createGroup(svc, owner);
      const a = await svc.user();
      const b = await svc.user();
      await addMember(svc, owner, g, a);
      await addMember(svc, owner, g, b);
      expect((await svc.ok(RemoveMember, { groupId: g, userId: a.id }, owner)).removeMember).toBe(true);
      expect((await svc.ok(RemoveMember, { groupId: g, userId: a.id }, owner)).removeMember).toBe(false);
      expect((await eventsOf(svc, g, a.id)).map((e) => e.type)).toEqual(["MEMBER_ADDED", "MEMBER_REMOVED"]);
      // b holds no members.remove, but may leave.
      expect(codes(await svc.gql(RemoveMember, { groupId: g, userId: owner.id }, b))).toEqual(["FORBIDDEN"]);
      expect((await svc.ok(RemoveMember, { groupId: g, userId: b.id }, b)).removeMember).toBe(true);
    });
  });

  describe("the last owner", () => {
    it("cannot be removed, demoted or deactivated (BAD_USER_INPUT), and nothing changes", async () => {
      const g = await createGroup(svc, owner);
      const attempts = [
        svc.gql(RemoveMember, { groupId: g, userId: owner.id }, owner),
        svc.gql(UpdateMemberRole, { groupId: g, userId: owner.id, role: "admin" }, owner),
        svc.gql(SetMemberStatus, { groupId: g, userId: owner.id, status: "INACTIVE" }, owner),
      ];
      for (const res of await Promise.all(attempts)) expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect((await svc.ok(MembershipQuery, { groupId: g, userId: owner.id }, owner)).membership).toMatchObject({
        role: "owner",
        status: "ACTIVE",
      });
      expect((await eventsOf(svc, g, owner.id)).map((e) => e.type)).toEqual(["MEMBER_ADDED"]);
    });

    it("an owner may leave when another active owner remains", async () => {
      const g = await createGroup(svc, owner);
      const second = await svc.user();
      await addMember(svc, owner, g, second, { role: "owner" });
      expect((await svc.ok(RemoveMember, { groupId: g, userId: owner.id }, owner)).removeMember).toBe(true);
    });

    it("two owners removing and demoting each other concurrently: exactly one succeeds, every round", async () => {
      for (let round = 0; round < 5; round++) {
        const a = await svc.user();
        const b = await svc.user();
        await provision(svc, a);
        const g = await createGroup(svc, a);
        await addMember(svc, a, g, b, { role: "owner" });
        const [x, y] = await Promise.all([
          svc.gql(RemoveMember, { groupId: g, userId: b.id }, a),
          round % 2 === 0
            ? svc.gql(RemoveMember, { groupId: g, userId: a.id }, b)
            : svc.gql(UpdateMemberRole, { groupId: g, userId: a.id, role: "member" }, b),
        ]);
        const failures = [x, y].flatMap(codes);
        expect(failures.length).toBeLessThanOrEqual(1);
        const [{ n }] = (await svc.db.query(
          `SELECT count(*)::int AS n FROM memberships WHERE group_id = $1 AND role = 'owner' AND status = 'ACTIVE'`,
          [g],
        )) as { n: number }[];
        expect(n).toBe(1);
      }
    });

    it("an expired owner does not count as the remaining owner", async () => {
      const g = await createGroup(svc, owner);
      const temp = await svc.user();
      await addMember(svc, owner, g, temp, { role: "owner", expiresAt: future() });
      await svc.db.query(`UPDATE memberships SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
        temp.id,
      ]);
      expect(codes(await svc.gql(RemoveMember, { groupId: g, userId: owner.id }, owner))).toEqual(["BAD_USER_INPUT"]);
    });
  });

  describe("Group.members", () => {
    let root: string;
    let child: string;
    let grandchild: string;
    const people: TestUser[] = [];

    beforeAll(async () => {
      [root, child, grandchild] = await createChain(svc, owner, 3, { name: "Members tree" });
      for (let i = 0; i < 6; i++) people.push(await svc.user({ name: `Person ${i}` }));
      await addMember(svc, owner, root, people[0]!, { role: "admin" });
      await addMember(svc, owner, root, people[1]!);
      await addMember(svc, owner, root, people[2]!, { status: "PENDING" });
      await addMember(svc, owner, child, people[3]!);
      await addMember(svc, owner, child, people[0]!); // also in root: listed once, at root
      await addMember(svc, owner, grandchild, people[4]!, { role: "viewer" });
      await addMember(svc, owner, grandchild, people[5]!, { status: "PENDING" });
    });

    it("lists direct ACTIVE members, filters by role, and includes PENDING/INACTIVE when asked", async () => {
      const direct = (await svc.ok(Members, { id: root }, owner)).group!.members;
      expect(direct.totalCount).toBe(3);
      expect(new Set(direct.nodes.map((n) => n.user.id))).toEqual(new Set([owner.id, people[0]!.id, people[1]!.id]));
      const admins = (await svc.ok(Members, { id: root, role: "admin" }, owner)).group!.members;
      expect(admins.nodes.map((n) => n.user.id)).toEqual([people[0]!.id]);
      const all = (await svc.ok(Members, { id: root, includeInactive: true }, owner)).group!.members;
      expect(all.totalCount).toBe(4);
      expect(all.nodes.find((n) => n.user.id === people[2]!.id)?.status).toBe("PENDING");
    });

    it("transitive: members of every descendant too, each user once at their nearest membership", async () => {
      const t = (await svc.ok(Members, { id: root, transitive: true, first: 100 }, owner)).group!.members;
      const ids = t.nodes.map((n) => n.user.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set([owner.id, people[0]!.id, people[1]!.id, people[3]!.id, people[4]!.id]));
      expect(t.totalCount).toBe(5);
      expect(t.nodes.find((n) => n.user.id === people[0]!.id)).toMatchObject({ role: "admin", group: { id: root } });
      expect(t.nodes.find((n) => n.user.id === people[4]!.id)).toMatchObject({ group: { id: grandchild } });
      const fromChild = (await svc.ok(Members, { id: child, transitive: true }, owner)).group!.members;
      expect(fromChild.totalCount).toBe(4); // owner (owner of every group it created), people 0, 3, 4
    });

    it("pages with first/after through every member once", async () => {
      const seen: string[] = [];
      let after: string | null | undefined = undefined;
      for (;;) {
        const page: {
          nodes: { user: { id: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor?: string | null };
        } = (await svc.ok(Members, { id: root, transitive: true, includeInactive: true, first: 2, after }, owner))
          .group!.members;
        seen.push(...page.nodes.map((n) => n.user.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      expect(codes(await svc.gql(Members, { id: root, after: "garbage" }, owner))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await svc.gql(Members, { id: root, first: 501 }, owner))).toEqual(["BAD_USER_INPUT"]);
    });

    it("needs members.view: FORBIDDEN on a PUBLIC group for an outsider; a viewer-role member gets FORBIDDEN too", async () => {
      const pub = await createGroup(svc, owner, { visibility: "PUBLIC" });
      const res = await svc.gql(Members, { id: pub }, outsider);
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(res.errors![0]!.message).toContain("members.view");
      expect(codes(await svc.gql(Members, { id: grandchild }, people[4]!))).toEqual(["FORBIDDEN"]);
      expect((await svc.gql(Members, { id: root }, outsider)).data?.group).toBeNull();
    });
  });

  describe("federation", () => {
    it("resolves Membership entities in key order, null where the caller may not read them", async () => {
      const g = await createGroup(svc, owner);
      const a = await svc.user();
      const m = await addMember(svc, owner, g, a);
      const doc = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Membership { id role user { id } } } }`;
      const representations = [
        { __typename: "Membership", id: m },
        { __typename: "Membership", id: "00000000-0000-4000-8000-000000000bad" },
      ];
      const seen = await svc.ok<{ _entities: unknown[] }, unknown>(doc, { r: representations }, owner);
      expect(seen._entities).toEqual([{ id: m, role: "member", user: { id: a.id } }, null]);
      expect((await svc.ok<{ _entities: unknown[] }, unknown>(doc, { r: representations }, a))._entities[0]).toEqual({
        id: m,
        role: "member",
        user: { id: a.id },
      });
      expect(
        (await svc.ok<{ _entities: unknown[] }, unknown>(doc, { r: representations }, outsider))._entities,
      ).toEqual([null, null]);
    });
  });

  describe("User.memberships and User.groups", () => {
    it("lists direct memberships and groups, transitive ancestors once, filtered by type", async () => {
      const [top, mid, leaf] = await createChain(svc, owner, 3, {
        name: "Org",
        groupType: "team",
        visibility: "PUBLIC",
      });
      const u = await svc.user();
      await addMember(svc, owner, leaf!, u);
      await addMember(svc, owner, mid!, u, { role: "viewer" });
      const other = await createGroup(svc, owner, { groupType: "club" });
      await addMember(svc, owner, other, u, { status: "PENDING" });

      const mine = (await svc.ok(UserMemberships, { id: u.id }, u)).user!;
      expect(new Set(mine.memberships.map((m) => m.group.id))).toEqual(new Set([leaf, mid]));
      expect(new Set(mine.groups.map((g) => g.id))).toEqual(new Set([leaf, mid]));
      const withInactive = (await svc.ok(UserMemberships, { id: u.id, includeInactive: true }, u)).user!;
      expect(withInactive.memberships.map((m) => m.status).sort()).toEqual(["ACTIVE", "ACTIVE", "PENDING"]);
      const viewers = (await svc.ok(UserMemberships, { id: u.id, role: "viewer" }, u)).user!;
      expect(viewers.memberships.map((m) => m.group.id)).toEqual([mid]);
      const transitive = (await svc.ok(UserMemberships, { id: u.id, transitive: true }, u)).user!;
      expect(transitive.groups.map((g) => g.id).sort()).toEqual([top, mid, leaf].sort());
      const typed = (await svc.ok(UserMemberships, { id: u.id, transitive: true, groupType: "club" }, u)).user!;
      expect(typed.groups).toEqual([]);
      // A PRIVATE ancestor the user holds nothing in stays hidden, also from the user.
      await svc.ok(
        `mutation ($id: ID!) { updateGroup(id: $id, input: { visibility: PRIVATE }) { id } }`,
        { id: top },
        owner,
      );
      const hidden = (await svc.ok(UserMemberships, { id: u.id, transitive: true }, u)).user!;
      expect(hidden.groups.map((g) => g.id).sort()).toEqual([mid, leaf].sort());
    });

    it("shows someone else's memberships only where the caller holds members.view, and only visible groups", async () => {
      const secret = await createGroup(svc, owner, { name: "Secret" });
      const open = await createGroup(svc, admin, { name: "Open", visibility: "PUBLIC" });
      const u = await svc.user();
      await addMember(svc, owner, secret, u);
      await addMember(svc, admin, open, u);
      const seenByOutsider = (await svc.ok(UserMemberships, { id: u.id }, outsider)).user!;
      expect(seenByOutsider.memberships).toEqual([]);
      expect(seenByOutsider.groups.map((g) => g.id)).toEqual([open]);
      const seenByAdmin = (await svc.ok(UserMemberships, { id: u.id }, admin)).user!;
      expect(seenByAdmin.memberships.map((m) => m.group.id)).toEqual([open]);
      const seenByOwner = (await svc.ok(UserMemberships, { id: u.id }, owner)).user!;
      expect(seenByOwner.memberships.map((m) => m.group.id)).toEqual([secret]);
      expect(new Set(seenByOwner.groups.map((g) => g.id))).toEqual(new Set([secret, open]));
      // Query.membership of someone else, without members.view: null.
      expect((await svc.ok(MembershipQuery, { groupId: secret, userId: u.id }, outsider)).membership).toBeNull();
    });
  });
});
