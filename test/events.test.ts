import crypto from "node:crypto";
import { mintToken } from "../src/auth";
import { addMember, createGroup, provision } from "./utils/builders";
import { codes, TestService, type TestUser } from "./utils/service";
import { type SubscriptionStream, WsCaller } from "./utils/subscriptions";

/**
 * Domain events: live delivery over graphql-ws (groupEvents, membershipChanges), resuming with
 * `after`, authorization per event, and the audit log (Query.events, Group.events).
 *
 * Sync points: a subscription is registered by the hub asynchronously after the client sends it,
 * and graphql-ws acknowledges nothing. Tests therefore either subscribe with `after: <the newest
 * event id>` (replay closes any gap, so nothing made afterwards can be missed), or, for live-only
 * subscriptions, make probe events until one arrives (goLive). "X does not arrive" is asserted by
 * making a matching event last: delivery is in id order, so anything that should not have arrived
 * would show up before it.
 */

interface Ev {
  id: string;
  type: string;
  groupId: string;
  userId: string | null;
  actorId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
  group?: { id: string; name: string } | null;
}
type EventStream = SubscriptionStream<Record<string, Ev>>;

interface EventPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: {
    id: string;
    type: string;
    groupId: string;
    userId: string | null;
    occurredAt?: string;
    group?: { id: string } | null;
  }[];
}

const ALL_TYPES = [
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
];

const EVENT_FIELDS = `id type groupId userId actorId occurredAt payload`;

const GROUP_EVENTS = `
  subscription GroupEvents($groupId: ID, $includeDescendants: Boolean, $types: [EventType!], $after: ID) {
    groupEvents(groupId: $groupId, includeDescendants: $includeDescendants, types: $types, after: $after) {
      ${EVENT_FIELDS}
    }
  }`;

const GROUP_EVENTS_WITH_GROUP = `
  subscription GroupEventsWithGroup($groupId: ID, $after: ID) {
    groupEvents(groupId: $groupId, after: $after) {
      ${EVENT_FIELDS}
      group { id name }
    }
  }`;

const MEMBERSHIP_CHANGES = `
  subscription MembershipChanges($userId: ID, $after: ID) {
    membershipChanges(userId: $userId, after: $after) {
      ${EVENT_FIELDS}
    }
  }`;

const EVENTS = `
  query Events($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id type groupId userId occurredAt group { id } }
    }
  }`;

const GROUP_EVENT_LOG = `
  query GroupEventLog($id: ID!, $types: [EventType!], $first: Int, $after: String) {
    group(id: $id) {
      id
      events(types: $types, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id type groupId userId }
      }
    }
  }`;

const GROUP = `query Group($id: ID!) { group(id: $id) { id visibility } }`;

const UPDATE_GROUP = `mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`;
const DELETE_GROUP = `mutation DeleteGroup($id: ID!) { deleteGroup(id: $id) }`;
const UPDATE_MEMBER_ROLE = `mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {
  updateMemberRole(groupId: $groupId, userId: $userId, role: $role) { id }
}`;
const SET_MEMBER_STATUS = `mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {
  setMemberStatus(groupId: $groupId, userId: $userId, status: $status) { id }
}`;
const RESPOND_TO_INVITATION = `mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {
  respondToInvitation(groupId: $groupId, accept: $accept) { id }
}`;
const REMOVE_MEMBER = `mutation RemoveMember($groupId: ID!, $userId: ID!) { removeMember(groupId: $groupId, userId: $userId) }`;
const ADD_LEADER = `mutation AddLeader($input: AddLeaderInput!) { addLeader(input: $input) { id } }`;
const REMOVE_LEADER = `mutation RemoveLeader($input: RemoveLeaderInput!) { removeLeader(input: $input) { id } }`;
const CREATE_INITIATIVE = `mutation CreateInitiative($input: CreateInitiativeInput!) { createInitiative(input: $input) { id name } }`;
const LINK_INITIATIVE = `mutation LinkInitiative($groupId: ID!, $initiativeId: ID!) {
  linkInitiative(groupId: $groupId, initiativeId: $initiativeId) { id }
}`;
const UNLINK_INITIATIVE = `mutation UnlinkInitiative($groupId: ID!, $initiativeId: ID!) {
  unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) { id }
}`;

const today = () => new Date().toISOString().slice(0, 10);

/** The event of one subscription result (its only root field). */
function eventOf(data: Record<string, Ev>): Ev {
  const [event] = Object.values(data);
  if (!event) throw new Error(`expected an event, got ${JSON.stringify(data)}`);
  return event;
}

/** The next `n` events of a stream (fails on an error, a completion, or after the helper's timeout). */
async function receive(stream: EventStream, n: number): Promise<Ev[]> {
  return (await stream.next(n)).map(eventOf);
}

const idsOf = (events: { id: string }[]) => events.map((e) => e.id);

/** The errors a refused subscription answers with; it then completes. */
async function refusal(stream: EventStream) {
  const items = await stream.take(2);
  expect(items.map((i) => i.kind)).toEqual(["next", "complete"]);
  const first = items[0]!;
  if (first.kind !== "next") throw new Error("unreachable");
  expect(first.value.data ?? null).toBeNull();
  return first.value.errors ?? [];
}

describe("domain events", () => {
  let svc: TestService;
  let owner: TestUser;
  let globalAdmin: TestUser;
  const callers: WsCaller[] = [];
  let touches = 0;

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user({ name: "Olive Owner" });
    globalAdmin = await svc.user({ name: "Gina Global", admin: true });
    await provision(svc, owner, globalAdmin);
  });
  afterEach(async () => {
    await Promise.all(callers.splice(0).map((c) => c.close()));
  });
  afterAll(() => svc.stop());

  /** A graphql-ws connection for `user` (or a raw token; null = none), closed after the test. */
  function connect(user: TestUser | string | null): WsCaller {
    const caller = new WsCaller(svc.url, typeof user === "string" || user === null ? user : user.token);
    callers.push(caller);
    return caller;
  }

  function subscribe(caller: WsCaller, document: string, variables: Record<string, unknown> = {}): EventStream {
    return caller.subscribe<Record<string, Ev>, Record<string, unknown>>(document, variables);
  }

  function mutate(document: string, variables: Record<string, unknown>, as: TestUser) {
    return svc.ok<Record<string, unknown>, Record<string, unknown>>(document, variables, as);
  }

  async function lastEventId(): Promise<string> {
    const [row] = (await svc.db.query(`SELECT coalesce(max(id), 0)::text AS id FROM domain_events`)) as {
      id: string;
    }[];
    return row!.id;
  }

  /** Runs `change` and answers the ids of the events it wrote, oldest first (one change at a time). */
  async function written(change: () => Promise<unknown>): Promise<string[]> {
    const before = await lastEventId();
    await change();
    const rows = (await svc.db.query(
      `SELECT id::text AS id FROM domain_events WHERE id > $1 ORDER BY domain_events.id`,
      [before],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Every stored event id of a group, oldest first. */
  async function storedIdsOf(groupId: string): Promise<string[]> {
    const rows = (await svc.db.query(
      `SELECT id::text AS id FROM domain_events WHERE group_id = $1 ORDER BY domain_events.id`,
      [groupId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** One GROUP_UPDATED event in `groupId`, made by `as`. */
  /**
   * An outsider, and a viewer-role member of a PRIVATE group (groups.view but not events.view), with
   * that group and a PUBLIC one: the callers who may see a group but not read its events.
   */
  async function withoutEventsView() {
    const outsider = await svc.user();
    const viewer = await svc.user();
    await provision(svc, outsider);
    const privateGroup = await createGroup(svc, owner);
    const publicGroup = await createGroup(svc, owner, { visibility: "PUBLIC" });
    await addMember(svc, owner, privateGroup, viewer, { role: "viewer" });
    return { outsider, viewer, privateGroup, publicGroup };
  }

  function touch(groupId: string, as: TestUser = owner) {
    return written(() => mutate(UPDATE_GROUP, { id: groupId, input: { description: `touch ${++touches}` } }, as));
  }

  /**
   * Sync point for a live-only subscription (no `after`): makes probe events until one arrives, then
   * takes every probe up to the newest, so the stream is registered and drained afterwards.
   */
  async function goLive(stream: EventStream, probe: () => Promise<string[]>): Promise<void> {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const newest = (await probe()).at(-1)!;
      let first;
      try {
        [first] = await stream.take(1, 500);
      } catch {
        continue; // the probe may have committed before the subscription was registered
      }
      if (first?.kind !== "next" || !first.value.data)
        throw new Error(`expected an event, got ${JSON.stringify(first)}`);
      let last = eventOf(first.value.data);
      while (BigInt(last.id) < BigInt(newest)) [last] = await receive(stream, 1);
      expect(last!.id).toBe(newest);
      return;
    }
    throw new Error("the subscription never received a probe event");
  }

  async function eventLog(filter: Record<string, unknown> | null, as: TestUser, first?: number, after?: string) {
    return (await svc.ok<{ events: EventPage }, Record<string, unknown>>(EVENTS, { filter, first, after }, as)).events;
  }

  /** Pages through a connection with `after` = endCursor; checks each page's pageInfo and totalCount. */
  async function pageThrough(fetch: (after: string | undefined) => Promise<EventPage>, pageSize: number) {
    const seen: EventPage["nodes"] = [];
    let after: string | undefined;
    let total: number | undefined;
    for (let page = 0; page < 100; page++) {
      const p = await fetch(after);
      total ??= p.totalCount;
      expect(p.totalCount).toBe(total); // the total does not depend on `after`
      expect(p.nodes.length).toBeLessThanOrEqual(pageSize);
      expect(p.pageInfo.endCursor).toBe(p.nodes.at(-1)?.id ?? null);
      seen.push(...p.nodes);
      if (!p.pageInfo.hasNextPage) {
        expect(seen).toHaveLength(total);
        return seen;
      }
      expect(p.nodes).toHaveLength(pageSize);
      after = p.pageInfo.endCursor!;
    }
    throw new Error("paging did not end");
  }

  describe("live delivery", () => {
    it("delivers each of the 13 event types over groupEvents with its payload, actor, user, group and time", async () => {
      const alice = await svc.user({ name: "Alice Actor" });
      const bob = await svc.user({ name: "Bob" });
      const lea = await svc.user({ name: "Lea Leader" });
      await provision(svc, alice, bob, lea);
      const probeGroup = await createGroup(svc, alice, { name: "Alice's probe group" });
      const parent = await createGroup(svc, alice, { name: "Event Parent" });

      // Subscribed before any of the changes below, live only (no `after`).
      const stream = subscribe(connect(alice), GROUP_EVENTS);
      await goLive(stream, () => touch(probeGroup, alice));
      const startedAt = Date.now();

      const expected: {
        id: string;
        type: string;
        userId: string | null;
        payload: Record<string, unknown>;
        groupId?: string;
      }[] = [];
      /** Runs one change and notes the events it must deliver, as [type, userId, payload keys, group (default g)]. */
      const expectFrom = async (
        change: () => Promise<unknown>,
        ...events: [string, string | null, object, string?][]
      ) => {
        const ids = await written(change);
        expect(ids).toHaveLength(events.length);
        events.forEach(([type, userId, payload, groupId], i) =>
          expected.push({ id: ids[i]!, type, userId, payload: payload as Record<string, unknown>, groupId }),
        );
      };

      let g = "";
      await expectFrom(
        async () => (g = await createGroup(svc, alice, { name: "Event Group", groupType: "team" })),
        ["GROUP_CREATED", null, { name: "Event Group", groupType: "team", createdBy: alice.id }],
        ["MEMBER_ADDED", alice.id, { role: "owner", invitedBy: alice.id }],
      );
      await expectFrom(
        () => mutate(UPDATE_GROUP, { id: g, input: { description: "changed", campus: "North" } }, alice),
        ["GROUP_UPDATED", null, { fieldsChanged: expect.arrayContaining(["description", "campus"]) }],
      );
      await expectFrom(
        () => mutate(UPDATE_GROUP, { id: g, input: { parentIds: [parent] } }, alice),
        [
          "GROUP_UPDATED",
          null,
          { fieldsChanged: ["parentIds"], before: { parentIds: [] }, after: { parentIds: [parent] } },
        ],
        ["CHILD_ADDED", null, { childId: g }, parent],
      );
      await expectFrom(
        () => mutate(UPDATE_GROUP, { id: g, input: { parentIds: [] } }, alice),
        [
          "GROUP_UPDATED",
          null,
          { fieldsChanged: ["parentIds"], before: { parentIds: [parent] }, after: { parentIds: [] } },
        ],
        ["CHILD_REMOVED", null, { childId: g }, parent],
      );
      await expectFrom(
        () => addMember(svc, alice, g, bob),
        ["MEMBER_ADDED", bob.id, { role: "member", invitedBy: alice.id }],
      );
      await expectFrom(
        () => mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: bob.id, role: "admin" }, alice),
        ["MEMBER_ROLE_CHANGED", bob.id, { oldRole: "member", newRole: "admin" }],
      );
      await expectFrom(
        () => mutate(SET_MEMBER_STATUS, { groupId: g, userId: bob.id, status: "INACTIVE" }, alice),
        ["MEMBER_STATUS_CHANGED", bob.id, { oldStatus: "ACTIVE", newStatus: "INACTIVE" }],
      );
      const leaderAdded: Record<string, unknown> = { startDate: today() };
      await expectFrom(async () => {
        const res = await mutate(ADD_LEADER, { input: { groupId: g, userId: lea.id } }, alice);
        leaderAdded.leadershipId = (res.addLeader as { id: string }).id;
      }, ["LEADER_ADDED", lea.id, leaderAdded]);
      await expectFrom(
        () => mutate(REMOVE_LEADER, { input: { groupId: g, userId: lea.id } }, alice),
        ["LEADER_REMOVED", lea.id, { leadershipId: leaderAdded.leadershipId, startDate: today(), endDate: today() }],
      );
      const initiative = (
        await svc.ok<{ createInitiative: { id: string } }, unknown>(
          CREATE_INITIATIVE,
          { input: { name: "Open Science" } },
          alice,
        )
      ).createInitiative;
      const linked = { initiativeId: initiative.id, name: "Open Science" };
      await expectFrom(
        () => mutate(LINK_INITIATIVE, { groupId: g, initiativeId: initiative.id }, alice),
        ["INITIATIVE_LINKED", null, linked],
      );
      await expectFrom(
        () => mutate(UNLINK_INITIATIVE, { groupId: g, initiativeId: initiative.id }, alice),
        ["INITIATIVE_UNLINKED", null, linked],
      );
      await expectFrom(
        () => mutate(REMOVE_MEMBER, { groupId: g, userId: bob.id }, alice),
        ["MEMBER_REMOVED", bob.id, { role: "admin" }],
      );
      await expectFrom(
        () => mutate(DELETE_GROUP, { id: g }, alice),
        ["GROUP_DELETED", null, { name: "Event Group", groupType: "team" }],
      );

      const events = await receive(stream, expected.length);
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(ALL_TYPES));
      expect(events).toEqual(
        expected.map(({ id, type, userId, payload, groupId }) => ({
          id,
          type,
          groupId: groupId ?? g,
          userId,
          actorId: alice.id,
          occurredAt: expect.any(String),
          payload: expect.objectContaining(payload),
        })),
      );
      expect((events[2]!.payload.fieldsChanged as string[]).sort()).toEqual(["campus", "description"]);
      const times = events.map((e) => Date.parse(e.occurredAt));
      for (const [i, t] of times.entries()) {
        expect(t).toBeGreaterThanOrEqual(startedAt - 1000);
        expect(t).toBeLessThanOrEqual(Date.now() + 1000);
        if (i > 0) expect(t).toBeGreaterThanOrEqual(times[i - 1]!);
      }
      // Nothing else (no duplicate, no stray event) follows.
      await stream.nothingWithin(200);
    });
  });

  describe("filters", () => {
    it("groupId: only that group's events arrive", async () => {
      const g = await createGroup(svc, owner);
      const other = await createGroup(svc, owner);
      const stream = subscribe(connect(owner), GROUP_EVENTS, { groupId: g, after: await lastEventId() });
      await touch(other);
      const mine = await touch(g);
      await touch(other);
      mine.push(...(await touch(g)));
      expect(idsOf(await receive(stream, 2))).toEqual(mine);
    });

    it("includeDescendants: a child's and a grandchild's events arrive, the parent's and a sibling's don't", async () => {
      const root = await createGroup(svc, owner, { name: "Root" });
      const p = await createGroup(svc, owner, { name: "P", parentIds: [root] });
      const child = await createGroup(svc, owner, { name: "P child", parentIds: [p] });
      const grandchild = await createGroup(svc, owner, { name: "P grandchild", parentIds: [child] });
      const sibling = await createGroup(svc, owner, { name: "P sibling", parentIds: [root] });
      const start = await lastEventId();
      const caller = connect(owner);
      const withDescendants = subscribe(caller, GROUP_EVENTS, { groupId: p, includeDescendants: true, after: start });
      const onlyP = subscribe(caller, GROUP_EVENTS, { groupId: p, after: start });

      await touch(sibling);
      await touch(root);
      const expected = await touch(child);
      expected.push(...(await touch(grandchild)));
      await touch(sibling);
      const pIds = await touch(p);
      expected.push(...pIds);
      // A group created under the grandchild is a descendant from its first event on.
      const created = await written(() =>
        createGroup(svc, owner, { name: "P great-grandchild", parentIds: [grandchild] }),
      );
      expected.push(...created);

      expect(idsOf(await receive(withDescendants, expected.length))).toEqual(expected);
      expect(idsOf(await receive(onlyP, 1))).toEqual(pIds);

      // Replayed (after: the same start, now in the past) the stream has the same scope.
      const replayed = subscribe(caller, GROUP_EVENTS, { groupId: p, includeDescendants: true, after: start });
      expect(idsOf(await receive(replayed, expected.length))).toEqual(expected);
      await replayed.nothingWithin(200);
      await onlyP.nothingWithin(0);
    });

    it("types: only the listed types arrive", async () => {
      const g = await createGroup(svc, owner);
      const bob = await svc.user();
      const carol = await svc.user();
      const stream = subscribe(connect(owner), GROUP_EVENTS, {
        groupId: g,
        types: ["MEMBER_ADDED", "MEMBER_ROLE_CHANGED"],
        after: await lastEventId(),
      });
      await touch(g);
      const expected = await written(() => addMember(svc, owner, g, bob));
      expected.push(
        ...(await written(() => mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: bob.id, role: "admin" }, owner))),
      );
      await touch(g);
      await written(() => mutate(SET_MEMBER_STATUS, { groupId: g, userId: bob.id, status: "INACTIVE" }, owner));
      await written(() => mutate(REMOVE_MEMBER, { groupId: g, userId: bob.id }, owner));
      expected.push(...(await written(() => addMember(svc, owner, g, carol))));
      const events = await receive(stream, 3);
      expect(idsOf(events)).toEqual(expected);
      expect(events.map((e) => e.type)).toEqual(["MEMBER_ADDED", "MEMBER_ROLE_CHANGED", "MEMBER_ADDED"]);
    });

    it("groupId null: every group the caller can read events of (directly or by cascade), none of the others", async () => {
      const una = await svc.user({ name: "Una" });
      await provision(svc, una);
      const asMember = await createGroup(svc, owner, { name: "Una is member" });
      const cascaded = await createGroup(svc, owner, { name: "Below Una's group", parentIds: [asMember] });
      const asViewer = await createGroup(svc, owner, { name: "Una is viewer" });
      const publicGroup = await createGroup(svc, owner, { name: "Public, Una not in it", visibility: "PUBLIC" });
      const privateGroup = await createGroup(svc, owner, { name: "Private, Una not in it" });
      await addMember(svc, owner, asMember, una);
      await addMember(svc, owner, asViewer, una, { role: "viewer" });
      const own = await createGroup(svc, una, { name: "Una's own" });
      const start = await lastEventId();
      const stream = subscribe(connect(una), GROUP_EVENTS, { after: start });

      await touch(asViewer);
      await touch(publicGroup);
      await touch(privateGroup);
      const expected = await touch(asMember);
      expected.push(...(await touch(cascaded)));
      await touch(privateGroup);
      expected.push(...(await touch(own, una)));
      const events = await receive(stream, expected.length);
      expect(idsOf(events)).toEqual(expected);
      expect(events.map((e) => e.groupId)).toEqual([asMember, cascaded, own]);

      const replayed = subscribe(connect(una), GROUP_EVENTS, { after: start });
      expect(idsOf(await receive(replayed, expected.length))).toEqual(expected);
      await replayed.nothingWithin(200);
    });
  });

  describe("resume with after", () => {
    it("replays exactly the missed events in id order, then goes live, with no duplicate at the seam", async () => {
      const g = await createGroup(svc, owner);
      const bob = await svc.user();
      const first = connect(owner);
      const before = subscribe(first, GROUP_EVENTS, { groupId: g, after: await lastEventId() });
      const received = [...(await touch(g)), ...(await touch(g)), ...(await touch(g))];
      expect(idsOf(await receive(before, 3))).toEqual(received);
      await first.close();

      // While disconnected.
      const missed = [
        ...(await touch(g)),
        ...(await written(() => addMember(svc, owner, g, bob))),
        ...(await touch(g)),
      ];
      const second = connect(owner);
      const resumed = subscribe(second, GROUP_EVENTS, { groupId: g, after: received.at(-1) });
      const membersOnly = subscribe(second, GROUP_EVENTS, {
        groupId: g,
        types: ["MEMBER_ADDED"],
        after: received.at(-1),
      });
      // Made while the subscription registers: replayed or live, it must arrive exactly once.
      const seam = await touch(g);
      expect(idsOf(await receive(resumed, missed.length + 1))).toEqual([...missed, ...seam]);
      const live = await touch(g);
      expect(idsOf(await receive(resumed, 1))).toEqual(live);
      await resumed.nothingWithin(300);

      // The replay applies the subscription's filters too: only Bob's MEMBER_ADDED.
      expect(idsOf(await receive(membersOnly, 1))).toEqual([missed[1]]);
      await membersOnly.nothingWithin(0);
    });

    it("refuses a malformed after with BAD_USER_INPUT", async () => {
      const errors = await refusal(subscribe(connect(owner), GROUP_EVENTS, { after: "not-an-id" }));
      expect(errors.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    });
  });

  describe("authorization", () => {
    it("an outsider with groupId null receives nothing from PRIVATE or PUBLIC groups without events.view", async () => {
      const outsider = await svc.user({ name: "Otto Outsider" });
      const newcomer = await svc.user();
      await provision(svc, outsider);
      const privateGroup = await createGroup(svc, owner, { visibility: "PRIVATE" });
      const publicGroup = await createGroup(svc, owner, { visibility: "PUBLIC" });
      const own = await createGroup(svc, outsider);
      // The premise: the PUBLIC group is visible to the outsider, the PRIVATE one is not.
      expect((await svc.ok<{ group: unknown }, unknown>(GROUP, { id: publicGroup }, outsider)).group).toEqual({
        id: publicGroup,
        visibility: "PUBLIC",
      });
      expect((await svc.ok<{ group: unknown }, unknown>(GROUP, { id: privateGroup }, outsider)).group).toBeNull();

      const stream = subscribe(connect(outsider), GROUP_EVENTS, { after: await lastEventId() });
      await touch(privateGroup);
      await touch(publicGroup);
      await written(() => addMember(svc, owner, publicGroup, newcomer));
      const expected = await touch(own, outsider);
      expect(idsOf(await receive(stream, 1))).toEqual(expected);
    });

    it("subscribing to a PRIVATE group one cannot see is NOT_FOUND; a visible one without events.view FORBIDDEN", async () => {
      const { outsider, viewer, privateGroup, publicGroup } = await withoutEventsView();
      const caller = connect(outsider);

      const hidden = await refusal(subscribe(caller, GROUP_EVENTS, { groupId: privateGroup }));
      expect(hidden.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
      const unknown = await refusal(subscribe(caller, GROUP_EVENTS, { groupId: crypto.randomUUID() }));
      expect(unknown.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);

      for (const [who, groupId] of [
        [caller, publicGroup],
        [connect(viewer), privateGroup],
      ] as const) {
        const errors = await refusal(subscribe(who, GROUP_EVENTS, { groupId }));
        expect(errors.map((e) => [e.extensions?.code, e.extensions?.permission])).toEqual([
          ["FORBIDDEN", "events.view"],
        ]);
        expect(errors[0]!.message).toContain("events.view");
      }
    });

    it("a member removed from a group stops receiving its events while the subscription stays open", async () => {
      const mia = await svc.user({ name: "Mia" });
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, mia);
      const own = await createGroup(svc, mia);
      const start = await lastEventId();
      const caller = connect(mia);
      const all = subscribe(caller, GROUP_EVENTS, { after: start });
      const ofG = subscribe(caller, GROUP_EVENTS, { groupId: g, after: start });

      const whileMember = await touch(g);
      expect(idsOf(await receive(all, 1))).toEqual(whileMember);
      expect(idsOf(await receive(ofG, 1))).toEqual(whileMember);

      await written(() => mutate(REMOVE_MEMBER, { groupId: g, userId: mia.id }, owner));
      await touch(g);
      const marker = await touch(own, mia);
      expect(idsOf(await receive(all, 1))).toEqual(marker);
      await ofG.nothingWithin(200);

      // Both subscriptions stayed open: added again, Mia receives the group's events again.
      const readded = await written(() => addMember(svc, owner, g, mia));
      readded.push(...(await touch(g)));
      expect(idsOf(await receive(all, 2))).toEqual(readded);
      expect(idsOf(await receive(ofG, 2))).toEqual(readded);
      expect(caller.closes).toEqual([]);
    });

    it("a global admin receives every group's events, without any membership", async () => {
      const una = await svc.user();
      await provision(svc, una);
      const privateGroup = await createGroup(svc, owner);
      const unasGroup = await createGroup(svc, una);
      const caller = connect(globalAdmin);
      const start = await lastEventId();
      const all = subscribe(caller, GROUP_EVENTS, { after: start });
      const one = subscribe(caller, GROUP_EVENTS, { groupId: privateGroup, after: start });

      const expected = [
        ...(await touch(privateGroup)),
        ...(await touch(unasGroup, una)),
        ...(await written(() => addMember(svc, owner, privateGroup, una))),
        ...(await written(() => mutate(DELETE_GROUP, { id: unasGroup }, una))),
        ...(await written(() => mutate(DELETE_GROUP, { id: privateGroup }, owner))),
      ];
      const events = await receive(all, expected.length);
      expect(idsOf(events)).toEqual(expected);
      expect(events.map((e) => e.type)).toEqual([
        "GROUP_UPDATED",
        "GROUP_UPDATED",
        "MEMBER_ADDED",
        "GROUP_DELETED",
        "GROUP_DELETED",
      ]);
      const ofOne = expected.filter((_, i) => events[i]!.groupId === privateGroup);
      expect(idsOf(await receive(one, ofOne.length))).toEqual(ofOne);
    });

    it("refuses a connection without a token or with an invalid one (close 4401/4403)", async () => {
      const wrongSecret = await mintToken("another-secret-that-is-long-enough-for-hs256", { sub: crypto.randomUUID() });
      for (const token of [null, "not-a-jwt", wrongSecret]) {
        const caller = connect(token);
        const items = await subscribe(caller, GROUP_EVENTS).take(1);
        expect(items.map((i) => i.kind)).toEqual(["error"]);
        expect(caller.closes).toHaveLength(1);
        expect([4401, 4403]).toContain(caller.closes[0]!.code);
      }
    });
  });

  describe("membershipChanges", () => {
    it("delivers the caller's own MEMBER_* events, also from a PRIVATE group they cannot see, and their removal", async () => {
      const una = await svc.user({ name: "Una" });
      const vic = await svc.user();
      await provision(svc, una);
      const g = await createGroup(svc, owner);
      const declined = await createGroup(svc, owner);
      const stream = subscribe(connect(una), MEMBERSHIP_CHANGES, { after: await lastEventId() });

      const expected = await written(() => addMember(svc, owner, g, una, { status: "PENDING" }));
      // Invited only: the PRIVATE group is not visible to Una yet.
      expect((await svc.ok<{ group: unknown }, unknown>(GROUP, { id: g }, una)).group).toBeNull();
      await written(() => addMember(svc, owner, g, vic));
      await touch(g);
      expected.push(...(await written(() => mutate(RESPOND_TO_INVITATION, { groupId: g, accept: true }, una))));
      await written(() => mutate(ADD_LEADER, { input: { groupId: g, userId: una.id } }, owner));
      expected.push(
        ...(await written(() => mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: una.id, role: "viewer" }, owner))),
      );
      await written(() => mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: vic.id, role: "admin" }, owner));
      expected.push(...(await written(() => mutate(REMOVE_MEMBER, { groupId: g, userId: una.id }, owner))));
      expected.push(...(await written(() => addMember(svc, owner, declined, una, { status: "PENDING" }))));
      expected.push(...(await written(() => mutate(RESPOND_TO_INVITATION, { groupId: declined, accept: false }, una))));

      const events = await receive(stream, expected.length);
      expect(idsOf(events)).toEqual(expected);
      expect(events.map((e) => [e.type, e.userId, e.payload.reason ?? null])).toEqual([
        ["MEMBER_ADDED", una.id, null],
        ["MEMBER_STATUS_CHANGED", una.id, null],
        ["MEMBER_ROLE_CHANGED", una.id, null],
        ["MEMBER_REMOVED", una.id, "removed"],
        ["MEMBER_ADDED", una.id, null],
        ["MEMBER_REMOVED", una.id, "declined"],
      ]);
      await stream.nothingWithin(200);
    });

    it("delivers another user's changes only from groups where the caller holds events.view", async () => {
      const carl = await svc.user({ name: "Carl Caller" });
      const vic = await svc.user({ name: "Vic" });
      await provision(svc, carl, vic);
      const shared = await createGroup(svc, owner, { name: "Carl is member" });
      const viewerOnly = await createGroup(svc, owner, { name: "Carl is viewer" });
      const elsewhere = await createGroup(svc, owner, { name: "Carl not in it", visibility: "PUBLIC" });
      await addMember(svc, owner, shared, carl);
      await addMember(svc, owner, viewerOnly, carl, { role: "viewer" });
      const stream = subscribe(connect(carl), MEMBERSHIP_CHANGES, { userId: vic.id, after: await lastEventId() });

      await written(() => addMember(svc, owner, elsewhere, vic));
      await written(() => addMember(svc, owner, viewerOnly, vic));
      const expected = await written(() => addMember(svc, owner, shared, vic));
      await written(() => mutate(UPDATE_MEMBER_ROLE, { groupId: elsewhere, userId: vic.id, role: "admin" }, owner));
      await touch(shared);
      await written(() => mutate(ADD_LEADER, { input: { groupId: shared, userId: vic.id } }, owner));
      expected.push(
        ...(await written(() =>
          mutate(UPDATE_MEMBER_ROLE, { groupId: shared, userId: vic.id, role: "viewer" }, owner),
        )),
      );
      const events = await receive(stream, expected.length);
      expect(idsOf(events)).toEqual(expected);
      expect(events.map((e) => [e.type, e.groupId, e.userId])).toEqual([
        ["MEMBER_ADDED", shared, vic.id],
        ["MEMBER_ROLE_CHANGED", shared, vic.id],
      ]);
    });

    it("answers NOT_FOUND for an unknown userId", async () => {
      const caller = connect(owner);
      for (const userId of [crypto.randomUUID(), "not-a-uuid"]) {
        const errors = await refusal(subscribe(caller, MEMBERSHIP_CHANGES, { userId }));
        expect(errors.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
      }
    });
  });

  describe("transport", () => {
    it("refuses a subscription POSTed over HTTP with GRAPHQL_VALIDATION_FAILED pointing to WebSocket", async () => {
      const res = await svc.gql(`subscription { groupEvents { id } }`, {}, owner);
      expect(codes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(res.errors![0]!.message).toMatch(/WebSocket/);
    });
  });

  describe("GroupEvent.group and GROUP_DELETED", () => {
    it("resolves the group while it exists and null once deleted; GROUP_DELETED ends that group's subscription", async () => {
      const g = await createGroup(svc, owner, { name: "Doomed" });
      const caller = connect(owner);
      const stream = subscribe(caller, GROUP_EVENTS_WITH_GROUP, { groupId: g, after: await lastEventId() });
      const touched = await touch(g);
      const [event] = await receive(stream, 1);
      expect(event).toMatchObject({ id: touched[0], group: { id: g, name: "Doomed" } });

      const deleted = await written(() => mutate(DELETE_GROUP, { id: g }, owner));
      const items = await stream.take(2);
      expect(items.map((i) => i.kind)).toEqual(["next", "complete"]);
      expect(items[0]!.kind === "next" && eventOf(items[0]!.value.data!)).toMatchObject({
        id: deleted[0],
        type: "GROUP_DELETED",
        groupId: g,
        group: null,
      });
      // The connection itself stays usable.
      expect(caller.closes).toEqual([]);
    });

    // Once the group is gone its memberships are too: delivery decides with who could read the group
    // at deletion (kept on the GROUP_DELETED row), not with what the subscriber was handed before.
    // Each stream's first event must be the GROUP_DELETED (a marker made afterwards would come
    // first otherwise), and a stranger's first event is their own marker.
    it("GROUP_DELETED reaches a groupId-null or includeDescendants subscriber who could read the group, and no stranger", async () => {
      const mia = await svc.user({ name: "Mia" });
      const stranger = await svc.user({ name: "Stranger" });
      const strangers = await createGroup(svc, stranger);
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, mia);
      const own = await createGroup(svc, mia);
      const parent = await createGroup(svc, owner);
      const child = await createGroup(svc, owner, { parentIds: [parent] });
      const after = await lastEventId();
      const all = subscribe(connect(mia), GROUP_EVENTS, { after });
      const below = subscribe(connect(owner), GROUP_EVENTS, { groupId: parent, includeDescendants: true, after });
      const outside = subscribe(connect(stranger), GROUP_EVENTS, { after });

      const gDeleted = await written(() => mutate(DELETE_GROUP, { id: g }, owner));
      const childDeleted = await written(() => mutate(DELETE_GROUP, { id: child }, owner));
      const markers = [...(await touch(own, mia)), ...(await touch(parent)), ...(await touch(strangers, stranger))];
      expect(markers).toHaveLength(3);
      // Deleting the child also writes CHILD_REMOVED in its parent, which the parent's reader receives.
      expect(childDeleted).toHaveLength(2);
      expect({
        groupIdNull: idsOf(await receive(all, 1)),
        includeDescendants: idsOf(await receive(below, 2)),
        stranger: idsOf(await receive(outside, 1)),
      }).toEqual({ groupIdNull: gDeleted, includeDescendants: childDeleted, stranger: [markers[2]] });
    });
    it("a replay after a group's deletion holds its last events and GROUP_DELETED for a direct member and a cascading reader, not for others", async () => {
      const direct = await svc.user({ name: "Direct" });
      const above = await svc.user({ name: "Above" });
      const other = await svc.user({ name: "Other" });
      const parent = await createGroup(svc, owner);
      const child = await createGroup(svc, owner, { parentIds: [parent] });
      const others = await createGroup(svc, other);
      await addMember(svc, owner, child, direct);
      await addMember(svc, owner, parent, above);
      const after = await lastEventId();

      const touched = await touch(child);
      const deleted = await written(() => mutate(DELETE_GROUP, { id: child }, owner));
      const marker = await touch(others, other);
      // GROUP_DELETED in the child, then CHILD_REMOVED in the parent (which only the parent's reader sees).
      expect(deleted).toHaveLength(2);
      // Nobody was subscribed while it happened: everything comes from the replay, after the group is gone.
      const [forDirect, forAbove, forOther] = [direct, above, other].map((u) =>
        subscribe(connect(u), GROUP_EVENTS, { after }),
      );
      expect(idsOf(await receive(forDirect!, 2))).toEqual([...touched, deleted[0]]);
      expect(idsOf(await receive(forAbove!, 3))).toEqual([...touched, ...deleted]);
      expect(idsOf(await receive(forOther!, 1))).toEqual(marker);
    });
  });

  describe("audit log", () => {
    it("Group.events: oldest first, totalCount, pageInfo; paging with after yields every event exactly once", async () => {
      const bob = await svc.user();
      const g = await createGroup(svc, owner);
      await touch(g);
      await addMember(svc, owner, g, bob);
      await touch(g);
      await mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: bob.id, role: "viewer" }, owner);
      await touch(g);
      await touch(g);
      const stored = await storedIdsOf(g);
      expect(stored).toHaveLength(8);

      const log = (types: string[] | undefined, first: number) => async (after: string | undefined) =>
        (
          await svc.ok<{ group: { events: EventPage } }, unknown>(
            GROUP_EVENT_LOG,
            { id: g, types, first, after },
            owner,
          )
        ).group.events;
      const all = await pageThrough(log(undefined, 3), 3);
      expect(idsOf(all)).toEqual(stored);
      expect(all.every((e) => e.groupId === g)).toBe(true);
      const firstPage = await log(undefined, 3)(undefined);
      expect(firstPage).toMatchObject({ totalCount: 8, pageInfo: { hasNextPage: true, endCursor: stored[2] } });
      expect(firstPage.nodes.map((n) => n.type)).toEqual(["GROUP_CREATED", "MEMBER_ADDED", "GROUP_UPDATED"]);
      const lastPage = await log(undefined, 3)(stored[5]);
      expect(lastPage).toMatchObject({ totalCount: 8, pageInfo: { hasNextPage: false, endCursor: stored[7] } });

      const members = await pageThrough(log(["MEMBER_ADDED", "MEMBER_ROLE_CHANGED"], 2), 2);
      expect(members.map((n) => [n.type, n.userId])).toEqual([
        ["MEMBER_ADDED", owner.id],
        ["MEMBER_ADDED", bob.id],
        ["MEMBER_ROLE_CHANGED", bob.id],
      ]);
      expect(await log(undefined, 5)(stored[7])).toMatchObject({
        totalCount: 8,
        nodes: [],
        pageInfo: { hasNextPage: false, endCursor: null },
      });
    });

    it("Query.events: filters groupId, userId, types and since; oldest first; paging yields every event once", async () => {
      const bob = await svc.user();
      const g = await createGroup(svc, owner);
      const other = await createGroup(svc, owner);
      await addMember(svc, owner, g, bob);
      await addMember(svc, owner, other, bob);
      await touch(g);
      // occurredAt is the commit's transaction time; keep the `since` boundary clear of the events before it.
      await new Promise((resolve) => setTimeout(resolve, 30));
      const late = [
        ...(await written(() => mutate(UPDATE_MEMBER_ROLE, { groupId: g, userId: bob.id, role: "admin" }, owner))),
        ...(await touch(g)),
      ];
      const stored = await storedIdsOf(g);

      const ofG = await pageThrough((after) => eventLog({ groupId: g }, owner, 2, after), 2);
      expect(idsOf(ofG)).toEqual(stored);
      expect(ofG.every((e) => e.groupId === g && e.group?.id === g)).toBe(true);

      const bobs = await eventLog({ userId: bob.id }, owner);
      expect(bobs.nodes.map((n) => [n.type, n.groupId])).toEqual([
        ["MEMBER_ADDED", g],
        ["MEMBER_ADDED", other],
        ["MEMBER_ROLE_CHANGED", g],
      ]);
      expect(bobs.totalCount).toBe(3);
      const bobsInG = await eventLog({ groupId: g, userId: bob.id, types: ["MEMBER_ROLE_CHANGED"] }, owner);
      expect(idsOf(bobsInG.nodes)).toEqual([late[0]]);

      const occurredAt = ofG.find((e) => e.id === late[0])!.occurredAt!;
      const since = await eventLog({ groupId: g, since: occurredAt }, owner);
      expect(idsOf(since.nodes)).toEqual(late);
      expect(since.totalCount).toBe(2);
    });

    it("events.view: Group.events FORBIDDEN on a visible group without it; Query.events holds none of such groups", async () => {
      const { outsider, viewer, privateGroup, publicGroup } = await withoutEventsView();
      await touch(privateGroup);
      await touch(publicGroup);
      const own = await createGroup(svc, outsider);

      for (const [who, id] of [
        [outsider, publicGroup],
        [viewer, privateGroup],
      ] as const) {
        const res = await svc.gql(GROUP_EVENT_LOG, { id }, who);
        expect(codes(res)).toEqual(["FORBIDDEN"]);
        expect(res.errors![0]!.extensions?.permission).toBe("events.view");
        expect(res.errors![0]!.path).toEqual(["group", "events"]);
      }
      expect(codes(await svc.gql(GROUP_EVENT_LOG, { id: privateGroup }, outsider))).toEqual([]);

      const mine = await pageThrough((after) => eventLog(null, outsider, 50, after), 50);
      expect(idsOf(mine)).toEqual(await storedIdsOf(own));
      for (const groupId of [privateGroup, publicGroup]) {
        expect(await eventLog({ groupId }, outsider)).toMatchObject({ totalCount: 0, nodes: [] });
        expect(await eventLog({ groupId }, viewer)).toMatchObject({ totalCount: 0, nodes: [] });
      }
      expect((await eventLog({ groupId: privateGroup }, owner)).totalCount).toBe(
        (await storedIdsOf(privateGroup)).length,
      );
    });

    it("a deleted group's events stay readable by a global admin, with group null, and not by its former members", async () => {
      const bob = await svc.user();
      const g = await createGroup(svc, owner);
      await addMember(svc, owner, g, bob);
      await touch(g);
      await mutate(DELETE_GROUP, { id: g }, owner);
      const stored = await storedIdsOf(g);
      expect(stored).toHaveLength(5);

      const log = await eventLog({ groupId: g }, globalAdmin);
      expect(log.totalCount).toBe(5);
      expect(log.nodes.map((n) => [n.id, n.type, n.group])).toEqual([
        [stored[0], "GROUP_CREATED", null],
        [stored[1], "MEMBER_ADDED", null],
        [stored[2], "MEMBER_ADDED", null],
        [stored[3], "GROUP_UPDATED", null],
        [stored[4], "GROUP_DELETED", null],
      ]);
      const all = await pageThrough((after) => eventLog(null, globalAdmin, 100, after), 100);
      expect(idsOf(all.filter((e) => e.groupId === g))).toEqual(stored);

      for (const former of [owner, bob]) {
        expect(await eventLog({ groupId: g }, former)).toMatchObject({ totalCount: 0, nodes: [] });
        expect(await eventLog({ userId: bob.id, types: ["MEMBER_ADDED"] }, former)).toMatchObject({ totalCount: 0 });
      }
    });

    it("refuses first above 500 and a malformed after with BAD_USER_INPUT", async () => {
      const g = await createGroup(svc, owner);
      const cases: [string, Record<string, unknown>, string][] = [
        [EVENTS, { first: 501 }, "first"],
        [EVENTS, { first: -1 }, "first"],
        [EVENTS, { after: "abc" }, "after"],
        [EVENTS, { after: "-1" }, "after"],
        [GROUP_EVENT_LOG, { id: g, first: 501 }, "first"],
        [GROUP_EVENT_LOG, { id: g, after: "abc" }, "after"],
      ];
      for (const [document, variables, field] of cases) {
        const res = await svc.gql(document, variables, owner);
        expect([JSON.stringify(variables), codes(res)]).toEqual([JSON.stringify(variables), ["BAD_USER_INPUT"]]);
        expect(Object.keys(res.errors![0]!.extensions!.details as object)).toEqual([field]);
      }
      expect((await eventLog({ groupId: g }, owner, 500)).totalCount).toBe(2);
    });
  });

  describe("statement counts", () => {
    it("Group.events on a page of groups costs the same number of statements for 3 groups as for 12", async () => {
      const stan = await svc.user({ name: "Stan" });
      await provision(svc, stan);
      const groupType = `stmt-${crypto.randomBytes(3).toString("hex")}`;
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(await createGroup(svc, stan, { name: `Stmt ${String(i).padStart(2, "0")}`, groupType }));
      }
      for (let i = 0; i < 4; i++) await touch(ids[0]!, stan);

      const query = `query ($first: Int, $groupType: String) {
        groups(first: $first, filter: { groupType: $groupType }) {
          nodes { id events(first: 5) { totalCount nodes { id type } } }
        }
      }`;
      type Data = { groups: { nodes: { id: string; events: { totalCount: number; nodes: { id: string }[] } }[] } };
      const small = await svc.statements<Data, unknown>(query, { first: 3, groupType }, stan);
      const large = await svc.statements<Data, unknown>(query, { first: 12, groupType }, stan);
      expect(small.data.groups.nodes).toHaveLength(3);
      expect(large.data.groups.nodes).toHaveLength(12);
      expect(large.data.groups.nodes.map((n) => [n.id, n.events.totalCount, n.events.nodes.length])).toEqual(
        ids.map((id, i) => [id, i === 0 ? 6 : 2, i === 0 ? 5 : 2]),
      );
      expect(Number.isFinite(small.count)).toBe(true);
      expect(large.count).toBe(small.count);
    });
  });
});
