import { type DataSource, type EntityManager, empty, query, raw, type Sql, sql, value } from "../db";
import { visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { groupColumns } from "./group.columns";
import type { Group } from "./group.entity";

/**
 * Every statement on `groups` and `group_parents`. Each statement is built by a `...Sql` function
 * from the viewer and checked arguments (the golden tests pin their text) and run by the function
 * of the same name without the suffix. Rules, validation and transactions stay in the services;
 * access rules come from permissions (visibleGroup), never written here.
 */

/** A pool (DataSource) or a transaction's EntityManager. */
export type Runner = DataSource | EntityManager;

/** A row carrying the key it was asked for (loaders group by it). */
export type Keyed<T> = T & { key: string };

/** Groups by id, visible or not. */
export function groupsByIdsSql(ids: readonly string[]): Sql {
  return sql`SELECT ${groupColumns} FROM groups g WHERE g.id = ANY(${value(ids)}::uuid[])`;
}

export function groupsByIds(runner: Runner, ids: readonly string[]): Promise<Group[]> {
  return query<Group>(runner, groupsByIdsSql(ids));
}

/** Groups by id that the viewer may see, the visibility rule in the same statement. */
export function visibleGroupsByIdsSql(viewer: Viewer, ids: readonly string[]): Sql {
  return sql`SELECT ${groupColumns} FROM groups g
    WHERE g.id = ANY(${value(ids)}::uuid[]) AND ${visibleGroup(viewer, "g")}`;
}

export function visibleGroupsByIds(runner: Runner, viewer: Viewer, ids: readonly string[]): Promise<Group[]> {
  return query<Group>(runner, visibleGroupsByIdsSql(viewer, ids));
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
  return sql`SELECT ${from} AS key, ${groupColumns}
    FROM group_parents gp JOIN groups g ON g.id = ${to}
    WHERE ${from} = ANY(${value(ids)}::uuid[]) AND ${visibleGroup(viewer, "g")}${includeInactive ? empty : sql` AND g.is_active`}
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
  return sql`WITH RECURSIVE up(origin, id, depth) AS (
      SELECT gp.child_id, gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ANY(${value(ids)}::uuid[])
      UNION
      SELECT up.origin, gp.parent_id, up.depth + 1
      FROM up JOIN group_parents gp ON gp.child_id = up.id${maxDepth === null ? empty : sql`
      WHERE up.depth < ${maxDepth}::int`}
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
