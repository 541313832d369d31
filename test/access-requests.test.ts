import crypto from "node:crypto";
import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { codes, type GraphQLResponse, TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * Access requests (issue 20): Group.joinPolicy, requestToJoin / withdrawAccessRequest /
 * approveAccessRequest / denyAccessRequest / joinGroup, Group.accessRequests, and the ACCESS_*
 * events on live subscriptions. Everything through GraphQL against PostgreSQL.
 */

let svc: TestService;
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
const callers: WsCaller[] = [];

beforeAll(async () => {
  svc = await TestService.start({ exposeSqlCount: true });
  owner = await svc.user({ name: "Olga Owner" });
  admin = await svc.user({ name: "Adam Admin" });
  member = await svc.user({ name: "Mia Member" });
  await provision(svc, owner, admin, member);
});
afterEach(async () => {
  await Promise.all(callers.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await checkInvariants(svc.db);
  await svc.stop();
});

type Vars = Record<string, unknown>;
/** An answer read loosely: the tests assert on its shape with toEqual/toMatchObject. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const run = (doc: string, vars: Vars, as: TestUser) => svc.gql<Record<string, Json>, Vars>(doc, vars, as);
const ok = (doc: string, vars: Vars, as: TestUser) => svc.ok<Record<string, Json>, Vars>(doc, vars, as);

const REQUEST = `mutation ($g: ID!, $m: String) { requestToJoin(groupId: $g, message: $m) {
  id status message createdAt decidedAt reason decidedBy { id } user { id } group { id } } }`;
const WITHDRAW = `mutation ($id: ID!) { withdrawAccessRequest(id: $id) { id status decidedAt decidedBy { id } } }`;
const APPROVE = `mutation ($id: ID!, $r: String) { approveAccessRequest(id: $id, role: $r) {
  id role status user { id } group { id } invitedBy { id } } }`;
const DENY = `mutation ($id: ID!, $r: String) { denyAccessRequest(id: $id, reason: $r) { id status reason decidedBy { id } } }`;
const JOIN = `mutation ($g: ID!) { joinGroup(groupId: $g) { id role status user { id } invitedBy { id } } }`;
const QUEUE = `query ($g: ID!, $s: AccessRequestStatus, $first: Int, $after: String) { group(id: $g) {
  accessRequests(status: $s, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id status message user { id } } } } }`;

/** A group owned by `owner` with `admin` (admin) and `member` (member) in it. */
async function team(spec: { joinPolicy?: string; visibility?: "PUBLIC" | "PRIVATE"; parentIds?: string[] } = {}) {
  const { joinPolicy, ...rest } = spec;
  const data = await ok(
    `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id joinPolicy } }`,
    {
      input: {
        name: `Team ${crypto.randomUUID().slice(0, 6)}`,
        visibility: "PUBLIC",
        ...rest,
        ...(joinPolicy ? { joinPolicy } : {}),
      },
    },
    owner,
  );
  const id = data.createGroup.id as string;
  await addMember(svc, owner, id, admin, { role: "admin" });
  await addMember(svc, owner, id, member);
  return id;
}

async function newcomer(name = "Nina Newcomer"): Promise<TestUser> {
  const user = await svc.user({ name });
  await provision(svc, user);
  return user;
}

/** The error of a response that must have failed, with its code. */
function failure(res: GraphQLResponse<unknown>, code: string) {
  expect(codes(res)).toEqual([code]);
  return res.errors![0]!;
}

async function lastEventId(): Promise<string> {
  const [row] = (await svc.db.query(`SELECT coalesce(max(id), 0)::text AS id FROM domain_events`)) as { id: string }[];
  return row!.id;
}

async function eventsSince(
  after: string,
): Promise<{ type: string; groupId: string; userId: string; actorId: string; payload: Json }[]> {
  return (await svc.db.query(
    `SELECT type, group_id AS "groupId", user_id AS "userId", actor_id AS "actorId", payload
     FROM domain_events WHERE id > $1 ORDER BY id`,
    [after],
  )) as never;
}

describe("joinPolicy", () => {
  it("is INVITE_ONLY by default, set on create, changed by updateGroup under groups.update with its GROUP_UPDATED", async () => {
    const plain = await createGroup(svc, owner);
    expect((await ok(`query ($g: ID!) { group(id: $g) { joinPolicy } }`, { g: plain }, owner)).group.joinPolicy).toBe(
      "INVITE_ONLY",
    );
    const g = await team({ joinPolicy: "REQUEST" });
    expect((await ok(`query ($g: ID!) { group(id: $g) { joinPolicy } }`, { g }, member)).group.joinPolicy).toBe(
      "REQUEST",
    );

    const UPDATE = `mutation ($g: ID!, $p: JoinPolicy) { updateGroup(id: $g, input: { joinPolicy: $p }) { joinPolicy } }`;
    failure(await run(UPDATE, { g, p: "OPEN" }, member), "FORBIDDEN");
    failure(await run(UPDATE, { g, p: null }, admin), "BAD_USER_INPUT");
    const before = await lastEventId();
    expect((await ok(UPDATE, { g, p: "OPEN" }, admin)).updateGroup.joinPolicy).toBe("OPEN");
    const [updated] = await eventsSince(before);
    expect(updated).toMatchObject({
      type: "GROUP_UPDATED",
      payload: { fieldsChanged: ["joinPolicy"], before: { joinPolicy: "REQUEST" }, after: { joinPolicy: "OPEN" } },
    });
    const details = await ok(
      `query ($g: ID!) { group(id: $g) { events(types: [GROUP_UPDATED]) { nodes { details {
        ... on GroupUpdatedDetails { before { joinPolicy } after { joinPolicy } } } } } } }`,
      { g },
      owner,
    );
    expect(details.group.events.nodes.at(-1).details).toEqual({
      before: { joinPolicy: "REQUEST" },
      after: { joinPolicy: "OPEN" },
    });
  });
});

describe("requesting, deciding, withdrawing", () => {
  it("a request is PENDING, listed for holders of members.add, approved as the lowest role with its events", async () => {
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    const before = await lastEventId();
    const req = (await ok(REQUEST, { g, m: "  I work on the backend  " }, nina)).requestToJoin;
    expect(req).toMatchObject({
      status: "PENDING",
      message: "I work on the backend",
      decidedAt: null,
      decidedBy: null,
      reason: null,
      user: { id: nina.id },
      group: { id: g },
    });

    // The queue: admins and owners (members.add); a plain member is refused.
    const queue = (await ok(QUEUE, { g }, admin)).group.accessRequests;
    expect(queue).toMatchObject({ totalCount: 1, nodes: [{ id: req.id, status: "PENDING", user: { id: nina.id } }] });
    failure(await run(QUEUE, { g }, member), "FORBIDDEN");
    // The requester herself cannot decide (members.add), nor see the queue.
    failure(await run(APPROVE, { id: req.id }, nina), "FORBIDDEN");

    const membership = (await ok(APPROVE, { id: req.id }, admin)).approveAccessRequest;
    expect(membership).toMatchObject({
      role: "viewer", // the lowest-ranked role
      status: "ACTIVE",
      user: { id: nina.id },
      group: { id: g },
      invitedBy: { id: admin.id },
    });
    const approved = (await ok(QUEUE, { g, s: "APPROVED" }, admin)).group.accessRequests;
    expect(approved.nodes.map((n: { id: string }) => n.id)).toEqual([req.id]);
    expect((await ok(QUEUE, { g }, admin)).group.accessRequests.totalCount).toBe(0);

    const events = await eventsSince(before);
    expect(events.map((e) => [e.type, e.groupId, e.userId, e.actorId])).toEqual([
      ["ACCESS_REQUESTED", g, nina.id, nina.id],
      ["ACCESS_APPROVED", g, nina.id, admin.id],
      ["MEMBER_ADDED", g, nina.id, admin.id],
    ]);
    expect(events[0]!.payload).toEqual({ accessRequestId: req.id });
    expect(events[1]!.payload).toEqual({ accessRequestId: req.id, role: "viewer" });
    expect(events[2]!.payload).toMatchObject({ role: "viewer", status: "ACTIVE", invitedBy: admin.id });

    // Approving twice is refused, and writes nothing.
    const again = await lastEventId();
    expect(failure(await run(APPROVE, { id: req.id }, admin), "BAD_USER_INPUT").message).toMatch(/already APPROVED/);
    expect(await eventsSince(again)).toEqual([]);
  });

  it("approving with a role respects the rank rules, as addMember does", async () => {
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    const req = (await ok(REQUEST, { g }, nina)).requestToJoin;
    expect(failure(await run(APPROVE, { id: req.id, r: "owner" }, admin), "FORBIDDEN").message).toMatch(/owner/);
    failure(await run(APPROVE, { id: req.id, r: "nonsense" }, admin), "BAD_USER_INPUT");
    expect((await ok(APPROVE, { id: req.id, r: "admin" }, admin)).approveAccessRequest.role).toBe("admin");
  });

  it("deny keeps the reason; withdraw is the requester's alone; a decided request cannot be decided again", async () => {
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    const outsider = await newcomer("Otto Outsider");
    const first = (await ok(REQUEST, { g, m: "please" }, nina)).requestToJoin;
    failure(await run(DENY, { id: first.id, r: "x".repeat(2001) }, admin), "BAD_USER_INPUT");
    // A request is readable by its requester and by holders of members.add only: to anyone else
    // (a plain member included) it does not exist.
    failure(await run(DENY, { id: first.id }, member), "NOT_FOUND");
    const denied = (await ok(DENY, { id: first.id, r: "Not this term" }, admin)).denyAccessRequest;
    expect(denied).toMatchObject({ status: "DENIED", reason: "Not this term", decidedBy: { id: admin.id } });
    failure(await run(APPROVE, { id: first.id }, admin), "BAD_USER_INPUT");
    failure(await run(WITHDRAW, { id: first.id }, nina), "BAD_USER_INPUT");

    // A new request may follow a decided one.
    const second = (await ok(REQUEST, { g }, nina)).requestToJoin;
    expect(second.id).not.toBe(first.id);
    failure(await run(WITHDRAW, { id: second.id }, admin), "FORBIDDEN");
    // Someone who may not read it learns nothing: NOT_FOUND, as for an id that does not exist.
    const hidden = failure(await run(WITHDRAW, { id: second.id }, outsider), "NOT_FOUND");
    const missingId = crypto.randomUUID();
    const missing = failure(await run(WITHDRAW, { id: missingId }, outsider), "NOT_FOUND");
    expect(hidden.message.replace(second.id, "ID")).toBe(missing.message.replace(missingId, "ID"));
    failure(await run(DENY, { id: second.id }, outsider), "NOT_FOUND");
    failure(await run(APPROVE, { id: "not-a-uuid" }, admin), "NOT_FOUND");

    const before = await lastEventId();
    const withdrawn = (await ok(WITHDRAW, { id: second.id }, nina)).withdrawAccessRequest;
    expect(withdrawn).toMatchObject({ status: "WITHDRAWN", decidedBy: { id: nina.id } });
    expect(withdrawn.decidedAt).not.toBeNull();
    failure(await run(WITHDRAW, { id: second.id }, nina), "BAD_USER_INPUT");
    failure(await run(DENY, { id: second.id }, admin), "BAD_USER_INPUT");
    expect((await eventsSince(before)).map((e) => [e.type, e.userId, e.payload])).toEqual([
      ["ACCESS_WITHDRAWN", nina.id, { accessRequestId: second.id, reason: null }],
    ]);
    const all = async (s: string) => (await ok(QUEUE, { g, s }, owner)).group.accessRequests.totalCount;
    expect([await all("PENDING"), await all("DENIED"), await all("WITHDRAWN"), await all("APPROVED")]).toEqual([
      0, 1, 1, 0,
    ]);
  });

  it("bad input: an INVITE_ONLY or OPEN group, a duplicate pending request, a member, too long a message", async () => {
    const inviteOnly = await team();
    const open = await team({ joinPolicy: "OPEN" });
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    expect(failure(await run(REQUEST, { g: inviteOnly }, nina), "BAD_USER_INPUT").message).toMatch(/INVITE_ONLY/);
    expect(failure(await run(REQUEST, { g: open }, nina), "BAD_USER_INPUT").message).toMatch(/joinGroup/);
    const tooLong = failure(await run(REQUEST, { g, m: "é".repeat(2001) }, nina), "BAD_USER_INPUT");
    expect(tooLong.extensions).toMatchObject({ details: { message: ["must be at most 2000 characters"] } });
    failure(await run(REQUEST, { g, m: "a\u0000b" }, nina), "BAD_USER_INPUT");
    // Exactly 2000 characters (code points) are fine.
    await ok(REQUEST, { g, m: "é".repeat(2000) }, nina);
    expect(failure(await run(REQUEST, { g }, nina), "CONFLICT").message).toMatch(/pending request/);
    expect(failure(await run(REQUEST, { g }, member), "CONFLICT").message).toMatch(/already a member/);
    failure(await run(REQUEST, { g: crypto.randomUUID() }, nina), "NOT_FOUND");
    failure(await run(REQUEST, { g: "nope" }, nina), "NOT_FOUND");
    // An archived group takes no requests.
    await ok(`mutation ($g: ID!) { updateGroup(id: $g, input: { isActive: false }) { id } }`, { g }, owner);
    const late = await newcomer();
    expect(failure(await run(REQUEST, { g }, late), "BAD_USER_INPUT").message).toMatch(/archived/);
  });

  it("one PENDING request per user and group is a database constraint: concurrent requests, one wins", async () => {
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    const results = await Promise.all(Array.from({ length: 8 }, () => run(REQUEST, { g }, nina)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap(codes).sort()).toEqual(Array(7).fill("CONFLICT"));
    // The index itself refuses a second PENDING row, whoever writes it.
    await expect(
      svc.db.query(`INSERT INTO access_requests (group_id, user_id) VALUES ($1, $2)`, [g, nina.id]),
    ).rejects.toMatchObject({ driverError: { code: "23505", constraint: "access_requests_one_pending" } });
  });
});

describe("a private group", () => {
  it("answers an outsider exactly as a group that does not exist; one who sees it by cascade may request", async () => {
    const parent = await team({ visibility: "PRIVATE" });
    const hidden = await team({ joinPolicy: "REQUEST", visibility: "PRIVATE", parentIds: [parent] });
    const hiddenOpen = await team({ joinPolicy: "OPEN", visibility: "PRIVATE" });
    const outsider = await newcomer("Otto Outsider");
    const missing = crypto.randomUUID();
    for (const [doc, id] of [
      [REQUEST, hidden],
      [JOIN, hiddenOpen],
      [REQUEST, hiddenOpen],
      [JOIN, hidden],
    ] as const) {
      const there = await run(doc, { g: id }, outsider);
      const notThere = await run(doc, { g: missing }, outsider);
      expect(codes(there)).toEqual(["NOT_FOUND"]);
      // The errors and data, word for word (the statement count of EXPOSE_SQL_COUNT, a test-only
      // extension, is left out).
      const answer = (res: GraphQLResponse<unknown>, x: string) =>
        JSON.stringify({ errors: res.errors, data: res.data }).replaceAll(x, "ID");
      expect(answer(there, id)).toBe(answer(notThere, missing));
    }
    // The parent's member sees the child (groups.view cascades) and may ask to join it.
    const cousin = await newcomer("Carl Cousin");
    await addMember(svc, owner, parent, cousin, { role: "viewer" });
    const req = (await ok(REQUEST, { g: hidden }, cousin)).requestToJoin;
    expect(req.status).toBe("PENDING");
    expect((await run(QUEUE, { g: hidden }, outsider)).data?.group ?? null).toBeNull();
  });

  it("a requester who lost sight of it reads their request, not its group: NOT_FOUND as for a group that does not exist", async () => {
    const parent = await team({ visibility: "PRIVATE" });
    const hidden = await team({ joinPolicy: "REQUEST", visibility: "PRIVATE", parentIds: [parent] });
    const alsoHidden = await team({ joinPolicy: "REQUEST", visibility: "PRIVATE", parentIds: [parent] });
    const invitedTo = await team({ visibility: "PRIVATE" });
    const nameOf = async (g: string) =>
      (await ok(`query ($g: ID!) { group(id: $g) { name } }`, { g }, owner)).group.name;
    const names = [await nameOf(hidden), await nameOf(alsoHidden)];
    const cousin = await newcomer("Carl Cousin");
    await addMember(svc, owner, parent, cousin, { role: "viewer" });
    const req = (await ok(REQUEST, { g: hidden }, cousin)).requestToJoin;
    const other = (await ok(REQUEST, { g: alsoHidden }, cousin)).requestToJoin;
    // They leave the parent: its PRIVATE children are out of their sight.
    await ok(
      `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`,
      { g: parent, u: cousin.id },
      cousin,
    );
    const hides = (res: GraphQLResponse<unknown>, id: string) => {
      expect(failure(res, "NOT_FOUND").message).toBe(`Group ${id} not found`);
      for (const name of names) expect(JSON.stringify(res)).not.toContain(name);
    };

    // Withdrawing still works; the answer's group is NOT_FOUND.
    const WITHDRAW_GROUP = `mutation ($id: ID!) { withdrawAccessRequest(id: $id) { id status group { name } } }`;
    hides(await run(WITHDRAW_GROUP, { id: other.id }, cousin), alsoHidden);
    const [stored] = (await svc.db.query(`SELECT status FROM access_requests WHERE id = $1`, [other.id])) as Json[];
    expect(stored.status).toBe("WITHDRAWN");

    // The decision reaches their own stream: the request's status and reason, not its group. The
    // deciding admin, who sees the group, reads it.
    const after = await lastEventId();
    const DENY_GROUP = `mutation ($id: ID!, $r: String) { denyAccessRequest(id: $id, reason: $r) { status group { id } } }`;
    expect((await ok(DENY_GROUP, { id: req.id, r: "not now" }, admin)).denyAccessRequest).toEqual({
      status: "DENIED",
      group: { id: hidden },
    });
    const caller = new WsCaller(svc.url, cousin.token);
    callers.push(caller);
    const [item] = await caller
      .subscribe<Record<string, Json>, Vars>(
        `subscription ($after: ID) { membershipChanges(after: $after) { type details { ... on AccessDeniedDetails {
          request: accessRequest { status reason } group: accessRequest { group { name } } } } } }`,
        { after },
      )
      .take(1);
    const denial = (item as { value: GraphQLResponse<Record<string, Json>> }).value;
    expect(denial.data!.membershipChanges).toEqual({
      type: "ACCESS_DENIED",
      details: { request: { status: "DENIED", reason: "not now" }, group: null },
    });
    hides(denial, hidden);

    // A membership is another matter: their own invitation to a PRIVATE group names it.
    await addMember(svc, owner, invitedTo, cousin, { status: "PENDING" });
    const mine = await ok(`{ me { memberships(includeInactive: true) { status group { id name } } } }`, {}, cousin);
    expect(mine.me.memberships).toEqual([
      { status: "PENDING", group: { id: invitedTo, name: await nameOf(invitedTo) } },
    ]);
  });
});

describe("joinGroup", () => {
  it("joins an OPEN group as the lowest role with MEMBER_ADDED; not twice; not another policy", async () => {
    const g = await team({ joinPolicy: "OPEN" });
    const nina = await newcomer();
    const before = await lastEventId();
    const m = (await ok(JOIN, { g }, nina)).joinGroup;
    expect(m).toMatchObject({ role: "viewer", status: "ACTIVE", user: { id: nina.id }, invitedBy: null });
    expect((await eventsSince(before)).map((e) => [e.type, e.userId, e.actorId, e.payload])).toEqual([
      ["MEMBER_ADDED", nina.id, nina.id, { role: "viewer", status: "ACTIVE", invitedBy: null, expiresAt: null }],
    ]);
    expect(failure(await run(JOIN, { g }, nina), "CONFLICT").message).toMatch(/already a member/);
    const req = await team({ joinPolicy: "REQUEST" });
    expect(failure(await run(JOIN, { g: req }, nina), "BAD_USER_INPUT").message).toMatch(/requestToJoin/);
    expect(failure(await run(JOIN, { g: await team() }, nina), "BAD_USER_INPUT").message).toMatch(/INVITE_ONLY/);
  });
});

describe("Group.accessRequests", () => {
  it("pages oldest first with totalCount, and costs the same statements for 2 groups as for 4", async () => {
    const groups = [await team({ joinPolicy: "REQUEST" }), await team({ joinPolicy: "REQUEST" })];
    const people = [await newcomer("A"), await newcomer("B"), await newcomer("C")];
    const ids: string[] = [];
    for (const p of people) ids.push((await ok(REQUEST, { g: groups[0], m: "hi" }, p)).requestToJoin.id);
    const page1 = (await ok(QUEUE, { g: groups[0], first: 2 }, admin)).group.accessRequests;
    expect(page1.totalCount).toBe(3);
    expect(page1.nodes.map((n: { id: string }) => n.id)).toEqual(ids.slice(0, 2));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await ok(QUEUE, { g: groups[0], first: 2, after: page1.pageInfo.endCursor }, admin)).group
      .accessRequests;
    expect(page2.nodes.map((n: { id: string }) => n.id)).toEqual(ids.slice(2));
    expect(page2.pageInfo.hasNextPage).toBe(false);
    failure(await run(QUEUE, { g: groups[0], after: "garbage" }, admin), "BAD_USER_INPUT");
    failure(await run(QUEUE, { g: groups[0], first: 501 }, admin), "BAD_USER_INPUT");

    const many = `query ($a: ID!, $b: ID!, $c: ID!, $d: ID!) { ${["a", "b", "c", "d"]
      .map(
        (k) =>
          `${k}: group(id: $${k}) { accessRequests { totalCount nodes { id message user { name } decidedBy { id } group { id } } } }`,
      )
      .join(" ")} }`;
    groups.push(await team({ joinPolicy: "REQUEST" }), await team({ joinPolicy: "REQUEST" }));
    for (const g of groups.slice(1)) for (const p of people) await ok(REQUEST, { g }, p);
    const two = await svc.statements(many, { a: groups[0], b: groups[1], c: groups[0], d: groups[1] }, owner);
    const four = await svc.statements(many, { a: groups[0], b: groups[1], c: groups[2], d: groups[3] }, owner);
    expect(Object.values(four.data as Record<string, Json>).map((g) => g.accessRequests.totalCount)).toEqual([
      3, 3, 3, 3,
    ]);
    expect(four.count).toBe(two.count);
    // The groups (the four root fields batch), the caller's standing, the pages, the users.
    expect(four.count).toBe(4);
  });
});

describe("events on live subscriptions", () => {
  const FIELDS = `id type groupId userId actorId payload details { __typename
    ... on AccessRequestedDetails { requesterId requester { id } accessRequest { id status message } }
    ... on AccessApprovedDetails { requesterId role accessRequest { status } }
    ... on AccessDeniedDetails { requesterId accessRequest { status reason } }
    ... on AccessWithdrawnDetails { requesterId reason }
    ... on MemberAddedDetails { memberId role } }`;
  const GROUP_EVENTS = `subscription ($g: ID, $after: ID) { groupEvents(groupId: $g, after: $after) { ${FIELDS} } }`;
  const MINE = `subscription ($after: ID) { membershipChanges(after: $after) { ${FIELDS} } }`;

  function connect(user: TestUser): WsCaller {
    const caller = new WsCaller(svc.url, user.token);
    callers.push(caller);
    return caller;
  }

  it("reach the group's subscribers and the requester's membershipChanges", async () => {
    const g = await team({ joinPolicy: "REQUEST" });
    const nina = await newcomer();
    const after = await lastEventId();
    const groupStream = connect(admin).subscribe<Record<string, Json>, Vars>(GROUP_EVENTS, { g, after });
    const ninaStream = connect(nina).subscribe<Record<string, Json>, Vars>(MINE, { after });
    // An outsider's own stream hears nothing of it.
    const outsider = await newcomer("Otto Outsider");
    const outsiderStream = connect(outsider).subscribe<Record<string, Json>, Vars>(MINE, { after });

    const first = (await ok(REQUEST, { g, m: "hello" }, nina)).requestToJoin;
    await ok(DENY, { id: first.id, r: "full" }, admin);
    const second = (await ok(REQUEST, { g }, nina)).requestToJoin;
    await ok(WITHDRAW, { id: second.id }, nina);
    const third = (await ok(REQUEST, { g }, nina)).requestToJoin;
    await ok(APPROVE, { id: third.id }, owner);

    const expected = [
      ["ACCESS_REQUESTED", first.id],
      ["ACCESS_DENIED", first.id],
      ["ACCESS_REQUESTED", second.id],
      ["ACCESS_WITHDRAWN", second.id],
      ["ACCESS_REQUESTED", third.id],
      ["ACCESS_APPROVED", third.id],
    ];
    const seen = (items: Record<string, Json>[], field: string) =>
      items.map((d) => d[field]).map((e) => [e.type, e.payload.accessRequestId]);
    const adminSide = await groupStream.next(7);
    expect(seen(adminSide, "groupEvents")).toEqual([...expected, ["MEMBER_ADDED", third.id]]);
    const ninaSide = await ninaStream.next(7);
    // Her own stream: every ACCESS_* event about her, and her MEMBER_ADDED.
    expect(seen(ninaSide, "membershipChanges")).toEqual([...expected, ["MEMBER_ADDED", third.id]]);
    for (const e of ninaSide.map((d) => d.membershipChanges)) expect(e.userId).toBe(nina.id);

    // Typed details, with the request resolved for both readers.
    expect(adminSide[0]!.groupEvents.details).toEqual({
      __typename: "AccessRequestedDetails",
      requesterId: nina.id,
      requester: { id: nina.id },
      // Resolved at delivery: PENDING, or DENIED when the denial committed before this was sent.
      accessRequest: { id: first.id, status: expect.stringMatching(/^(PENDING|DENIED)$/), message: "hello" },
    });
    expect(ninaSide[1]!.membershipChanges.details).toEqual({
      __typename: "AccessDeniedDetails",
      requesterId: nina.id,
      accessRequest: { status: "DENIED", reason: "full" },
    });
    expect(ninaSide[3]!.membershipChanges.details).toMatchObject({
      __typename: "AccessWithdrawnDetails",
      reason: null,
    });
    expect(ninaSide[5]!.membershipChanges.details).toEqual({
      __typename: "AccessApprovedDetails",
      requesterId: nina.id,
      role: "viewer",
      accessRequest: { status: "APPROVED" },
    });
    await outsiderStream.nothingWithin(300);
  });
});
