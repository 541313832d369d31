import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * GroupEvent.details: the payload as typed fields, one type per event type. Each event type the
 * service writes is made through the API and read back: its details carry the payload's values
 * under their typed names (createdBy -> createdById, invitedBy -> invitedById, the event's userId as
 * memberId/leaderId), the ids resolve to User/Group objects while those exist, group ids the reader
 * may not see are hidden exactly as in payload, and a page of events costs the same statements for
 * 5 events as for 50. Live deliveries carry details too.
 */

type Json = Record<string, unknown>;

interface Ev {
  id: string;
  type: string;
  groupId: string;
  userId: string | null;
  payload: Json;
  details: (Json & { __typename: string }) | null;
}

const REF = "{ id name email }";
const VALUES = `name groupType description shortName url knowledgeArea campus visibility isActive
  permissionCascadeEnabled metadata parentIds parents { id }`;
const DETAILS = `details {
  __typename
  ... on GroupCreatedDetails { name groupType createdById createdBy ${REF} parentIds parents { id } }
  ... on GroupUpdatedDetails { fieldsChanged before { ${VALUES} } after { ${VALUES} } }
  ... on GroupDeletedDetails { name groupType }
  ... on MemberAddedDetails { memberId member ${REF} role status invitedById invitedBy ${REF} expiresAt }
  ... on MemberRemovedDetails { memberId member ${REF} role reason }
  ... on MemberRoleChangedDetails { memberId member ${REF} oldRole newRole }
  ... on MemberStatusChangedDetails { memberId member ${REF} oldStatus newStatus }
  ... on LeaderAddedDetails { leaderId leader ${REF} leadershipId startDate endDate }
  ... on LeaderRemovedDetails { leaderId leader ${REF} leadershipId startDate endDate }
  ... on InitiativeLinkedDetails { initiativeId name }
  ... on InitiativeUnlinkedDetails { initiativeId name reason }
  ... on ChildAddedDetails { childId child { id } }
  ... on ChildRemovedDetails { childId child { id } }
}`;
const FIELDS = `id type groupId userId payload ${DETAILS}`;
const LOG = `query ($groupId: ID!) { events(filter: { groupId: $groupId }, first: 100) { nodes { ${FIELDS} } } }`;

/** The object fields of the details types, resolved from the raw ids beside them. */
const REFERENCES = new Set(["member", "invitedBy", "createdBy", "leader", "parents", "child"]);
const GROUP_FIELDS = VALUES.replace("parents { id }", "").split(/\s+/).filter(Boolean);
const RENAMED: Record<string, string> = { createdBy: "createdById", invitedBy: "invitedById" };

/** What the details must hold, derived from the payload alone (the mapping README documents). */
function fromPayload(e: Ev): Json {
  const out: Json = {};
  if (e.type.startsWith("MEMBER_")) out.memberId = e.userId;
  if (e.type.startsWith("LEADER_")) out.leaderId = e.userId;
  for (const [key, value] of Object.entries(e.payload)) {
    if (key === "before" || key === "after") {
      // Every field of GroupFieldValues is there; those that did not change are null.
      out[key] = { ...Object.fromEntries(GROUP_FIELDS.map((f) => [f, null])), ...(value as Json) };
    } else out[RENAMED[key] ?? key] = value;
  }
  return out;
}

/** The details' plain values (no references, no __typename); fields the payload lacks must be null. */
function plainDetails(e: Ev): Json {
  const { __typename: _t, ...fields } = e.details!;
  const strip = (values: Json) => Object.fromEntries(Object.entries(values).filter(([k]) => !REFERENCES.has(k)));
  const out = strip(fields);
  for (const key of ["before", "after"]) if (out[key]) out[key] = strip(out[key] as Json);
  const expected = fromPayload(e);
  for (const [key, value] of Object.entries(out)) if (!(key in expected) && value === null) delete out[key];
  return out;
}

const pascal = (type: string) =>
  type
    .toLowerCase()
    .split("_")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

describe("GroupEvent.details", () => {
  let svc: TestService;
  let admin: TestUser;
  let owner: TestUser;
  let maria: TestUser;
  let invitee: TestUser;
  let leaver: TestUser;
  let removed: TestUser;
  let hidden: string;
  let visible: string;
  let other: string;
  let lab: string;
  let sub: string;
  let secret: string;
  let initiative: string;
  const callers: WsCaller[] = [];

  const log = async (as: TestUser, groupId: string) =>
    (await svc.ok<{ events: { nodes: Ev[] } }, unknown>(LOG, { groupId }, as)).events.nodes;
  const run = (query: string, variables: Json, as: TestUser = owner) => svc.ok<Json, unknown>(query, variables, as);

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true, name: "Admin" });
    owner = await svc.user({ name: "Olga Owner", email: "olga@example.org" });
    maria = await svc.user({ name: "Maria Member", email: "maria@example.org" });
    invitee = await svc.user({ name: "Ivo Invitee", email: "ivo@example.org" });
    leaver = await svc.user({ name: "Leo Leaver" });
    removed = await svc.user({ name: "Rita Removed" });
    await provision(svc, admin, owner, maria, invitee, leaver, removed);

    // Maria will not see `hidden` (PRIVATE); `visible` is PUBLIC and does not cascade into the lab.
    hidden = await createGroup(svc, owner, { name: "Hidden parent", visibility: "PRIVATE" });
    visible = await createGroup(svc, owner, {
      name: "Visible parent",
      visibility: "PUBLIC",
      permissionCascadeEnabled: false,
    });
    other = await createGroup(svc, owner, { name: "Other hidden", visibility: "PRIVATE" });
    lab = await createGroup(svc, owner, { name: "Robotics Lab", parentIds: [hidden, visible] });
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await addMember(svc, owner, lab, maria, { expiresAt });
    await run(
      `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { description: "Robots", metadata: { floor: "2" }, parentIds: $p }) { id } }`,
      { id: lab, p: [visible, other] },
    );
    await run(`mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: "admin") { id } }`, {
      g: lab,
      u: maria.id,
    });
    await run(`mutation ($g: ID!, $u: ID!) { setMemberStatus(groupId: $g, userId: $u, status: INACTIVE) { id } }`, {
      g: lab,
      u: maria.id,
    });
    await run(`mutation ($g: ID!, $u: ID!) { setMemberStatus(groupId: $g, userId: $u, status: ACTIVE) { id } }`, {
      g: lab,
      u: maria.id,
    });
    await addMember(svc, owner, lab, invitee, { status: "PENDING" });
    await run(`mutation ($g: ID!) { respondToInvitation(groupId: $g, accept: false) { id } }`, { g: lab }, invitee);
    await addMember(svc, owner, lab, leaver);
    await run(
      `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`,
      { g: lab, u: leaver.id },
      leaver,
    );
    await addMember(svc, owner, lab, removed);
    await run(`mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`, { g: lab, u: removed.id });
    await run(
      `mutation ($g: ID!, $u: ID!) { addLeader(input: { groupId: $g, userId: $u, startDate: "2024-01-01" }) { id } }`,
      { g: lab, u: maria.id },
    );
    await run(
      `mutation ($g: ID!, $u: ID!) { removeLeader(input: { groupId: $g, userId: $u, endDate: "2024-06-30" }) { id } }`,
      { g: lab, u: maria.id },
    );
    initiative = (
      (await run(`mutation { createInitiative(input: { name: "Mars rover" }) { id } }`, {})) as {
        createInitiative: { id: string };
      }
    ).createInitiative.id;
    const link = (verb: string) =>
      run(`mutation ($g: ID!, $i: ID!) { ${verb}(groupId: $g, initiativeId: $i) { id } }`, { g: lab, i: initiative });
    await link("linkInitiative");
    await link("unlinkInitiative");
    await link("linkInitiative");
    await run(`mutation ($i: ID!) { deleteInitiative(id: $i) }`, { i: initiative });
    sub = await createGroup(svc, owner, { name: "Sub team", parentIds: [lab] });
    await run(`mutation ($id: ID!) { deleteGroup(id: $id) }`, { id: sub });
    // A child Maria may not see, under the visible parent where she is a member.
    await addMember(svc, owner, visible, maria);
    secret = await createGroup(svc, owner, { name: "Secret child", visibility: "PRIVATE", parentIds: [visible] });
  });
  afterAll(async () => {
    await Promise.all(callers.map((c) => c.close()));
    await svc.stop();
  });

  it("every event type the service writes carries its payload's values under their typed names", async () => {
    const events = [...(await log(owner, lab)), ...(await log(admin, sub))];
    const types = new Set(events.map((e) => e.type));
    // Today's writers: every one is made above (GROUP_DELETED is read from the deleted sub-group's log).
    expect([...types].sort()).toEqual(
      [
        "GROUP_CREATED",
        "GROUP_UPDATED",
        "GROUP_DELETED",
        "MEMBER_ADDED",
        "MEMBER_REMOVED",
        "MEMBER_ROLE_CHANGED",
        "MEMBER_STATUS_CHANGED",
        "LEADER_ADDED",
        "LEADER_REMOVED",
        "INITIATIVE_LINKED",
        "INITIATIVE_UNLINKED",
        "CHILD_ADDED",
        "CHILD_REMOVED",
      ].sort(),
    );
    for (const e of events) {
      expect({ id: e.id, typename: e.details?.__typename }).toEqual({ id: e.id, typename: `${pascal(e.type)}Details` });
      expect({ type: e.type, details: plainDetails(e) }).toEqual({ type: e.type, details: fromPayload(e) });
    }
    // The typed values themselves, once each, so the comparison above is not only against itself.
    const byType = (type: string) => events.filter((e) => e.type === type).map((e) => e.details!);
    expect(byType("MEMBER_ROLE_CHANGED")).toEqual([
      expect.objectContaining({ memberId: maria.id, oldRole: "member", newRole: "admin" }),
    ]);
    expect(byType("MEMBER_STATUS_CHANGED").map((d) => [d.oldStatus, d.newStatus])).toEqual([
      ["ACTIVE", "INACTIVE"],
      ["INACTIVE", "ACTIVE"],
    ]);
    expect(byType("MEMBER_REMOVED").map((d) => d.reason)).toEqual(["declined", "left", "removed"]);
    // The lab's owner, Maria, Ivo (invited), Leo, Rita; then the sub-group's owner.
    expect(byType("MEMBER_ADDED").map((d) => d.status)).toEqual([
      "ACTIVE",
      "ACTIVE",
      "PENDING",
      "ACTIVE",
      "ACTIVE",
      "ACTIVE",
    ]);
    const expiring = byType("MEMBER_ADDED").find((d) => d.memberId === maria.id)!;
    expect(new Date(expiring.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    expect(byType("GROUP_UPDATED")[0]).toMatchObject({
      fieldsChanged: ["description", "metadata", "parentIds"],
      before: { description: null, metadata: {}, parentIds: [hidden, visible].sort() },
      after: { description: "Robots", metadata: { floor: "2" }, parentIds: [visible, other].sort() },
    });
    expect(byType("LEADER_REMOVED")).toEqual([
      expect.objectContaining({ leaderId: maria.id, startDate: "2024-01-01", endDate: "2024-06-30" }),
    ]);
    expect(byType("INITIATIVE_UNLINKED").map((d) => d.reason)).toEqual([null, "deleted"]);
    expect(byType("GROUP_DELETED")).toEqual([
      { __typename: "GroupDeletedDetails", name: "Sub team", groupType: "organization" },
    ]);
  });

  it("resolves the ids to users and groups through the same loaders as everywhere (email by User.email's rule)", async () => {
    const events = await log(owner, lab);
    const first = (type: string, test: (d: Json) => boolean = () => true) =>
      events.find((e) => e.type === type && test(e.details!))!.details!;
    expect(first("GROUP_CREATED")).toMatchObject({
      createdById: owner.id,
      createdBy: { id: owner.id, name: "Olga Owner", email: "olga@example.org" },
      parents: expect.arrayContaining([{ id: hidden }, { id: visible }]),
    });
    expect(first("MEMBER_ADDED", (d) => d.memberId === maria.id)).toMatchObject({
      member: { id: maria.id, name: "Maria Member", email: "maria@example.org" },
      invitedById: owner.id,
      invitedBy: { id: owner.id },
    });
    expect(first("LEADER_ADDED")).toMatchObject({ leaderId: maria.id, leader: { id: maria.id }, endDate: null });
    expect(first("GROUP_UPDATED")).toMatchObject({
      before: { parents: expect.arrayContaining([{ id: hidden }, { id: visible }]), name: null },
      after: { parents: expect.arrayContaining([{ id: visible }, { id: other }]) },
    });
    // Ivo declined and is a member nowhere the owner holds members.view: his email is not hers to
    // see (User.email's rule), while a global admin sees it.
    expect(first("MEMBER_REMOVED", (d) => d.reason === "declined").member).toEqual({
      id: invitee.id,
      name: "Ivo Invitee",
      email: null,
    });
    const forAdmin = (await log(admin, lab)).find((e) => e.type === "MEMBER_REMOVED" && e.userId === invitee.id)!;
    expect((forAdmin.details!.member as Json).email).toBe("ivo@example.org");
  });

  it("hides group ids exactly as payload does, and resolves hidden groups to nothing", async () => {
    // Maria cannot see the hidden parents (the premise).
    for (const id of [hidden, other]) {
      expect((await run(`query ($id: ID!) { group(id: $id) { id } }`, { id }, maria)).group).toBeNull();
    }
    const events = await log(maria, lab);
    const created = events.find((e) => e.type === "GROUP_CREATED")!;
    expect(created.payload.parentIds).toEqual([visible]);
    expect(created.details).toMatchObject({ parentIds: [visible], parents: [{ id: visible }] });
    const updated = events.find((e) => e.type === "GROUP_UPDATED")!;
    expect(updated.payload.before).toEqual({ description: null, metadata: {}, parentIds: [visible] });
    expect(updated.details).toMatchObject({
      before: { parentIds: [visible], parents: [{ id: visible }] },
      after: { parentIds: [visible], parents: [{ id: visible }] },
    });
    for (const e of events) expect(plainDetails(e)).toEqual(fromPayload(e));

    // In the visible parent, a child Maria may not see is a null childId and a null child.
    const added = (await log(maria, visible)).filter((e) => e.type === "CHILD_ADDED");
    expect(added.map((e) => [e.payload.childId, e.details])).toEqual([
      [lab, { __typename: "ChildAddedDetails", childId: lab, child: { id: lab } }],
      [null, { __typename: "ChildAddedDetails", childId: null, child: null }],
    ]);
    const forOwner = (await log(owner, visible)).filter((e) => e.type === "CHILD_ADDED").map((e) => e.details);
    expect(forOwner).toEqual([
      { __typename: "ChildAddedDetails", childId: lab, child: { id: lab } },
      { __typename: "ChildAddedDetails", childId: secret, child: { id: secret } },
    ]);
  });

  it("a deleted group and a deleted user keep their ids and resolve to null", async () => {
    const removedChild = (await log(owner, lab)).find((e) => e.type === "CHILD_REMOVED")!;
    expect(removedChild.payload.childId).toBe(sub);
    expect(removedChild.details).toEqual({ __typename: "ChildRemovedDetails", childId: sub, child: null });

    await svc.db.query(`DELETE FROM users WHERE id = $1`, [leaver.id]);
    const left = (await log(owner, lab)).find((e) => e.type === "MEMBER_REMOVED" && e.userId === leaver.id)!;
    expect(left.details).toEqual({
      __typename: "MemberRemovedDetails",
      memberId: leaver.id,
      member: null,
      role: "member",
      reason: "left",
    });
  });

  it("a page of 50 events with their members costs what a page of 5 does: one statement more than without", async () => {
    const WITH = `query ($g: ID!) { events(filter: { groupId: $g, types: [MEMBER_ADDED] }, first: 50) {
      nodes { id details { ... on MemberAddedDetails { member { id } invitedBy { id } } } } } }`;
    const WITHOUT = `query ($g: ID!) { events(filter: { groupId: $g, types: [MEMBER_ADDED] }, first: 50) { nodes { id } } }`;
    const GROUPS = `query ($g: ID!) { events(filter: { groupId: $g, types: [GROUP_CREATED, CHILD_ADDED] }, first: 50) {
      nodes { id details { ... on ChildAddedDetails { child { id } } ... on GroupCreatedDetails { parents { id } } } } } }`;
    const counts: Record<string, number>[] = [];
    for (const size of [5, 50]) {
      // Its roles do not cascade, so Maria, a member there, does not see its PRIVATE children.
      const group = await createGroup(svc, owner, { name: `Big ${size}`, permissionCascadeEnabled: false });
      const users = (await svc.db.query(
        `INSERT INTO users (name) SELECT 'Bulk ' || i FROM generate_series(1, $1) i RETURNING id`,
        [size - 2],
      )) as { id: string }[];
      for (const { id } of users) {
        await run(`mutation ($g: ID!, $u: ID!) { addMember(input: { groupId: $g, userId: $u }) { id } }`, {
          g: group,
          u: id,
        });
      }
      // Children under it, half of them hidden from Maria, who reads as a member there.
      await addMember(svc, owner, group, maria);
      for (let i = 0; i < size; i++) {
        await createGroup(svc, owner, {
          name: `Kid ${size}.${i}`,
          parentIds: [group],
          visibility: i % 2 ? "PUBLIC" : "PRIVATE",
        });
      }
      const withDetails = await svc.statements<{ events: { nodes: { details: Json }[] } }, unknown>(
        WITH,
        { g: group },
        owner,
      );
      expect(withDetails.data.events.nodes).toHaveLength(size); // the bulk users, the owner and Maria
      expect(withDetails.data.events.nodes.every((n) => (n.details.member as Json | null)?.id)).toBe(true);
      const without = await svc.statements(WITHOUT, { g: group }, owner);
      const groups = await svc.statements<{ events: { nodes: { details: Json }[] } }, unknown>(
        GROUPS,
        { g: group },
        maria,
      );
      const children = groups.data.events.nodes.filter((n) => "child" in n.details);
      expect(children.filter((n) => n.details.child === null)).toHaveLength(Math.ceil(size / 2));
      counts.push({ with: withDetails.count, without: without.count, groups: groups.count });
    }
    expect(counts[1]).toEqual(counts[0]);
    // The members and inviters: one usersById batch.
    expect(counts[0]!.with - counts[0]!.without).toBe(1);
    // The page, then for the groups its payloads name: their rows, the reader's standing in them, and
    // which of those she cannot see were deleted after she could read them (payload's rule): one each.
    expect(counts[0]!.groups).toBe(4);
  });

  it("live deliveries carry details too (groupEvents and membershipChanges)", async () => {
    const [{ max }] = (await svc.db.query(`SELECT coalesce(max(id), 0)::text AS max FROM domain_events`)) as {
      max: string;
    }[];
    const ownerWs = new WsCaller(svc.url, owner.token);
    const mariaWs = new WsCaller(svc.url, maria.token);
    callers.push(ownerWs, mariaWs);
    const group = ownerWs.subscribe<{ groupEvents: Ev }, unknown>(
      `subscription ($g: ID, $after: ID) { groupEvents(groupId: $g, after: $after) { ${FIELDS} } }`,
      { g: lab, after: max },
    );
    const mine = mariaWs.subscribe<{ membershipChanges: Ev }, unknown>(
      `subscription ($after: ID) { membershipChanges(after: $after) { ${FIELDS} } }`,
      { after: max },
    );
    await run(`mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: "viewer") { id } }`, {
      g: lab,
      u: maria.id,
    });
    await run(`mutation ($g: ID!, $u: ID!) { setMemberStatus(groupId: $g, userId: $u, status: INACTIVE) { id } }`, {
      g: lab,
      u: maria.id,
    });
    const expected = [
      {
        __typename: "MemberRoleChangedDetails",
        memberId: maria.id,
        member: { id: maria.id, name: "Maria Member", email: "maria@example.org" },
        oldRole: "admin",
        newRole: "viewer",
      },
      {
        __typename: "MemberStatusChangedDetails",
        memberId: maria.id,
        member: { id: maria.id, name: "Maria Member", email: "maria@example.org" },
        oldStatus: "ACTIVE",
        newStatus: "INACTIVE",
      },
    ];
    expect((await group.next(2)).map((r) => r.groupEvents.details)).toEqual(expected);
    expect((await mine.next(2)).map((r) => r.membershipChanges.details)).toEqual(expected);
  });
});
