import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { UnauthenticatedError } from "./errors";

/** The authenticated caller. */
export interface Viewer {
  id: string;
  isGlobalAdmin: boolean;
}

/** What every resolver receives: built once per HTTP request or per subscription event. */
export interface AppContext {
  requestId: string;
  viewer: Viewer | null;
  /** Why authentication failed, when a token was sent but refused. */
  authError?: Error;
  /** When the caller's token expires (ms since the epoch), when it says: long-lived connections end then. */
  tokenExpiresAt?: number;
  db: DataSource;
  config: Config;
  /** Per-request memo for loaders and other request-scoped helpers (see `perRequest`). */
  cache: Map<unknown, unknown>;
  /** The process's live event hub (an events/EventHub; see `hubOf` there). */
  eventHub?: unknown;
  /**
   * Set for an operation on a stream (graphql-ws, GraphQL over SSE): ends it early (a subscriber
   * that cannot keep up). Absent for a router's callback subscription, which ends by completing.
   */
  transport?: StreamTransport;
}

/** How a subscription's stream is ended from the server's side. */
export interface StreamTransport {
  /** Ends the operation's connection or stream, with a reason (a WebSocket close code and text). */
  close(code: number, reason: string): void;
}

/**
 * Declares a request-scoped value (a DataLoader, typically): created on first use in a request,
 * shared by every resolver of that request, never across requests or users.
 */
export function perRequest<T>(factory: (ctx: AppContext) => T): (ctx: AppContext) => T {
  return (ctx) => {
    if (!ctx.cache.has(factory)) ctx.cache.set(factory, factory(ctx));
    return ctx.cache.get(factory) as T;
  };
}

export function requireViewer(ctx: AppContext): Viewer {
  if (!ctx.viewer) throw ctx.authError ?? new UnauthenticatedError();
  return ctx.viewer;
}

/** Loader results in key order with explicit misses, as DataLoader requires. */
export function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((key) => map.get(key) ?? null);
}

/** Groups rows into one list per key, in key order ([] for a key without rows). */
export function groupedByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return keys.map((key) => map.get(key) ?? []);
}

/** Like groupedByKey for rows that carry their key in a `key` column, which is dropped. */
export function groupedByKeyColumn<K, V>(keys: readonly K[], rows: (V & { key: K })[]): V[][] {
  return groupedByKey(keys, rows, (row) => row.key).map((list) => list.map(({ key: _key, ...row }) => row as V));
}

/**
 * A request-scoped family of loaders, one per distinct option value (e.g. a field argument such
 * as `includeInactive`), so fields asked with different arguments batch separately.
 */
export function loaderFamily<O, K, V>(make: (ctx: AppContext, option: O) => DataLoader<K, V, string>) {
  return perRequest((ctx) => {
    const family = new Map<string, DataLoader<K, V, string>>();
    return (option: O) => {
      const id = JSON.stringify(option ?? null);
      let loader = family.get(id);
      if (!loader) family.set(id, (loader = make(ctx, option)));
      return loader;
    };
  });
}

/**
 * For a non-null relation the database guarantees (a foreign key): the loaded row, or an internal
 * error (masked for the client) naming what is broken.
 */
export async function required<T>(row: Promise<T | null>, what: string): Promise<T> {
  const value = await row;
  if (value === null) throw new Error(`${what} is missing`);
  return value;
}
