import { rowsById } from "../db";
import { type AppContext, perRequest } from "../shared/context";
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
