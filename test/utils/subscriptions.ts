import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

export interface Received<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * One graphql-ws (graphql-transport-ws) connection of a test caller: subscribe, then take what
 * arrives in order. `close()` in afterEach/afterAll; every socket is closed by its owner.
 */
export class WsCaller {
  readonly client: Client;
  /** Close events of the socket, in order: code and reason. */
  readonly closes: { code: number; reason: string }[] = [];

  constructor(httpUrl: string, token: string | null, options: { retry?: boolean } = {}) {
    this.client = createClient({
      url: httpUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
      retryAttempts: options.retry ? 5 : 0,
      lazy: true,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.closes.push({ code, reason: String(reason) });
        },
      },
    });
  }

  /** Starts a subscription; its results queue up in the returned stream. */
  subscribe<TData, TVars>(
    document: TypedDocumentNode<TData, TVars> | string,
    variables?: TVars,
  ): SubscriptionStream<TData> {
    const stream = new SubscriptionStream<TData>();
    stream.unsubscribe = this.client.subscribe<TData>(
      {
        query: typeof document === "string" ? document : print(document),
        variables: variables as Record<string, unknown> | undefined,
      },
      {
        next: (value) => stream.push({ kind: "next", value: value as Received<TData> }),
        error: (error) => stream.push({ kind: "error", error }),
        complete: () => stream.push({ kind: "complete" }),
      },
    );
    return stream;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

type Item<T> = { kind: "next"; value: Received<T> } | { kind: "error"; error: unknown } | { kind: "complete" };

export class SubscriptionStream<T> {
  unsubscribe: () => void = () => undefined;
  private readonly items: Item<T>[] = [];
  private waiter: (() => void) | undefined;

  push(item: Item<T>): void {
    this.items.push(item);
    this.waiter?.();
  }

  /** Everything received so far, without waiting. */
  get received(): Item<T>[] {
    return [...this.items];
  }

  /** The next `n` items (fails the test after `timeoutMs`, listing what did arrive). */
  async take(n: number, timeoutMs = 10_000): Promise<Item<T>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`expected ${n} subscription results, got ${this.items.length}: ${JSON.stringify(this.items)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.items.splice(0, n);
  }

  /** The data of the next `n` results (fails on an error or completion among them). */
  async next(n: number, timeoutMs?: number): Promise<T[]> {
    const items = await this.take(n, timeoutMs);
    return items.map((item) => {
      if (item.kind !== "next" || !item.value.data) throw new Error(`expected data, got ${JSON.stringify(item)}`);
      return item.value.data;
    });
  }

  /** Waits `ms` and asserts nothing arrived meanwhile (for "receives nothing" checks, after a sync point). */
  async nothingWithin(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.items.length) throw new Error(`expected nothing, got ${JSON.stringify(this.items)}`);
  }
}
