import crypto from "node:crypto";
import net from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { addMember, createGroup, provision } from "./utils/builders";
import { TestService } from "./utils/service";
import { type SubscriptionStream, WsCaller } from "./utils/subscriptions";

/**
 * graphql-ws limits over real sockets (issue 15/16): the size of a WebSocket message, before and
 * after authentication (WS_MAX_PAYLOAD_BYTES), and the subscriptions one connection may hold
 * (MAX_SUBSCRIPTIONS_PER_CONNECTION).
 */

/** `global.gc`, exposed at run time when node was started without --expose-gc. */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/** Memory held in Buffers (where ws keeps a frame it is receiving) after a full collection. */
function settledBuffers(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

/**
 * A WebSocket opened by hand (no client library), so a test can announce a frame of any size and
 * send only part of it: `closeCode` is the code of the server's close frame, once one arrived.
 */
class RawSocket {
  closeCode: number | undefined;
  sent = 0;
  private received = Buffer.alloc(0);
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      // Server frames are unmasked; a close frame is 0x88, a short length, then the code.
      if (this.closeCode === undefined && this.received[0] === 0x88 && this.received.length >= 4) {
        this.closeCode = this.received.readUInt16BE(2);
      }
    });
    socket.on("close", () => (this.ended = true));
    socket.on("error", () => (this.ended = true)); // EPIPE/ECONNRESET once the server gave up on us
  }

  static async open(httpUrl: string): Promise<RawSocket> {
    const { hostname, port } = new URL(httpUrl);
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.write(
      [
        "GET /graphql HTTP/1.1",
        `Host: ${hostname}:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: graphql-transport-ws",
        "",
        "",
      ].join("\r\n"),
    );
    const head = await new Promise<string>((resolve, reject) => {
      let text = "";
      const onData = (chunk: Buffer) => {
        text += chunk.toString("latin1");
        if (!text.includes("\r\n\r\n")) return;
        socket.off("data", onData);
        resolve(text);
      };
      socket.on("data", onData).once("error", reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    return new RawSocket(socket);
  }

  /**
   * Announces one text frame of `announced` bytes, then sends up to `send` bytes of it (zeros, under
   * an all-zero mask), stopping early when the server closes. No `connection_init`, no token.
   */
  async sendPartOfFrame(announced: number, send: number): Promise<void> {
    const header = Buffer.alloc(14);
    header[0] = 0x81; // FIN, text
    header[1] = 0x80 | 127; // masked, 64-bit length
    header.writeBigUInt64BE(BigInt(announced), 2);
    // bytes 10..13: the mask key, zeros
    this.socket.write(header);
    const chunk = Buffer.alloc(64 * 1024); // one buffer, written again and again: the client keeps no copies
    while (this.sent < send && this.closeCode === undefined && !this.ended) {
      this.sent += chunk.length;
      if (!this.socket.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            this.socket.off("drain", done).off("close", done);
            resolve();
          };
          this.socket.on("drain", done).on("close", done);
        });
      }
      await new Promise<void>((resolve) => setImmediate(resolve)); // let the server's close frame in
    }
  }

  async waitForClose(ms: number): Promise<number | undefined> {
    const deadline = Date.now() + ms;
    while (this.closeCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closeCode;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Resolves once the graphql-ws client's socket closed, with its close code. */
function closed(client: ReturnType<typeof createClient>): Promise<number> {
  return new Promise((resolve) => client.on("closed", (event) => resolve((event as { code: number }).code)));
}

describe("WebSocket message size (WS_MAX_PAYLOAD_BYTES, 1 MiB by default)", () => {
  let svc: TestService;
  const raw: RawSocket[] = [];
  const callers: WsCaller[] = [];
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    svc = await TestService.start();
  });
  beforeEach(() => {
    consoleError = jest.spyOn(console, "error");
  });
  afterEach(async () => {
    raw.splice(0).forEach((socket) => socket.destroy());
    await Promise.all(callers.splice(0).map((caller) => caller.close()));
    consoleError.mockRestore();
  });
  afterAll(() => svc.stop());

  it("refuses an unauthenticated 95 MB frame from its header with 1009 and keeps none of it", async () => {
    expect(svc.service.config.wsMaxPayloadBytes).toBe(1024 * 1024);
    const gc = garbageCollector();
    const before = settledBuffers(gc);
    // The attack: four 95 MB frames where connection_init belongs, without a token. Each
    // client sends 24 MB of its frame (or less, if the server closes first) and keeps the socket open.
    for (let i = 0; i < 4; i++) raw.push(await RawSocket.open(svc.url));
    await Promise.all(raw.map((socket) => socket.sendPartOfFrame(95_000_000, 24 * 1024 * 1024)));
    const codes = await Promise.all(raw.map((socket) => socket.waitForClose(2000)));
    // Measured while the sockets are still open: an unbounded server holds 4 x 24 MB here.
    const growth = settledBuffers(gc) - before;

    expect(codes).toEqual([1009, 1009, 1009, 1009]);
    expect(growth).toBeLessThan(8 * 1024 * 1024);
    // Refused, not read: each client got the close long before it had sent its 24 MB.
    for (const socket of raw) expect(socket.sent).toBeLessThan(16 * 1024 * 1024);
    // A client's mistake, not the service's: no "Internal error" stack on stderr from graphql-ws.
    expect(consoleError).not.toHaveBeenCalled();

    // The server goes on answering others, over graphql-ws and HTTP alike.
    const user = await svc.user();
    const caller = new WsCaller(svc.url, user.token);
    callers.push(caller);
    expect(await caller.subscribe(`{ me { id } }`).next(1)).toEqual([{ me: { id: user.id } }]);
    expect((await svc.gql(`{ me { id } }`, {}, user)).data).toEqual({ me: { id: user.id } });
  });

  it("takes messages under the limit, before and after connection_init, and closes with 1009 above it", async () => {
    const user = await svc.user();
    // A 900 KB connection_init (the token plus padding), then a 900 KB subscribe message: both pass.
    const client = createClient({
      url: svc.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${user.token}`, padding: "x".repeat(900_000) },
      retryAttempts: 0,
      lazy: true,
    });
    const closing = closed(client);
    const ask = (pad: string) =>
      new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          // An undeclared variable is ignored by GraphQL, not by the socket: it only adds bytes.
          { query: `{ me { id } }`, variables: { pad } },
          { next: resolve, error: reject, complete: () => undefined },
        );
      });
    try {
      expect(await ask("y".repeat(900_000))).toEqual({ data: { me: { id: user.id } } });
      // 1.1 MB in one message: the connection goes, with ws's "Message Too Big".
      await expect(ask("y".repeat(1_100_000))).rejects.toMatchObject({ code: 1009 });
      expect(await closing).toBe(1009);
    } finally {
      await client.dispose();
    }
    expect(consoleError).not.toHaveBeenCalled();

    const other = new WsCaller(svc.url, (await svc.user()).token);
    callers.push(other);
    expect(await other.subscribe(`{ me { id } }`).take(1)).toMatchObject([{ kind: "next" }]);
  });
});

describe("subscriptions per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION, here 3)", () => {
  const MembershipChanges = `subscription { membershipChanges { type } }`;
  let svc: TestService;
  const callers: WsCaller[] = [];

  beforeAll(async () => {
    svc = await TestService.start({ maxSubscriptionsPerConnection: 3 });
  });
  afterEach(async () => {
    await Promise.all(callers.splice(0).map((caller) => caller.close()));
    await until(() => svc.service.events.stats().subscribers === 0);
  });
  afterAll(() => svc.stop());

  async function until(check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the hub");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function expectRefused(item: unknown): void {
    expect(item).toMatchObject({
      kind: "error",
      error: [
        {
          message: expect.stringMatching(/holds 3 subscriptions.*MAX_SUBSCRIPTIONS_PER_CONNECTION=3/),
          extensions: { code: "BAD_USER_INPUT" },
        },
      ],
    });
  }

  it("refuses one more with BAD_USER_INPUT; the connection and its subscriptions go on; completing one frees its slot", async () => {
    const owner = await svc.user();
    const member = await svc.user();
    await provision(svc, member);
    const groupId = await createGroup(svc, owner);
    const caller = new WsCaller(svc.url, member.token);
    callers.push(caller);

    const held = [1, 2, 3].map(() => caller.subscribe(MembershipChanges));
    const [fourth] = await caller.subscribe(MembershipChanges).take(1);
    expectRefused(fourth);
    expect(caller.closes).toEqual([]);
    await until(() => svc.service.events.stats().subscribers === 3);
    // Queries over the same socket hold no slot.
    expect(await caller.subscribe(`{ me { id } }`).next(1)).toEqual([{ me: { id: member.id } }]);

    await addMember(svc, owner, groupId, member);
    for (const stream of held) expect(await stream.next(1)).toEqual([{ membershipChanges: { type: "MEMBER_ADDED" } }]);

    // Completing one frees its slot for the next, and only one.
    held[0]!.unsubscribe();
    const replacement = caller.subscribe(MembershipChanges);
    const [fifth] = await caller.subscribe(MembershipChanges).take(1);
    expectRefused(fifth);
    await svc.ok(
      `mutation ($groupId: ID!, $userId: ID!) { removeMember(groupId: $groupId, userId: $userId) }`,
      { groupId, userId: member.id },
      owner,
    );
    for (const stream of [held[1]!, held[2]!, replacement]) {
      expect(await stream.next(1)).toEqual([{ membershipChanges: { type: "MEMBER_REMOVED" } }]);
    }
    expect(caller.closes).toEqual([]);
  });

  it("counts per connection, and a subscription that failed holds no slot", async () => {
    const user = await svc.user();
    await provision(svc, user);
    const first = new WsCaller(svc.url, user.token);
    const second = new WsCaller(svc.url, user.token);
    callers.push(first, second);

    // One held from the start keeps the connection open (the test client closes an idle one).
    const open: SubscriptionStream<unknown>[] = [first.subscribe(MembershipChanges)];
    // Three refused by their resolver (no such group) end at once and free their slots.
    const missing = `subscription ($groupId: ID) { groupEvents(groupId: $groupId) { id } }`;
    for (let i = 0; i < 3; i++) {
      const [item] = await first.subscribe(missing, { groupId: crypto.randomUUID() }).take(1);
      expect(item).toMatchObject({ kind: "next", value: { errors: [{ extensions: { code: "NOT_FOUND" } }] } });
    }
    open.push(first.subscribe(MembershipChanges), first.subscribe(MembershipChanges));
    expectRefused((await first.subscribe(MembershipChanges).take(1))[0]);
    // Another connection of the same user has slots of its own.
    open.push(...[1, 2, 3].map(() => second.subscribe(MembershipChanges)));
    await until(() => svc.service.events.stats().subscribers === 6);
    expect(open.flatMap((stream) => stream.received)).toEqual([]);
    expect([...first.closes, ...second.closes]).toEqual([]);
  });
});
