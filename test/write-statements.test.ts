import pg from "pg";
import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";

/**
 * Writes cost a fixed, small number of statements (issue 17 step 5): one read gathers the facts, the
 * rules decide, one statement writes the row change and its events. Counted as the benchmark counts
 * them (bench/lib/probe.ts): every statement the process sends through pg, BEGIN and COMMIT included,
 * and the event feed's reads of the new events, which follow the response. The service runs in this
 * process, so patching pg's Client here counts the service's statements.
 */

const CreateUnder = `mutation ($name: String!, $parent: ID!) {
  createGroup(input: { name: $name, groupType: "bench", parentIds: [$parent] }) { name groupType } }`;
const AddThenRemove = `mutation ($g: ID!, $u: ID!) {
  add: addMember(input: { groupId: $g, userId: $u, role: "member" }) { role }
  remove: removeMember(groupId: $g, userId: $u) }`;
const Add = `mutation ($g: ID!, $u: ID!) { addMember(input: { groupId: $g, userId: $u, role: "member" }) { role } }`;
const Remove = `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`;

let sent = 0;
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = proto.query;

describe("statements per write (as the benchmark counts them)", () => {
  let svc: TestService;
  let admin: TestUser;
  let owner: TestUser;

  beforeAll(async () => {
    // Only the reads a commit's notification causes are counted: no feed polling, no heartbeat of
    // the erasure watch (a background statement each second), no timer tick (one landing during a
    // 300-member write counted 4 more).
    svc = await TestService.start({
      eventsPollIntervalMs: 600_000,
      replicaHeartbeatMs: 600_000,
      timerIntervalMs: 600_000,
    });
    proto.query = function counted(this: unknown, ...args: unknown[]) {
      sent++;
      return original.apply(this, args);
    };
    admin = await svc.user({ admin: true });
    owner = await svc.user();
    await provision(svc, admin, owner);
  });
  afterAll(async () => {
    proto.query = original;
    await svc.stop();
  });

  /** Waits until the process has sent nothing for a while (the feed has read the new events). */
  async function quiet(): Promise<void> {
    for (let last = -1; last !== sent;) {
      last = sent;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Statements of one request, the feed's reads after it included, and what the response reported. */
  async function measure(
    document: string,
    variables: Record<string, unknown>,
    as: TestUser,
  ): Promise<{ total: number; reported: number; data: unknown }> {
    await quiet();
    const before = sent;
    const res = await svc.gql(document, variables, as);
    if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
    await quiet();
    return { total: sent - before, reported: res.extensions!.sqlStatements!, data: res.data };
  }

  it("createGroup under a parent, as a global admin (bench M2): the parent, one write, the feed's read", async () => {
    const parent = await createGroup(svc, admin);
    // Twice: the first use of a statement on a connection costs no more than the next.
    for (const name of ["M2 one", "M2 two"]) {
      const { total, reported, data } = await measure(CreateUnder, { name, parent }, admin);
      expect(data).toEqual({ createGroup: { name, groupType: "bench" } });
      expect(reported).toBe(2);
      expect(total).toBe(3);
    }
  });

  it("createGroup under a parent with the per-user quota: the facts, then BEGIN, lock, write, COMMIT in one round trip", async () => {
    const parent = await createGroup(svc, owner);
    const { total, reported } = await measure(CreateUnder, { name: "Quota", parent }, owner);
    // The parent and the caller's roles there, BEGIN, the creator's lock, the write, COMMIT; the feed.
    expect(reported).toBe(6);
    expect(total).toBe(7);
  });

  it("addMember + removeMember in one request, as a global admin (bench M1): at most 6", async () => {
    const g = await createGroup(svc, admin);
    for (let i = 0; i < 2; i++) {
      const someone = await svc.user();
      await provision(svc, someone);
      const { total, reported, data } = await measure(AddThenRemove, { g, u: someone.id }, admin);
      expect(data).toEqual({ add: { role: "member" }, remove: true });
      // Each mutation: its facts in one statement, its write in one; the feed reads each commit.
      expect(reported).toBe(4);
      expect(total).toBeLessThanOrEqual(6);
    }
  });

  it("addMember and removeMember by a group's owner: the facts and the caller's roles, one guarded write", async () => {
    const g = await createGroup(svc, owner);
    const someone = await svc.user();
    await provision(svc, someone);
    const added = await measure(Add, { g, u: someone.id }, owner);
    expect(added.reported).toBe(3);
    expect(added.total).toBe(4);
    const removed = await measure(Remove, { g, u: someone.id }, owner);
    expect(removed.reported).toBe(3);
    expect(removed.total).toBe(4);
    // Taking away an owner locks the other lasting owners in the same statement: no more statements.
    const other = await svc.user();
    await addMember(svc, owner, g, other, { role: "owner" });
    const taken = await measure(Remove, { g, u: other.id }, owner);
    expect(taken.reported).toBe(3);
  });

  it("addMembers and removeMembers by a group's owner: the same statements for 3 members as for 300", async () => {
    const AddMany = `mutation ($g: ID!, $m: [BulkMemberInput!]!) { addMembers(groupId: $g, members: $m) { role } }`;
    const RemoveMany = `mutation ($g: ID!, $u: [ID!]!) { removeMembers(groupId: $g, userIds: $u) }`;
    const counts: number[][] = [];
    for (const n of [3, 300]) {
      const g = await createGroup(svc, owner);
      const people = await Promise.all(Array.from({ length: n / 3 }, () => svc.user()));
      for (const p of people) await provision(svc, p);
      // A third by id, two thirds by address (new provisional users among them).
      const members = [
        ...people.map((p) => ({ userId: p.id })),
        ...Array.from({ length: (2 * n) / 3 }, (_, i) => ({ email: `bulk-${n}-${i}.${g}@example.org` })),
      ];
      const added = await measure(AddMany, { g, m: members }, owner);
      expect((added.data as { addMembers: unknown[] }).addMembers).toHaveLength(n);
      const ids = (await svc.db.query(`SELECT user_id FROM memberships WHERE group_id = $1 AND role = 'member'`, [
        g,
      ])) as { user_id: string }[];
      expect(ids).toHaveLength(n);
      const removed = await measure(RemoveMany, { g, u: ids.map((r) => r.user_id) }, owner);
      expect(removed.data).toEqual({ removeMembers: n });
      counts.push([added.reported, added.total, removed.reported, removed.total]);
    }
    // The facts, the caller's roles, one guarded write; the feed reads the commit.
    expect(counts[0]).toEqual([3, 4, 3, 4]);
    expect(counts[1]).toEqual(counts[0]);
  });

  it("access requests: asking, approving and joining each cost a fixed handful, whatever the group holds", async () => {
    const createWithPolicy = async (joinPolicy: string) =>
      (
        await svc.ok<{ createGroup: { id: string } }, unknown>(
          `mutation ($p: JoinPolicy) { createGroup(input: { name: "Policy", visibility: PUBLIC, joinPolicy: $p }) { id } }`,
          { p: joinPolicy },
          owner,
        )
      ).createGroup.id;
    const asking = await createWithPolicy("REQUEST");
    const open = await createWithPolicy("OPEN");
    const counts: Record<string, number[]> = { ask: [], approve: [], join: [] };
    for (let i = 0; i < 2; i++) {
      const someone = await svc.user();
      await provision(svc, someone);
      const ask = await measure(
        `mutation ($g: ID!) { requestToJoin(groupId: $g, message: "hi") { id status } }`,
        { g: asking },
        someone,
      );
      const id = (ask.data as { requestToJoin: { id: string } }).requestToJoin.id;
      // Asking: the group (PUBLIC: no standing needed to see it), BEGIN, the group's lock with the facts, the insert
      // and its event, COMMIT. Approving: the request, the group, the approver's standing, BEGIN, the
      // lock, the approver's roles read again under it, the decision and its event, the membership
      // and its event, COMMIT. Joining: as asking.
      counts.ask!.push(ask.reported);
      const approve = await measure(`mutation ($id: ID!) { approveAccessRequest(id: $id) { role } }`, { id }, owner);
      counts.approve!.push(approve.reported);
      const join = await measure(`mutation ($g: ID!) { joinGroup(groupId: $g) { role } }`, { g: open }, someone);
      counts.join!.push(join.reported);
    }
    expect(counts).toEqual({ ask: [5, 5], approve: [9, 9], join: [5, 5] });
  });
});
