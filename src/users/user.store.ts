import { empty, escapeLike, query, raw, type Sql, sql, value, type Runner } from "../db";
import { emailVisibleTo } from "../permissions";
import type { Viewer } from "../shared/context";
import { claimableSql } from "./provisional.store";
import type { User } from "./user.entity";

/**
 * Every statement on `users`. Values are always parameters of `sql` fragments; the text of each
 * statement depends only on its shape, so each keeps one prepared statement.
 */

/** The one column list of `users`: entity field -> column. Every SELECT list below derives from it. */
export const USER_COLUMN_MAP = {
  id: "id",
  name: "name",
  email: "email",
  isGlobalAdmin: "is_global_admin",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const satisfies Record<keyof User, string>;

/** The entity's field names, in column-map order. */
export const USER_FIELD_NAMES = Object.keys(USER_COLUMN_MAP) as (keyof User)[];

/** The columns of a User row (alias `u`) under the entity's field names. */
export const USER_COLUMNS = USER_FIELD_NAMES.map((field) =>
  field === USER_COLUMN_MAP[field] ? `u.${field}` : `u.${USER_COLUMN_MAP[field]} AS "${field}"`,
).join(", ");

const userColumns = raw(USER_COLUMNS);

/**
 * The user columns (alias `u`) under a prefix (`"user."` gives `"user.id"`, ...), for statements
 * that bring each row's user along; `primeUsers` then primes usersById from those rows. Text, for
 * statements outside this domain that are still written as strings; see `userColumnsPrefixed`.
 */
export function userColumnsAs(prefix: string, fields: readonly (keyof User)[] = USER_FIELD_NAMES): string {
  return fields.map((field) => `u.${USER_COLUMN_MAP[field]} AS "${prefix}${field}"`).join(", ");
}

/**
 * `userColumnsAs` as a fragment, to splice into a `sql` statement. `prefix` is code, never input;
 * `fields` (user.selection.ts userFieldsRead): only those columns, non-empty.
 */
export function userColumnsPrefixed(prefix: string, fields?: readonly (keyof User)[]): Sql {
  return raw(userColumnsAs(prefix, fields));
}

/** `'<prefix><field>', u.<column>` pairs for json_build_object (alias `u`); `prefix` is code, never input. */
export function userJsonPairs(prefix: string, fields: readonly (keyof User)[]): Sql {
  return raw(fields.map((field) => `'${prefix}${field}', u.${USER_COLUMN_MAP[field]}`).join(", "));
}

export function usersByIdsSql(ids: readonly string[]): Sql {
  return sql`SELECT ${userColumns} FROM users u WHERE u.id = ANY(${value(ids)}::uuid[])`;
}

/** Users by id (valid uuids); no statement for none. */
export async function usersByIds(runner: Runner, ids: readonly string[]): Promise<User[]> {
  return ids.length === 0 ? [] : query<User>(runner, usersByIdsSql(ids));
}

/** Of `ids`, those whose email the viewer may see (see emailVisibleTo). */
export async function emailVisibleIds(runner: Runner, viewer: Viewer, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await query<{ id: string }>(
    runner,
    sql`SELECT u.id FROM users u WHERE u.id = ANY(${value(ids)}::uuid[]) AND ${emailVisibleTo(viewer, raw("u.id"))}`,
  );
  return rows.map((row) => row.id);
}

/**
 * Creates the caller's row from a token's claims, or only brings its global-admin flag up to date
 * (no write when it already holds). An email already taken by another user is dropped. An erased
 * user's row is never written (its name and email stay cleared): answers true for them.
 * `claimEmail` (a verified address of the token) adds `claimable`: a provisional user holds that
 * address, so its invitations can move here (memberships/claim.service.ts).
 */
export async function provisionUser(
  runner: Runner,
  user: { id: string; name: string | null; email: string | null; isGlobalAdmin: boolean },
  claimEmail: string | null = null,
): Promise<{ erased: boolean; claimable?: boolean }> {
  const claimable = claimEmail === null ? empty : sql`, ${claimableSql(user.id, claimEmail)} AS claimable`;
  const [row] = await query<{ erased: boolean; claimable?: boolean }>(
    runner,
    sql`WITH provisioned AS (INSERT INTO users (id, name, email, is_global_admin)
     VALUES (${user.id}, ${user.name}, CASE WHEN ${user.email}::text IS NOT NULL AND NOT EXISTS
       (SELECT 1 FROM users WHERE lower(email) = lower(${user.email}::text)) THEN ${user.email}::text END, ${user.isGlobalAdmin})
     ON CONFLICT (id) DO UPDATE SET is_global_admin = EXCLUDED.is_global_admin, updated_at = now()
     WHERE users.is_global_admin IS DISTINCT FROM EXCLUDED.is_global_admin AND users.erased_at IS NULL
     RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM users WHERE id = ${user.id}::uuid AND erased_at IS NOT NULL) AS erased${claimable}`,
  );
  return row!;
}

/** A users page: its rows carry the sort key `sortName` (the name, '' for none). */
export type UserPageRow = User & { sortName: string };

/**
 * One page of users by (name, id), and the size of the whole filtered set, in one statement. The
 * count row always exists, so an empty page still answers totalCount (its page columns are null:
 * see splitTotal). `search` matches a name, or an email where the viewer may see it: a search must
 * not confirm a hidden address. `after` is the (sortName, id) of the last row of the page before.
 */
export function usersPageSql(
  viewer: Viewer,
  args: { search: string | null; after: readonly [string, string] | null; limit: number },
): Sql {
  const pattern = args.search ? `%${escapeLike(args.search)}%` : null;
  // Provisional users (an address invited before anyone signed in with it) are nobody to pick yet.
  const filter =
    pattern === null
      ? sql`WHERE NOT u.provisional`
      : sql`WHERE NOT u.provisional AND (u.name ILIKE ${pattern} OR (u.email ILIKE ${pattern} AND ${emailVisibleTo(viewer, raw("u.id"))}))`;
  const keyset = args.after ? sql`WHERE ("sortName", id) > (${args.after[0]}, ${args.after[1]}::uuid)` : empty;
  return sql`WITH filtered AS (SELECT ${userColumns}, coalesce(u.name, '') AS "sortName" FROM users u ${filter})
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered ${keyset} ORDER BY "sortName", id LIMIT ${args.limit}
    ) p ON TRUE
    ORDER BY "sortName", id`;
}

export function usersPage(
  runner: Runner,
  viewer: Viewer,
  args: Parameters<typeof usersPageSql>[1],
): Promise<(UserPageRow & { totalCount: number })[]> {
  return query<UserPageRow & { totalCount: number }>(runner, usersPageSql(viewer, args));
}

export async function insertUser(runner: Runner, input: { name: string; email: string }): Promise<User> {
  const [user] = await query<User>(
    runner,
    sql`INSERT INTO users AS u (name, email) VALUES (${input.name}, ${input.email}) RETURNING ${userColumns}`,
  );
  return user!;
}

/** Sets the fields given (null keeps the stored value); undefined when there is no such user, or they are erased. */
export async function updateUserRow(
  runner: Runner,
  id: string,
  input: { name: string | null; email: string | null },
  /** The address is set by its account's owner (not a global admin): invitations by email skip it. */
  emailSelfSet: boolean,
): Promise<User | undefined> {
  const [user] = await query<User>(
    runner,
    sql`UPDATE users AS u SET name = coalesce(${input.name}, u.name), email = coalesce(${input.email}, u.email),
       email_self_set = CASE WHEN ${input.email}::text IS NULL THEN u.email_self_set ELSE ${emailSelfSet} END,
       updated_at = now()
     WHERE u.id = ${id} AND u.erased_at IS NULL RETURNING ${userColumns}`,
  );
  return user;
}
