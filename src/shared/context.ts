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
  db: DataSource;
  config: Config;
  /** Per-request memo for loaders and other request-scoped helpers (see `perRequest`). */
  cache: Map<unknown, unknown>;
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
