import { type EntityManager, empty, escapeLike, join, query, raw, type Sql, sql, value, type Runner } from "../db";
import { type Group, groupColumns } from "../groups";
import { visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import type { Initiative } from "./initiative.entity";

/**
 * Every statement on `initiatives` and `group_initiatives`. Values are always parameters of `sql`
 * fragments; the text of each statement depends only on its shape, so each keeps one prepared
 * statement.
 */

/** The one column list of `initiatives`: entity field -> column. SELECT lists and updates derive from it. */
export const INITIATIVE_COLUMN_MAP = {
  id: "id",
  name: "name",
  description: "description",
  startDate: "start_date",
  endDate: "end_date",
  createdById: "created_by",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const satisfies Record<keyof Initiative, string>;

/** `date` columns: read as YYYY-MM-DD text (what the Date scalar answers), written with a ::date cast. */
const DATE_FIELDS: ReadonlySet<keyof Initiative> = new Set(["startDate", "endDate"]);

/** The columns of an initiative row (alias `i`) under the entity's field names. */
export const INITIATIVE_COLUMNS = (Object.keys(INITIATIVE_COLUMN_MAP) as (keyof Initiative)[])
  .map((field) => {
    const column = `i.${INITIATIVE_COLUMN_MAP[field]}`;
    if (DATE_FIELDS.has(field)) return `to_char(${column}, 'YYYY-MM-DD') AS "${field}"`;
    return field === INITIATIVE_COLUMN_MAP[field] ? column : `${column} AS "${field}"`;
  })
  .join(", ");

const initiativeColumns = raw(INITIATIVE_COLUMNS);

export function initiativesByIdsSql(ids: readonly string[]): Sql {
  return sql`SELECT ${initiativeColumns} FROM initiatives i WHERE i.id = ANY(${value(ids)}::uuid[])`;
}

/** Initiatives by id (valid uuids); no statement for none. */
export async function initiativesByIds(runner: Runner, ids: readonly string[]): Promise<Initiative[]> {
  return ids.length === 0 ? [] : query<Initiative>(runner, initiativesByIdsSql(ids));
}

/** The initiatives linked to each group (rows keyed by the group's id), by name. */
export async function initiativesOfGroups(
  runner: Runner,
  groupIds: readonly string[],
): Promise<(Initiative & { key: string })[]> {
  if (groupIds.length === 0) return [];
  return query<Initiative & { key: string }>(
    runner,
    sql`SELECT gi.group_id AS key, ${initiativeColumns}
     FROM group_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id
     WHERE gi.group_id = ANY(${value(groupIds)}::uuid[])
     ORDER BY i.name, i.id`,
  );
}

/** How many initiatives are linked to each group (groups without any are left out). */
export async function initiativeCounts(
  runner: Runner,
  groupIds: readonly string[],
): Promise<{ key: string; n: number }[]> {
  if (groupIds.length === 0) return [];
  return query<{ key: string; n: number }>(
    runner,
    sql`SELECT gi.group_id AS key, count(*)::int AS n FROM group_initiatives gi
     WHERE gi.group_id = ANY(${value(groupIds)}::uuid[]) GROUP BY gi.group_id`,
  );
}

/** The groups each initiative is linked to (rows keyed by the initiative's id), those the viewer may see, by name. */
export function visibleGroupsOfInitiativesSql(viewer: Viewer, initiativeIds: readonly string[]): Sql {
  return sql`SELECT gi.initiative_id AS key, ${groupColumns}
     FROM group_initiatives gi JOIN groups g ON g.id = gi.group_id
     WHERE gi.initiative_id = ANY(${value(initiativeIds)}::uuid[]) AND ${visibleGroup(viewer, "g")}
     ORDER BY g.name, g.id`;
}

export async function visibleGroupsOfInitiatives(
  runner: Runner,
  viewer: Viewer,
  initiativeIds: readonly string[],
): Promise<(Group & { key: string })[]> {
  if (initiativeIds.length === 0) return [];
  return query<Group & { key: string }>(runner, visibleGroupsOfInitiativesSql(viewer, initiativeIds));
}

/**
 * One page of initiatives by (name, id), and the size of the whole filtered set, in one statement.
 * The count row always exists, so an empty page still answers totalCount (its page columns are
 * null: see splitTotal). `search` is a case-insensitive substring of the name; `after` is the
 * (name, id) of the last row of the page before.
 */
export function initiativesPageSql(args: {
  search: string | null;
  after: readonly [string, string] | null;
  limit: number;
}): Sql {
  const filter = args.search ? sql`WHERE i.name ILIKE ${`%${escapeLike(args.search)}%`}` : empty;
  const keyset = args.after ? sql`WHERE (name, id) > (${args.after[0]}::text, ${args.after[1]}::uuid)` : empty;
  return sql`WITH filtered AS (SELECT ${initiativeColumns} FROM initiatives i ${filter})
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered ${keyset} ORDER BY name, id LIMIT ${args.limit}
    ) p ON TRUE
    ORDER BY name, id`;
}

export function initiativesPage(
  runner: Runner,
  args: Parameters<typeof initiativesPageSql>[0],
): Promise<(Initiative & { totalCount: number })[]> {
  return query<Initiative & { totalCount: number }>(runner, initiativesPageSql(args));
}

export async function insertInitiative(
  runner: Runner,
  row: Pick<Initiative, "name" | "description" | "startDate" | "endDate" | "createdById">,
): Promise<Initiative> {
  const [created] = await query<Initiative>(
    runner,
    sql`INSERT INTO initiatives AS i (name, description, start_date, end_date, created_by)
     VALUES (${row.name}, ${row.description}, ${row.startDate}::date, ${row.endDate}::date, ${row.createdById})
     RETURNING ${initiativeColumns}`,
  );
  return created!;
}

/** The initiative's row, locked for the rest of the transaction; undefined when there is none. */
export async function lockInitiative(tx: EntityManager, id: string): Promise<Initiative | undefined> {
  const [row] = await query<Initiative>(
    tx,
    sql`SELECT ${initiativeColumns} FROM initiatives i WHERE i.id = ${id} FOR UPDATE`,
  );
  return row;
}

/** The fields an update may set, with their new values (null clears; the name is never null). */
export type InitiativeChanges = Partial<Record<"name" | "description" | "startDate" | "endDate", string | null>>;

/**
 * Sets the fields present in `changes` (at least one), their columns from the column map. Which
 * fields are present is the statement's shape; their values are parameters.
 */
export async function updateInitiativeRow(
  tx: EntityManager,
  id: string,
  changes: InitiativeChanges,
): Promise<Initiative> {
  const sets = (Object.keys(changes) as (keyof InitiativeChanges)[]).map((field) => {
    const cast = DATE_FIELDS.has(field) ? raw("::date") : empty;
    return sql`${raw(INITIATIVE_COLUMN_MAP[field])} = ${changes[field] ?? null}${cast}`;
  });
  const [after] = await query<Initiative>(
    tx,
    sql`UPDATE initiatives AS i SET ${join([...sets, sql`updated_at = now()`])} WHERE i.id = ${id}
     RETURNING ${initiativeColumns}`,
  );
  return after!;
}

/** Removes the initiative's links; answers the groups it was linked to. */
export async function deleteLinksOf(tx: EntityManager, initiativeId: string): Promise<string[]> {
  const rows = await query<{ groupId: string }>(
    tx,
    sql`DELETE FROM group_initiatives WHERE initiative_id = ${initiativeId} RETURNING group_id AS "groupId"`,
  );
  return rows.map((row) => row.groupId);
}

export async function deleteInitiativeRow(tx: EntityManager, id: string): Promise<void> {
  await query(tx, sql`DELETE FROM initiatives WHERE id = ${id}`);
}

/**
 * Links (`link`) or unlinks the group and the initiative in one statement; answers the initiative's
 * id and name and whether anything changed, or undefined when the initiative does not exist.
 */
export async function changeLink(
  tx: EntityManager,
  link: boolean,
  groupId: string,
  initiativeId: string,
  actorId: string,
): Promise<{ id: string; name: string; changed: boolean } | undefined> {
  const change = link
    ? sql`INSERT INTO group_initiatives (group_id, initiative_id, linked_by) SELECT ${groupId}, i.id, ${actorId} FROM i
       ON CONFLICT DO NOTHING RETURNING 1`
    : sql`DELETE FROM group_initiatives gi WHERE gi.group_id = ${groupId} AND gi.initiative_id = ${initiativeId} RETURNING 1`;
  const [row] = await query<{ id: string; name: string; changed: boolean }>(
    tx,
    sql`WITH i AS (SELECT id, name FROM initiatives WHERE id = ${initiativeId}), change AS (${change})
     SELECT i.id, i.name, EXISTS (SELECT 1 FROM change) AS changed FROM i`,
  );
  return row;
}
