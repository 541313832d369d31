import DataLoader from "dataloader";
import { query, rowsById } from "../db";
import { heldCondition } from "../permissions";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { USER_COLUMNS, type User } from "./user.entity";

/** Users by id: one `= ANY($1)` statement per batch; null for an unknown or malformed id. */
export const usersById = perRequest((ctx) =>
  rowsById<User>(ctx, `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`),
);

const USER_FIELDS = [
  ["id", "id"],
  ["name", "name"],
  ["email", "email"],
  ["isGlobalAdmin", "is_global_admin"],
  ["createdAt", "created_at"],
  ["updatedAt", "updated_at"],
] as const;

/**
 * The user columns (alias `u`) under a prefix, for statements that bring each row's user along:
 * `primeUsers` then primes usersById, so resolving those users costs no statement of its own.
 */
export function userColumnsAs(prefix: string): string {
  return USER_FIELDS.map(([field, column]) => `u.${column} AS "${prefix}${field}"`).join(", ");
}

/**
 * Primes the request's usersById cache with the prefixed user columns of each row. The columns stay
 * on the rows (deleting them would slow every later read of those objects); nothing reads them.
 */
export function primeUsers(ctx: AppContext, rows: Record<string, unknown>[], prefix: string): void {
  const loader = usersById(ctx);
  const keys = USER_FIELDS.map(([field]) => [field, prefix + field] as const);
  for (const row of rows) {
    const id = row[prefix + "id"];
    if (typeof id !== "string") continue;
    const user: Record<string, unknown> = {};
    for (const [field, key] of keys) user[field] = row[key];
    loader.prime(id, user as unknown as User);
  }
}

/**
 * SQL condition "the caller may see the email of user `userIdSql`": the user themselves, a global
 * admin, or a holder of members.view in a group where that user has a membership (any status: those
 * holders list them all). Pushes its parameters onto `params`.
 */
export function emailVisibleCondition(ctx: AppContext, userIdSql: string, params: unknown[]): string {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return "TRUE";
  params.push(viewer.id);
  const self = `${userIdSql} = $${params.length}::uuid`;
  const held = heldCondition(ctx, "members.view", "m.group_id", params);
  return `(${self} OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${userIdSql} AND ${held}))`;
}

/** Whether the caller may see each user's email (see emailVisibleCondition): one statement per batch. */
export const emailVisible = perRequest(
  (ctx) =>
    new DataLoader<string, boolean>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const visible = emailVisibleCondition(ctx, "u.id", params);
      const rows = await query<{ id: string }>(
        ctx.db,
        `SELECT u.id FROM users u WHERE u.id = ANY($1::uuid[]) AND ${visible}`,
        params,
      );
      const seen = new Set(rows.map((r) => r.id));
      return ids.map((id) => seen.has(id));
    }),
);
