import crypto from "node:crypto";
import { addMember, createGroup, provision } from "./utils/builders";
import { codes, type GraphQLResponse, TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * The authorization sweep: an outsider learns nothing of a PRIVATE group through any path of the
 * API. Each answer is searched for the group's id and its (unique) name, so a leak anywhere in a
 * response fails, whatever field it hides in.
 */
describe("a PRIVATE group, seen by an outsider", () => {
  let svc: TestService;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  const secretName = `Skunkworks ${crypto.randomBytes(4).toString("hex")}`;
  let root: string; // PUBLIC
  let secret: string; // PRIVATE, under root
  let below: string; // PUBLIC, under secret
  let outsiders: string; // the outsider's own group
  let membershipId: string;
  let leadershipId: string;
  let initiativeId: string;
  const callers: WsCaller[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user({ name: "Owner" });
    member = await svc.user({ name: "Member" });
    outsider = await svc.user({ name: "Outsider" });
    await provision(svc, owner, member, outsider);
    root = await createGroup(svc, owner, { name: "Open Root", visibility: "PUBLIC" });
    secret = await createGroup(svc, owner, { name: secretName, parentIds: [root] });
    below = await createGroup(svc, owner, { name: "Open Below", visibility: "PUBLIC", parentIds: [secret] });
    outsiders = await createGroup(svc, outsider, { name: "Outsider's own" });
    membershipId = await addMember(svc, owner, secret, member);
    await addMember(svc, owner, below, member);
    leadershipId = (
      await svc.ok<{ addLeader: { id: string } }, unknown>(
        `mutation ($i: AddLeaderInput!) { addLeader(input: $i) { id } }`,
        { i: { groupId: secret, userId: member.id } },
        owner,
      )
    ).addLeader.id;
    initiativeId = (
      await svc.ok<{ createInitiative: { id: string } }, unknown>(
        `mutation { createInitiative(input: { name: "Shared initiative" }) { id } }`,
        {},
        owner,
      )
    ).createInitiative.id;
    for (const groupId of [secret, below]) {
      await svc.ok(
        `mutation ($g: ID!, $i: ID!) { linkInitiative(groupId: $g, initiativeId: $i) { id } }`,
        { g: groupId, i: initiativeId },
        owner,
      );
    }
  });

  afterEach(async () => {
    await Promise.all(callers.splice(0).map((c) => c.close()));
  });

  afterAll(() => svc.stop());

  /** The answer mentions the secret group nowhere. */
  function expectNothingOfSecret(res: unknown): void {
    const text = JSON.stringify(res);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secretName);
  }

  /**
   * A refusal about the secret group reads exactly like one about a group that does not exist
   * (the caller's own argument echoed back is no leak).
   */
  function expectSameAsUnknown(aboutSecret: unknown, aboutNothing: unknown, unknownId: string): void {
    const text = JSON.stringify(aboutSecret)
      .replaceAll(secret, "<id>")
      .replace(/"sqlStatements":\d+/, "");
    expect(text).not.toContain(secretName);
    expect(text).toBe(
      JSON.stringify(aboutNothing)
        .replaceAll(unknownId, "<id>")
        .replace(/"sqlStatements":\d+/, ""),
    );
  }

  async function asOutsider(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<unknown>> {
    const res = await svc.gql(query, variables, outsider);
    expectNothingOfSecret(res);
    return res;
  }

  it("the same queries as a member do show the group (the sweep can see a leak)", async () => {
    const res = await svc.gql(`query ($id: ID!) { group(id: $id) { id name } }`, { id: secret }, member);
    expect(JSON.stringify(res)).toContain(secretName);
  });

  it("group, groupByName and groups answer nothing of it", async () => {
    expect((await asOutsider(`query ($id: ID!) { group(id: $id) { id } }`, { id: secret })).data).toEqual({
      group: null,
    });
    expect((await asOutsider(`query ($n: String!) { groupByName(name: $n) { id } }`, { n: secretName })).data).toEqual({
      groupByName: null,
    });
    await asOutsider(`{ groups(first: 500, filter: { isActive: null }) { totalCount nodes { id name } } }`);
    await asOutsider(`query ($s: String!) { groups(filter: { search: $s }) { totalCount nodes { id } } }`, {
      s: secretName.slice(0, 10),
    });
    await asOutsider(`query ($p: ID!) { groups(filter: { parentId: $p }) { totalCount nodes { id } } }`, { p: root });
  });

  it("its visible relatives do not reveal it: children, parents, ancestors, descendants", async () => {
    const res = await asOutsider(
      `query ($r: ID!, $b: ID!) {
        r: group(id: $r) { children { id name } descendants { totalCount nodes { depth group { id name } } } }
        b: group(id: $b) { parents { id name } ancestors { depth group { id name } } }
      }`,
      { r: root, b: below },
    );
    expect(codes(res)).toEqual([]);
    // `below` is still reachable, at its shortest distance through the hidden group (2).
    expect(JSON.stringify(res)).toContain(below);
  });

  it("_entities answers null for the group, its membership and its leadership", async () => {
    const res = await asOutsider(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name } ... on Membership { id } ... on Leadership { id } } }`,
      {
        r: [
          { __typename: "Group", id: secret },
          { __typename: "Membership", id: membershipId },
          { __typename: "Leadership", id: leadershipId },
        ],
      },
    );
    expect(res.data).toEqual({ _entities: [null, null, null] });
  });

  it("a member's User.groups, memberships and leaderships leave it out", async () => {
    const res = await asOutsider(
      `query ($u: ID!) { user(id: $u) {
        groups(transitive: true) { id name }
        memberships(includeInactive: true) { id group { id name } }
        leaderships(includeHistorical: true) { id group { id } }
      } }`,
      { u: member.id },
    );
    expect(codes(res)).toEqual([]);
  });

  it("as of an instant and in the history: User.groups, memberships, history and membershipHistory leave it out", async () => {
    const asOf = new Date().toISOString();
    const res = await asOutsider(
      `query ($u: ID!, $asOf: DateTime, $own: ID!) {
        user(id: $u) {
          groups(asOf: $asOf, transitive: true) { id name }
          memberships(asOf: $asOf, includeInactive: true) { id group { id name } history { role } }
        }
        own: group(id: $own) { membershipHistory(userId: $u) { totalCount nodes { role } } }
      }`,
      { u: member.id, asOf, own: outsiders },
    );
    expect(codes(res)).toEqual([]);
    expect(res.data).toMatchObject({ own: { membershipHistory: { totalCount: 0 } } });
    // The member's own view of the same instant does name it (the check can see a leak).
    const own = await svc.gql(
      `query ($asOf: DateTime) { me { groups(asOf: $asOf) { name } memberships(asOf: $asOf) { group { name } } } }`,
      { asOf },
      member,
    );
    expect(JSON.stringify(own).split(secretName)).toHaveLength(3);
  });

  it("membership, members and Initiative.groups answer nothing of it", async () => {
    const res = await asOutsider(
      `query ($g: ID!, $u: ID!, $i: ID!) {
        membership(groupId: $g, userId: $u) { id }
        initiative(id: $i) { groups { id name } }
      }`,
      { g: secret, u: member.id, i: initiativeId },
    );
    expect(res.data).toMatchObject({ membership: null });
  });

  it("checkPermission about it is NOT_FOUND, and a grant through it is left out below it", async () => {
    const ask = `query ($u: ID!, $g: ID!) { checkPermission(userId: $u, groupId: $g, permission: "groups.view") { allowed } }`;
    const unknown = crypto.randomUUID();
    const direct = await svc.gql(ask, { u: outsider.id, g: secret }, outsider);
    expect(codes(direct)).toEqual(["NOT_FOUND"]);
    expectSameAsUnknown(direct, await svc.gql(ask, { u: outsider.id, g: unknown }, outsider), unknown);
    const own = await asOutsider(
      `query ($u: ID!, $g: ID!) { checkPermission(userId: $u, groupId: $g, permission: "groups.view") {
        allowed grants { group { id name } path { id name } } } }`,
      { u: outsider.id, g: below },
    );
    expect(codes(own)).toEqual([]);
  });

  it("inviteByEmail, addMembers and removeMembers about it answer as for a group that does not exist", async () => {
    const unknown = crypto.randomUUID();
    const email = `sweep.${crypto.randomBytes(4).toString("hex")}@example.org`;
    const calls: [string, Record<string, unknown>][] = [
      [`mutation ($g: ID!, $e: String!) { inviteByEmail(groupId: $g, email: $e) { id user { id } } }`, { e: email }],
      // Items that would each be refused (a member already, a duplicate, a bad address): the group's
      // refusal comes first, so they tell nothing of who is a member there.
      [
        `mutation ($g: ID!, $m: [BulkMemberInput!]!) { addMembers(groupId: $g, members: $m) { id } }`,
        { m: [{ userId: member.id }, { userId: member.id }, { email: "nope" }, { email }] },
      ],
      [
        `mutation ($g: ID!, $u: [ID!]!) { removeMembers(groupId: $g, userIds: $u) }`,
        { u: [member.id, owner.id, crypto.randomUUID()] },
      ],
    ];
    for (const [mutation, variables] of calls) {
      // (The id the caller sent comes back in the message: expectSameAsUnknown allows that echo.)
      const refused = await svc.gql(mutation, { ...variables, g: secret }, outsider);
      expect(codes(refused)).toEqual(["NOT_FOUND"]);
      expectSameAsUnknown(refused, await svc.gql(mutation, { ...variables, g: unknown }, outsider), unknown);
    }
    // Nothing was written: the member is still there, the address invited nowhere.
    const members = await svc.ok<{ group: { members: { totalCount: number } } }, unknown>(
      `query ($g: ID!) { group(id: $g) { members(includeInactive: true) { totalCount } } }`,
      { g: secret },
      owner,
    );
    expect(members.group.members.totalCount).toBe(2);
  });

  it("the audit log holds none of its events", async () => {
    const res = await asOutsider(
      `query ($g: ID!) { all: events(first: 500) { totalCount nodes { id groupId payload } }
                         one: events(filter: { groupId: $g }) { totalCount nodes { id } } }`,
      { g: secret },
    );
    expect(res.data).toMatchObject({ one: { totalCount: 0, nodes: [] } });
  });

  it("access requests: requestToJoin and joinGroup answer as for a missing group; its queue and requests stay hidden", async () => {
    const policy = (p: string) =>
      svc.ok(
        `mutation ($id: ID!, $p: JoinPolicy) { updateGroup(id: $id, input: { joinPolicy: $p }) { id } }`,
        { id: secret, p },
        owner,
      );
    const unknown = crypto.randomUUID();
    const REQUEST = `mutation ($g: ID!) { requestToJoin(groupId: $g, message: "let me in") { id group { id name } } }`;
    const JOIN = `mutation ($g: ID!) { joinGroup(groupId: $g) { id group { id name } } }`;
    // Whatever its policy, the outsider's answer reads exactly as for a group that does not exist.
    for (const p of ["INVITE_ONLY", "OPEN", "REQUEST"]) {
      await policy(p);
      for (const doc of [REQUEST, JOIN]) {
        const refused = await svc.gql(doc, { g: secret }, outsider);
        expect(codes(refused)).toEqual(["NOT_FOUND"]);
        expectSameAsUnknown(refused, await svc.gql(doc, { g: unknown }, outsider), unknown);
      }
    }
    // Someone who sees it through the PUBLIC root's cascade asks; the outsider cannot touch the request.
    const asker = await svc.user({ name: "Asker" });
    await addMember(svc, owner, root, asker, { role: "viewer" });
    const requestId = (await svc.ok<{ requestToJoin: { id: string } }, unknown>(REQUEST, { g: secret }, asker))
      .requestToJoin.id;
    for (const doc of [
      `mutation ($id: ID!) { withdrawAccessRequest(id: $id) { id group { id name } } }`,
      `mutation ($id: ID!) { approveAccessRequest(id: $id) { id group { id name } } }`,
      `mutation ($id: ID!) { denyAccessRequest(id: $id, reason: "no") { id group { id name } } }`,
    ]) {
      const refused = await svc.gql(doc, { id: requestId }, outsider);
      expect(codes(refused)).toEqual(["NOT_FOUND"]);
      expect(JSON.stringify(refused).replaceAll(requestId, "<id>")).toBe(
        JSON.stringify(await svc.gql(doc, { id: unknown }, outsider)).replaceAll(unknown, "<id>"),
      );
      expectNothingOfSecret(refused);
    }
    const res = await asOutsider(
      `query ($g: ID!, $u: ID!) { group(id: $g) { accessRequests { totalCount nodes { id } } }
        user(id: $u) { memberships(includeInactive: true) { id group { id name } } } }`,
      { g: secret, u: asker.id },
    );
    expect(res.data).toMatchObject({ group: null });
    // The asker's own stream hears of the request; the outsider watching the asker hears nothing of it.
    const caller = new WsCaller(svc.url, outsider.token);
    callers.push(caller);
    const theirs = caller.subscribe(
      `subscription ($u: ID) { membershipChanges(userId: $u, after: "0") { id groupId payload group { id name }
        details { ... on AccessRequestedDetails { accessRequest { id group { name } } } } } }`,
      { u: asker.id },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectNothingOfSecret(theirs.received);
    expect(JSON.stringify(theirs.received)).not.toContain(requestId);
  });

  it("subscriptions: NOT_FOUND for the group, nothing of it with groupId null or a member's membershipChanges", async () => {
    const caller = new WsCaller(svc.url, outsider.token);
    callers.push(caller);
    const subscribeTo = async (g: string) =>
      caller.subscribe(`subscription ($g: ID) { groupEvents(groupId: $g) { id } }`, { g }).take(1);
    const unknown = crypto.randomUUID();
    const refused = await subscribeTo(secret);
    expect(JSON.stringify(refused)).toContain("NOT_FOUND");
    expectSameAsUnknown(refused, await subscribeTo(unknown), unknown);

    const all = caller.subscribe(`subscription { groupEvents(after: "0") { id groupId payload group { id name } } }`);
    const theirs = caller.subscribe(
      `subscription ($u: ID) { membershipChanges(userId: $u, after: "0") { id groupId payload group { id name } } }`,
      { u: member.id },
    );
    // A change in the secret group, then a marker the outsider may read: delivery is in id order,
    // so anything of the secret group would arrive before the marker.
    await svc.ok(
      `mutation ($id: ID!) { updateGroup(id: $id, input: { description: "hush" }) { id } }`,
      { id: secret },
      owner,
    );
    await svc.ok(
      `mutation ($id: ID!) { updateGroup(id: $id, input: { description: "marker" }) { id } }`,
      { id: outsiders },
      outsider,
    );
    // The outsider reads its own group's events only: created, its owner added, the marker.
    const received = await all.take(3);
    expect(
      received.map((r) =>
        r.kind === "next" ? (r.value.data as { groupEvents: { groupId: string } }).groupEvents.groupId : r.kind,
      ),
    ).toEqual([outsiders, outsiders, outsiders]);
    expectNothingOfSecret(received);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectNothingOfSecret([...all.received, ...theirs.received]);
    expect(all.received.length + received.length).toBeGreaterThan(0);
  });
  it("reverse lookups: groupsWithPermission and usersWithPermission answer nothing of it", async () => {
    // The member holds groups.view in it, the owner everything: about them, the outsider learns of no group.
    const about = `query ($u: ID!) { user(id: $u) {
      groupsWithPermission(permission: "groups.view", first: 500) { totalCount nodes { id name } edges { cursor } } } }`;
    for (const user of [member, owner]) {
      const res = await asOutsider(about, { u: user.id });
      expect(codes(res)).toEqual([]);
      expect(res.data).toEqual({ user: { groupsWithPermission: { totalCount: 0, nodes: [], edges: [] } } });
    }
    // About themselves: their own group, nothing more.
    const own = await asOutsider(about, { u: outsider.id });
    expect(own.data).toMatchObject({ user: { groupsWithPermission: { totalCount: 1, nodes: [{ id: outsiders }] } } });
    // Its holders are asked through group(id), which is null for the outsider.
    const holders = `query ($g: ID!) { group(id: $g) { usersWithPermission(permission: "groups.view", first: 50) {
      totalCount nodes { user { id name } grants { group { id name } role path { id name } } } } } }`;
    expect((await asOutsider(holders, { g: secret })).data).toEqual({ group: null });
    // Someone who may list the members of a group below it sees every holder there, but no grant
    // through it: the owner by their own ownership of that group only, the member (who holds it
    // only through the secret group) with no grant shown, as checkPermission shows them.
    const neighbour = await svc.user({ name: "Neighbour" });
    await provision(svc, neighbour);
    const annex = await createGroup(svc, owner, { name: "Annex", parentIds: [secret] });
    await addMember(svc, owner, annex, neighbour, { role: "admin" });
    const res = await svc.gql<
      { group: { usersWithPermission: { totalCount: number; nodes: { user: { id: string }; grants: unknown[] }[] } } },
      unknown
    >(holders, { g: annex }, neighbour);
    expectNothingOfSecret(res);
    expect(codes(res)).toEqual([]);
    const byUser = new Map(res.data!.group.usersWithPermission.nodes.map((n) => [n.user.id, n.grants]));
    // The owner, the member and the neighbour; and whoever an earlier test gave a role above it
    // (the access-request test's asker, a viewer of the PUBLIC root): every holder is counted.
    expect([...byUser.keys()]).toEqual(expect.arrayContaining([owner.id, member.id, neighbour.id]));
    expect(res.data!.group.usersWithPermission.totalCount).toBe(byUser.size);
    // Only the annex's own members are shown a grant: every other path crosses the secret group.
    for (const [id, grants] of byUser) if (id !== owner.id && id !== neighbour.id) expect(grants).toEqual([]);
    expect(byUser.get(owner.id)).toEqual([
      { group: { id: annex, name: "Annex" }, role: "owner", path: [{ id: annex, name: "Annex" }] },
    ]);
    expect(byUser.get(member.id)).toEqual([]);
    expect(byUser.get(neighbour.id)).toHaveLength(1);
  });
});
