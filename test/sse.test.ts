import { mintToken } from "../src/auth";
import { addMember, createGroup, provision } from "./utils/builders";
import { TEST_SECRET, TestService, type TestUser } from "./utils/service";

/**
 * GraphQL over SSE (graphql-sse, distinct connections mode) on /graphql: the same token, limits,
 * resume and per-event checks as graphql-ws. Sync point: subscriptions start with `after: <the
 * newest event id>`, so replay closes any gap between subscribing and the change that follows.
 */

interface SseEvent {
  event: string;
  data: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
}

/** One SSE request, read event by event (comments, the keep-alives, skipped). */
class SseStream {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const lines = block.split("\n").filter((line) => line && !line.startsWith(":"));
        if (!lines.length) continue;
        const field = (name: string) =>
          lines
            .filter((l) => l.startsWith(`${name}:`))
            .map((l) => l.slice(name.length + 1).trimStart())
            .join("\n");
        const data = field("data");
        return { event: field("event"), data: data ? JSON.parse(data) : null };
      }
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel();
  }
}

const GROUP_EVENTS = `subscription ($groupId: ID, $after: ID) { groupEvents(groupId: $groupId, after: $after) { id type groupId } }`;
const UPDATE_GROUP = `mutation ($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`;
const LAST_EVENT = `query ($groupId: ID) { events(filter: { groupId: $groupId }, first: 100) { pageInfo { endCursor } } }`;

describe("GraphQL over SSE", () => {
  let svc: TestService;
  let owner: TestUser;
  let outsider: TestUser;
  const open: SseStream[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user();
    outsider = await svc.user();
    await provision(svc, owner, outsider);
  });
  afterEach(async () => {
    for (const stream of open.splice(0)) await stream.close().catch(() => undefined);
  });
  afterAll(async () => {
    await svc.stop();
  });

  /** POSTs an operation asking for an event stream. */
  async function post(query: string, variables: Record<string, unknown>, as?: TestUser): Promise<SseStream> {
    const headers: Record<string, string> = { accept: "text/event-stream", "content-type": "application/json" };
    if (as) headers.authorization = `Bearer ${as.token}`;
    const res = await fetch(svc.url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const stream = new SseStream(res);
    open.push(stream);
    return stream;
  }

  async function lastEventId(groupId: string): Promise<string> {
    const data = await svc.ok<{ events: { pageInfo: { endCursor: string } } }, unknown>(LAST_EVENT, { groupId }, owner);
    return data.events.pageInfo.endCursor;
  }

  async function rename(groupId: string, name: string): Promise<void> {
    await svc.ok(UPDATE_GROUP, { id: groupId, input: { name } }, owner);
  }

  it("delivers an event of a group the caller can read", async () => {
    const groupId = await createGroup(svc, owner);
    const stream = await post(GROUP_EVENTS, { groupId, after: await lastEventId(groupId) }, owner);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await rename(groupId, "Renamed over SSE");
    const event = await stream.next();
    expect(event).toMatchObject({
      event: "next",
      data: { data: { groupEvents: { type: "GROUP_UPDATED", groupId } } },
    });
    expect(event?.data?.errors).toBeUndefined();
  });

  it("a member receives events too; an outsider subscribing to a PRIVATE group gets NOT_FOUND", async () => {
    const groupId = await createGroup(svc, owner, { visibility: "PRIVATE" });
    const member = await svc.user();
    await addMember(svc, owner, groupId, member);
    const memberStream = await post(GROUP_EVENTS, { groupId, after: await lastEventId(groupId) }, member);

    const refused = await post(GROUP_EVENTS, { groupId }, outsider);
    expect(refused.response.status).toBe(200);
    const error = await refused.next();
    expect(error?.event).toBe("next");
    expect(error?.data?.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    expect((await refused.next())?.event).toBe("complete");

    await rename(groupId, "Private, renamed");
    expect(await memberStream.next()).toMatchObject({ data: { data: { groupEvents: { type: "GROUP_UPDATED" } } } });
  });

  it("replays the events missed since `after`", async () => {
    const groupId = await createGroup(svc, owner);
    const after = await lastEventId(groupId);
    await rename(groupId, "First");
    await rename(groupId, "Second");
    const stream = await post(GROUP_EVENTS, { groupId, after }, owner);
    const first = await stream.next();
    const second = await stream.next();
    const ids = [first, second].map((e) => (e?.data?.data?.groupEvents as { id: string; type: string }).id);
    expect([first, second].map((e) => (e?.data?.data?.groupEvents as { type: string }).type)).toEqual([
      "GROUP_UPDATED",
      "GROUP_UPDATED",
    ]);
    expect(BigInt(ids[0]!)).toBeGreaterThan(BigInt(after));
    expect(BigInt(ids[1]!)).toBeGreaterThan(BigInt(ids[0]!));
  });

  it("answers 401 without a token, naming the Authorization header", async () => {
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { accept: "text/event-stream", "content-type": "application/json" },
      body: JSON.stringify({ query: GROUP_EVENTS }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
    expect(body.errors[0]!.message).toMatch(/Authorization header/);

    const invalid = await fetch(svc.url, {
      method: "POST",
      headers: { accept: "text/event-stream", "content-type": "application/json", authorization: "Bearer not-a-jwt" },
      body: JSON.stringify({ query: GROUP_EVENTS }),
    });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("answers a query (GET, with the token) as one `next` and `complete`", async () => {
    const url = `${svc.url}?query=${encodeURIComponent("{ me { id } }")}`;
    const res = await fetch(url, { headers: { accept: "text/event-stream", authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(200);
    const stream = new SseStream(res);
    open.push(stream);
    expect(await stream.next()).toEqual({ event: "next", data: { data: { me: { id: owner.id } } } });
    expect((await stream.next())?.event).toBe("complete");
    expect(await stream.next()).toBeUndefined();
  });

  it("refuses a CSRF-style request: a text/event-stream GET without Authorization", async () => {
    const url = `${svc.url}?query=${encodeURIComponent("{ me { id } }")}`;
    const res = await fetch(url, { headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/Cross-Site Request Forgery/);
    // The same request with a bearer token is no CSRF risk (a browser preflights it): served.
    const authorized = await fetch(url, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${owner.token}` },
    });
    expect(authorized.status).toBe(200);
    expect(authorized.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await authorized.body?.cancel();
  });

  it("applies the same limits as graphql-ws: depth and the document's validation", async () => {
    let deep = "id";
    for (let i = 0; i < 20; i++) deep = `parents { ${deep} }`;
    const stream = await post(`{ me { id } groups(first: 1) { nodes { ${deep} } } }`, {}, owner);
    const event = await stream.next();
    expect(event?.event).toBe("next");
    expect(event?.data?.data).toBeUndefined();
    expect(event?.data?.errors?.map((e) => e.extensions?.code)).toContain("GRAPHQL_VALIDATION_FAILED");
    expect((await stream.next())?.event).toBe("complete");
  });

  it("ends a stream when its token expires (the client resubscribes with a fresh one)", async () => {
    const groupId = await createGroup(svc, owner);
    const shortLived = await mintToken(TEST_SECRET, { sub: owner.id, expiresIn: "2s" });
    const started = Date.now();
    const res = await fetch(svc.url, {
      method: "POST",
      headers: {
        accept: "text/event-stream",
        "content-type": "application/json",
        authorization: `Bearer ${shortLived}`,
      },
      body: JSON.stringify({ query: GROUP_EVENTS, variables: { groupId } }),
    });
    expect(res.status).toBe(200);
    const stream = new SseStream(res);
    open.push(stream);
    // No event comes; the response ends at the token's expiry (jwt exp has 1 s resolution), without
    // `complete`: for a graphql-sse client that is a dropped connection, which it retries (with the
    // fresh token its headers function gives), not an operation that finished.
    expect(await stream.next()).toBeUndefined();
    const lasted = Date.now() - started;
    expect(lasted).toBeGreaterThan(500);
    expect(lasted).toBeLessThan(5000);
  });
});

describe("GraphQL over SSE on shutdown", () => {
  it("ends every open stream when the service drains (clients retry elsewhere), and the stop finishes", async () => {
    const svc = await TestService.start();
    const owner = await svc.user();
    await provision(svc, owner);
    const groupId = await createGroup(svc, owner);
    const res = await fetch(svc.url, {
      method: "POST",
      headers: {
        accept: "text/event-stream",
        "content-type": "application/json",
        authorization: `Bearer ${owner.token}`,
      },
      body: JSON.stringify({ query: GROUP_EVENTS, variables: { groupId } }),
    });
    expect(res.status).toBe(200);
    const stream = new SseStream(res);
    const stopped = svc.stop();
    expect(await stream.next()).toBeUndefined();
    await stopped;
  });
});
