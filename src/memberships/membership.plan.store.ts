import { and, empty, type Sql, sql } from "../db";
import { countingMembership } from "../permissions";
import { type MemberListOptions, memberUsers, membershipColumnsOf } from "./membership.store";

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
 * `{ totalCount, rows }` (`{ rows }` when the selection does not ask for the total): the rows as memberPagesSql reads them (the membership, depth 0, joinedAt
 * as text for the cursor, the user's columns under MEMBER_USER_PREFIX), in (joinedAt, id) order,
 * `limit` of them after the cursor; the total counts every match, cursor or not.
 */
export function plannedMemberPageSql(groupId: Sql, o: MemberListOptions): Sql {
  const conditions: Sql[] = [sql`a.group_id = ${groupId}`];
  if (!o.includeInactive) conditions.push(countingMembership);
  if (o.role !== null) conditions.push(sql`a.role = ${o.role}`);
  const keyset = o.after
    ? sql` AND (0, a.joined_at, a.id) > (${o.after[0]}::int, ${o.after[1]}::timestamptz, ${o.after[2]}::uuid)`
    : empty;
  const users = o.columns.user;
  // Counted only when asked for; the page is cut before its users are joined: only the listed
  // members' users are read, and only their columns the selection asks for (member-columns.ts).
  const total = o.columns.total
    ? sql`
      'totalCount', (SELECT count(*)::int FROM memberships a WHERE ${and(conditions)}),`
    : empty;
  return sql`json_build_object(${total}
      'rows', (SELECT coalesce(json_agg(x ORDER BY x."joinedAt", x.id), '[]'::json) FROM (
        SELECT m.*${memberUsers(users)}
        FROM (
          SELECT 0 AS depth, ${membershipColumnsOf(o.columns.membership)}, a.joined_at::text AS "joinedKey"
          FROM memberships a
          WHERE ${and(conditions)}${keyset}
          ORDER BY a.joined_at, a.id LIMIT ${o.limit}
        ) m${users?.length === 0 ? empty : sql` LEFT JOIN users u ON u.id = m."userId"`}
      ) x))`;
}
