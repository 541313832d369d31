import { and, type EntityManager, keysetPages, query, raw, type Runner, type Sql, sql, value } from "../db";
import { type Group, groupColumns } from "../groups";
import { heldBy, visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import {
  type MemberKey,
  type MemberListOptions,
  type MemberPageRow,
  memberPagesOf,
  type UserGroupOptions,
  type UserMembershipOptions,
} from "./membership.store";
import type { Membership } from "./membership.entity";
import type { MembershipPeriod } from "./membership-period.entity";

/**
 * Every statement on `membership_periods`, the memberships' history. The periods are written by a
 * trigger on `memberships` (migrations/1795000005000-MembershipHistory.ts), never by these: every
 * write of memberships keeps the history without a statement of its own. The alias of the periods
 * table is always `p`; as-of reads join the membership a period belongs to as `a` (LEFT: null once
 * removed). The reads of the present stay in membership.store.ts, on `memberships` alone.
 */

/** Each MembershipPeriod property and its column in `membership_periods` (alias `p`). */
const PERIOD_FIELDS = {
  id: "p.id",
  membershipId: "p.membership_id",
  groupId: "p.group_id",
  userId: "p.user_id",
  role: "p.role",
  status: "p.status",
  from: "p.valid_from",
  to: "p.valid_to",
  changedById: "p.changed_by",
} as const satisfies Record<keyof MembershipPeriod, string>;

/** A period's columns (alias `p`) under the entity's property names. */
export const periodColumns: Sql = raw(
  Object.entries(PERIOD_FIELDS)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(", "),
);

/**
 * The instant at which the changes of the rest of this transaction open and close periods, instead
 * of the transaction's now(): for a change that happened at a known instant (an expiry recorded
 * when its time came). Transaction-local (set_config's third argument), so it cannot leak into
 * another transaction on the same connection.
 */
export function setPeriodInstantSql(instant: Date): Sql {
  return sql`SELECT set_config('groups.period_instant', ${instant.toISOString()}, true)`;
}

export async function setPeriodInstant(tx: EntityManager, instant: Date): Promise<void> {
  await query(tx, setPeriodInstantSql(instant));
}

/** The status of the membership's period that ended at `instant` (null when none did). */
export async function statusEndedAt(tx: EntityManager, membershipId: string, instant: Date): Promise<string | null> {
  const [row] = await query<{ status: string }>(
    tx,
    sql`SELECT p.status FROM membership_periods p
      WHERE p.membership_id = ${membershipId}::uuid AND p.valid_to = ${value(instant)}::timestamptz
      ORDER BY p.valid_from DESC LIMIT 1`,
  );
  return row?.status ?? null;
}

/* ------------------------------------------------------------------------------------------------
 * As of an instant: the periods covering it, read as the memberships they were
 * --------------------------------------------------------------------------------------------- */

/** The periods and the membership each belongs to, while it still exists. */
const PERIODS_WITH_MEMBERSHIP = raw(`membership_periods p LEFT JOIN memberships a ON a.id = p.membership_id`);

/**
 * "Period `p` covers `asOf`": from included, to excluded. Written as the range the exclusion
 * constraint indexes (GiST on group, user and this range), so a group's or a user's periods at an
 * instant come from that index.
 */
function covers(asOf: Date): Sql {
  return sql`tstzrange(p.valid_from, p.valid_to, '[)') @> ${value(asOf)}::timestamptz`;
}

/**
 * The as-of twin of visibility.countingMembership: ACTIVE in the period and not expired at `asOf`.
 * Only the membership's current expiresAt is known (setMemberExpiry opens no period), and only while
 * the membership exists; a removed one's periods count by their status alone.
 */
function countingAt(asOf: Date): Sql {
  return sql`p.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > ${value(asOf)}::timestamptz)`;
}

/**
 * A covering period as a Membership row of that instant (alias `p`, its membership `a`), plus
 * `asOf` (the status resolver evaluates the expiry then). Its id is the membership's while the
 * period is still current (the same state as the membership today); a closed period is a past
 * state, with an id of its own (a UUID derived from the period's), so a client cache that
 * normalizes by id never merges a past role into the present one. invitedBy and expiresAt are the
 * membership's while it exists (null once removed); joinedAt is when that membership began.
 */
function membershipAt(asOf: Date): Sql {
  return sql`CASE WHEN p.valid_to IS NULL THEN p.membership_id ELSE md5('membership_periods/' || p.id)::uuid END AS id,
      p.group_id AS "groupId", p.user_id AS "userId", p.role, p.status AS "storedStatus",
      a.invited_by AS "invitedById", p.joined_at AS "joinedAt", a.expires_at AS "expiresAt",
      a.starts_at AS "startsAt", p.joined_at AS "createdAt", p.valid_from AS "updatedAt", ${value(asOf)}::timestamptz AS "asOf"`;
}

/** A Membership as it was at `asOf` (see membershipAt). */
export type MembershipAt = Membership & { asOf: Date };

/**
 * "The viewer may read period `p`": their own, or members.view in its group now (TRUE for a global
 * admin). `alias`: another row with the period's user_id and group_id (an asked pair).
 */
function readableBy(viewer: Viewer, alias = "p"): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`(${raw(alias)}.user_id = ${viewer.id}::uuid OR ${heldBy(viewer, "members.view", raw(`${alias}.group_id`))})`;
}

/** memberCountsSql as of `asOf`: direct members counting then, per group (rows `{ key, n }`). */
export function memberCountsAtSql(groupIds: readonly string[], asOf: Date): Sql {
  return sql`SELECT p.group_id AS key, count(*)::int AS n FROM ${PERIODS_WITH_MEMBERSHIP}
    WHERE p.group_id = ANY(${value(groupIds)}::uuid[]) AND ${covers(asOf)} AND ${countingAt(asOf)}
    GROUP BY p.group_id`;
}

export function memberCountsAt(
  runner: Runner,
  groupIds: readonly string[],
  asOf: Date,
): Promise<{ key: string; n: number }[]> {
  return query<{ key: string; n: number }>(runner, memberCountsAtSql(groupIds, asOf));
}

/** The options of a member page as of an instant. */
export type MemberListAtOptions = MemberListOptions & { asOf: Date };

/**
 * memberPagesSql as of `o.asOf`: the members then, with their role and status of then, in the same
 * order and pages. transitive walks the hierarchy as it is today (no hierarchy history is kept),
 * counting only the descendants where the viewer holds members.view now.
 */
export function memberPagesAtSql(viewer: Viewer, groupIds: readonly string[], o: MemberListAtOptions): Sql {
  const conditions: Sql[] = [covers(o.asOf)];
  if (!o.includeInactive) conditions.push(countingAt(o.asOf));
  if (o.role !== null) conditions.push(sql`p.role = ${o.role}`);
  if (o.transitive) conditions.push(sql`(s.depth = 0 OR ${heldBy(viewer, "members.view", raw("p.group_id"))})`);
  const filtered = o.transitive
    ? sql`WITH RECURSIVE down(root, id, depth) AS (
      SELECT r, r, 0 FROM unnest(${value(groupIds)}::uuid[]) AS r
      UNION SELECT down.root, gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
    ), scope AS (
      SELECT root, id, min(depth) AS depth FROM down GROUP BY root, id
    ), filtered AS (
      SELECT DISTINCT ON (s.root, p.user_id) s.root, s.depth, ${membershipAt(o.asOf)}, p.joined_at::text AS "joinedKey"
      FROM scope s JOIN ${PERIODS_WITH_MEMBERSHIP} ON p.group_id = s.id
      WHERE ${and(conditions)}
      ORDER BY s.root, p.user_id, s.depth, p.joined_at, p.id
    )`
    : sql`WITH filtered AS (
      SELECT p.group_id AS root, 0 AS depth, ${membershipAt(o.asOf)}, p.joined_at::text AS "joinedKey"
      FROM ${PERIODS_WITH_MEMBERSHIP} WHERE p.group_id = ANY(${value(groupIds)}::uuid[]) AND ${and(conditions)}
    )`;
  return memberPagesOf(filtered, groupIds, o, null);
}

export function memberPagesAt(
  runner: Runner,
  viewer: Viewer,
  groupIds: readonly string[],
  o: MemberListAtOptions,
): Promise<(MemberPageRow & { asOf: Date })[]> {
  return query<MemberPageRow & { asOf: Date }>(runner, memberPagesAtSql(viewer, groupIds, o));
}

/** membershipsOfUsersSql as of `o.asOf`: each user's direct memberships then, readable as today's are. */
export function membershipsOfUsersAtSql(
  viewer: Viewer,
  userIds: readonly string[],
  o: UserMembershipOptions & { asOf: Date },
): Sql {
  const conditions = [covers(o.asOf), readableBy(viewer)];
  if (!o.includeInactive) conditions.push(countingAt(o.asOf));
  if (o.role !== null) conditions.push(sql`p.role = ${o.role}`);
  return sql`SELECT ${membershipAt(o.asOf)} FROM ${PERIODS_WITH_MEMBERSHIP}
    WHERE p.user_id = ANY(${value(userIds)}::uuid[]) AND ${and(conditions)}
    ORDER BY p.joined_at, p.id`;
}

export function membershipsOfUsersAt(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  o: UserMembershipOptions & { asOf: Date },
): Promise<MembershipAt[]> {
  return query<MembershipAt>(runner, membershipsOfUsersAtSql(viewer, userIds, o));
}

/**
 * groupsOfUsersSql as of `o.asOf`: the groups where each user (`key`) had a counting membership
 * then, visible to the viewer now; transitive adds their ancestors as the hierarchy is today.
 */
export function groupsOfUsersAtSql(
  viewer: Viewer,
  userIds: readonly string[],
  o: UserGroupOptions & { asOf: Date },
): Sql {
  const conditions = [visibleGroup(viewer, "g")];
  if (o.groupType !== null) conditions.push(sql`g.group_type = ${o.groupType}`);
  const ascend = o.transitive
    ? sql`UNION SELECT mine.user_id, gp.parent_id FROM mine JOIN group_parents gp ON gp.child_id = mine.id`
    : sql``;
  return sql`WITH RECURSIVE mine(user_id, id) AS (
      SELECT p.user_id, p.group_id FROM ${PERIODS_WITH_MEMBERSHIP}
      WHERE p.user_id = ANY(${value(userIds)}::uuid[]) AND ${covers(o.asOf)} AND ${countingAt(o.asOf)}
      ${ascend}
    )
    SELECT mine.user_id AS key, ${groupColumns}
    FROM mine JOIN groups g ON g.id = mine.id
    WHERE ${and(conditions)}
    ORDER BY g.name, g.id`;
}

export function groupsOfUsersAt(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  o: UserGroupOptions & { asOf: Date },
): Promise<(Group & { key: string })[]> {
  return query<Group & { key: string }>(runner, groupsOfUsersAtSql(viewer, userIds, o));
}

/* ------------------------------------------------------------------------------------------------
 * The history of (group, user) pairs
 * --------------------------------------------------------------------------------------------- */

function pairsTable(pairs: readonly MemberKey[]): Sql {
  return sql`unnest(${value(pairs.map((k) => k.groupId))}::uuid[], ${value(pairs.map((k) => k.userId))}::uuid[])`;
}

/**
 * The asked pairs whose periods the viewer may read (readableBy, decided once per pair), as a
 * subquery of (group_id, user_id): each pair left is one probe of an index led by (group_id,
 * user_id), the GiST of membership_periods_no_overlap. Written on the periods instead, the rule (an
 * OR with a subquery) kept the pairs out of the index condition: PostgreSQL read the whole table
 * for a non-admin viewer (about 45 ms for 50 pairs among 200,000 periods, against 3 ms).
 */
function readablePairs(viewer: Viewer, pairs: readonly MemberKey[]): Sql {
  return sql`SELECT q.group_id, q.user_id FROM ${pairsTable(pairs)} AS q(group_id, user_id) WHERE ${readableBy(viewer, "q")}`;
}

/** Every period of each (group, user) pair the viewer may read (their own, or members.view), oldest first. */
export function periodsOfPairsSql(viewer: Viewer, pairs: readonly MemberKey[]): Sql {
  return sql`SELECT ${periodColumns} FROM membership_periods p
    WHERE (p.group_id, p.user_id) IN (${readablePairs(viewer, pairs)})
    ORDER BY p.valid_from, p.id`;
}

export function periodsOfPairs(
  runner: Runner,
  viewer: Viewer,
  pairs: readonly MemberKey[],
): Promise<MembershipPeriod[]> {
  return query<MembershipPeriod>(runner, periodsOfPairsSql(viewer, pairs));
}

export interface HistoryPageOptions {
  /** Rows per pair (the page size plus one, to tell whether more follow). */
  limit: number;
  /** The keyset cursor: (from as text, period id) of the last row seen. */
  after: readonly [string, number] | null;
}

/**
 * A row of historyPagesSql: one per asked pair (`keyGroupId`, `keyUserId`) and period on its page,
 * with the pair's total; a pair without a period on the page has one row whose period columns are null.
 */
export type HistoryPageRow = MembershipPeriod & {
  keyGroupId: string;
  keyUserId: string;
  totalCount: number;
  fromKey: string;
};

/**
 * A page of periods for each (group, user) pair, oldest first by (from, id), with each pair's
 * total, in one statement for any number of pairs; only periods the viewer may read.
 */
export function historyPagesSql(viewer: Viewer, pairs: readonly MemberKey[], o: HistoryPageOptions): Sql {
  return keysetPages({
    filtered: sql`WITH filtered AS (
      SELECT ${periodColumns}, p.valid_from::text AS "fromKey" FROM membership_periods p
      WHERE (p.group_id, p.user_id) IN (${readablePairs(viewer, pairs)})
    )`,
    key: [
      { column: "groupId", as: "keyGroupId", ids: pairs.map((k) => k.groupId) },
      { column: "userId", as: "keyUserId", ids: pairs.map((k) => k.userId) },
    ],
    order: { from: "timestamptz", id: "bigint" },
    after: o.after,
    limit: o.limit,
  });
}

export function historyPages(
  runner: Runner,
  viewer: Viewer,
  pairs: readonly MemberKey[],
  o: HistoryPageOptions,
): Promise<HistoryPageRow[]> {
  return query<HistoryPageRow>(runner, historyPagesSql(viewer, pairs, o));
}
