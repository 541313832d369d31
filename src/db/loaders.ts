import DataLoader from "dataloader";
import { type AppContext, byKey } from "../shared/context";
import { isUuid } from "../shared/ids";
import { query } from "./transaction";

/**
 * Rows by uuid id, one statement per batch; null for an unknown or malformed id. `select` reads
 * the ids as `$1::uuid[]` and answers rows with an `id` column.
 */
export function rowsById<T extends { id: string }>(
  ctx: AppContext,
  select: string,
  params: unknown[] = [],
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return ids.map(() => null);
    return byKey(ids, await query<T>(ctx.db, select, [valid, ...params]), (row) => row.id);
  });
}

/**
 * A count per uuid key, one statement per batch; 0 for a key without rows. `select` reads the keys
 * as `$1::uuid[]` (then `params`) and answers rows `{ key, n }`.
 */
export function countsByKey(ctx: AppContext, select: string, params: unknown[] = []): DataLoader<string, number> {
  return new DataLoader<string, number>(async (keys) => {
    const rows = await query<{ key: string; n: number }>(ctx.db, select, [keys.filter(isUuid), ...params]);
    const counts = new Map(rows.map((r) => [r.key, r.n]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}
