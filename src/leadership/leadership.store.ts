import { and, type EntityManager, query, raw, type Sql, sql, value, type Runner } from "../db";
import { visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { userColumnsPrefixed } from "../users";
import type { Leadership } from "./leadership.entity";

/**
 * Every statement on `leaderships`. Values are always parameters of `sql` fragments; the text of
 * each statement depends only on its shape, so each keeps one prepared statement.
 */

/** The one column list of `leaderships`: entity field -> column. Every SELECT list below derives from it. */
export const LEADERSHIP_COLUMN_MAP = {
  id: "id",
  groupId: "group_id",
  userId: "user_id",
  startDate: "start_date",
  endDate: "end_date",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const satisfies Record<keyof Leadership, string>;

/** `date` columns, read as YYYY-MM-DD text (what the Date scalar answers; no time zone can shift them). */
const DATE_FIELDS: ReadonlySet<keyof Leadership> = new Set(["startDate", "endDate"]);

/** The columns of a leadership row (alias `l`) under the entity's field names. */
export const LEADERSHIP_COLUMNS = (Object.keys(LEADERSHIP_COLUMN_MAP) as (keyof Leadership)[])
  .map((field) => {
    const column = `l.${LEADERSHIP_COLUMN_MAP[field]}`;
    if (DATE_FIELDS.has(field)) return `to_char(${column}, 'YYYY-MM-DD') AS "${field}"`;
    return field === LEADERSHIP_COLUMN_MAP[field] ? column : `${column} AS "${field}"`;
  })
  .join(", ");

const leadershipColumns = raw(LEADERSHIP_COLUMNS);

/** Period `l` covers `date` (YYYY-MM-DD): its start included, its end excluded. */
export function covers(date: string): Sql {
  return sql`(l.start_date <= ${date}::date AND (l.end_date IS NULL OR l.end_date > ${date}::date))`;
}

/** Period `l` has not ended as of `date` (it may start later): Leadership.isActive's rule. */
function notEndedBy(date: string): Sql {
  return sql`(l.end_date IS NULL OR l.end_date > ${date}::date)`;
}

/** Leaderships by id (valid uuids) in groups the viewer may see; no statement for none. */
export async function visibleLeadershipsByIds(
  runner: Runner,
  viewer: Viewer,
  ids: readonly string[],
): Promise<Leadership[]> {
  if (ids.length === 0) return [];
  return query<Leadership>(
    runner,
    sql`SELECT ${leadershipColumns} FROM leaderships l JOIN groups g ON g.id = l.group_id
     WHERE l.id = ANY(${value(ids)}::uuid[]) AND ${visibleGroup(viewer, "g")}`,
  );
}

/** The user columns of each row of `leadershipsOfGroupsSql`, under this prefix. */
export const LEADER_PREFIX = "user.";

/**
 * Every leadership of each group, oldest start first, each with its user's columns (under
 * LEADER_PREFIX): the one statement behind both a group's leaders at any date and its history.
 */
export function leadershipsOfGroupsSql(groupIds: readonly string[]): Sql {
  return sql`SELECT ${leadershipColumns}, ${userColumnsPrefixed(LEADER_PREFIX)}
     FROM leaderships l JOIN users u ON u.id = l.user_id
     WHERE l.group_id = ANY(${value(groupIds)}::uuid[])
     ORDER BY l.start_date, l.created_at, l.id`;
}

export async function leadershipsOfGroups(runner: Runner, groupIds: readonly string[]): Promise<Leadership[]> {
  return groupIds.length === 0 ? [] : query<Leadership>(runner, leadershipsOfGroupsSql(groupIds));
}

/** How many lead each group on `date` (groups without leaders are left out). */
export function leaderCountsSql(groupIds: readonly string[], date: string): Sql {
  return sql`SELECT l.group_id AS key, count(*)::int AS n FROM leaderships l
     WHERE l.group_id = ANY(${value(groupIds)}::uuid[]) AND ${covers(date)} GROUP BY l.group_id`;
}

export async function leaderCounts(
  runner: Runner,
  groupIds: readonly string[],
  date: string,
): Promise<{ key: string; n: number }[]> {
  return groupIds.length === 0 ? [] : query<{ key: string; n: number }>(runner, leaderCountsSql(groupIds, date));
}

/**
 * Leaderships of each user in groups the viewer may see, newest start first: every one, or only
 * those not ended as of `notEndedAsOf` when given.
 */
export function leadershipsOfUsersSql(viewer: Viewer, userIds: readonly string[], notEndedAsOf: string | null): Sql {
  const conditions = [sql`l.user_id = ANY(${value(userIds)}::uuid[])`, visibleGroup(viewer, "g")];
  if (notEndedAsOf !== null) conditions.push(notEndedBy(notEndedAsOf));
  return sql`SELECT ${leadershipColumns} FROM leaderships l JOIN groups g ON g.id = l.group_id
     WHERE ${and(conditions)}
     ORDER BY l.start_date DESC, l.id`;
}

export async function leadershipsOfUsers(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  notEndedAsOf: string | null,
): Promise<Leadership[]> {
  if (userIds.length === 0) return [];
  return query<Leadership>(runner, leadershipsOfUsersSql(viewer, userIds, notEndedAsOf));
}

/** Opens (endDate null) or records a period. The exclusion constraint refuses an overlap. */
export async function insertLeadership(
  tx: EntityManager,
  row: { groupId: string; userId: string; startDate: string; endDate: string | null },
): Promise<Leadership> {
  const [created] = await query<Leadership>(
    tx,
    sql`INSERT INTO leaderships AS l (group_id, user_id, start_date, end_date)
     VALUES (${row.groupId}, ${row.userId}, ${row.startDate}::date, ${row.endDate}::date)
     RETURNING ${leadershipColumns}`,
  );
  return created!;
}

/**
 * The user's latest period in the group not ended as of `today`, locked for the rest of the
 * transaction; undefined when they are not a current leader.
 */
export async function lockCurrentLeadership(
  tx: EntityManager,
  groupId: string,
  userId: string,
  today: string,
): Promise<Leadership | undefined> {
  const [current] = await query<Leadership>(
    tx,
    sql`SELECT ${leadershipColumns} FROM leaderships l
     WHERE l.group_id = ${groupId} AND l.user_id = ${userId} AND ${notEndedBy(today)}
     ORDER BY l.start_date DESC LIMIT 1 FOR UPDATE`,
  );
  return current;
}

export async function setLeadershipEnd(tx: EntityManager, id: string, endDate: string): Promise<Leadership> {
  const [row] = await query<Leadership>(
    tx,
    sql`UPDATE leaderships AS l SET end_date = ${endDate}::date, updated_at = now() WHERE l.id = ${id}
     RETURNING ${leadershipColumns}`,
  );
  return row!;
}
