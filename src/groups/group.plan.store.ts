import { empty, query, raw, type Sql, sql } from "../db";
import { visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { groupColumns } from "./group.columns";
import type { Group } from "./group.entity";
import { groupsPageSql, type GroupsPageQuery, type Runner } from "./group.store";

/**
 * The planned statements of the groups domain (see group.plan.ts): the root statements of `group`
 * and `groups` with their planned relations as one extra column (`planned`), and the relations
 * groups owns (parents, children, ancestors) as scalar subqueries correlated with a group id. Each
 * subquery answers, as JSON, exactly the rows, order and visibility of the loader statement it
 * stands in for (group.store.ts: relativesSql, ancestorsSql), from the same fragments; pinned by
 * test/golden/planned.store.test.ts.
 */

/** The alias of the root statement's group rows; the planned subqueries correlate with `rg.id`. */
export const PLANNED_ROW = "rg";
const row = raw(PLANNED_ROW);

/** A group by id, visible or not (as groupsById), with its planned relations in `planned`. */
export function plannedGroupSql(id: string, planned: Sql): Sql {
  return sql`SELECT ${row}.*, ${planned} AS planned
    FROM (SELECT ${groupColumns} FROM groups g WHERE g.id = ${id}::uuid) ${row}`;
}

export async function plannedGroup(
  runner: Runner,
  id: string,
  planned: Sql,
): Promise<{ group: Group; planned: unknown } | null> {
  // One group by key with the relations its selection asks for, through the read pipeline
  // (src/db/pipeline.ts) as the permission facts are: Q2 went 2,094-2,231 -> 2,562-3,210 req/s
  // alone. The unpaged lists (children, initiatives, history) make a big group's statement longer,
  // and the reads written with it wait for it: a few ms for thousands of children.
  const [found] = await query<Group & { planned: unknown }>(runner, plannedGroupSql(id, planned), [], {
    pipelined: true,
  });
  if (!found) return null;
  const { planned: values, ...group } = found;
  return { group, planned: values };
}

/**
 * A groups page (groupsPageSql, unchanged) with each listed group's planned relations in
 * `planned`, computed for the page's rows only.
 */
export function plannedGroupsPageSql(viewer: Viewer, q: GroupsPageQuery, planned: Sql): Sql {
  const dir = q.descending ? raw("DESC") : raw("ASC");
  return sql`SELECT ${row}.*, ${planned} AS planned
    FROM (${groupsPageSql(viewer, q)}) ${row}
    ORDER BY ${row}.sort_key ${dir}, ${row}.id ${dir}`;
}

export interface PlannedGroupsPage {
  rows: { group: Group; sortKey: string; planned: unknown }[];
  totalCount: number;
}

type PlannedPageRow = Group & {
  totalCount: number | null;
  sort_key: unknown;
  sortKeyText: string;
  memberCount?: number;
  planned: unknown;
};

export async function plannedGroupsPage(
  runner: Runner,
  viewer: Viewer,
  q: GroupsPageQuery,
  planned: Sql,
): Promise<PlannedGroupsPage> {
  const result = await query<PlannedPageRow>(runner, plannedGroupsPageSql(viewer, q, planned));
  const page: PlannedGroupsPage = { rows: [], totalCount: result[0]?.totalCount ?? 0 };
  for (const {
    totalCount: _total,
    sort_key: _key,
    sortKeyText,
    memberCount: _n,
    planned: values,
    ...group
  } of result) {
    // With the total, an empty page is one row of nulls beside the count.
    if (group.id === null) continue;
    page.rows.push({ group, sortKey: sortKeyText, planned: values });
  }
  return page;
}

/**
 * The visible direct relatives of the group `groupId` as a JSON array of Group rows, by name:
 * relativesSql's rows for one group. `up`: parents; otherwise children, active ones only unless
 * includeInactive.
 */
export function plannedRelativesSql(
  viewer: Viewer,
  groupId: Sql,
  { up, includeInactive }: { up: boolean; includeInactive: boolean },
): Sql {
  const [from, to] = up ? [raw("gp.child_id"), raw("gp.parent_id")] : [raw("gp.parent_id"), raw("gp.child_id")];
  const activeOnly = includeInactive ? empty : sql` AND g.is_active`;
  return sql`(SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]'::json) FROM (
      SELECT ${groupColumns}
      FROM group_parents gp JOIN groups g ON g.id = ${to}
      WHERE ${from} = ${groupId} AND ${visibleGroup(viewer, "g")}${activeOnly}
    ) x)`;
}

/**
 * Every visible ancestor of the group `groupId`, nearest first, each once at its shortest distance,
 * as a JSON array of Group rows with their `depth`: ancestorsSql's rows for one group.
 */
export function plannedAncestorsSql(viewer: Viewer, groupId: Sql, maxDepth: number | null): Sql {
  const depthLimit = maxDepth === null ? empty : sql` WHERE up.depth < ${maxDepth}::int`;
  return sql`(SELECT coalesce(json_agg(x ORDER BY x.depth, x.name, x.id), '[]'::json) FROM (
      WITH RECURSIVE up(id, depth) AS (
        SELECT gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ${groupId}
        UNION
        SELECT gp.parent_id, up.depth + 1 FROM up JOIN group_parents gp ON gp.child_id = up.id${depthLimit}
      ), nearest AS (
        SELECT id, min(depth) AS depth FROM up GROUP BY id
      )
      SELECT n.depth, ${groupColumns}
      FROM nearest n JOIN groups g ON g.id = n.id
      WHERE ${visibleGroup(viewer, "g")}
    ) x)`;
}
