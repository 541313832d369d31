import { and, keysetPages, query, raw, type Runner, type Sql, sql, value } from "../db";
import { type Group, groupColumns } from "../groups";
import { groupsHeldBy, heldBy, holdersOf, visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { userColumnsPrefixed } from "../users";

/**
 * The reverse permission lookups' statements: for many subjects at once (a list of users or groups
 * asking costs one statement), each subject's page and total. The rule itself (which roles count
 * where, down and up the hierarchy) is visibility.ts's groupsHeldBy / holdersOf, the SQL mirror of
 * rules.grantsAt; nothing of it is written here. Pinned by test/golden/reverse-lookup.store.test.ts.
 */

export interface GroupsWithPermissionOptions {
  permission: string;
  groupType: string | null;
  /** The keyset cursor: (name, id) of the last group seen. */
  after: readonly [string, string] | null;
  /** Rows per user (the page size plus one, to tell whether more follow). */
  limit: number;
}

/** A row of groupsWithPermissionSql: one per user (`key`) and group, or one of nulls for a user without any. */
export type HeldGroupRow = Group & { key: string; totalCount: number };

/**
 * For each user in `userIds`, the groups where they hold the permission through a role, among those
 * the viewer may see and may ask about the user in (their own, or members.view held there, as
 * checkPermission asks): by (name, id), `limit` per user, with each user's total. Archived groups
 * are in where the rule counts a role there (cascaded from an active ancestor, or owned directly).
 */
export function groupsWithPermissionSql(
  viewer: Viewer,
  userIds: readonly string[],
  o: GroupsWithPermissionOptions,
): Sql {
  const conditions: Sql[] = [visibleGroup(viewer, "g")];
  if (!viewer.isGlobalAdmin) {
    conditions.push(sql`(r.root = ${viewer.id}::uuid OR ${heldBy(viewer, "members.view", raw("g.id"))})`);
  }
  if (o.groupType !== null) conditions.push(sql`g.group_type = ${o.groupType}`);
  return keysetPages({
    filtered: sql`WITH filtered AS (
      SELECT r.root, ${groupColumns}
      FROM unnest(${value(userIds)}::uuid[]) AS r(root)
      CROSS JOIN LATERAL (${groupsHeldBy(raw("r.root"), o.permission)}) held
      JOIN groups g ON g.id = held.id
      WHERE ${and(conditions)}
    )`,
    key: [{ column: "root", as: "key", ids: userIds }],
    order: { name: "text", id: "uuid" },
    after: o.after,
    limit: o.limit,
  });
}

export async function groupsWithPermission(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  o: GroupsWithPermissionOptions,
): Promise<HeldGroupRow[]> {
  const rows = await query<HeldGroupRow & { root: unknown; rn: unknown }>(
    runner,
    groupsWithPermissionSql(viewer, userIds, o),
  );
  return rows.map(({ root: _root, rn: _rn, ...row }) => row);
}

export interface HoldersOptions {
  permission: string;
  /** The keyset cursor: (name, id) of the last user seen (a user without a name sorts as ""). */
  after: readonly [string, string] | null;
  /** Rows per group (the page size plus one). */
  limit: number;
}

/**
 * A row of holdersSql: one per group (`key`) and holder, the holder's user under the `user.` prefix
 * (usersById is primed from them), or one row of nulls for a group without any.
 */
export type HolderRow = {
  key: string;
  totalCount: number;
  /** The holder's user id; null on the row of a group without any. */
  id: string | null;
  sortName: string | null;
} & Record<string, unknown>;

/**
 * For each group in `groupIds`, the users holding the permission there through a role (each once),
 * by (name, id), `limit` per group, with each group's total. The caller checks members.view in each
 * group first; the grants come from the authorizer (checkPermission's facts), not from here.
 *
 * Each holder's name (the page order) is a lookup by id, and the rest of the user is read for the
 * page's rows only. The statement is prepared, and its generic plan guesses 10 groups asked and
 * thousands of holders: a join of the holders with users then became a merge join reading all of
 * users by its primary key (a holders page on a scratch database of 100,000 users: 20 ms, against
 * 7 ms planned for the values). A lookup per holder is an index probe whatever the guess.
 */
export function holdersSql(groupIds: readonly string[], o: HoldersOptions): Sql {
  return keysetPages({
    filtered: sql`WITH holding AS (
      SELECT DISTINCT r.root, x.user_id
      FROM unnest(${value(groupIds)}::uuid[]) AS r(root)
      CROSS JOIN LATERAL (${holdersOf(raw("r.root"), o.permission)}) x
    ), filtered AS (
      SELECT h.root, h.user_id AS id, (SELECT coalesce(u.name, '') FROM users u WHERE u.id = h.user_id) AS "sortName"
      FROM holding h
    )`,
    key: [{ column: "root", as: "key", ids: groupIds }],
    order: { sortName: "text", id: "uuid" },
    after: o.after,
    limit: o.limit,
    beside: { columns: userColumnsPrefixed("user."), joins: sql`LEFT JOIN users u ON u.id = p."id"` },
  });
}

export function holders(runner: Runner, groupIds: readonly string[], o: HoldersOptions): Promise<HolderRow[]> {
  return query<HolderRow>(runner, holdersSql(groupIds, o));
}
