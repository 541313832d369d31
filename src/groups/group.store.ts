import {
  and,
  type DataSource,
  type EntityManager,
  empty,
  escapeLike,
  inPipelinedTransaction,
  join,
  query,
  raw,
  type Sql,
  splitTotal,
  sql,
  value,
} from "../db";
import { type NewEvent, recordEventsSql } from "../events";
import { visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { GROUP_COLUMN, groupColumns, JSON_PROPERTIES } from "./group.columns";
import type { Group } from "./group.entity";
import { type GroupFilter, GroupOrderField } from "./group.inputs";

/**
 * Every statement on `groups` and `group_parents`, composed from fragments (nothing hand-numbered;
 * a statement's text depends only on its structure, so each keeps one prepared statement). The
 * main ones are built by a `...Sql` function from the viewer and checked arguments, which
 * test/golden/groups.store.test.ts pins, and run by the function of the same name without the
 * suffix. Rules, argument checks, transactions and events stay in the services; the access rules
 * come from permissions (visibleGroup, countingMembership), never written here.
 */

/** A pool (DataSource) or a transaction's EntityManager. */
export type Runner = DataSource | EntityManager;

/** A row carrying the key it was asked for (loaders group by it). */
export type Keyed<T> = T & { key: string };

/** Groups by id, visible or not. */
export function groupsByIdsSql(ids: readonly string[]): Sql {
  return sql`SELECT ${groupColumns} FROM groups g WHERE g.id = ANY(${value(ids)}::uuid[])`;
}

/** Through the read pipeline: primary-key lookups, short even for a long batch of ids. */
export function groupsByIds(runner: Runner, ids: readonly string[]): Promise<Group[]> {
  return query<Group>(runner, groupsByIdsSql(ids), [], { pipelined: true });
}

/** Groups by id that the viewer may see, the visibility rule in the same statement. */
export function visibleGroupsByIdsSql(viewer: Viewer, ids: readonly string[]): Sql {
  return sql`SELECT ${groupColumns} FROM groups g
    WHERE g.id = ANY(${value(ids)}::uuid[]) AND ${visibleGroup(viewer, "g")}`;
}

/** Through the read pipeline, as groupsByIds (the visibility rule is a probe per group and ancestor). */
export function visibleGroupsByIds(runner: Runner, viewer: Viewer, ids: readonly string[]): Promise<Group[]> {
  return query<Group>(runner, visibleGroupsByIdsSql(viewer, ids), [], { pipelined: true });
}

/**
 * Visible direct relatives of each group (`key`), by name. `up`: parents; otherwise children,
 * active ones only unless includeInactive.
 */
export function relativesSql(
  viewer: Viewer,
  ids: readonly string[],
  { up, includeInactive }: { up: boolean; includeInactive: boolean },
): Sql {
  const [from, to] = up ? [raw("gp.child_id"), raw("gp.parent_id")] : [raw("gp.parent_id"), raw("gp.child_id")];
  const activeOnly = includeInactive ? empty : sql` AND g.is_active`;
  return sql`SELECT ${from} AS key, ${groupColumns}
    FROM group_parents gp JOIN groups g ON g.id = ${to}
    WHERE ${from} = ANY(${value(ids)}::uuid[]) AND ${visibleGroup(viewer, "g")}${activeOnly}
    ORDER BY g.name, g.id`;
}

export function relatives(
  runner: Runner,
  viewer: Viewer,
  ids: readonly string[],
  direction: { up: boolean; includeInactive: boolean },
): Promise<Keyed<Group>[]> {
  return query<Keyed<Group>>(runner, relativesSql(viewer, ids, direction));
}

/**
 * Every visible ancestor of each group (`key`), nearest first, each once at its shortest distance,
 * up to maxDepth levels when given. The recursion keeps (origin, ancestor, depth) rows distinct, so
 * diamonds cost rows per depth, never per path.
 */
export function ancestorsSql(viewer: Viewer, ids: readonly string[], maxDepth: number | null): Sql {
  const depthLimit = maxDepth === null ? empty : sql` WHERE up.depth < ${maxDepth}::int`;
  return sql`WITH RECURSIVE up(origin, id, depth) AS (
      SELECT gp.child_id, gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ANY(${value(ids)}::uuid[])
      UNION
      SELECT up.origin, gp.parent_id, up.depth + 1
      FROM up JOIN group_parents gp ON gp.child_id = up.id${depthLimit}
    ), nearest AS (
      SELECT origin, id, min(depth) AS depth FROM up GROUP BY origin, id
    )
    SELECT n.origin AS key, n.depth, ${groupColumns}
    FROM nearest n JOIN groups g ON g.id = n.id
    WHERE ${visibleGroup(viewer, "g")}
    ORDER BY n.depth, g.name, g.id`;
}

export function ancestors(
  runner: Runner,
  viewer: Viewer,
  ids: readonly string[],
  maxDepth: number | null,
): Promise<Keyed<Group & { depth: number }>[]> {
  return query<Keyed<Group & { depth: number }>>(runner, ancestorsSql(viewer, ids, maxDepth));
}

/** The first visible group with this exact name (and type, when given), by creation. */
export function groupByNameSql(viewer: Viewer, name: string, groupType: string | null): Sql {
  const type = groupType === null ? empty : sql` AND g.group_type = ${groupType}`;
  return sql`SELECT ${groupColumns} FROM groups g
    WHERE g.name = ${name}${type} AND ${visibleGroup(viewer, "g")}
    ORDER BY g.created_at, g.id LIMIT 1`;
}

export async function groupByName(
  runner: Runner,
  viewer: Viewer,
  name: string,
  groupType: string | null,
): Promise<Group | null> {
  const [group] = await query<Group>(runner, groupByNameSql(viewer, name, groupType));
  return group ?? null;
}

/** The sort columns of a groups page, with the type their cursor text is read back as. */
const SORT: Record<GroupOrderField, { column: Sql; type: Sql }> = {
  [GroupOrderField.NAME]: { column: raw("g.name"), type: raw("text") },
  [GroupOrderField.CREATED_AT]: { column: raw("g.created_at"), type: raw("timestamptz") },
  [GroupOrderField.UPDATED_AT]: { column: raw("g.updated_at"), type: raw("timestamptz") },
};

/** A groups page, its arguments checked by the caller. */
export interface GroupsPageQuery {
  filter: GroupFilter | null | undefined;
  orderBy: GroupOrderField;
  descending: boolean;
  /** The (sort key as text, id) of the last row already seen. */
  after: readonly [string, string] | null;
  offset: number | null;
  /** Rows to read: the page size and one more, which tells whether more follow. */
  limit: number;
  /** Count every match (totalCount). */
  withTotal: boolean;
}

export interface GroupsPage {
  rows: { group: Group; sortKey: string }[];
  /** 0 when not asked for. */
  totalCount: number;
}

/** The conditions of a GroupFilter on alias g, visibility included. */
function filterConditions(viewer: Viewer, filter: GroupFilter | null | undefined): Sql[] {
  const where: Sql[] = [];
  // isActive defaults to true, also when no filter is given; an explicit null means both.
  const isActive = filter == null || filter.isActive === undefined ? true : filter.isActive;
  if (isActive !== null) where.push(sql`g.is_active = ${isActive}`);
  if (filter?.groupType != null) where.push(sql`g.group_type = ${filter.groupType}`);
  if (filter?.campus != null) where.push(sql`g.campus = ${filter.campus}`);
  if (filter?.knowledgeArea != null) where.push(sql`g.knowledge_area = ${filter.knowledgeArea}`);
  if (filter?.visibility != null) where.push(sql`g.visibility = ${filter.visibility}`);
  if (filter?.search != null && filter.search !== "") {
    const pattern = `%${escapeLike(filter.search)}%`;
    where.push(sql`(g.name ILIKE ${pattern} OR g.short_name ILIKE ${pattern})`);
  }
  if (filter?.parentId != null) {
    // Only under a parent the caller may see: the filter must not confirm a hidden parent's links.
    where.push(
      isUuid(filter.parentId)
        ? sql`EXISTS (SELECT 1 FROM group_parents gp JOIN groups pg ON pg.id = gp.parent_id
            WHERE gp.child_id = g.id AND gp.parent_id = ${filter.parentId}::uuid AND ${visibleGroup(viewer, "pg")})`
        : sql`FALSE`,
    );
  }
  if (filter?.rootsOnly != null) {
    const roots = sql`EXISTS (SELECT 1 FROM group_parents gp WHERE gp.child_id = g.id)`;
    where.push(filter.rootsOnly ? sql`NOT ${roots}` : roots);
  }
  if (filter?.metadata != null) where.push(sql`g.metadata @> ${JSON.stringify(filter.metadata)}::jsonb`);
  where.push(visibleGroup(viewer, "g"));
  return where;
}

/**
 * Groups the viewer may see: filter, order, keyset or offset, and the total, in one statement. The
 * page reads the (filter, sort) index directly; the total, only when asked, is a count of its own
 * (sharing a CTE with the page made PostgreSQL materialize and sort every match).
 */
export function groupsPageSql(viewer: Viewer, q: GroupsPageQuery): Sql {
  const { column, type } = SORT[q.orderBy];
  const dir = q.descending ? raw("DESC") : raw("ASC");
  const filters = and(filterConditions(viewer, q.filter));
  const keyset = q.after
    ? sql` AND (${column}, g.id) ${q.descending ? raw("<") : raw(">")} (${q.after[0]}::${type}, ${q.after[1]}::uuid)`
    : empty;
  const offset = q.offset === null ? empty : sql` OFFSET ${q.offset}`;
  const page = sql`SELECT ${groupColumns}, ${column} AS sort_key, ${column}::text AS "sortKeyText"
    FROM groups g
    WHERE ${filters}${keyset}
    ORDER BY ${column} ${dir}, g.id ${dir} LIMIT ${q.limit}${offset}`;
  return q.withTotal
    ? sql`SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM groups g WHERE ${filters}) t
    LEFT JOIN LATERAL (${page}) p ON TRUE
    ORDER BY p.sort_key ${dir}, p.id ${dir}`
    : sql`SELECT NULL::int AS "totalCount", p.* FROM (${page}) p ORDER BY p.sort_key ${dir}, p.id ${dir}`;
}

type PageRow = Group & { totalCount: number | null; sort_key: unknown; sortKeyText: string };

export async function groupsPage(runner: Runner, viewer: Viewer, q: GroupsPageQuery): Promise<GroupsPage> {
  const result = await query<PageRow>(runner, groupsPageSql(viewer, q));
  const page: GroupsPage = { rows: [], totalCount: result[0]?.totalCount ?? 0 };
  for (const { totalCount: _total, sort_key: _key, sortKeyText, ...group } of result) {
    // With the total, an empty page is one row of nulls beside the count.
    if (group.id === null) continue;
    page.rows.push({ group, sortKey: sortKeyText });
  }
  return page;
}

/** A page of descendants, its arguments checked by the caller. */
export interface DescendantsQuery {
  maxDepth: number | null;
  groupType: string | null;
  /** The (depth, name, id) of the last row already seen. */
  after: readonly [number, string, string] | null;
  /** Rows to read: the page size and one more. */
  limit: number;
}

/**
 * Every visible descendant of a group, nearest first, each once at its shortest distance;
 * paginated by (depth, name, id), with the total, in one statement. The count row always exists,
 * so an empty page still answers its total (its page columns are then null).
 */
export function descendantsPageSql(viewer: Viewer, groupId: string, q: DescendantsQuery): Sql {
  const conditions = [visibleGroup(viewer, "g")];
  if (q.groupType !== null) conditions.push(sql`g.group_type = ${q.groupType}`);
  const keyset = q.after
    ? sql` WHERE (depth, name, id) > (${q.after[0]}::int, ${q.after[1]}::text, ${q.after[2]}::uuid)`
    : empty;
  const depthLimit = q.maxDepth === null ? empty : sql` WHERE down.depth < ${q.maxDepth}::int`;
  return sql`WITH RECURSIVE down(id, depth) AS (
      SELECT gp.child_id, 1 FROM group_parents gp WHERE gp.parent_id = ${groupId}::uuid
      UNION
      SELECT gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id${depthLimit}
    ), filtered AS (
      SELECT ${groupColumns}, n.depth
      FROM (SELECT id, min(depth) AS depth FROM down GROUP BY id) n JOIN groups g ON g.id = n.id
      WHERE ${and(conditions)}
    )
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered${keyset} ORDER BY depth, name, id LIMIT ${q.limit}
    ) p ON TRUE
    ORDER BY depth, name, id`;
}

export async function descendantsPage(
  runner: Runner,
  viewer: Viewer,
  groupId: string,
  q: DescendantsQuery,
): Promise<{ rows: (Group & { depth: number })[]; totalCount: number }> {
  return splitTotal(
    await query<Group & { depth: number; totalCount: number }>(runner, descendantsPageSql(viewer, groupId, q)),
  );
}

/** The parents of a group. */
export async function parentIdsOf(runner: Runner, childId: string): Promise<string[]> {
  const rows = await query<{ id: string }>(
    runner,
    sql`SELECT parent_id AS id FROM group_parents WHERE child_id = ${childId}::uuid`,
  );
  return rows.map((row) => row.id);
}

/** Links a group under parents (the cycle trigger checks each link); nothing for none. */
export async function linkParents(tx: EntityManager, childId: string, parentIds: readonly string[]): Promise<void> {
  if (parentIds.length === 0) return;
  await query(
    tx,
    sql`INSERT INTO group_parents (child_id, parent_id) SELECT ${childId}::uuid, unnest(${value(parentIds)}::uuid[])`,
  );
}

/** Unlinks a group from parents; nothing for none. */
export async function unlinkParents(tx: EntityManager, childId: string, parentIds: readonly string[]): Promise<void> {
  if (parentIds.length === 0) return;
  await query(
    tx,
    sql`DELETE FROM group_parents WHERE child_id = ${childId}::uuid AND parent_id = ANY(${value(parentIds)}::uuid[])`,
  );
}

/** The advisory lock key of hierarchy changes; the cycle trigger (migrations) takes the same. */
const HIERARCHY_LOCK = 7305001;

/** Serializes hierarchy changes until the transaction ends (re-parentings queue instead of deadlocking). */
export async function lockHierarchy(tx: EntityManager): Promise<void> {
  await query(tx, sql`SELECT pg_advisory_xact_lock(${HIERARCHY_LOCK}::bigint)`);
}

/** The advisory lock on one user's group creations (the quota is counted race-free under it). */
export function lockCreationsBySql(userId: string): Sql {
  return sql`SELECT pg_advisory_xact_lock(hashtext('groups-created-by:' || ${userId}::text))`;
}

/** A value for a column of the groups table (jsonb columns take JSON text). */
function columnValue(property: keyof Group, v: unknown): Sql {
  return JSON_PROPERTIES.has(property) ? sql`${JSON.stringify(v)}::jsonb` : value(v);
}

/** The columns a new group is written with; the others take their defaults. */
const INSERTED = [
  "name",
  "groupType",
  "description",
  "shortName",
  "url",
  "knowledgeArea",
  "campus",
  "visibility",
  "joinPolicy",
  "permissionCascadeEnabled",
  "metadata",
  "createdById",
] as const satisfies readonly (keyof Group)[];

export type NewGroup = Pick<Group, (typeof INSERTED)[number]>;

/** What creating a group writes besides its row: the parents, the creator (its owner) and the events. */
export interface GroupCreation {
  /** The new group's id, chosen by the caller so that the events can name it. */
  id: string;
  group: NewGroup;
  parentIds: readonly string[];
  events: NewEvent[];
  /**
   * The per-user quota: the group is written only while its creator has created fewer than `max`
   * groups. Counted by this statement, so it is race-free only after lockCreationsBySql in an
   * earlier statement of the same transaction (a statement's snapshot predates its own lock waits).
   */
  quota: { max: number } | null;
}

/**
 * Creating a group in one statement (data-modifying CTEs, one atomic unit even autocommitted): the
 * row, its parent links (the cycle trigger checks each; a parent deleted meanwhile fails its
 * foreign key), the creator's ACTIVE owner membership (written here, not by memberships, which
 * depends on groups: the other way round would be a cycle), and the events through the events writer's
 * fragment, written only if the row was. One row: the creator's count before (with a quota) and
 * the group's columns, null when the quota refused it.
 */
export function createGroupSql(c: GroupCreation): Sql {
  const creator = c.group.createdById;
  const columns = join([raw("id"), ...INSERTED.map((p) => raw(GROUP_COLUMN[p]))], ", ");
  const values = join([sql`${c.id}::uuid`, ...INSERTED.map((p) => columnValue(p, c.group[p]))], ", ");
  const created = c.quota
    ? sql`created AS (SELECT count(*)::int AS n FROM groups WHERE created_by = ${creator}::uuid), `
    : empty;
  const underQuota = c.quota ? sql` WHERE (SELECT n FROM created) < ${c.quota.max}::int` : empty;
  const answer = c.quota
    ? sql`SELECT created.n AS "createdBefore", g.* FROM created LEFT JOIN g ON TRUE`
    : sql`SELECT NULL::int AS "createdBefore", g.* FROM g`;
  // The events' ids are drawn once the row and every parent link are written, the links' cycle
  // trigger having taken the hierarchy lock: as when they were statements of their own, after it.
  const linked = sql`EXISTS (SELECT 1 FROM g) AND (SELECT count(*) FROM parents) = ${c.parentIds.length}::int`;
  return sql`WITH ${created}g AS (
      INSERT INTO groups AS g (${columns}) SELECT ${values}${underQuota} RETURNING ${groupColumns}
    ), parents AS (
      INSERT INTO group_parents (child_id, parent_id) SELECT g.id, p FROM g, unnest(${value(c.parentIds)}::uuid[]) AS p
      RETURNING child_id
    ), owner AS (
      INSERT INTO memberships (group_id, user_id, role, status, invited_by, changed_by)
      SELECT g.id, ${creator}::uuid, 'owner', 'ACTIVE', ${creator}::uuid, ${creator}::uuid FROM g
    ), events AS (${recordEventsSql(c.events, linked)})
    ${answer}`;
}

/** A row of createGroupSql: the group, or nulls beside the creator's count when the quota refused it. */
export type CreatedGroupRow = Omit<Group, "id"> & { id: string | null; createdBefore: number | null };

/**
 * Runs createGroupSql: autocommitted without a quota (one statement, one round trip); with one,
 * after the creator's advisory lock in the same transaction, BEGIN to COMMIT in one round trip.
 */
export async function createGroupRow(db: DataSource, c: GroupCreation): Promise<CreatedGroupRow> {
  if (!c.quota) {
    const [row] = await query<CreatedGroupRow>(db, createGroupSql(c));
    return row!;
  }
  const [, rows] = await inPipelinedTransaction(db, [lockCreationsBySql(c.group.createdById!), createGroupSql(c)]);
  return rows![0] as CreatedGroupRow;
}

/** The group's row, locked against other updates and deletions until the transaction ends; null when gone. */
export async function lockForUpdate(tx: EntityManager, id: string): Promise<Group | null> {
  const [group] = await query<Group>(
    tx,
    sql`SELECT ${groupColumns} FROM groups g WHERE g.id = ${id}::uuid FOR NO KEY UPDATE`,
  );
  return group ?? null;
}

/** Properties an update may set, with their new values (at least one); updated_at follows. */
export type GroupChanges = readonly (readonly [keyof NewGroup | "isActive", unknown])[];

export function updateGroupSql(id: string, changes: GroupChanges): Sql {
  const sets = changes.map(([property, v]) => sql`${raw(GROUP_COLUMN[property])} = ${columnValue(property, v)}`);
  return sql`UPDATE groups AS g SET ${join([...sets, sql`updated_at = now()`], ", ")} WHERE g.id = ${id}::uuid
    RETURNING ${groupColumns}`;
}

export async function updateGroupRow(tx: EntityManager, id: string, changes: GroupChanges): Promise<Group> {
  const [updated] = await query<Group>(tx, updateGroupSql(id, changes));
  return updated!;
}

/** Locks the group's row for its deletion; false when it is already gone. */
export async function lockForDelete(tx: EntityManager, id: string): Promise<boolean> {
  const rows = await query(tx, sql`SELECT 1 FROM groups WHERE id = ${id}::uuid FOR UPDATE`);
  return rows.length > 0;
}

/** Deletes the group; memberships and parent links go with it (ON DELETE CASCADE), children stay. */
export async function deleteGroupRow(tx: EntityManager, id: string): Promise<void> {
  await query(tx, sql`DELETE FROM groups WHERE id = ${id}::uuid`);
}
