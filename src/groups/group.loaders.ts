import DataLoader from "dataloader";
import { query, rowsById } from "../db";
import { visibleGroupsCondition } from "../permissions";
import { type AppContext, groupedByKey, loaderFamily, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { GROUP_COLUMNS, type Group, type GroupRelative } from "./group.entity";

/** Groups by id, visible or not: callers decide visibility (canView). */
export const groupsById = perRequest((ctx) =>
  rowsById<Group>(ctx, `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ANY($1::uuid[])`),
);

/**
 * Groups by id that the caller may see, the visibility rule in the same statement: what
 * `_entities` uses, so any number of Group representations costs one statement.
 */
export const visibleGroupsById = perRequest((ctx) => {
  const params: unknown[] = [null]; // $1 is the ids (rowsById)
  const visible = visibleGroupsCondition(ctx, "g", params);
  return rowsById<Group>(
    ctx,
    `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ANY($1::uuid[]) AND ${visible}`,
    params.slice(1),
  );
});

type Keyed<T> = T & { key: string };

/**
 * Visible direct relatives of each group, by name: one statement per batch. `up` = parents;
 * otherwise children (active ones only unless includeInactive).
 */
function relativesLoader(ctx: AppContext, up: boolean, includeInactive: boolean) {
  const [from, to] = up ? ["child_id", "parent_id"] : ["parent_id", "child_id"];
  return new DataLoader<string, Group[]>(async (ids) => {
    const params: unknown[] = [ids.filter(isUuid)];
    const visible = visibleGroupsCondition(ctx, "g", params);
    const rows = await query<Keyed<Group>>(
      ctx.db,
      `SELECT gp.${from} AS key, ${GROUP_COLUMNS}
       FROM group_parents gp JOIN groups g ON g.id = gp.${to}
       WHERE gp.${from} = ANY($1::uuid[]) AND ${visible} ${includeInactive ? "" : "AND g.is_active"}
       ORDER BY g.name, g.id`,
      params,
    );
    return groupedByKey(ids, rows, (row) => row.key);
  });
}

/** Visible parents of each group (archived ones included: they still hold their children). */
export const parentsByGroupId = perRequest((ctx) => relativesLoader(ctx, true, true));

/** Visible children of each group; active ones only unless includeInactive. */
export const childrenByGroupId = loaderFamily((ctx, includeInactive: boolean) =>
  relativesLoader(ctx, false, includeInactive),
);

/**
 * Every visible ancestor of each group, nearest first, each once at its shortest distance. One
 * statement for any number of groups: the recursion keeps (origin, ancestor, depth) rows distinct,
 * so diamonds cost rows per depth, never per path.
 */
export const ancestorsByGroupId = loaderFamily(
  (ctx, maxDepth: number | null) =>
    new DataLoader<string, GroupRelative[]>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid), maxDepth];
      const visible = visibleGroupsCondition(ctx, "g", params);
      const rows = await query<Keyed<Group> & { depth: number }>(
        ctx.db,
        `WITH RECURSIVE up(origin, id, depth) AS (
           SELECT gp.child_id, gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ANY($1::uuid[])
           UNION
           SELECT up.origin, gp.parent_id, up.depth + 1
           FROM up JOIN group_parents gp ON gp.child_id = up.id
           WHERE $2::int IS NULL OR up.depth < $2::int
         ), nearest AS (
           SELECT origin, id, min(depth) AS depth FROM up GROUP BY origin, id
         )
         SELECT n.origin AS key, n.depth, ${GROUP_COLUMNS}
         FROM nearest n JOIN groups g ON g.id = n.id
         WHERE ${visible}
         ORDER BY n.depth, g.name, g.id`,
        params,
      );
      return groupedByKey(ids, rows, (row) => row.key).map((list) =>
        list.map(({ key: _key, depth, ...group }) => ({ group: group as Group, depth })),
      );
    }),
);
