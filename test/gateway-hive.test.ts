import { buildSubgraphSchema } from "@apollo/subgraph";
import {
  type DocumentNode,
  getOperationAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  validate,
} from "graphql";
import { type Client, createClient } from "graphql-sse";
import { type AccountStore, startAccounts } from "../example/supergraph/accounts";
import { verifierFor } from "../example/supergraph/auth";
import { composeSupergraph, exampleSubgraphs, fetchSubgraphSdl, GROUPS } from "../example/supergraph/compose";
import { type CourseStore, startCourses } from "../example/supergraph/courses";
import { type HiveGateway, startHiveGateway, type SubgraphSubscriptions } from "../example/supergraph/hive";
import type { RunningGraphQL } from "../example/supergraph/serve";
import { aliasLimitRule, depthLimitRule, operationCost } from "../src/shared/limits";
import { addMember, createGroup, provision } from "./utils/builders";
import { type GraphQLResponse, TEST_SECRET, TestService, type TestUser } from "./utils/service";
import { SubscriptionStream } from "./utils/subscriptions";

/**
 * Hive Gateway (`@graphql-hive/gateway`) in front of the real groups service, on the supergraph
 * composed from it and the example accounts and courses subgraphs, everything in this process on
 * port 0. Two gateways, one per subscription transport the gateway can use to reach a subgraph:
 * graphql-ws (`subscriptions: { kind: "ws" }`, the client's token in `connection_init` as
 * `{ token: "Bearer ..." }`) and GraphQL over SSE (its default). Clients talk to the gateways the way
 * Hive Gateway serves them: JSON POSTs, and GraphQL over SSE for subscriptions (graphql-sse's client).
 *
 * Live events are awaited with a sync point: the service's event hub counts the subscription
 * before the change that should reach it is made.
 */

/** One HTTP request a gateway sent to the groups subgraph (queries, mutations, `_entities`, SSE subscriptions). */
interface GroupsFetch {
  method: string;
  accept: string | null;
  authorization: string | null;
  query: string;
  variables: Record<string, unknown>;
  /** The HTTP status of the answer (undefined while pending). */
  status?: number;
}

const EVENT_FIELDS = `id type groupId userId actorId payload group { name courses { title } }`;
const GROUP_EVENTS = `subscription ($groupId: ID, $after: ID) { groupEvents(groupId: $groupId, after: $after) { ${EVENT_FIELDS} } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateGroup(id: $id, input: { name: $name }) { id } }`;
const CHANGE_ROLE = `mutation ($groupId: ID!, $userId: ID!, $role: String!) {
  updateMemberRole(groupId: $groupId, userId: $userId, role: $role) { role }
}`;
const LAST_EVENT = `query ($groupId: ID) { events(filter: { groupId: $groupId }, first: 100) { pageInfo { endCursor } } }`;

interface GroupEvent {
  id: string;
  type: string;
  groupId: string;
  userId: string | null;
  actorId: string | null;
  payload: Record<string, unknown>;
  group: { name: string; courses: { title: string }[] } | null;
}

/** The rate limit of the service in this file: low enough that one test can use up a caller's allowance. */
const RATE_LIMIT_PER_MINUTE = 120;

describe("Hive Gateway in front of the groups subgraph", () => {
  let svc: TestService;
  let accounts: RunningGraphQL & { store: AccountStore };
  let courses: RunningGraphQL & { store: CourseStore };
  const gateways = {} as Record<SubgraphSubscriptions, HiveGateway>;
  /** What the gateways sent to groups over HTTP since the last reset (beforeEach). */
  const groupsFetches: GroupsFetch[] = [];
  /** graphql-sse clients of the current test, disposed after it. */
  const clients: Client[] = [];

  let groupsSdl: string;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  /** A PRIVATE group: owner owns it, member is a member, outsider may not see it. Its course: "Cryptography". */
  let lab: string;

  beforeAll(async () => {
    svc = await TestService.start({ rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
    const verify = verifierFor(TEST_SECRET);
    accounts = await startAccounts({ port: 0, verify });
    courses = await startCourses({ port: 0, verify });
    groupsSdl = await fetchSubgraphSdl(svc.url);
    const composition = composeSupergraph([
      { name: GROUPS, url: svc.url, sdl: groupsSdl },
      ...exampleSubgraphs({ accounts: accounts.url, courses: courses.url }),
    ]);
    if (!composition.supergraphSdl) throw new Error(`composition failed: ${composition.errors.join("\n")}`);
    for (const subscriptions of ["ws", "sse"] as const) {
      gateways[subscriptions] = await startHiveGateway({
        supergraphSdl: composition.supergraphSdl,
        port: 0,
        subscriptions,
        plugins: [
          {
            onFetch({ url, options }) {
              const target = new URL(url);
              if (`${target.origin}${target.pathname}` !== svc.url) return;
              const headers = new Headers(options.headers as HeadersInit);
              // Queries are POSTed; subscriptions over SSE are GETs with the operation in the URL.
              const body = (
                options.body
                  ? JSON.parse(String(options.body))
                  : {
                      query: target.searchParams.get("query"),
                      variables: JSON.parse(target.searchParams.get("variables") ?? "{}"),
                    }
              ) as { query: string; variables?: Record<string, unknown> };
              const fetch: GroupsFetch = {
                method: options.method ?? "GET",
                accept: headers.get("accept"),
                authorization: headers.get("authorization"),
                query: body.query,
                variables: body.variables ?? {},
              };
              groupsFetches.push(fetch);
              return ({ response }) => {
                fetch.status = response.status;
              };
            },
          },
        ],
      });
    }

    owner = await svc.user({ name: "Olive Owner" });
    member = await svc.user({ name: "Mia Member" });
    outsider = await svc.user({ name: "Otto Outsider" });
    await provision(svc, owner, member, outsider);
    accounts.store.put({ id: owner.id, handle: "olive", name: "Olive Oyl" });
    accounts.store.put({ id: member.id, handle: "mia", name: "Mia Mendel" });
    accounts.store.put({ id: outsider.id, handle: "otto", name: "Otto Outis" });
    lab = await createGroup(svc, owner, { name: "Secret Lab", visibility: "PRIVATE" });
    await addMember(svc, owner, lab, member);
    courses.store.add({ groupId: lab, title: "Cryptography", createdBy: owner.id });
  });

  beforeEach(() => {
    groupsFetches.length = 0;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.dispose();
    // A client that leaves ends the gateway's subscription to groups too (and each test starts
    // from no subscriber, so the counts below are exact).
    await untilSubscribers(0);
  });

  afterAll(async () => {
    // Gateways first (they hold connections to the subgraphs), groups and its database last.
    for (const server of [gateways.ws, gateways.sse, courses, accounts]) await server?.stop();
    await svc?.stop();
  });

  /** POSTs an operation to a gateway as `as` (nobody when null). */
  async function query<T>(
    gateway: RunningGraphQL,
    document: string,
    variables: Record<string, unknown>,
    as: TestUser | null,
  ): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (as) headers.authorization = `Bearer ${as.token}`;
    const res = await fetch(gateway.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document, variables }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as GraphQLResponse<T>;
  }

  /** Like query, but fails the test on any error. */
  async function ok<T>(gateway: RunningGraphQL, document: string, variables: Record<string, unknown>, as: TestUser) {
    const res = await query<T>(gateway, document, variables, as);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as T;
  }

  /** Subscribes through a gateway over GraphQL over SSE (graphql-sse, distinct connections) as `as`. */
  function subscribe<T>(
    gateway: RunningGraphQL,
    document: string,
    variables: Record<string, unknown>,
    as: TestUser | null,
  ): SubscriptionStream<T> {
    const client = createClient({
      url: gateway.url,
      headers: as ? { authorization: `Bearer ${as.token}` } : {},
      retryAttempts: 0,
    });
    clients.push(client);
    const stream = new SubscriptionStream<T>();
    stream.unsubscribe = client.subscribe<T>(
      { query: document, variables },
      {
        next: (value) => stream.push({ kind: "next", value: value as never }),
        error: (error) => stream.push({ kind: "error", error }),
        complete: () => stream.push({ kind: "complete" }),
      },
    );
    return stream;
  }

  const subscribers = () => svc.service.events.stats().subscribers;

  /** Waits until the service's event hub holds exactly `n` subscriptions (the gateway has subscribed upstream, or left). */
  async function untilSubscribers(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (subscribers() !== n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} subscribers at the service, have ${subscribers()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The id of the newest event of a group, as its owner reads it through a gateway. */
  async function lastEventId(gateway: RunningGraphQL, groupId: string): Promise<string> {
    const data = await ok<{ events: { pageInfo: { endCursor: string } } }>(gateway, LAST_EVENT, { groupId }, owner);
    return data.events.pageInfo.endCursor;
  }

  describe.each(["ws", "sse"] as const)("subscriptions to the subgraph over %s", (transport) => {
    const gateway = () => gateways[transport];

    /** The subscription requests the gateway sent to groups over HTTP (SSE): none over ws. */
    const sseSubscriptions = () => groupsFetches.filter((f) => /^\s*subscription\b/.test(f.query));

    it("an event arrives through the gateway, its group's fields resolved by groups and courses", async () => {
      const stream = subscribe<{ groupEvents: GroupEvent }>(gateway(), GROUP_EVENTS, { groupId: lab }, member);
      await untilSubscribers(1);
      const name = `Secret Lab (${transport})`;
      await ok(gateway(), RENAME, { id: lab, name }, owner);

      const [event] = await stream.next(1);
      expect(event.groupEvents).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: "GROUP_UPDATED",
        groupId: lab,
        userId: null,
        actorId: owner.id,
        payload: expect.objectContaining({ fieldsChanged: ["name"], after: { name } }),
        group: { name, courses: [{ title: "Cryptography" }] },
      });

      // How the gateway reached groups: over SSE a GET (the operation in the URL) asking for an
      // event stream, with the client's Authorization; over ws no HTTP request at all (the gateway
      // sends no headers on the upgrade: the token went in connection_init, see the next test).
      if (transport === "sse") {
        expect(sseSubscriptions()).toEqual([
          expect.objectContaining({
            method: "GET",
            accept: "text/event-stream",
            authorization: `Bearer ${member.token}`,
            variables: { groupId: lab, includeDescendants: false },
          }),
        ]);
      } else {
        expect(sseSubscriptions()).toEqual([]);
      }
    });

    it("the subgraph subscribes as the client: membershipChanges without userId is the client's own", async () => {
      const stream = subscribe<{ membershipChanges: GroupEvent }>(
        gateway(),
        `subscription { membershipChanges { ${EVENT_FIELDS} } }`,
        {},
        member,
      );
      await untilSubscribers(1);
      await ok(gateway(), CHANGE_ROLE, { groupId: lab, userId: member.id, role: "admin" }, owner);
      await ok(gateway(), CHANGE_ROLE, { groupId: lab, userId: member.id, role: "member" }, owner);

      const events = (await stream.next(2)).map((e) => e.membershipChanges);
      expect(events.map((e) => [e.type, e.userId, e.groupId, e.payload.oldRole, e.payload.newRole])).toEqual([
        ["MEMBER_ROLE_CHANGED", member.id, lab, "member", "admin"],
        ["MEMBER_ROLE_CHANGED", member.id, lab, "admin", "member"],
      ]);
      expect(Number(events[1].id)).toBeGreaterThan(Number(events[0].id));
    });

    it("an outsider gets nothing of a PRIVATE group: NOT_FOUND for it, no event of it on wider subscriptions", async () => {
      const refused = subscribe<{ groupEvents: GroupEvent }>(gateway(), GROUP_EVENTS, { groupId: lab }, outsider);
      expect(await refused.take(2)).toEqual([
        {
          kind: "next",
          value: {
            data: null,
            errors: [
              expect.objectContaining({
                message: expect.any(String),
                extensions: expect.objectContaining({ code: "NOT_FOUND" }),
              }),
            ],
          },
        },
        { kind: "complete" },
      ]);

      // Every group the outsider can see, and the member's membership changes: subscribed, but
      // nothing of the lab may arrive on them. The member's own subscription is the sync point.
      const everything = subscribe(gateway(), `subscription { groupEvents { ${EVENT_FIELDS} } }`, {}, outsider);
      const membersChanges = subscribe(
        gateway(),
        `subscription ($userId: ID) { membershipChanges(userId: $userId) { ${EVENT_FIELDS} } }`,
        { userId: member.id },
        outsider,
      );
      const witness = subscribe<{ groupEvents: GroupEvent }>(gateway(), GROUP_EVENTS, { groupId: lab }, member);
      await untilSubscribers(3);
      await ok(gateway(), RENAME, { id: lab, name: `Secret Lab, renamed (${transport})` }, owner);
      await ok(gateway(), CHANGE_ROLE, { groupId: lab, userId: member.id, role: "admin" }, owner);
      await ok(gateway(), CHANGE_ROLE, { groupId: lab, userId: member.id, role: "member" }, owner);

      const seen = (await witness.next(3)).map((e) => e.groupEvents.type);
      expect(seen).toEqual(["GROUP_UPDATED", "MEMBER_ROLE_CHANGED", "MEMBER_ROLE_CHANGED"]);
      await everything.nothingWithin(300);
      await membersChanges.nothingWithin(0);
      await refused.nothingWithin(0);
    });

    it("`after` replays the missed events first, in order, then goes live", async () => {
      const after = await lastEventId(gateway(), lab);
      await ok(gateway(), RENAME, { id: lab, name: `First (${transport})` }, owner);
      await ok(gateway(), RENAME, { id: lab, name: `Second (${transport})` }, owner);

      const stream = subscribe<{ groupEvents: GroupEvent }>(gateway(), GROUP_EVENTS, { groupId: lab, after }, member);
      const replayed = (await stream.next(2)).map((e) => e.groupEvents);
      expect(replayed.map((e) => [e.type, e.payload.after])).toEqual([
        ["GROUP_UPDATED", { name: `First (${transport})` }],
        ["GROUP_UPDATED", { name: `Second (${transport})` }],
      ]);
      expect(BigInt(replayed[0].id)).toBeGreaterThan(BigInt(after));
      expect(BigInt(replayed[1].id)).toBeGreaterThan(BigInt(replayed[0].id));

      await untilSubscribers(1);
      await ok(gateway(), RENAME, { id: lab, name: `Third (${transport})` }, owner);
      const [live] = (await stream.next(1)).map((e) => e.groupEvents);
      expect(live.payload.after).toEqual({ name: `Third (${transport})` });
      expect(BigInt(live.id)).toBeGreaterThan(BigInt(replayed[1].id));
    });
  });

  describe("queries and mutations over HTTP", () => {
    it("carry the client's Authorization to groups on every fetch", async () => {
      const data = await ok<{ me: unknown }>(gateways.sse, `{ me { id handle groups { name } } }`, {}, member);
      expect(data.me).toEqual({ id: member.id, handle: "mia", groups: [{ name: expect.stringMatching(/./) }] });
      expect(groupsFetches.length).toBeGreaterThan(0);
      for (const f of groupsFetches) expect(f.authorization).toBe(`Bearer ${member.token}`);
    });

    it("without a token, groups' UNAUTHENTICATED reaches the client", async () => {
      const res = await query(gateways.sse, `{ me { id } }`, {}, null);
      expect(res.data).toBeNull();
      expect(res.errors).toEqual([
        expect.objectContaining({
          message: "A valid bearer token is required",
          extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }),
        }),
      ]);
      expect(groupsFetches.map((f) => [f.authorization, f.status])).toEqual([[null, 401]]);
    });
  });

  describe("the service's own limits on a router's fetches", () => {
    let reader: TestUser;
    let apiSchema: GraphQLSchema;
    let groupsSchema: GraphQLSchema;
    const config = () => svc.service.config;

    beforeAll(async () => {
      reader = await svc.user({ name: "Rita Reader" });
      await provision(svc, reader);
      apiSchema = await gateways.sse.runtime.getSchema();
      groupsSchema = buildSubgraphSchema({ typeDefs: parse(groupsSdl) });
    });

    function operationOf(document: DocumentNode): OperationDefinitionNode {
      const operation = getOperationAST(document);
      if (!operation) throw new Error("no operation");
      return operation;
    }

    /**
     * Runs a client operation that the service's own rules (depth, aliases, cost, applied to the
     * supergraph as a client sends it) admit, through the gateway: it must succeed, and every fetch
     * the gateway sent to groups must pass the same rules and cost no more than the client operation.
     */
    async function withinBudget(document: string, variables: Record<string, unknown> = {}) {
      const parsed = parse(document);
      expect(validate(apiSchema, parsed, [depthLimitRule(config().maxQueryDepth), aliasLimitRule])).toEqual([]);
      const clientCost = operationCost(apiSchema, parsed, operationOf(parsed), variables);
      expect(clientCost).toBeLessThanOrEqual(config().maxQueryCost);

      groupsFetches.length = 0;
      const res = await query<Record<string, unknown>>(gateways.sse, document, variables, reader);
      expect(res.errors).toBeUndefined();
      const fetches = groupsFetches.map((f) => {
        const doc = parse(f.query);
        return {
          status: f.status,
          cost: operationCost(groupsSchema, doc, operationOf(doc), f.variables),
          query: f.query,
        };
      });
      for (const f of fetches) {
        expect(f.status).toBe(200);
        expect(
          validate(groupsSchema, parse(f.query), [depthLimitRule(config().maxQueryDepth), aliasLimitRule]),
        ).toEqual([]);
        expect(f.cost).toBeLessThanOrEqual(clientCost);
      }
      return { data: res.data!, clientCost, fetches };
    }

    let courseGroups: string[];

    beforeAll(async () => {
      // Ten groups with a course each: `courses` answers as many items as the cost rule assumes
      // for a list without `first` (10), so the client's cost below is its real cost.
      courseGroups = [];
      for (let i = 0; i < 10; i++) {
        const groupId = await createGroup(svc, reader, { name: `Course group ${i}` });
        courseGroups.push(groupId);
        courses.store.add({ groupId, title: `Course ${i}`, createdBy: reader.id });
      }
    });

    it("cost: a client operation near the budget; its _entities fetch of ten groups costs no more", async () => {
      const { data, clientCost, fetches } = await withinBudget(
        `query ($ids: [ID!]) {
          courses(groupIds: $ids) {
            title
            group {
              name
              members(first: 100) {
                totalCount
                nodes { role user { id handle memberships { role group { name } } } }
              }
            }
          }
        }`,
        { ids: courseGroups },
      );
      expect(clientCost).toBeGreaterThan(0.7 * config().maxQueryCost);
      expect(data.courses).toHaveLength(10);
      expect(fetches).toEqual([
        {
          status: 200,
          cost: expect.any(Number),
          query: expect.stringMatching(/^query\(\$representations:\[_Any!\]!\)\{_entities\(/),
        },
      ]);
      expect(groupsFetches[0].variables.representations).toHaveLength(10);
    });

    it("depth: a client operation at the depth limit, crossing courses -> groups -> courses -> groups -> accounts", async () => {
      const document = `query ($id: ID!) {
        course(id: $id) {                 # 1  courses
          group {                         # 2  groups, through _entities
            createdBy {                   # 3
              memberships {               # 4
                group {                   # 5
                  courses {               # 6  courses
                    group {               # 7  groups again
                      createdBy {         # 8
                        groups {          # 9
                          createdBy {     # 10
                            handle        # 11 accounts
                            memberships {
                              role        # 12
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }`;
      const courseId = courses.store.list([courseGroups[0]])[0].id;
      const parsed = parse(document);
      expect(validate(apiSchema, parsed, [depthLimitRule(config().maxQueryDepth)])).toEqual([]);
      expect(validate(apiSchema, parsed, [depthLimitRule(config().maxQueryDepth - 1)])).toHaveLength(1);
      const { data, fetches } = await withinBudget(document, { id: courseId });
      const memberships = (data.course as { group: { createdBy: { memberships: unknown[] } } }).group.createdBy
        .memberships;
      expect(memberships).toHaveLength(10);
      // Both trips into groups were `_entities` fetches, no deeper than the client's operation.
      expect(fetches.map((f) => /^query\(\$representations:\[_Any!\]!\)\{_entities\(/.test(f.query))).toEqual([
        true,
        true,
      ]);
    });

    it("aliases: a client's 99 aliased fields; the gateway batches their _entities fetches under aliases of its own", async () => {
      // A distinct selection per alias keeps the gateway from merging them into one fetch: it sends
      // one `_entities` per selection, batched into one request as `_v0__entities`, `_v1__entities`...
      const fields = ["name", "groupType", "description", "shortName", "url", "knowledgeArea", "campus"];
      const userFields = ["isGlobalAdmin", "createdAt", "updatedAt"];
      const pick = (from: string[], bits: number) => from.filter((_, b) => (bits >> b) & 1).join(" ") || "id";
      const aliased = Array.from(
        { length: 99 },
        (_, i) =>
          `c${i}: courses(groupIds: $ids) { group { ${pick(fields, i + 1)} } createdBy { ${pick(userFields, i % 8)} } }`,
      );
      const { data, fetches } = await withinBudget(`query ($ids: [ID!]) { ${aliased.join("\n")} }`, {
        ids: courseGroups.slice(0, 1),
      });
      expect(Object.keys(data)).toHaveLength(99);
      // c98 asked for bits 0, 1, 5 and 6 of the group's fields (99 = 0b1100011), bit 1 of the user's (98 % 8 = 2).
      expect(data.c98).toEqual([
        {
          group: { name: "Course group 0", groupType: expect.any(String), knowledgeArea: null, campus: null },
          createdBy: { createdAt: expect.any(String) },
        },
      ]);
      const gatewayAliases = fetches.map((f) => f.query.match(/\b_v\d+__entities:/g)?.length ?? 0);
      expect(gatewayAliases.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);

      // Only those root `_entities` are left out of the count: a client's own 101 aliases are
      // still refused, inside `_entities` as anywhere else.
      const representations = [{ __typename: "Group", id: courseGroups[0] }];
      const inside = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Group { ${Array.from(
        { length: 101 },
        (_, i) => `n${i}: name`,
      ).join(" ")} } } }`;
      const refused = await svc.gql(inside, { r: representations }, reader);
      expect(refused.errors?.map((e) => e.message)).toEqual([
        "Too many aliases: at most 100 aliased fields per operation",
      ]);
    });

    it("rate limit: a router forwarding each client's token is limited per client, not as one caller", async () => {
      const spender = await svc.user();
      const saver = await svc.user();
      await provision(svc, spender, saver);
      // The spender uses up its allowance directly...
      let refused = 0;
      for (let i = 0; i < 2 * RATE_LIMIT_PER_MINUTE && refused === 0; i++) {
        const res = await svc.gql(`{ me { id } }`, {}, spender);
        if (res.errors?.[0]?.extensions?.code === "RATE_LIMITED") refused++;
      }
      expect(refused).toBe(1);
      // ...so through the gateway it is refused too, with groups' RATE_LIMITED and its retry hint...
      const limited = await query(gateways.sse, `{ me { id handle } }`, {}, spender);
      expect(limited.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: "RATE_LIMITED", retryAfter: expect.any(Number) }),
        }),
      ]);
      // ...while another client of the same gateway goes on, its fetches counted against its own allowance.
      const served = await ok<{ me: { id: string } }>(gateways.sse, `{ me { id handle } }`, {}, saver);
      expect(served.me.id).toBe(saver.id);
    });
  });
});
