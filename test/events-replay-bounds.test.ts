import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * A replay skips, in SQL, the events a subscriber may not read: a user who can read nothing,
 * replaying from `after: "0"` over a long log, costs one statement, not a page per 200 events
 * (issue 16, "also bound these"). Statements are counted where they leave for PostgreSQL: the
 * service's pool, in this process.
 */

const REPLAY_SQL = "FROM domain_events e WHERE e.id > $1 AND e.id <= $2";
const LIVE = `subscription ($after: ID) { groupEvents(after: $after) { id type groupId } }`;
const MEMBERSHIPS = `subscription ($userId: ID!, $after: ID) { membershipChanges(userId: $userId, after: $after) { id type groupId userId } }`;

describe("replays skip what the subscriber may not read, in SQL", () => {
  let svc: TestService;
  let owner: TestUser;
  let outsider: TestUser;
  let readable: string;
  let hidden: string;
  const callers: WsCaller[] = [];
  let replayStatements = 0;

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user();
    outsider = await svc.user();
    await provision(svc, owner, outsider);
    hidden = await createGroup(svc, owner, { name: "Not theirs" });
    readable = await createGroup(svc, owner, { name: "Theirs" });
    // 1,000 events the outsider may not read: five replay pages' worth.
    await svc.db.query(
      `INSERT INTO domain_events (type, group_id, actor_id, payload)
       SELECT 'GROUP_UPDATED', $1, $2, jsonb_build_object('n', n) FROM generate_series(1, 1000) n`,
      [hidden, owner.id],
    );
    const pool = (svc.db.driver as unknown as { master: { query: (...args: unknown[]) => unknown } }).master;
    const query = pool.query.bind(pool);
    pool.query = (...args: unknown[]) => {
      const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string }).text;
      if (text?.includes(REPLAY_SQL)) replayStatements++;
      return query(...args);
    };
  });
  afterAll(async () => {
    await Promise.all(callers.map((c) => c.close()));
    await svc.stop();
  });

  it("a user who can read nothing replays the whole log in one statement per subscription", async () => {
    replayStatements = 0;
    const streams = Array.from({ length: 5 }, () => {
      const caller = new WsCaller(svc.url, outsider.token);
      callers.push(caller);
      return caller.subscribe<{ groupEvents: { id: string; groupId: string } }, unknown>(LIVE, { after: "0" });
    });
    // They go live, and receive what they may read from then on.
    await addMember(svc, owner, readable, outsider);
    for (const stream of streams) {
      const [first] = await stream.next(1);
      expect(first!.groupEvents.groupId).toBe(readable);
    }
    expect(replayStatements).toBe(5);
  });

  it("still replays a group's events where the subscriber reads them, and their own membership events elsewhere", async () => {
    replayStatements = 0;
    const caller = new WsCaller(svc.url, outsider.token);
    callers.push(caller);
    const all = caller.subscribe<{ groupEvents: { id: string; type: string; groupId: string } }, unknown>(LIVE, {
      after: "0",
    });
    // The readable group's whole history (created, its owner added, the outsider added), nothing else.
    const received = await all.next(3);
    expect(received.map((e) => [e.groupEvents.type, e.groupEvents.groupId])).toEqual([
      ["GROUP_CREATED", readable],
      ["MEMBER_ADDED", readable],
      ["MEMBER_ADDED", readable],
    ]);
    await all.nothingWithin(200);
    expect(replayStatements).toBe(1);
  });

  it("membershipChanges of oneself replays one's own MEMBER_* events from a group one cannot read", async () => {
    await addMember(svc, owner, hidden, outsider, { role: "viewer" }); // viewer: no events.view
    const caller = new WsCaller(svc.url, outsider.token);
    callers.push(caller);
    const mine = caller.subscribe<{ membershipChanges: { type: string; groupId: string; userId: string } }, unknown>(
      MEMBERSHIPS,
      { userId: outsider.id, after: "0" },
    );
    const received = await mine.next(2);
    expect(received.map((e) => [e.membershipChanges.type, e.membershipChanges.groupId])).toEqual([
      ["MEMBER_ADDED", readable],
      ["MEMBER_ADDED", hidden],
    ]);
  });
});
