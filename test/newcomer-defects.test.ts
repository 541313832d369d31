import { addMember, createGroup, provision } from "./utils/builders";
import { codes, type TestService as Svc, TestService, type TestUser } from "./utils/service";

/**
 * What a new user ran into (issue 15): blank names, detaching from a parent one cannot see, an audit
 * log that did not say from what to what, hierarchy changes invisible in the parents' logs, every
 * email visible to everyone, and no way to record a closed past leadership.
 */

interface EventRow {
  type: string;
  groupId: string;
  payload: Record<string, unknown>;
}

async function eventsOf(svc: Svc, as: TestUser, groupId: string): Promise<EventRow[]> {
  const data = await svc.ok<{ group: { events: { nodes: EventRow[] } } }, unknown>(
    `query ($id: ID!) { group(id: $id) { events(first: 100) { nodes { type groupId payload } } } }`,
    { id: groupId },
    as,
  );
  return data.group.events.nodes;
}

function details(res: { errors?: { extensions?: Record<string, unknown> }[] }): Record<string, string[]> {
  return (res.errors?.[0]?.extensions?.details ?? {}) as Record<string, string[]>;
}

describe("newcomer defects", () => {
  let svc: TestService;
  let admin: TestUser;
  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true });
    await provision(svc, admin);
  });
  afterAll(() => svc.stop());

  describe("blank names", () => {
    let owner: TestUser;
    beforeAll(async () => {
      owner = await svc.user();
      await provision(svc, owner);
    });

    it.each([
      ["name", { name: "   " }],
      ["name", { name: "\t\n" }],
      ["groupType", { name: "Fine", groupType: "  " }],
      ["shortName", { name: "Fine", shortName: " " }],
      ["shortName", { name: "Fine", shortName: "" }],
    ])("createGroup refuses a blank %s as BAD_USER_INPUT naming the field", async (field, input) => {
      const res = await svc.gql(
        `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input },
        owner,
      );
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(Object.keys(details(res))).toContain(field);
      expect(details(res)[field]).toContain("must not be blank");
    });

    it("updateGroup refuses a blank name or groupType and changes nothing", async () => {
      const id = await createGroup(svc, owner, { name: "Keeps its name" });
      for (const input of [{ name: "  " }, { groupType: " " }]) {
        const res = await svc.gql(
          `mutation ($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`,
          { id, input },
          owner,
        );
        expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
        expect(details(res)[Object.keys(input)[0]!]).toContain("must not be blank");
      }
      const data = await svc.ok<{ group: { name: string; groupType: string } }, unknown>(
        `query ($id: ID!) { group(id: $id) { name groupType } }`,
        { id },
        owner,
      );
      expect(data.group).toEqual({ name: "Keeps its name", groupType: "organization" });
    });

    it("stores names trimmed", async () => {
      const data = await svc.ok<{ createGroup: { name: string; groupType: string; shortName: string } }, unknown>(
        `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { name groupType shortName } }`,
        { input: { name: "  Robotics Lab \n", groupType: " team ", shortName: " RL " } },
        owner,
      );
      expect(data.createGroup).toEqual({ name: "Robotics Lab", groupType: "team", shortName: "RL" });
    });

    it("refuses blank user and initiative names and blank roles", async () => {
      const user = await svc.gql(
        `mutation { createUser(input: { name: "  ", email: "blank@example.org" }) { id } }`,
        {},
        admin,
      );
      expect(codes(user)).toEqual(["BAD_USER_INPUT"]);
      expect(details(user).name).toContain("must not be blank");
      const self = await svc.gql(
        `mutation ($id: ID!) { updateUser(id: $id, input: { name: " " }) { id } }`,
        { id: owner.id },
        owner,
      );
      expect(codes(self)).toEqual(["BAD_USER_INPUT"]);
      expect(details(self).name).toContain("must not be blank");
      const initiative = await svc.gql(`mutation { createInitiative(input: { name: "   " }) { id } }`, {}, owner);
      expect(codes(initiative)).toEqual(["BAD_USER_INPUT"]);
      expect(details(initiative).name).toContain("must not be blank");

      const groupId = await createGroup(svc, owner);
      const member = await svc.user();
      await addMember(svc, owner, groupId, member);
      const added = await svc.gql(
        `mutation ($input: AddMemberInput!) { addMember(input: $input) { id } }`,
        {
          input: { groupId, userId: (await svc.user().then(async (u) => (await provision(svc, u), u))).id, role: "  " },
        },
        owner,
      );
      expect(codes(added)).toEqual(["BAD_USER_INPUT"]);
      expect(details(added).role).toContain("must not be blank");
      const changed = await svc.gql(
        `mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: " ") { id } }`,
        { g: groupId, u: member.id },
        owner,
      );
      expect(codes(changed)).toEqual(["BAD_USER_INPUT"]);
      expect(details(changed).role).toContain("must not be blank");
    });
  });

  describe("hierarchy changes: rights in every parent, events in every log", () => {
    it("detaching needs groups.create_subgroup in the parent; a hidden parent is never named", async () => {
      const parentOwner = await svc.user();
      const childAdmin = await svc.user();
      await provision(svc, parentOwner, childAdmin);
      const parent = await createGroup(svc, parentOwner, { name: "Hidden Faculty", visibility: "PRIVATE" });
      const child = await createGroup(svc, parentOwner, {
        name: "Lab",
        parentIds: [parent],
        permissionCascadeEnabled: false,
      });
      // childAdmin administers only the child; the parent is PRIVATE and out of their sight.
      await addMember(svc, parentOwner, child, childAdmin, { role: "admin" });
      expect((await svc.gql(`query ($id: ID!) { group(id: $id) { id } }`, { id: parent }, childAdmin)).data).toEqual({
        group: null,
      });

      const res = await svc.gql(
        `mutation ($id: ID!) { updateGroup(id: $id, input: { parentIds: [] }) { id } }`,
        { id: child },
        childAdmin,
      );
      expect(codes(res)).toEqual(["FORBIDDEN"]);
      expect(res.errors![0]!.message).not.toContain(parent);
      expect(res.errors![0]!.message).not.toContain("Hidden Faculty");
      const links = await svc.ok<{ group: { parents: { id: string }[] } }, unknown>(
        `query ($id: ID!) { group(id: $id) { parents { id } } }`,
        { id: child },
        parentOwner,
      );
      expect(links.group.parents).toEqual([{ id: parent }]);

      // A visible parent without the right is refused by name; with the right, it is allowed.
      const otherParent = await createGroup(svc, parentOwner, { name: "Visible Faculty", visibility: "PUBLIC" });
      await svc.ok(
        `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
        { id: child, p: [parent, otherParent] },
        parentOwner,
      );
      const visible = await svc.gql(
        `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
        { id: child, p: [parent] },
        childAdmin,
      );
      expect(codes(visible)).toEqual(["FORBIDDEN"]);
      expect(visible.errors![0]!.message).toContain("groups.create_subgroup");
      await addMember(svc, parentOwner, otherParent, childAdmin, { role: "admin" });
      await svc.ok(
        `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
        { id: child, p: [parent] },
        childAdmin,
      );
    });

    it("writes CHILD_ADDED / CHILD_REMOVED in each parent and before/after parentIds in the child", async () => {
      const owner = await svc.user();
      await provision(svc, owner);
      const a = await createGroup(svc, owner, { name: "Parent A" });
      const b = await createGroup(svc, owner, { name: "Parent B" });
      const c = await createGroup(svc, owner, { name: "Parent C" });
      const child = await createGroup(svc, owner, { name: "Child", parentIds: [a, b] });
      expect((await eventsOf(svc, owner, a)).filter((e) => e.type === "CHILD_ADDED")).toEqual([
        { type: "CHILD_ADDED", groupId: a, payload: { childId: child } },
      ]);
      expect((await eventsOf(svc, owner, b)).filter((e) => e.type === "CHILD_ADDED")).toHaveLength(1);

      await svc.ok(
        `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
        { id: child, p: [c, b] },
        owner,
      );
      expect((await eventsOf(svc, owner, a)).filter((e) => e.type === "CHILD_REMOVED")).toEqual([
        { type: "CHILD_REMOVED", groupId: a, payload: { childId: child } },
      ]);
      expect((await eventsOf(svc, owner, c)).filter((e) => e.type === "CHILD_ADDED")).toEqual([
        { type: "CHILD_ADDED", groupId: c, payload: { childId: child } },
      ]);
      expect((await eventsOf(svc, owner, b)).filter((e) => e.type.startsWith("CHILD_"))).toHaveLength(1);
      const updated = (await eventsOf(svc, owner, child)).filter((e) => e.type === "GROUP_UPDATED");
      expect(updated).toHaveLength(1);
      expect(updated[0]!.payload).toEqual({
        fieldsChanged: ["parentIds"],
        before: { parentIds: [a, b].sort() },
        after: { parentIds: [b, c].sort() },
      });

      await svc.ok(`mutation ($id: ID!) { deleteGroup(id: $id) }`, { id: child }, owner);
      for (const parent of [b, c]) {
        expect((await eventsOf(svc, owner, parent)).filter((e) => e.type === "CHILD_REMOVED")).toEqual([
          { type: "CHILD_REMOVED", groupId: parent, payload: { childId: child } },
        ]);
      }
    });

    it("GROUP_UPDATED says from what to what, and a change that changes nothing writes no event", async () => {
      const owner = await svc.user();
      await provision(svc, owner);
      const id = await createGroup(svc, owner, { name: "Before" });
      await svc.ok(
        `mutation ($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`,
        { id, input: { name: "After", description: "new", metadata: { a: "1", bb: "2" }, isActive: true } },
        owner,
      );
      // The same metadata in another key order is no change.
      await svc.ok(
        `mutation ($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`,
        { id, input: { metadata: { bb: "2", a: "1" } } },
        owner,
      );
      const updated = (await eventsOf(svc, owner, id)).filter((e) => e.type === "GROUP_UPDATED");
      expect(updated).toHaveLength(1);
      expect(updated[0]!.payload).toEqual({
        fieldsChanged: ["name", "description", "metadata"],
        before: { name: "Before", description: null, metadata: {} },
        after: { name: "After", description: "new", metadata: { a: "1", bb: "2" } },
      });
    });
  });

  describe("email visibility", () => {
    it("shows an email to the user, global admins and members.view holders where the user is a member only", async () => {
      const owner = await svc.user();
      const member = await svc.user({ email: `member-${owner.id.slice(0, 8)}@example.org` });
      const stranger = await svc.user();
      const viewer = await svc.user();
      await provision(svc, owner, member, stranger, viewer);
      const group = await createGroup(svc, owner);
      await addMember(svc, owner, group, member);
      await addMember(svc, owner, group, viewer, { role: "viewer" }); // viewer: groups.view only
      const email = `member-${owner.id.slice(0, 8)}@example.org`;
      const read = async (as: TestUser) =>
        (
          await svc.ok<{ user: { email: string | null; name: string } }, unknown>(
            `query ($id: ID!) { user(id: $id) { name email } }`,
            { id: member.id },
            as,
          )
        ).user.email;
      expect(await read(member)).toBe(email);
      expect(await read(admin)).toBe(email);
      expect(await read(owner)).toBe(email);
      expect(await read(stranger)).toBeNull();
      expect(await read(viewer)).toBeNull();

      // Search by name still finds the user; search by email only where the email may be seen.
      const search = async (as: TestUser, text: string) =>
        (
          await svc.ok<{ users: { nodes: { id: string; email: string | null }[] } }, unknown>(
            `query ($s: String) { users(search: $s) { nodes { id email } } }`,
            { s: text },
            as,
          )
        ).users.nodes;
      const name = `User ${member.id.slice(0, 8)}`;
      expect(await search(stranger, name)).toEqual([{ id: member.id, email: null }]);
      expect(await search(stranger, email)).toEqual([]);
      expect(await search(owner, email)).toEqual([{ id: member.id, email }]);
      // Members' emails through a group's member list follow the same rule.
      const members = await svc.ok<
        { group: { members: { nodes: { user: { id: string; email: string | null } }[] } } },
        unknown
      >(`query ($id: ID!) { group(id: $id) { members { nodes { user { id email } } } } }`, { id: group }, owner);
      expect(members.group.members.nodes.find((n) => n.user.id === member.id)!.user.email).toBe(email);
    });
  });

  describe("closed past leadership periods", () => {
    it("records a closed period before a later open one; endDate before startDate is refused", async () => {
      const owner = await svc.user();
      const leader = await svc.user();
      await provision(svc, owner, leader);
      const group = await createGroup(svc, owner);
      const add = `mutation ($input: AddLeaderInput!) { addLeader(input: $input) { startDate endDate } }`;
      await svc.ok(add, { input: { groupId: group, userId: leader.id, startDate: "2024-01-01" } }, owner);
      const past = await svc.ok<{ addLeader: { startDate: string; endDate: string } }, unknown>(
        add,
        { input: { groupId: group, userId: leader.id, startDate: "2020-01-01", endDate: "2021-06-30" } },
        owner,
      );
      expect(past.addLeader).toEqual({ startDate: "2020-01-01", endDate: "2021-06-30" });
      const backwards = await svc.gql(
        add,
        { input: { groupId: group, userId: leader.id, startDate: "2019-05-01", endDate: "2019-04-30" } },
        owner,
      );
      expect(codes(backwards)).toEqual(["BAD_USER_INPUT"]);
      expect(Object.keys(details(backwards))).toEqual(["endDate"]);
      const overlapping = await svc.gql(
        add,
        { input: { groupId: group, userId: leader.id, startDate: "2021-01-01", endDate: "2022-01-01" } },
        owner,
      );
      expect(codes(overlapping)).toEqual(["BAD_USER_INPUT"]);
      const history = await svc.ok<
        { group: { leadershipHistory: { startDate: string; endDate: string | null }[] } },
        unknown
      >(`query ($id: ID!) { group(id: $id) { leadershipHistory { startDate endDate } } }`, { id: group }, owner);
      expect(history.group.leadershipHistory.map((n) => [n.startDate, n.endDate]).sort()).toEqual([
        ["2020-01-01", "2021-06-30"],
        ["2024-01-01", null],
      ]);
    });
  });
});
