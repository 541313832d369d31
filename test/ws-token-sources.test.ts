import crypto from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { mintToken } from "../src/auth";
import { createGroup } from "./utils/builders";
import { TEST_SECRET, TestService, type TestUser } from "./utils/service";
import { type Received, SubscriptionStream } from "./utils/subscriptions";

/**
 * Where a graphql-ws connection's token may come from (issue 18, "subscriptions through
 * gateways"): connection_init's `Authorization`, its `token` (as gateways and routers send it),
 * keys matched ignoring case, or the upgrade request's `Authorization` header; in that order of
 * precedence. Real sockets against the service on port 0.
 */

const GROUP_EVENTS = `
  subscription GroupEvents($groupId: ID, $after: ID) {
    groupEvents(groupId: $groupId, after: $after) { id type groupId actorId }
  }`;
const UPDATE_GROUP = `mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`;
const LAST_EVENT = `query LastEvent($id: ID!) { group(id: $id) { events(first: 500) { pageInfo { endCursor } } } }`;

interface EventData {
  groupEvents: { id: string; type: string; groupId: string; actorId: string };
}

interface Connection {
  client: Client;
  /** Close codes of the socket, in order. */
  closes: number[];
}

describe("graphql-ws: the token's three sources", () => {
  let svc: TestService;
  let wrongSecret: string;
  const connections: Connection[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    wrongSecret = await mintToken("another-secret-that-is-long-enough-for-hs256", { sub: crypto.randomUUID() });
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map(({ client }) => client.dispose()));
  });
  afterAll(() => svc.stop());

  /** A lazy graphql-ws client sending `params` in connection_init and, when given, an upgrade `Authorization` header. */
  function connect(params: Record<string, unknown>, header?: string): Connection {
    const headers = header === undefined ? {} : { authorization: header };
    class WithHeaders extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    const closes: number[] = [];
    const client = createClient({
      url: svc.url.replace(/^http/, "ws"),
      webSocketImpl: WithHeaders,
      connectionParams: params,
      retryAttempts: 0,
      lazy: true,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const connection = { client, closes };
    connections.push(connection);
    return connection;
  }

  function subscribe(connection: Connection, variables: Record<string, unknown>): SubscriptionStream<EventData> {
    const stream = new SubscriptionStream<EventData>();
    stream.unsubscribe = connection.client.subscribe<EventData>(
      { query: GROUP_EVENTS, variables },
      {
        next: (value) => stream.push({ kind: "next", value: value as Received<EventData> }),
        error: (error) => stream.push({ kind: "error", error }),
        complete: () => stream.push({ kind: "complete" }),
      },
    );
    return stream;
  }

  /**
   * The connection authenticates as `user`: a subscription to a group `user` created (from its last
   * event on) receives the GROUP_UPDATED of `user`'s next change to it.
   */
  async function expectDelivered(connection: Connection, user: TestUser): Promise<void> {
    const groupId = await createGroup(svc, user);
    const log = await svc.ok<{ group: { events: { pageInfo: { endCursor: string } } } }, unknown>(
      LAST_EVENT,
      { id: groupId },
      user,
    );
    const stream = subscribe(connection, { groupId, after: log.group.events.pageInfo.endCursor });
    await svc.ok(UPDATE_GROUP, { id: groupId, input: { name: `Renamed ${groupId.slice(0, 8)}` } }, user);
    const [event] = await stream.next(1);
    expect(event!.groupEvents).toMatchObject({ type: "GROUP_UPDATED", groupId, actorId: user.id });
    expect(connection.closes).toEqual([]);
  }

  /** The connection is refused: the subscription errors and the socket is closed with 4403 Forbidden. */
  async function expectForbidden(connection: Connection): Promise<void> {
    const items = await subscribe(connection, { groupId: null }).take(1);
    expect(items.map((item) => item.kind)).toEqual(["error"]);
    expect(connection.closes).toEqual([4403]);
  }

  it("takes connection_init { token: 'Bearer …' }, and refuses an invalid one with 4403", async () => {
    const user = await svc.user();
    await expectDelivered(connect({ token: `Bearer ${user.token}` }), user);
    await expectForbidden(connect({ token: `Bearer ${wrongSecret}` }));
    await expectForbidden(connect({ token: "Bearer not-a-jwt" }));
  });

  it("matches the token key ignoring case ({ TOKEN: … }, { Token: … })", async () => {
    const user = await svc.user();
    await expectDelivered(connect({ TOKEN: `Bearer ${user.token}` }), user);
    await expectDelivered(connect({ Token: `bearer ${user.token}` }), user);
    await expectForbidden(connect({ TOKEN: `Bearer ${wrongSecret}` }));
  });

  it("takes a bare JWT under token (gateways may forward it without a scheme), but not under Authorization", async () => {
    const user = await svc.user();
    await expectDelivered(connect({ token: user.token }), user);
    await expectForbidden(connect({ token: wrongSecret }));
    await expectForbidden(connect({ token: "not a token" }));
    await expectForbidden(connect({ Authorization: user.token }));
  });

  it("takes the upgrade request's Authorization header with an empty connection_init payload, and refuses an invalid one with 4403", async () => {
    const user = await svc.user();
    await expectDelivered(connect({}, `Bearer ${user.token}`), user);
    await expectForbidden(connect({}, `Bearer ${wrongSecret}`));
    await expectForbidden(connect({}, user.token)); // a header needs its scheme, as over HTTP
  });

  it("still takes connection_init { Authorization: 'Bearer …' }; an empty value counts as absent; none at all is 4403", async () => {
    const user = await svc.user();
    await expectDelivered(connect({ Authorization: `Bearer ${user.token}` }), user);
    await expectDelivered(connect({ authorization: `Bearer ${user.token}` }), user);
    await expectDelivered(connect({ Authorization: "", token: `Bearer ${user.token}` }), user);
    await expectForbidden(connect({}));
    await expectForbidden(connect({ Authorization: "", token: "" }));
  });

  it("uses the first source present: Authorization, then token, then the header, with no fallback past an invalid one", async () => {
    const ada = await svc.user({ name: "Ada" });
    const bob = await svc.user({ name: "Bob" });
    // Authorization before token, token before the header: each connection is the first source's user.
    await expectDelivered(connect({ token: `Bearer ${bob.token}`, Authorization: `Bearer ${ada.token}` }), ada);
    await expectDelivered(connect({ token: `Bearer ${bob.token}` }, `Bearer ${ada.token}`), bob);
    await expectDelivered(connect({ Authorization: `Bearer ${ada.token}` }, `Bearer ${bob.token}`), ada);
    // The first source present is the one verified: an invalid one is refused, whatever follows it.
    await expectForbidden(connect({ Authorization: `Bearer ${wrongSecret}`, token: `Bearer ${ada.token}` }));
    await expectForbidden(connect({ token: `Bearer ${wrongSecret}` }, `Bearer ${ada.token}`));
  });

  it("closes a connection authenticated by token or by the header with 4401 when its token expires", async () => {
    for (const source of ["token", "header"] as const) {
      const user = await svc.user();
      const shortLived = await mintToken(TEST_SECRET, { sub: user.id, expiresIn: "2s" });
      const connection =
        source === "token" ? connect({ token: `Bearer ${shortLived}` }) : connect({}, `Bearer ${shortLived}`);
      const stream = subscribe(connection, { groupId: null });
      const items = await stream.take(1, 5000);
      expect(items.map((item) => item.kind)).toEqual(["error"]);
      expect(connection.closes).toEqual([4401]);
    }
  });
});
