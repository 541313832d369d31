import { runTimerTick } from "../src/timers";
import { addMember, createGroup, provision } from "./utils/builders";
import { checkInvariants } from "./utils/db-invariants";
import { TestService, type TestUser } from "./utils/service";

/**
 * The timer duty's guard in SQL (src/timers/timer.store.ts), without the advisory lock that
 * normally lets one replica tick at a time: three ticks run at once on one database (as two
 * replicas would if the lock were ever held twice, say across a failover) and every due change is
 * still made, and its event written, exactly once. Small batches make the ticks read overlapping
 * due rows and race for each of them.
 */

const SCHEDULED = 12;
const EXPIRING = 12;

describe("concurrent timer ticks", () => {
  let svc: TestService;
  let admin: TestUser;

  beforeAll(async () => {
    // The service's own duty ticks once at start, then not again during this test.
    svc = await TestService.start({ timerIntervalMs: 3_600_000 });
    admin = await svc.user({ admin: true });
    await provision(svc, admin);
  });

  afterAll(async () => {
    await svc?.stop();
  });

  async function count(type: string, groupId: string): Promise<Map<string, number>> {
    const rows = (await svc.db.query(
      `SELECT user_id AS "userId", count(*)::int AS n FROM domain_events WHERE type = $1 AND group_id = $2 GROUP BY user_id`,
      [type, groupId],
    )) as { userId: string; n: number }[];
    return new Map(rows.map((r) => [r.userId, r.n]));
  }

  /** Waits until `instant` has passed in the database's clock, which is the one expiry reads. */
  async function untilPassed(instant: string): Promise<void> {
    for (;;) {
      const [{ passed }] = (await svc.db.query(`SELECT clock_timestamp() > $1::timestamptz AS passed`, [instant])) as {
        passed: boolean;
      }[];
      if (passed) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("an invitation that expired says so when answered, before and after the timer recorded its expiry", async () => {
    const groupId = await createGroup(svc, admin, { name: "Expiring invitations" });
    const invited = await svc.user();
    const member = await svc.user();
    const [{ now }] = (await svc.db.query(`SELECT clock_timestamp() AS now`)) as { now: Date }[];
    const instant = new Date(now.getTime() + 1500).toISOString();
    await addMember(svc, admin, groupId, invited, { status: "PENDING", expiresAt: instant });
    await addMember(svc, admin, groupId, member, { expiresAt: instant });
    await untilPassed(instant);
    const respond = (user: TestUser) =>
      svc.gql(`mutation ($g: ID!) { respondToInvitation(groupId: $g, accept: true) { id } }`, { g: groupId }, user);
    const message = (res: Awaited<ReturnType<typeof respond>>) => [
      res.errors?.[0]?.extensions?.code,
      res.errors?.[0]?.message,
    ];
    const expired = ["BAD_USER_INPUT", expect.stringContaining("this invitation has expired; ask for a new one")];
    // Stored PENDING still: expired at read time.
    expect(message(await respond(invited))).toEqual(expired);
    // Recorded by the timer (stored INACTIVE now): still an expired invitation, not "no invitation".
    expect(await runTimerTick(svc.db)).toBe(2);
    expect(message(await respond(invited))).toEqual(expired);
    // A membership that was ACTIVE until its expiry was never an invitation.
    expect(message(await respond(member))).toEqual([
      "BAD_USER_INPUT",
      expect.stringContaining("there is no pending invitation: your membership is INACTIVE"),
    ]);
  });

  it("makes each due start and expiry once, with one event each, however many ticks race", async () => {
    const groupId = await createGroup(svc, admin, { name: "Racing timers" });
    // The users first, so that only the additions have to fit before the instant; the margin
    // grows with how slow this machine is right now (a CI run shares it with other suites).
    const began = Date.now();
    const scheduled: TestUser[] = [];
    const expiring: TestUser[] = [];
    for (let i = 0; i < SCHEDULED + EXPIRING; i++) {
      const user = await svc.user();
      if (i < SCHEDULED) await provision(svc, user);
      (i < SCHEDULED ? scheduled : expiring).push(user);
    }
    const margin = Math.max(1500, 3 * (Date.now() - began));
    const [{ now }] = (await svc.db.query(`SELECT clock_timestamp() AS now`)) as { now: Date }[];
    const instant = new Date(now.getTime() + margin).toISOString();
    for (const user of scheduled) {
      await svc.ok(
        `mutation ($input: AddMemberInput!) { addMember(input: $input) { id status } }`,
        { input: { groupId, userId: user.id, startsAt: instant } },
        admin,
      );
    }
    for (const user of expiring) await addMember(svc, admin, groupId, user, { expiresAt: instant });
    await untilPassed(instant);

    const made = await Promise.all([runTimerTick(svc.db, 5), runTimerTick(svc.db, 5), runTimerTick(svc.db, 5)]);
    // Every change made by exactly one of the ticks.
    expect(made.reduce((a, b) => a + b, 0)).toBe(SCHEDULED + EXPIRING);
    // And none left for a later tick.
    expect(await runTimerTick(svc.db, 5)).toBe(0);

    const started = await count("MEMBER_STARTED", groupId);
    const expired = await count("MEMBER_EXPIRED", groupId);
    expect(scheduled.map((u) => started.get(u.id))).toEqual(scheduled.map(() => 1));
    expect(expiring.map((u) => expired.get(u.id))).toEqual(expiring.map(() => 1));
    expect(started.size).toBe(SCHEDULED);
    expect(expired.size).toBe(EXPIRING);

    // The memberships say so through the API, and one period was opened per change.
    const data = await svc.ok<{ group: { members: { nodes: { user: { id: string }; status: string }[] } } }, unknown>(
      `query ($id: ID!) { group(id: $id) { members(first: 100, includeInactive: true) { nodes { user { id } status } } } }`,
      { id: groupId },
      admin,
    );
    const status = new Map(data.group.members.nodes.map((n) => [n.user.id, n.status]));
    for (const user of scheduled) expect(status.get(user.id)).toBe("ACTIVE");
    for (const user of expiring) expect(status.get(user.id)).toBe("INACTIVE");
    const periods = (await svc.db.query(
      `SELECT user_id AS "userId", count(*)::int AS n FROM membership_periods WHERE group_id = $1 GROUP BY user_id`,
      [groupId],
    )) as { userId: string; n: number }[];
    for (const user of [...scheduled, ...expiring]) {
      expect(periods.find((p) => p.userId === user.id)?.n).toBe(2);
    }
    expect(await checkInvariants(svc.db)).toEqual([]);
  });
});
