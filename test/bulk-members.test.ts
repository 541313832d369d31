import crypto from "node:crypto";
import { SignJWT } from "jose";
import { Client } from "pg";
import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { codes, type GraphQLResponse, TEST_SECRET, TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * Invitations by email (inviteByEmail, the claim by the first token carrying the address) and
 * members in bulk (addMembers, removeMembers), through GraphQL on real PostgreSQL.
 */

const INVITE = `mutation ($g: ID!, $e: String!, $r: String, $x: DateTime) {
  inviteByEmail(groupId: $g, email: $e, role: $r, expiresAt: $x) {
    id role status expiresAt user { id name email } invitedBy { id } } }`;
const ADD = `mutation ($g: ID!, $m: [BulkMemberInput!]!) {
  addMembers(groupId: $g, members: $m) { id role status user { id name email } } }`;
const REMOVE = `mutation ($g: ID!, $u: [ID!]!) { removeMembers(groupId: $g, userIds: $u) }`;
const MINE = `{ me { id email memberships(includeInactive: true) { id status role group { id } } } }`;
const RESPOND = `mutation ($g: ID!, $a: Boolean!) { respondToInvitation(groupId: $g, accept: $a) { id status } }`;
const MEMBERS = `query ($g: ID!) { group(id: $g) { members(includeInactive: true, first: 500) { totalCount nodes { user { id } status } } } }`;

const address = (label: string) => `${label}.${crypto.randomBytes(5).toString("hex")}@example.org`;
const later = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

/** Resolves once `done` answers true (polled every 20 ms); fails after 5 s. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 5_000; !(await done());) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function details(res: GraphQLResponse<unknown>): Record<string, string[]> {
  return (res.errors?.[0]?.extensions?.details ?? {}) as Record<string, string[]>;
}

describe("invitations by email and members in bulk", () => {
  let svc: TestService;
  let admin: TestUser;
  let owner: TestUser;
  let groupAdmin: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let group: string;
  const callers: WsCaller[] = [];

  /** The owner invites `email` to group `g`: the invitation, with the (provisional) user holding it. */
  const invitation = async (g: string, email: string) =>
    (await svc.ok<{ inviteByEmail: { id: string; user: { id: string } } }, unknown>(INVITE, { g, e: email }, owner))
      .inviteByEmail;

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true });
    owner = await svc.user();
    groupAdmin = await svc.user();
    member = await svc.user();
    outsider = await svc.user();
    await provision(svc, admin, owner, groupAdmin, member, outsider);
    group = await createGroup(svc, owner, { name: "Invitations" });
    await addMember(svc, owner, group, groupAdmin, { role: "admin" });
    await addMember(svc, owner, group, member);
  });

  afterEach(async () => {
    await Promise.all(callers.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    expect(await checkInvariants(svc.db)).toEqual([]);
    await svc.stop();
  });

  /** How many events the group has so far (what a subscription from its start replays first). */
  async function eventCount(g: string): Promise<number> {
    const data = await svc.ok<{ events: { totalCount: number } }, unknown>(
      `query ($g: ID!) { events(filter: { groupId: $g }) { totalCount } }`,
      { g },
      owner,
    );
    return data.events.totalCount;
  }

  async function memberCount(g: string): Promise<number> {
    const data = await svc.ok<{ group: { members: { totalCount: number } } }, unknown>(MEMBERS, { g }, owner);
    return data.group.members.totalCount;
  }

  describe("inviteByEmail", () => {
    it("invites the user who has the address (any case) as a PENDING invitation they accept", async () => {
      const email = address("known");
      const known = await svc.user({ email });
      await provision(svc, known);
      const g = await createGroup(svc, owner);
      const { inviteByEmail } = await svc.ok<{ inviteByEmail: Record<string, unknown> }, unknown>(
        INVITE,
        { g, e: `  ${email.toUpperCase()} ` },
        owner,
      );
      expect(inviteByEmail).toMatchObject({ role: "member", status: "PENDING", user: { id: known.id, email } });
      expect(inviteByEmail.invitedBy).toEqual({ id: owner.id });
      const accepted = await svc.ok(RESPOND, { g, a: true }, known);
      expect(accepted).toEqual({ respondToInvitation: { id: inviteByEmail.id, status: "ACTIVE" } });
    });

    it("never binds to an address its account's owner typed in themself; a global admin's or a token's address it does", async () => {
      // Mallory puts the address of someone who has not signed in yet into her own account.
      const email = address("ceo");
      const mallory = await svc.user();
      await provision(svc, mallory);
      const UPDATE = `mutation ($id: ID!, $e: String) { updateUser(id: $id, input: { email: $e }) { email } }`;
      expect(await svc.ok(UPDATE, { id: mallory.id, e: email }, mallory)).toEqual({ updateUser: { email } });
      const g = await createGroup(svc, owner);
      const before = await eventCount(g);
      const refusal =
        "this address was set by an account's owner and not confirmed by a sign-in: invite that user by id";
      const one = await svc.gql(INVITE, { g, e: email }, owner);
      expect(one.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(details(one)).toEqual({ email: [refusal] });
      const bulk = await svc.gql(ADD, { g, m: [{ email }] }, owner);
      expect(bulk.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(details(bulk)).toEqual({ "0": [`email: ${refusal}`] });
      // Nothing was written: no invitation reached her, no event.
      const mine = await svc.ok<{ me: { memberships: { group: { id: string } }[] } }, unknown>(MINE, {}, mallory);
      expect(mine.me.memberships.filter((m) => m.group.id === g)).toEqual([]);
      expect(await eventCount(g)).toBe(before);
      // A global admin sets the address (vouching for it): invitations bind to it again.
      await svc.ok(UPDATE, { id: mallory.id, e: email }, admin);
      const { inviteByEmail } = await svc.ok<{ inviteByEmail: { user: { id: string } } }, unknown>(
        INVITE,
        { g, e: email },
        owner,
      );
      expect(inviteByEmail.user.id).toBe(mallory.id);
    });

    it("binds an unknown address to a provisional user, left out of users, that the first verified token claims", async () => {
      const email = address("newcomer");
      const g = await createGroup(svc, owner);
      const expiresAt = later();
      const { inviteByEmail: invited } = await svc.ok<
        { inviteByEmail: { id: string; user: { id: string; name: string | null; email: string } } },
        unknown
      >(INVITE, { g, e: email.replace("newcomer", "NewComer"), r: "viewer", x: expiresAt }, owner);
      expect(invited).toMatchObject({ role: "viewer", status: "PENDING", expiresAt, user: { name: null, email } });
      const provisionalId = invited.user.id;
      // Not someone to pick in users, found by no search; the inviter sees the address on the member.
      const listed = await svc.ok<{ users: { nodes: { id: string }[] } }, unknown>(
        `query ($s: String) { users(search: $s, first: 500) { nodes { id } } }`,
        { s: null },
        admin,
      );
      expect(listed.users.nodes.map((u) => u.id)).not.toContain(provisionalId);
      const searched = await svc.ok<{ users: { totalCount: number } }, unknown>(
        `query ($s: String) { users(search: $s) { totalCount } }`,
        { s: email },
        admin,
      );
      expect(searched.users.totalCount).toBe(0);

      // A second group invites the same address: the same provisional user.
      const g2 = await createGroup(svc, owner);
      const second = await svc.ok<{ inviteByEmail: { user: { id: string } } }, unknown>(
        INVITE,
        { g: g2, e: email },
        owner,
      );
      expect(second.inviteByEmail.user.id).toBe(provisionalId);

      // The newcomer signs in with the address (another case): both invitations are theirs.
      const newcomer = await svc.user({ email: email.toUpperCase(), name: "New Comer" });
      const mine = await svc.ok<
        { me: { email: string; memberships: { id: string; status: string; role: string; group: { id: string } }[] } },
        unknown
      >(MINE, {}, newcomer);
      expect(mine.me.email).toBe(email.toUpperCase());
      expect(Object.fromEntries(mine.me.memberships.map((m) => [m.group.id, [m.id, m.status]]))).toEqual({
        [g]: [invited.id, "PENDING"],
        [g2]: [expect.any(String), "PENDING"],
      });
      expect(mine.me.memberships).toHaveLength(2);
      // The provisional record is gone; the invitation's event now names the newcomer.
      expect(await svc.ok(`query ($id: ID!) { user(id: $id) { id } }`, { id: provisionalId }, admin)).toEqual({
        user: null,
      });
      const events = await svc.ok<{ events: { nodes: { type: string; userId: string }[] } }, unknown>(
        `query ($g: ID!) { events(filter: { groupId: $g, types: [MEMBER_ADDED] }) { nodes { type userId } } }`,
        { g },
        owner,
      );
      expect(events.events.nodes.map((e) => e.userId)).toContain(newcomer.id);
      expect(events.events.nodes.map((e) => e.userId)).not.toContain(provisionalId);
      // Accepting works as for any invitation; declining the other removes it.
      expect(await svc.ok(RESPOND, { g, a: true }, newcomer)).toEqual({
        respondToInvitation: { id: invited.id, status: "ACTIVE" },
      });
      expect(await svc.ok(RESPOND, { g: g2, a: false }, newcomer)).toEqual({ respondToInvitation: null });
      const history = await svc.ok<
        { group: { membershipHistory: { nodes: { role: string; status: string }[] } } },
        unknown
      >(
        `query ($g: ID!, $u: ID!) { group(id: $g) { membershipHistory(userId: $u) { nodes { role status } } } }`,
        { g, u: newcomer.id },
        owner,
      );
      expect(history.group.membershipHistory.nodes).toEqual([
        { role: "viewer", status: "PENDING" },
        { role: "viewer", status: "ACTIVE" },
      ]);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("is not claimed by a token whose email_verified is false, which does not store the address either", async () => {
      const email = address("unverified");
      const g = await createGroup(svc, owner);
      const { inviteByEmail } = await svc.ok<{ inviteByEmail: { user: { id: string } } }, unknown>(
        INVITE,
        { g, e: email },
        owner,
      );
      const impostor = await svc.user({ email, emailVerified: false });
      const mine = await svc.ok<{ me: { email: string | null; memberships: unknown[] } }, unknown>(MINE, {}, impostor);
      expect(mine.me).toMatchObject({ email: null, memberships: [] });
      expect(codes(await svc.gql(RESPOND, { g, a: true }, impostor))).toEqual(["NOT_FOUND"]);
      // The invitation still waits for its address.
      const still = await svc.ok<{ user: { id: string; email: string } | null }, unknown>(
        `query ($id: ID!) { user(id: $id) { id email } }`,
        { id: inviteByEmail.user.id },
        owner,
      );
      expect(still.user).toEqual({ id: inviteByEmail.user.id, email });
      // Some identity providers send the flag as a string: "false" is unverified too.
      const stringly = await new SignJWT({ roles: [], email, email_verified: "false" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(crypto.randomUUID())
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(TEST_SECRET));
      const other = await svc.gql<{ me: { email: string | null; memberships: unknown[] } }, unknown>(
        MINE,
        {},
        {
          authorization: `Bearer ${stringly}`,
        },
      );
      expect(other.data?.me).toMatchObject({ email: null, memberships: [] });
      // A verified token (email_verified true) does claim it.
      const owner2 = await svc.user({ email, emailVerified: true });
      const claimed = await svc.ok<{ me: { memberships: { group: { id: string } }[] } }, unknown>(MINE, {}, owner2);
      expect(claimed.me.memberships.map((m) => m.group.id)).toEqual([g]);
    });

    it("is claimed once when the first token arrives at two replicas at the same time", async () => {
      const replica = await TestService.start({ databaseUrl: svc.databaseUrl });
      try {
        const email = address("race");
        const g = await createGroup(svc, owner);
        const { inviteByEmail } = await svc.ok<{ inviteByEmail: { id: string } }, unknown>(
          INVITE,
          { g, e: email },
          owner,
        );
        const newcomer = await svc.user({ email });
        const answers = await Promise.all(
          [svc, replica, svc, replica].map((s) =>
            s.ok<{ me: { memberships: { id: string }[] } }, unknown>(MINE, {}, newcomer),
          ),
        );
        // Each answer is read after its own provisioning: a request racing the claim may answer before
        // it moved the invitation, never with an error; the next request sees it everywhere.
        for (const a of answers) expect(a.me.memberships.length).toBeLessThanOrEqual(1);
        for (const s of [svc, replica]) {
          const after = await s.ok<{ me: { memberships: { id: string }[] } }, unknown>(MINE, {}, newcomer);
          expect(after.me.memberships.map((m) => m.id)).toEqual([inviteByEmail.id]);
        }
        const left = (await svc.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1`, [email])) as {
          n: number;
        }[];
        expect(left).toEqual([{ n: 1 }]);
        expect(await checkInvariants(svc.db)).toEqual([]);
      } finally {
        await replica.stop();
      }
    });

    it("is claimed by a user with a history too, once per replica and verified address; an invitation to a group they are in is dropped", async () => {
      // A user who has signed in before without an address, and has a history here.
      const veteran = await svc.user();
      await provision(svc, veteran);
      const email = address("veteran");
      const inBoth = await createGroup(svc, owner, { name: "Already In" });
      const left = await createGroup(svc, owner, { name: "Left After" });
      const fresh = await createGroup(svc, owner, { name: "Only Invited" });
      const ownMembership = await addMember(svc, owner, inBoth, veteran);
      await addMember(svc, owner, left, veteran);
      const invite = (g: string) => invitation(g, email);
      const [toBoth, toLeft, toFresh] = [await invite(inBoth), await invite(left), await invite(fresh)];
      const provisionalId = toBoth.user.id;
      // Removed from `left` after the address was invited there: that invitation's history overlaps theirs.
      await svc.ok(
        `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`,
        { g: left, u: veteran.id },
        owner,
      );

      // They sign in with a token carrying the address, verified: same user, same flags, a new address.
      const withAddress = { id: veteran.id, token: (await svc.user({ id: veteran.id, email })).token };
      const mine = await svc.ok<
        { me: { email: string; memberships: { id: string; status: string; group: { id: string } }[] } },
        unknown
      >(MINE, {}, withAddress);
      expect(mine.me.email).toBe(email);
      // Their own membership stands where the address was invited too; the other invitations are theirs.
      expect(Object.fromEntries(mine.me.memberships.map((m) => [m.group.id, [m.id, m.status]]))).toEqual({
        [inBoth]: [ownMembership, "ACTIVE"],
        [left]: [toLeft.id, "PENDING"],
        [fresh]: [toFresh.id, "PENDING"],
      });
      expect(toBoth.id).not.toBe(ownMembership);
      // The dropped invitation's removal is in the log, naming the provisional user it was made for.
      const removed = (await svc.db.query(
        `SELECT user_id AS "userId", actor_id AS "actorId", payload FROM domain_events
         WHERE group_id = $1 AND type = 'MEMBER_REMOVED'`,
        [inBoth],
      )) as unknown[];
      expect(removed).toEqual([
        { userId: provisionalId, actorId: veteran.id, payload: { role: "member", reason: "duplicate" } },
      ]);
      expect(await svc.ok(`query ($id: ID!) { user(id: $id) { id } }`, { id: provisionalId }, admin)).toEqual({
        user: null,
      });
      // In `left` the invitation follows the earlier membership: one line of history, no overlap.
      const history = await svc.ok<
        { group: { membershipHistory: { nodes: { status: string; to: string | null }[] } } },
        unknown
      >(
        `query ($g: ID!, $u: ID!) { group(id: $g) { membershipHistory(userId: $u) { nodes { status to } } } }`,
        { g: left, u: veteran.id },
        owner,
      );
      expect(history.group.membershipHistory.nodes.map((n) => [n.status, n.to === null])).toEqual([
        ["ACTIVE", false],
        ["PENDING", true],
      ]);
      expect(await checkInvariants(svc.db)).toEqual([]);

      // Once per replica: the next request costs what anyone's does; another replica provisions once
      // (one statement) and finds nothing left to claim.
      const ME = `{ me { id } }`;
      const baseline = (await svc.statements(ME, {}, owner)).count;
      expect((await svc.statements(ME, {}, withAddress)).count).toBe(baseline);
      const replica = await TestService.start({ databaseUrl: svc.databaseUrl });
      try {
        expect((await replica.statements(ME, {}, withAddress)).count).toBe(baseline + 1);
        const there = await replica.ok<{ me: { memberships: { id: string }[] } }, unknown>(MINE, {}, withAddress);
        expect(there.me.memberships.map((m) => m.id).sort()).toEqual([ownMembership, toLeft.id, toFresh.id].sort());
      } finally {
        await replica.stop();
      }
      // The address came from a verified token, not typed in: invitations to it now bind to them.
      const next = await svc.ok<{ inviteByEmail: { user: { id: string } } }, unknown>(
        INVITE,
        { g: await createGroup(svc, owner), e: email },
        owner,
      );
      expect(next.inviteByEmail.user.id).toBe(veteran.id);
    });

    it("is claimed when the claimant becomes a member of an invited group meanwhile: the claim runs again and drops that invitation", async () => {
      // A user who has signed in before without an address; the address is invited to two groups.
      const claimant = await svc.user();
      await provision(svc, claimant);
      const email = address("meanwhile");
      const joined = await createGroup(svc, owner, { name: "Joined Meanwhile" });
      const invited = await createGroup(svc, owner, { name: "Invited Only" });
      const invite = (g: string) => invitation(g, email);
      const [toJoined, toInvited] = [await invite(joined), await invite(invited)];
      const provisionalId = toJoined.user.id;
      // Another transaction makes the claimant a member of `joined` and has not committed yet: the
      // claim's first attempt does not see that membership, so it moves the invitation there too,
      // and its move waits on memberships_group_user_key for this transaction.
      const other = new Client({ connectionString: svc.databaseUrl });
      await other.connect();
      let ownMembership: string;
      try {
        await other.query("BEGIN");
        const [row] = (
          await other.query<{ id: string }>(
            `INSERT INTO memberships (group_id, user_id, role, status) VALUES ($1, $2, 'member', 'ACTIVE') RETURNING id`,
            [joined, claimant.id],
          )
        ).rows;
        ownMembership = row!.id;
        await other.query(
          `INSERT INTO domain_events (type, group_id, user_id, actor_id, payload)
           VALUES ('MEMBER_ADDED', $1, $2, $3, '{"role": "member", "status": "ACTIVE"}')`,
          [joined, claimant.id, owner.id],
        );
        // They sign in with a token carrying the address, verified: the claim starts, then waits.
        const withAddress = { id: claimant.id, token: (await svc.user({ id: claimant.id, email })).token };
        const signIn = svc.gql<
          { me: { memberships: { id: string; status: string; group: { id: string } }[] } },
          unknown
        >(MINE, {}, withAddress);
        await until(async () => {
          const [waiting] = (await svc.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE memberships a SET user_id%'`,
          )) as { n: number }[];
          return waiting!.n === 1;
        });
        // The membership commits: the claim's move fails on the pair (CONFLICT) and the claim runs
        // again, which now sees the membership and drops the invitation instead.
        await other.query("COMMIT");
        const res = await signIn;
        expect(res.errors).toBeUndefined();
        expect(Object.fromEntries(res.data!.me.memberships.map((m) => [m.group.id, [m.id, m.status]]))).toEqual({
          [joined]: [ownMembership, "ACTIVE"],
          [invited]: [toInvited.id, "PENDING"],
        });
      } finally {
        await other.end();
      }
      const removed = (await svc.db.query(
        `SELECT user_id AS "userId", actor_id AS "actorId", payload FROM domain_events
         WHERE group_id = $1 AND type = 'MEMBER_REMOVED'`,
        [joined],
      )) as unknown[];
      expect(removed).toEqual([
        { userId: provisionalId, actorId: claimant.id, payload: { role: "member", reason: "duplicate" } },
      ]);
      const left = (await svc.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1`, [email])) as {
        n: number;
      }[];
      expect(left).toEqual([{ n: 1 }]);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("refuses a malformed address (BAD_USER_INPUT on email), a member again (CONFLICT), a role above the caller's (FORBIDDEN)", async () => {
      for (const e of ["", "not-an-address", "a@", "@b.org", "a b@c.org", "x".repeat(330) + "@e.org", "\udfff@x.org"]) {
        const res = await svc.gql(INVITE, { g: group, e }, owner);
        expect([codes(res), res.errors?.[0]?.extensions?.details]).toEqual([
          ["BAD_USER_INPUT"],
          { email: ["must be an email address"] },
        ]);
      }
      const email = address("twice");
      await svc.ok(INVITE, { g: group, e: email }, owner);
      expect(codes(await svc.gql(INVITE, { g: group, e: email.toUpperCase() }, owner))).toEqual(["CONFLICT"]);
      expect(codes(await svc.gql(INVITE, { g: group, e: address("owner"), r: "owner" }, groupAdmin))).toEqual([
        "FORBIDDEN",
      ]);
      expect(codes(await svc.gql(INVITE, { g: group, e: address("past"), x: "2020-01-01T00:00:00Z" }, owner))).toEqual([
        "BAD_USER_INPUT",
      ]);
    });

    it("needs members.add: FORBIDDEN for a member, NOT_FOUND (as for no group) for an outsider of a PRIVATE group", async () => {
      expect(codes(await svc.gql(INVITE, { g: group, e: address("m") }, member))).toEqual(["FORBIDDEN"]);
      const refused = await svc.gql(INVITE, { g: group, e: address("o") }, outsider);
      const unknown = await svc.gql(INVITE, { g: crypto.randomUUID(), e: address("o") }, outsider);
      expect(codes(refused)).toEqual(["NOT_FOUND"]);
      expect(refused.errors![0]!.message.replace(group, "<id>")).toBe(
        unknown.errors![0]!.message.replace(/Group \S+ not found/, "Group <id> not found"),
      );
    });
  });

  describe("addMembers", () => {
    it("adds users by id (ACTIVE) and invites addresses (PENDING), in item order, one MEMBER_ADDED each on a live subscription", async () => {
      const g = await createGroup(svc, owner);
      const [a, b] = [await svc.user(), await svc.user()];
      await provision(svc, a, b);
      const email = address("bulk");
      const known = await svc.user({ email: address("bulk-known") });
      await provision(svc, known);
      const knownEmail = (await svc.ok<{ me: { email: string } }, unknown>(`{ me { email } }`, {}, known)).me.email;
      const caller = new WsCaller(svc.url, owner.token);
      callers.push(caller);
      const stream = caller.subscribe<
        { groupEvents: { type: string; userId: string; payload: { status: string } } },
        unknown
      >(`subscription ($g: ID) { groupEvents(groupId: $g, after: "0") { type userId payload } }`, { g });
      // From the group's first event (no race with the subscription going live): skip those before.
      await stream.next(await eventCount(g));
      const { addMembers } = await svc.ok<
        { addMembers: { role: string; status: string; user: { id: string; email: string | null } }[] },
        unknown
      >(
        ADD,
        {
          g,
          m: [
            { userId: a.id },
            { email, role: "viewer" },
            { userId: b.id.toUpperCase(), role: "admin", expiresAt: later() },
            { email: knownEmail.toUpperCase() },
          ],
        },
        owner,
      );
      expect(addMembers.map((m) => [m.user.id === a.id, m.role, m.status])).toEqual([
        [true, "member", "ACTIVE"],
        [false, "viewer", "PENDING"],
        [false, "admin", "ACTIVE"],
        [false, "member", "PENDING"],
      ]);
      expect(addMembers[1]!.user.email).toBe(email);
      expect(addMembers[2]!.user.id).toBe(b.id);
      expect(addMembers[3]!.user.id).toBe(known.id);
      const events = await stream.next(4);
      expect(events.map((e) => [e.groupEvents.type, e.groupEvents.userId, e.groupEvents.payload.status])).toEqual([
        ["MEMBER_ADDED", a.id, "ACTIVE"],
        ["MEMBER_ADDED", addMembers[1]!.user.id, "PENDING"],
        ["MEMBER_ADDED", b.id, "ACTIVE"],
        ["MEMBER_ADDED", known.id, "PENDING"],
      ]);
      await stream.nothingWithin(200);
      expect(await memberCount(g)).toBe(5);
    });

    it("delivers each member's MEMBER_ADDED to that member's membershipChanges, and only theirs", async () => {
      const g = await createGroup(svc, owner);
      const [x, y] = [await svc.user(), await svc.user()];
      await provision(svc, x, y);
      const caller = new WsCaller(svc.url, x.token);
      callers.push(caller);
      const stream = caller.subscribe<
        { membershipChanges: { type: string; userId: string; groupId: string } },
        unknown
      >(`subscription { membershipChanges(after: "0") { type userId groupId } }`);
      // x is new: nothing to replay; the replay-then-live start leaves no gap before the add.
      await svc.ok(ADD, { g, m: [{ userId: y.id }, { userId: x.id }, { email: address("third") }] }, owner);
      expect(await stream.next(1)).toEqual([{ membershipChanges: { type: "MEMBER_ADDED", userId: x.id, groupId: g } }]);
      await svc.ok(REMOVE, { g, u: [x.id, y.id] }, owner);
      expect(await stream.next(1)).toEqual([
        { membershipChanges: { type: "MEMBER_REMOVED", userId: x.id, groupId: g } },
      ]);
      await stream.nothingWithin(200);
    });

    it("refuses every bad item at once under its index, and writes nothing", async () => {
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, groupAdmin, { role: "admin" });
      const existing = await svc.user();
      await addMember(svc, owner, g, existing);
      const fresh = await svc.user();
      await provision(svc, fresh);
      const before = await memberCount(g);
      const res = await svc.gql(
        ADD,
        {
          g,
          m: [
            { userId: fresh.id }, // 0: fine
            { userId: fresh.id }, // 1: duplicate of 0
            { userId: fresh.id, email: address("both") }, // 2: both
            {}, // 3: neither
            { email: "nope" }, // 4: bad address
            { userId: crypto.randomUUID() }, // 5: unknown user
            { userId: existing.id }, // 6: already a member
            { userId: "not-a-uuid" }, // 7: unknown user
            { email: address("role"), role: "superuser" }, // 8: unknown role
            { email: address("same"), expiresAt: "2020-01-01T00:00:00Z" }, // 9: expiry past
            { userId: outsider.id, role: "owner" }, // 10: above an admin's rank
          ],
        },
        groupAdmin,
      );
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      const d = details(res);
      expect(Object.keys(d).sort((x, y) => Number(x) - Number(y))).toEqual([
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
      ]);
      expect(d["1"]).toEqual(["members: the same user as item 0"]);
      expect(d["2"]).toEqual(["userId: give exactly one of userId and email"]);
      expect(d["3"]).toEqual(["userId: give exactly one of userId and email"]);
      expect(d["4"]).toEqual(["email: must be an email address"]);
      expect(d["6"]).toEqual(["userId: this user is already a member of the group"]);
      expect(d["8"]![0]).toMatch(/^role: unknown role "superuser"/);
      expect(d["9"]).toEqual(["expiresAt: must lie in the future"]);
      expect(d["10"]![0]).toMatch(/only owners/);
      expect(await memberCount(g)).toBe(before);
      // An address listed twice (any case) is a duplicate too.
      const e = address("dup");
      const dup = await svc.gql(ADD, { g, m: [{ email: e }, { email: e.toUpperCase() }] }, owner);
      expect(details(dup)).toEqual({ "1": ["members: the same user as item 0"] });
      expect(await memberCount(g)).toBe(before);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("answers a call that raced the claim of a listed address as if it came after; all of it or nothing", async () => {
      const email = address("racing");
      const other = address("racing-other");
      await svc.ok(INVITE, { g: await createGroup(svc, owner), e: email }, owner);
      const g = await createGroup(svc, owner);
      const before = await eventCount(g);
      // The call reads its facts (a provisional user holds the address), then its write waits: it
      // share-locks the caller's own membership, which this transaction holds.
      const blocker = new Client({ connectionString: svc.databaseUrl });
      await blocker.connect();
      try {
        await blocker.query("BEGIN");
        await blocker.query(`SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2 FOR UPDATE`, [g, owner.id]);
        const call = svc.gql<{ addMembers: { status: string; user: { id: string; email: string } }[] }, unknown>(
          ADD,
          { g, m: [{ email }, { email: other }] },
          owner,
        );
        await until(async () => {
          // (Read outside the blocker's transaction, which would keep one snapshot of the activity.)
          const [row] = (await svc.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO memberships%'`,
          )) as { n: number }[];
          return row!.n === 1;
        });
        // Meanwhile the address's owner signs in: the claim takes the invitation, the provisional user goes.
        const newcomer = await svc.user({ email });
        await svc.ok(MINE, {}, newcomer);
        await blocker.query("ROLLBACK");
        const res = await call;
        expect(res.errors).toBeUndefined();
        expect(res.data!.addMembers.map((m) => [m.status, m.user.id === newcomer.id, m.user.email])).toEqual([
          ["PENDING", true, email],
          ["PENDING", false, other],
        ]);
      } finally {
        await blocker.end();
      }
      // Written once: one MEMBER_ADDED per member, no provisional user left over for the claimed address.
      expect(await eventCount(g)).toBe(before + 2);
      const holders = (await svc.db.query(`SELECT provisional FROM users WHERE lower(email) = $1`, [
        email,
      ])) as unknown[];
      expect(holders).toEqual([{ provisional: false }]);
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("never tells that a user listed by id holds an address the caller cannot see: the two items are decided apart and add the user once", async () => {
      const hiddenUser = async (label: string) => {
        const email = address(label);
        const user = await svc.user({ email });
        await provision(svc, user);
        return { user, email };
      };
      // Neither is in a group where the owner holds members.view: their addresses are hidden from the owner.
      const { user: linked, email } = await hiddenUser("linked");
      const { user: twice, email: twiceEmail } = await hiddenUser("twice");
      const g = await createGroup(svc, owner);
      const before = await eventCount(g);
      // A refused call says nothing of the pair, in either order; a same-kind repeat is named by its own kind.
      const refused = await svc.gql(
        ADD,
        {
          g,
          m: [
            { userId: linked.id },
            { email },
            { email: "nope" },
            { email: twiceEmail },
            { userId: twice.id },
            { userId: twice.id },
          ],
        },
        owner,
      );
      expect(details(refused)).toEqual({
        "2": ["email: must be an email address"],
        "5": ["members: the same user as item 4"],
      });
      expect(await eventCount(g)).toBe(before);
      // Alone, the pair adds the user once, as the first item asks; both items answer that membership.
      const { addMembers } = await svc.ok<
        { addMembers: { id: string; role: string; status: string; user: { id: string } }[] },
        unknown
      >(
        ADD,
        {
          g,
          m: [
            { userId: linked.id, role: "viewer" },
            { email, role: "member" },
          ],
        },
        owner,
      );
      expect(addMembers[1]).toEqual(addMembers[0]);
      expect(addMembers[0]).toMatchObject({ role: "viewer", status: "ACTIVE", user: { id: linked.id } });
      expect(await eventCount(g)).toBe(before + 1);
      // Now a member here, their address is the owner's to see: the same pair elsewhere is the same user.
      const seen = await svc.gql(
        ADD,
        { g: await createGroup(svc, owner), m: [{ email }, { userId: linked.id }] },
        owner,
      );
      expect(details(seen)).toEqual({ "1": ["members: the same user as item 0"] });
      expect(await checkInvariants(svc.db)).toEqual([]);
    });

    it("takes 1 to 500 members: none or 501 is BAD_USER_INPUT", async () => {
      const none = await svc.gql(ADD, { g: group, m: [] }, owner);
      expect([codes(none), none.errors?.[0]?.extensions?.details]).toEqual([
        ["BAD_USER_INPUT"],
        { members: ["give at least one"] },
      ]);
      const many = Array.from({ length: 501 }, (_, i) => ({ email: `many${i}@example.org` }));
      const res = await svc.gql(ADD, { g: group, m: many }, owner);
      expect([codes(res), res.errors?.[0]?.extensions?.details]).toEqual([
        ["BAD_USER_INPUT"],
        { members: ["at most 500 per call (501 given)"] },
      ]);
    });

    it("500 addresses in one call, then removed in one call", async () => {
      const g = await createGroup(svc, owner);
      const many = Array.from({ length: 500 }, (_, i) => ({ email: `five-hundred-${i}.${g}@example.org` }));
      const added = await svc.ok<{ addMembers: { user: { id: string } }[] }, unknown>(ADD, { g, m: many }, owner);
      expect(added.addMembers).toHaveLength(500);
      expect(await memberCount(g)).toBe(501);
      const removed = await svc.ok(REMOVE, { g, u: added.addMembers.map((m) => m.user.id) }, owner);
      expect(removed).toEqual({ removeMembers: 500 });
      expect(await memberCount(g)).toBe(1);
    });

    it("needs members.add: FORBIDDEN for a member, NOT_FOUND for an outsider", async () => {
      expect(codes(await svc.gql(ADD, { g: group, m: [{ userId: outsider.id }] }, member))).toEqual(["FORBIDDEN"]);
      expect(codes(await svc.gql(ADD, { g: group, m: [{ userId: outsider.id }] }, outsider))).toEqual(["NOT_FOUND"]);
    });
  });

  describe("removeMembers", () => {
    it("removes every listed member with one MEMBER_REMOVED each on a live subscription; answers how many", async () => {
      const g = await createGroup(svc, owner);
      const people = [await svc.user(), await svc.user(), await svc.user()];
      for (const p of people) await addMember(svc, owner, g, p);
      const caller = new WsCaller(svc.url, owner.token);
      callers.push(caller);
      const stream = caller.subscribe<
        { groupEvents: { type: string; userId: string; payload: { reason: string } } },
        unknown
      >(`subscription ($g: ID) { groupEvents(groupId: $g, after: "0") { type userId payload } }`, { g });
      await stream.next(await eventCount(g));
      expect(await svc.ok(REMOVE, { g, u: people.map((p) => p.id) }, owner)).toEqual({ removeMembers: 3 });
      const events = await stream.next(3);
      expect(events.map((e) => [e.groupEvents.type, e.groupEvents.userId, e.groupEvents.payload.reason])).toEqual(
        people.map((p) => ["MEMBER_REMOVED", p.id, "removed"]),
      );
      expect(await memberCount(g)).toBe(1);
    });

    it("refuses a non-member, a duplicate, a member ranked above the caller and the last lasting owner, per item; removes nothing", async () => {
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, groupAdmin, { role: "admin" });
      const plain = await svc.user();
      await addMember(svc, owner, g, plain);
      const before = await memberCount(g);
      const res = await svc.gql(
        REMOVE,
        { g, u: [plain.id, outsider.id, plain.id, owner.id, "not-a-uuid"] },
        groupAdmin,
      );
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      const d = details(res);
      expect(d["0"]).toBeUndefined();
      expect(d["1"]).toEqual(["userId: not a member of the group"]);
      expect(d["2"]).toEqual(["userIds: the same user as item 0"]);
      expect(d["3"]![0]).toMatch(/only owners/);
      expect(d["4"]).toEqual(["userId: not a member of the group"]);
      expect(await memberCount(g)).toBe(before);
      // The owner removing themselves and everyone: the group would have no lasting owner.
      const last = await svc.gql(REMOVE, { g, u: [plain.id, owner.id] }, owner);
      expect(details(last)).toEqual({
        "1": [expect.stringMatching(/^userId: a group must keep at least one ACTIVE owner/)],
      });
      expect(await memberCount(g)).toBe(before);
    });

    it("takes 1 to 500 ids and needs members.remove", async () => {
      expect(codes(await svc.gql(REMOVE, { g: group, u: [] }, owner))).toEqual(["BAD_USER_INPUT"]);
      const many = Array.from({ length: 501 }, () => crypto.randomUUID());
      const res = await svc.gql(REMOVE, { g: group, u: many }, owner);
      expect(res.errors?.[0]?.extensions?.details).toEqual({ userIds: ["at most 500 per call (501 given)"] });
      expect(codes(await svc.gql(REMOVE, { g: group, u: [member.id] }, member))).toEqual(["FORBIDDEN"]);
      expect(codes(await svc.gql(REMOVE, { g: group, u: [member.id] }, outsider))).toEqual(["NOT_FOUND"]);
    });
  });
});
