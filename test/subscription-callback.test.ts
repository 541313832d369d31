import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";

/**
 * Apollo Router's HTTP callback protocol (callback/1.0): a local HTTP server plays the router,
 * receiving the service's `check`, `next` and `complete` POSTs. Hive Gateway does not speak this
 * protocol, so no gateway here. Only hosts in SUBSCRIPTION_CALLBACK_HOSTS may receive callbacks.
 */

interface CallbackMessage {
  kind: string;
  action: "check" | "next" | "complete";
  id: string;
  verifier: string;
  payload?: { data?: Record<string, { id: string; type: string; groupId: string }> | null; errors?: unknown[] };
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The router's side: every callback POST it received, by subscription id. */
class FakeRouter {
  readonly received: (CallbackMessage & { protocol?: string })[] = [];
  private waiters: (() => void)[] = [];
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeRouter> {
    const server = http.createServer();
    const router = new FakeRouter(server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const message = JSON.parse(Buffer.concat(chunks).toString("utf8")) as CallbackMessage;
        router.received.push({ ...message, protocol: req.headers["subscription-protocol"] as string | undefined });
        // callback/1.0: 204 to a check, 200 to next and complete.
        res.writeHead(message.action === "check" ? 204 : 200).end();
        for (const wake of router.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return router;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  of(id: string): (CallbackMessage & { protocol?: string })[] {
    return this.received.filter((m) => m.id === id);
  }

  /** Waits until `id` has received messages matching `done`, or fails after `ms`. */
  async until(id: string, done: (messages: CallbackMessage[]) => boolean, ms = 5000): Promise<CallbackMessage[]> {
    const deadline = Date.now() + ms;
    while (!done(this.of(id))) {
      if (Date.now() > deadline) throw new Error(`callbacks of ${id}: ${JSON.stringify(this.of(id))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.of(id);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const GROUP_EVENTS = `subscription ($groupId: ID, $after: ID) { groupEvents(groupId: $groupId, after: $after) { id type groupId } }`;
const UPDATE_GROUP = `mutation ($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`;
const LAST_EVENT = `query ($groupId: ID) { events(filter: { groupId: $groupId }, first: 100) { pageInfo { endCursor } } }`;

describe("subscriptions over Apollo Router's HTTP callback protocol", () => {
  let svc: TestService;
  let router: FakeRouter;
  let owner: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    router = await FakeRouter.start();
    // Only 127.0.0.1 may receive callbacks; `localhost` names the same router but is not listed.
    svc = await TestService.start({ subscriptionCallbackHosts: [`127.0.0.1:${router.port}`] });
    owner = await svc.user();
    outsider = await svc.user();
    await provision(svc, owner, outsider);
  });
  afterAll(async () => {
    await svc.stop();
    await router.close();
  });

  /** POSTs a subscription the way the router does in callback mode; returns its id and the answer. */
  async function subscribe(
    variables: Record<string, unknown>,
    as?: TestUser,
    host = "127.0.0.1",
  ): Promise<{ id: string; status: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } }> {
    const id = crypto.randomUUID();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (as) headers.authorization = `Bearer ${as.token}`;
    const res = await fetch(svc.url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        query: GROUP_EVENTS,
        variables,
        extensions: {
          subscription: {
            callbackUrl: `http://${host}:${router.port}/callback/${id}`,
            subscriptionId: id,
            verifier: "router-verifier",
            heartbeatIntervalMs: 0,
          },
        },
      }),
    });
    return { id, status: res.status, body: (await res.json()) as never };
  }

  async function lastEventId(groupId: string): Promise<string> {
    const res = await svc.gql<{ events: { pageInfo: { endCursor: string } } }, unknown>(LAST_EVENT, { groupId }, owner);
    return res.data!.events.pageInfo.endCursor;
  }

  async function touch(groupId: string, description: string): Promise<void> {
    const res = await svc.gql(UPDATE_GROUP, { id: groupId, input: { description } }, owner);
    expect(res.errors).toBeUndefined();
  }

  it("checks the callback, then POSTs each event as `next` with the verifier", async () => {
    const g = await createGroup(svc, owner, { name: "Callback news" });
    const sub = await subscribe({ groupId: g, after: await lastEventId(g) }, owner);
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({ data: null });
    expect(sub.body.errors).toBeUndefined();
    await router.until(sub.id, (m) => m.some((x) => x.action === "check"));
    expect(router.of(sub.id)[0]).toMatchObject({ kind: "subscription", action: "check", verifier: "router-verifier" });
    expect(router.of(sub.id)[0]!.protocol).toBe("callback/1.0");

    await touch(g, "first");
    const messages = await router.until(sub.id, (m) => m.some((x) => x.action === "next"));
    const next = messages.find((m) => m.action === "next")!;
    expect(next.verifier).toBe("router-verifier");
    expect(next.payload?.errors).toBeUndefined();
    expect(next.payload?.data?.groupEvents).toMatchObject({ type: "GROUP_UPDATED", groupId: g });
  });

  it("replays the events missed since `after` first, in order", async () => {
    const g = await createGroup(svc, owner, { name: "Callback replay" });
    const before = await lastEventId(g);
    await touch(g, "one");
    await touch(g, "two");
    const sub = await subscribe({ groupId: g, after: before }, owner);
    const messages = await router.until(sub.id, (m) => m.filter((x) => x.action === "next").length >= 2);
    const events = messages.filter((m) => m.action === "next").map((m) => m.payload!.data!.groupEvents!);
    expect(events.map((e) => e.type)).toEqual(["GROUP_UPDATED", "GROUP_UPDATED"]);
    expect(BigInt(events[0]!.id)).toBeLessThan(BigInt(events[1]!.id));
    expect(BigInt(events[0]!.id)).toBeGreaterThan(BigInt(before));
  });

  it("gives an outsider nothing of a private group: `complete` with NOT_FOUND, no event", async () => {
    const g = await createGroup(svc, owner, { name: "Callback secret", visibility: "PRIVATE" });
    const member = await svc.user();
    await provision(svc, member);
    await addMember(svc, owner, g, member);
    const sub = await subscribe({ groupId: g }, outsider);
    const messages = await router.until(sub.id, (m) => m.some((x) => x.action === "complete"));
    await touch(g, "secret change");
    // A moment for a wrongly delivered event to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(router.of(sub.id).some((m) => m.action === "next")).toBe(false);
    const complete = messages.find((m) => m.action === "complete")!;
    expect(complete.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    expect(JSON.stringify(complete)).not.toContain("Callback secret");
  });

  it("refuses a callback host not on the allow-list (FORBIDDEN) and POSTs nothing there", async () => {
    const g = await createGroup(svc, owner, { name: "Callback elsewhere" });
    const sub = await subscribe({ groupId: g }, owner, "localhost");
    expect(sub.status).toBe(403);
    expect(sub.body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    await touch(g, "after refusal");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(router.of(sub.id)).toEqual([]);
  });

  it("refuses a callback subscription without a token and POSTs nothing", async () => {
    const g = await createGroup(svc, owner, { name: "Callback anonymous" });
    const sub = await subscribe({ groupId: g });
    expect(sub.status).toBe(401);
    expect(sub.body.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(router.of(sub.id)).toEqual([]);
  });

  it("answers a query that carries the extension as a query, without calling back", async () => {
    const id = crypto.randomUUID();
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({
        query: "{ me { id } }",
        extensions: {
          subscription: {
            callbackUrl: `http://127.0.0.1:${router.port}/callback/${id}`,
            subscriptionId: id,
            verifier: "v",
          },
        },
      }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ me: { id: owner.id } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(router.of(id)).toEqual([]);
  });
});

describe("callback subscriptions are off by default", () => {
  let svc: TestService;
  let owner: TestUser;
  let router: FakeRouter;

  beforeAll(async () => {
    router = await FakeRouter.start();
    svc = await TestService.start();
    owner = await svc.user();
    await provision(svc, owner);
  });
  afterAll(async () => {
    await svc.stop();
    await router.close();
  });

  it("refuses every callback host when SUBSCRIPTION_CALLBACK_HOSTS is empty", async () => {
    const id = crypto.randomUUID();
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({
        query: GROUP_EVENTS,
        extensions: {
          subscription: {
            callbackUrl: `http://127.0.0.1:${router.port}/callback/${id}`,
            subscriptionId: id,
            verifier: "v",
          },
        },
      }),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["FORBIDDEN"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(router.received).toEqual([]);
  });
});
