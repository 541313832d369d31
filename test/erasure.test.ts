import crypto from "node:crypto";
import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { codes, TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

/** Polls `check` until it holds (fails the test after 5 s). */
async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * eraseUser through GraphQL, on two replicas of one database: what is cleared, what stays (history
 * counts), the last-owner refusal, who may erase, and that both replicas refuse the user's tokens
 * (old and freshly minted, with name and email claims) once it returns.
 */

const ERASE = `mutation ($id: ID!) { eraseUser(id: $id) }`;
const USER = `query ($id: ID!) { user(id: $id) { id name email erasedAt } }`;
const HISTORY = `query ($g: ID!, $u: ID!) {
  group(id: $g) { membershipHistory(userId: $u) { totalCount nodes { role status from to } } }
}`;
const ME = `{ me { id name } }`;

/** A person with a name and an email nobody else has, and a token carrying both. */
async function person(svc: TestService, label: string): Promise<TestUser & { name: string; email: string }> {
  const tag = crypto.randomBytes(5).toString("hex");
  const name = `${label} Erasable ${tag}`;
  const email = `${label.toLowerCase()}.${tag}@example.org`;
  const user = await svc.user({ name, email });
  await provision(svc, user);
  return { ...user, name, email };
}

/** Every text, varchar, json and jsonb column of every table in the public schema that holds `needle`. */
async function columnsHolding(svc: TestService, needle: string): Promise<string[]> {
  const columns = (await svc.db.query(
    `SELECT table_name, column_name FROM information_schema.columns c
     WHERE c.table_schema = 'public'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
       AND EXISTS (SELECT 1 FROM information_schema.tables t
                   WHERE t.table_schema = 'public' AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')`,
  )) as { table_name: string; column_name: string }[];
  expect(columns.length).toBeGreaterThan(10);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const [row] = (await svc.db.query(
      `SELECT count(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
      [needle],
    )) as { n: number }[];
    if (row!.n > 0) found.push(`${table}.${column}`);
  }
  return found;
}

describe("eraseUser", () => {
  let svc: TestService;
  let replica: TestService;
  let admin: TestUser;
  let owner: TestUser;
  let outsider: TestUser;
  let lea: Awaited<ReturnType<typeof person>>;
  let max: Awaited<ReturnType<typeof person>>;
  const groups: string[] = [];
  let leasOwn: string;
  let asking: string;
  const leasRequests: string[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    replica = await TestService.start({ databaseUrl: svc.databaseUrl });
    admin = await svc.user({ admin: true });
    owner = await svc.user();
    outsider = await svc.user();
    await provision(svc, admin, owner, outsider);
    lea = await person(svc, "Lea");
    max = await person(svc, "Max");
    // Several groups, a promotion and a demotion (more than one period), a co-ownership and a leadership.
    for (const name of ["Erasure A", "Erasure B", "Erasure C"]) groups.push(await createGroup(svc, owner, { name }));
    const [a, b, c] = groups as [string, string, string];
    await addMember(svc, owner, a, lea);
    await svc.ok(
      `mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: "admin") { id } }`,
      { g: a, u: lea.id },
      owner,
    );
    await svc.ok(
      `mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: "member") { id } }`,
      { g: a, u: lea.id },
      owner,
    );
    await addMember(svc, owner, b, lea, { role: "admin" });
    await addMember(svc, owner, c, lea, { role: "owner" });
    await addMember(svc, owner, a, max);
    await svc.ok(
      `mutation ($i: AddLeaderInput!) { addLeader(input: $i) { id } }`,
      { i: { groupId: b, userId: lea.id } },
      owner,
    );
    // Lea asks to join a group twice, giving her name and email in her messages: one request denied
    // (its reason, the decider's, names nothing personal), one still pending.
    asking = await createGroup(svc, owner, { name: "Erasure asking", visibility: "PUBLIC" });
    await svc.ok(
      `mutation ($g: ID!) { updateGroup(id: $g, input: { joinPolicy: REQUEST }) { id } }`,
      { g: asking },
      owner,
    );
    const REQUEST = `mutation ($g: ID!, $m: String) { requestToJoin(groupId: $g, message: $m) { id } }`;
    const ask = async () =>
      (
        await svc.ok<{ requestToJoin: { id: string } }, unknown>(
          REQUEST,
          { g: asking, m: `I am ${lea.name}, ${lea.email}` },
          lea,
        )
      ).requestToJoin.id;
    leasRequests.push(await ask());
    await svc.ok(
      `mutation ($id: ID!) { denyAccessRequest(id: $id, reason: "Full this term") { id } }`,
      { id: leasRequests[0] },
      owner,
    );
    leasRequests.push(await ask());
    // Lea alone owns a group of her own.
    leasOwn = await createGroup(svc, lea, { name: `Lea's own ${crypto.randomBytes(3).toString("hex")}` });
    // Both replicas have seen both tokens (each keeps its own memo of provisioned users).
    for (const user of [lea, max]) {
      expect(codes(await replica.gql(ME, {}, user))).toEqual([]);
      expect(codes(await svc.gql(ME, {}, user))).toEqual([]);
    }
  });

  afterAll(async () => {
    await replica?.stop();
    await svc?.stop();
  });

  async function historyCounts(userId: string, groupIds: string[]) {
    const counts: Record<string, number> = {};
    for (const g of groupIds) {
      const data = await svc.ok<{ group: { membershipHistory: { totalCount: number } } }, unknown>(
        HISTORY,
        { g, u: userId },
        admin,
      );
      counts[g] = data.group.membershipHistory.totalCount;
    }
    return counts;
  }

  it("is refused to a caller who is neither the user nor a global admin (FORBIDDEN), and changes nothing", async () => {
    expect(codes(await svc.gql(ERASE, { id: lea.id }, outsider))).toEqual(["FORBIDDEN"]);
    expect(codes(await svc.gql(ERASE, { id: lea.id }, owner))).toEqual(["FORBIDDEN"]);
    expect(codes(await svc.gql(ERASE, { id: lea.id }))).toEqual(["UNAUTHENTICATED"]);
    const data = await svc.ok<{ user: { name: string; erasedAt: string | null } }, unknown>(
      USER,
      { id: lea.id },
      admin,
    );
    expect(data.user).toMatchObject({ name: lea.name, erasedAt: null });
  });

  it("refuses to erase a group's last lasting owner (BAD_USER_INPUT naming the group) and changes nothing", async () => {
    const before = await historyCounts(lea.id, [...groups, leasOwn]);
    const res = await svc.gql(ERASE, { id: lea.id }, lea);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const { data: ownName } = await svc.gql<{ group: { name: string } }, unknown>(
      `query ($g: ID!) { group(id: $g) { name } }`,
      { g: leasOwn },
      lea,
    );
    expect(res.errors![0]!.message).toContain(`"${ownName!.group.name}"`);
    expect(JSON.stringify(res.errors![0]!.extensions?.details)).toContain(ownName!.group.name);
    // Erasure C has another lasting owner: not named.
    expect(res.errors![0]!.message).not.toContain("Erasure C");
    expect(await historyCounts(lea.id, [...groups, leasOwn])).toEqual(before);
    const data = await svc.ok<{ user: { name: string; email: string } }, unknown>(USER, { id: lea.id }, admin);
    expect(data.user).toMatchObject({ name: lea.name, email: lea.email });
    expect(codes(await replica.gql(ME, {}, lea))).toEqual([]);
    // Someone else becomes a lasting owner there: the erasure may go ahead.
    await addMember(svc, lea, leasOwn, owner, { role: "owner" });
  });

  it("erases oneself: memberships and leadership end with their events, history stays, both replicas refuse the tokens", async () => {
    const mine = [...groups, leasOwn];
    const before = await historyCounts(lea.id, mine);
    const since = new Date(Date.now() - 1000).toISOString();
    expect((await svc.ok<{ eraseUser: boolean }, unknown>(ERASE, { id: lea.id }, lea)).eraseUser).toBe(true);

    // Every replica refuses the old token and a fresh one with the same sub, name and email.
    const fresh = await svc.user({ id: lea.id, name: lea.name, email: lea.email });
    for (const service of [svc, replica]) {
      for (const token of [lea, fresh]) {
        const res = await service.gql(ME, {}, token);
        expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
      }
    }

    const data = await svc.ok<{ user: { name: null; email: null; erasedAt: string } }, unknown>(
      USER,
      { id: lea.id },
      admin,
    );
    expect(data.user.name).toBeNull();
    expect(data.user.email).toBeNull();
    expect(Date.parse(data.user.erasedAt)).toBeGreaterThan(Date.parse(since));

    // The periods are closed, none lost.
    expect(await historyCounts(lea.id, mine)).toEqual(before);
    for (const g of mine) {
      const h = await svc.ok<{ group: { membershipHistory: { nodes: { to: string | null }[] } } }, unknown>(
        HISTORY,
        { g, u: lea.id },
        admin,
      );
      expect(h.group.membershipHistory.nodes.every((p) => p.to !== null)).toBe(true);
    }
    const members = await svc.ok<{ group: { members: { nodes: { user: { id: string } }[] } } }, unknown>(
      `query ($g: ID!) { group(id: $g) { members(includeInactive: true) { nodes { user { id } } } } }`,
      { g: groups[0] },
      admin,
    );
    expect(members.group.members.nodes.map((n) => n.user.id)).not.toContain(lea.id);
    const leaders = await svc.ok<{ group: { leaders: { user: { id: string } }[] } }, unknown>(
      `query ($g: ID!) { group(id: $g) { leaders { user { id } } } }`,
      { g: groups[1] },
      admin,
    );
    expect(leaders.group.leaders.map((l) => l.user.id)).not.toContain(lea.id);

    // One MEMBER_REMOVED per membership and a LEADER_REMOVED, by Lea, with ids only.
    const events = await svc.ok<
      { events: { nodes: { type: string; groupId: string; actorId: string; payload: Record<string, unknown> }[] } },
      unknown
    >(
      `query ($f: EventFilter) { events(first: 50, filter: $f) { nodes { type groupId actorId payload } } }`,
      { f: { userId: lea.id, since, types: ["MEMBER_REMOVED", "LEADER_REMOVED"] } },
      admin,
    );
    const removed = events.events.nodes.filter((e) => e.type === "MEMBER_REMOVED");
    expect(removed.map((e) => e.groupId).sort()).toEqual([...mine].sort());
    expect(removed.every((e) => e.payload.reason === "erased" && e.actorId === lea.id)).toBe(true);
    expect(events.events.nodes.filter((e) => e.type === "LEADER_REMOVED").map((e) => e.groupId)).toEqual([groups[1]]);

    // Her request messages are cleared; the pending one is withdrawn (ACCESS_WITHDRAWN, reason "erased"),
    // the denied one keeps its status and reason.
    const requests = (await svc.db.query(
      `SELECT id, status, message, reason, decided_by AS "decidedBy" FROM access_requests WHERE user_id = $1 ORDER BY created_at`,
      [lea.id],
    )) as { id: string; status: string; message: string | null; reason: string | null; decidedBy: string }[];
    expect(requests).toEqual([
      { id: leasRequests[0], status: "DENIED", message: null, reason: "Full this term", decidedBy: owner.id },
      { id: leasRequests[1], status: "WITHDRAWN", message: null, reason: null, decidedBy: lea.id },
    ]);
    const withdrawn = await svc.ok<
      { events: { nodes: { groupId: string; actorId: string; payload: unknown }[] } },
      unknown
    >(
      `query ($f: EventFilter) { events(first: 50, filter: $f) { nodes { groupId actorId payload } } }`,
      { f: { userId: lea.id, since, types: ["ACCESS_WITHDRAWN"] } },
      admin,
    );
    expect(withdrawn.events.nodes).toEqual([
      { groupId: asking, actorId: lea.id, payload: { accessRequestId: leasRequests[1], reason: "erased" } },
    ]);

    // Lea's name and email are nowhere in the database (access_requests.message included).
    expect(await columnsHolding(svc, lea.name)).toEqual([]);
    expect(await columnsHolding(svc, lea.email)).toEqual([]);
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("erases another user as a global admin on the other replica; the first replica refuses that user's tokens", async () => {
    const before = await historyCounts(max.id, [groups[0]!]);
    expect((await replica.ok<{ eraseUser: boolean }, unknown>(ERASE, { id: max.id }, admin)).eraseUser).toBe(true);
    const fresh = await svc.user({ id: max.id, name: max.name, email: max.email, admin: true });
    for (const service of [svc, replica]) {
      for (const token of [max, fresh]) expect(codes(await service.gql(ME, {}, token))).toEqual(["UNAUTHENTICATED"]);
    }
    expect(await historyCounts(max.id, [groups[0]!])).toEqual(before);
    expect(await columnsHolding(svc, max.name)).toEqual([]);
    expect(await columnsHolding(svc, max.email)).toEqual([]);
  });

  it("erasing again answers true and changes nothing; a replica started later refuses the tokens too", async () => {
    const events = async () =>
      (await svc.ok<{ events: { totalCount: number } }, unknown>(`{ events(first: 1) { totalCount } }`, {}, admin))
        .events.totalCount;
    const count = await events();
    expect((await svc.ok<{ eraseUser: boolean }, unknown>(ERASE, { id: lea.id }, admin)).eraseUser).toBe(true);
    expect(await events()).toBe(count);
    const late = await TestService.start({ databaseUrl: svc.databaseUrl });
    try {
      expect(codes(await late.gql(ME, {}, lea))).toEqual(["UNAUTHENTICATED"]);
      expect(codes(await late.gql(ME, {}, owner))).toEqual([]);
    } finally {
      await late.stop();
    }
    // An erased user cannot be added to a group or made a leader again: to the API they are gone.
    const group = groups[0]!;
    expect(
      codes(
        await svc.gql(
          `mutation ($i: AddMemberInput!) { addMember(input: $i) { id } }`,
          { i: { groupId: group, userId: lea.id } },
          owner,
        ),
      ),
    ).toEqual(["NOT_FOUND"]);
    expect(
      codes(
        await svc.gql(
          `mutation ($i: AddLeaderInput!) { addLeader(input: $i) { id } }`,
          { i: { groupId: group, userId: lea.id } },
          owner,
        ),
      ),
    ).toEqual(["NOT_FOUND"]);
    // An erased user's name and email cannot be set again.
    const res = await svc.gql(
      `mutation ($id: ID!) { updateUser(id: $id, input: { name: "Back again" }) { id } }`,
      { id: lea.id },
      admin,
    );
    expect(codes(res)).toEqual(["NOT_FOUND"]);
  });

  it("ends what the erased user has open on every replica: subscriptions and idle graphql-ws connections (4401)", async () => {
    const zoe = await person(svc, "Zoe");
    await addMember(svc, owner, groups[0]!, zoe);
    // A live subscription on each replica, and an idle connection (acknowledged, no operation) on the other one.
    const here = new WsCaller(svc.url, zoe.token);
    const there = new WsCaller(replica.url, zoe.token);
    const idleCloses: { code: number; reason: string }[] = [];
    let idleConnected = false;
    const idle = createClient({
      url: replica.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${zoe.token}` },
      lazy: false,
      retryAttempts: 0,
      on: {
        connected: () => (idleConnected = true),
        closed: (event) => idleCloses.push(event as { code: number; reason: string }),
      },
      onNonLazyError: () => undefined,
    });
    try {
      const streams = [here, there].map((caller) => caller.subscribe(`subscription { membershipChanges { type } }`));
      // Both subscriptions are live: a change of hers reaches both.
      await svc.ok(
        `mutation ($g: ID!, $u: ID!) { updateMemberRole(groupId: $g, userId: $u, role: "admin") { id } }`,
        { g: groups[0], u: zoe.id },
        owner,
      );
      for (const stream of streams)
        expect(await stream.next(1)).toEqual([{ membershipChanges: { type: "MEMBER_ROLE_CHANGED" } }]);
      await waitFor(() => idleConnected);
      expect(idleCloses).toEqual([]);

      expect((await svc.ok<{ eraseUser: boolean }, unknown>(ERASE, { id: zoe.id }, admin)).eraseUser).toBe(true);
      // eraseUser returned once every live replica applied it: each closed what it had open, at once.
      const closed = { code: 4401, reason: "Unauthorized: this user has been erased" };
      await waitFor(() => here.closes.length > 0 && there.closes.length > 0 && idleCloses.length > 0);
      expect(here.closes).toEqual([closed]);
      expect(there.closes).toEqual([closed]);
      expect(idleCloses.map(({ code, reason }) => ({ code, reason: String(reason) }))).toEqual([closed]);
    } finally {
      await here.close();
      await there.close();
      await idle.dispose();
    }
  });

  it("clears invitations by email: a provisional user's by erasing it, a claimed one's with its claimant; the address stays nowhere", async () => {
    const INVITE = `mutation ($g: ID!, $e: String!) { inviteByEmail(groupId: $g, email: $e) { id user { id } } }`;
    const g = await createGroup(svc, owner, { name: "Erasure invitations" });
    // Never claimed: an admin erases the provisional user the address was bound to.
    const unclaimed = `nobody.${crypto.randomBytes(5).toString("hex")}@example.org`;
    const invited = await svc.ok<{ inviteByEmail: { user: { id: string } } }, unknown>(
      INVITE,
      { g, e: unclaimed },
      owner,
    );
    expect(await columnsHolding(svc, unclaimed)).toEqual(["users.email"]);
    expect(await svc.ok(ERASE, { id: invited.inviteByEmail.user.id }, admin)).toEqual({ eraseUser: true });
    expect(await columnsHolding(svc, unclaimed)).toEqual([]);
    const removed = (await svc.db.query(
      `SELECT payload FROM domain_events WHERE type = 'MEMBER_REMOVED' AND group_id = $1 AND user_id = $2`,
      [g, invited.inviteByEmail.user.id],
    )) as { payload: unknown }[];
    expect(removed.map((e) => e.payload)).toEqual([{ role: "member", reason: "erased" }]);
    // Claimed: the invitation is the claimant's, and goes with them.
    const tag = crypto.randomBytes(5).toString("hex");
    const claimedAddress = `claimant.${tag}@example.org`;
    await svc.ok(INVITE, { g, e: claimedAddress }, owner);
    const claimant = await svc.user({ email: claimedAddress, name: `Claimant ${tag}` });
    const mine = await svc.ok<{ me: { memberships: { status: string }[] } }, unknown>(
      `{ me { memberships(includeInactive: true) { status } } }`,
      {},
      claimant,
    );
    expect(mine.me.memberships).toEqual([{ status: "PENDING" }]);
    expect(await svc.ok(ERASE, { id: claimant.id }, claimant)).toEqual({ eraseUser: true });
    expect(await columnsHolding(svc, claimedAddress)).toEqual([]);
    expect(await columnsHolding(svc, `Claimant ${tag}`)).toEqual([]);
    const left = (await svc.db.query(`SELECT count(*)::int AS n FROM memberships WHERE group_id = $1`, [g])) as {
      n: number;
    }[];
    expect(left).toEqual([{ n: 1 }]);
    expect(await checkInvariants(svc.db)).toEqual([]);
  });

  it("answers NOT_FOUND for an unknown or malformed id", async () => {
    expect(codes(await svc.gql(ERASE, { id: crypto.randomUUID() }, admin))).toEqual(["NOT_FOUND"]);
    for (const id of ["not-a-uuid", "", "' OR 1=1 --", "00000000-0000-0000-0000-000000000000"]) {
      expect(codes(await svc.gql(ERASE, { id }, admin))).toEqual(["NOT_FOUND"]);
    }
    expect(codes(await svc.gql(ERASE, { id: 42 }, admin))).toEqual(["NOT_FOUND"]);
  });
});
