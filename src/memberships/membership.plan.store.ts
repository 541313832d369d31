import { and, empty, type Sql, sql } from "../db";
import { countingMembership } from "../permissions";
import { userJsonPairs } from "../users";
import {
  MEMBER_USER_PREFIX,
  type MemberListOptions,
  MEMBERSHIP_FIELD_NAMES,
  membershipJsonPairs,
  membershipRawColumns,
  memberUserColumns,
  withOrderColumns,
} from "./membership.store";

/**
 * The memberships' relations of Group as scalar subqueries correlated with a group id, for the
 * root statements groups plans (groups/group.plan.ts; the planners are in membership.plan.ts).
 * Each answers, as JSON, exactly what the loader statement it stands in for answers for that one
 * group (membership.store.ts: memberCountsSql, memberPagesSql), from the same fragments; pinned by
 * test/golden/planned.store.test.ts.
 */

/** The group's direct ACTIVE, unexpired members: a number. */
export function plannedMemberCountSql(groupId: Sql): Sql {
  return sql`(SELECT count(*)::int FROM memberships a WHERE a.group_id = ${groupId} AND ${countingMembership})`;
}

/**
 * A page of the group's direct members (not transitive: that one loads through memberPagesSql),
 * `{ totalCount, rows }` (`{ rows }` when the selection does not ask for the total): the rows as
 * memberPagesSql reads them, narrowed to the selection's columns (member-columns.ts): the
 * membership's selected fields, depth 0, joinedAt as text for the cursor, and the user's columns
 * under MEMBER_USER_PREFIX (a partial user's id is the row's `userId`), in (joinedAt, id) order,
 * `limit` of them after the cursor; the total counts every match, cursor or not. Each member is an
 * object of exactly those keys: JSON text PostgreSQL builds and the service parses costs per byte.
 */
export function plannedMemberPageSql(groupId: Sql, o: MemberListOptions): Sql {
  const conditions: Sql[] = [sql`a.group_id = ${groupId}`];
  if (!o.includeInactive) conditions.push(countingMembership);
  if (o.role !== null) conditions.push(sql`a.role = ${o.role}`);
  const keyset = o.after
    ? sql` AND (0, a.joined_at, a.id) > (${o.after[0]}::int, ${o.after[1]}::timestamptz, ${o.after[2]}::uuid)`
    : empty;
  const fields = o.columns.membership ?? MEMBERSHIP_FIELD_NAMES;
  const userFields = memberUserColumns(o.columns.user);
  const userPairs = userFields.length ? sql`, ${userJsonPairs(MEMBER_USER_PREFIX, userFields)}` : empty;
  // Counted only when asked for; the page is cut before its users are joined: only the listed
  // members' users are read, and only their columns the selection asks for.
  const total = o.columns.total
    ? sql`
      'totalCount', (SELECT count(*)::int FROM memberships a WHERE ${and(conditions)}),`
    : empty;
  return sql`json_build_object(${total}
      'rows', (SELECT coalesce(json_agg(json_build_object(
          'depth', 0, ${membershipJsonPairs(fields)}, 'joinedKey', m.joined_at::text${userPairs}
        ) ORDER BY m.joined_at, m.id), '[]'::json)
        FROM (
          SELECT ${membershipRawColumns(withOrderColumns(fields))}
          FROM memberships a
          WHERE ${and(conditions)}${keyset}
          ORDER BY a.joined_at, a.id LIMIT ${o.limit}
        ) m${userFields.length ? sql` LEFT JOIN users u ON u.id = m.user_id` : empty}))`;
}
