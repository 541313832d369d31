import DataLoader from "dataloader";
import { type AppContext, byKey, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { reviveDates } from "../shared/json-rows";
import type { User } from "./user.entity";
import { erasedAtOf } from "./erasure.store";
import { emailVisibleIds, USER_FIELD_NAMES, usersByIds } from "./user.store";

/** The Date fields of a User row. */
const USER_TIMESTAMPS = ["createdAt", "updatedAt"] as const satisfies readonly (keyof User)[];

/** Users by id: one statement per batch; null for an unknown or malformed id. */
export const usersById = perRequest(
  (ctx) =>
    new DataLoader<string, User | null>(async (ids) =>
      byKey(ids, await usersByIds(ctx.db, ids.filter(isUuid)), (row) => row.id),
    ),
);

/**
 * Primes the request's usersById cache with the prefixed user columns of each row (selected with
 * `userColumnsAs(prefix)`), so resolving those users costs no statement of its own. The columns stay
 * on the rows (deleting them would slow every later read of those objects); nothing reads them.
 */
export function primeUsers(ctx: AppContext, rows: Record<string, unknown>[], prefix: string): void {
  const loader = usersById(ctx);
  const keys = USER_FIELD_NAMES.map((field) => [field, prefix + field] as const);
  for (const row of rows) {
    const id = row[prefix + "id"];
    if (typeof id !== "string") continue;
    const user: Record<string, unknown> = {};
    for (const [field, key] of keys) user[field] = row[key];
    loader.prime(id, user as unknown as User);
  }
}

/**
 * `primeUsers` for rows PostgreSQL built as JSON (a planned relation's rows): the users'
 * timestamps arrive as text and become Dates first, so the primed users are what usersById reads.
 */
export function primeUsersFromJson(ctx: AppContext, rows: Record<string, unknown>[], prefix: string): void {
  primeUsers(
    ctx,
    reviveDates(
      rows,
      USER_TIMESTAMPS.map((field) => prefix + field),
    ),
    prefix,
  );
}

/** Whether the caller may see each user's email (permissions visibility.ts emailVisibleTo): one statement per batch. */
export const emailVisible = perRequest(
  (ctx) =>
    new DataLoader<string, boolean>(async (ids) => {
      const seen = new Set(await emailVisibleIds(ctx.db, requireViewer(ctx), ids.filter(isUuid)));
      return ids.map((id) => seen.has(id));
    }),
);

/**
 * When each user was erased (null: never): one statement per batch, only when User.erasedAt is
 * asked for, so the user column list (and every statement that brings users along) is unchanged.
 */
export const erasedAtById = perRequest(
  (ctx) =>
    new DataLoader<string, Date | null>(async (ids) => {
      const erased = new Map((await erasedAtOf(ctx.db, ids.filter(isUuid))).map((row) => [row.id, row.erasedAt]));
      return ids.map((id) => erased.get(id) ?? null);
    }),
);
