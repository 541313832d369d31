import { escapeLike, pageWithTotalSql, query, splitTotal } from "../db";
import { canView, COUNTING_MEMBERSHIP, visibleGroupsCondition } from "../permissions";
import type { AppContext } from "../shared/context";
import { BadUserInputError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { decodeCursor, encodeCursor, pageSize, toPage } from "../shared/pagination";
import { GROUP_COLUMNS } from "./group.columns";
import type { Group, GroupRelative } from "./group.entity";
import { type GroupFilter, type GroupOrder, GroupOrderField, OrderDirection } from "./group.inputs";
import { groupsById } from "./group.loaders";

export async function findGroup(ctx: AppContext, id: string): Promise<Group | null> {
  const group = await groupsById(ctx).load(id);
  return group && (await canView(ctx, group)) ? group : null;
}

/** Exact, case-sensitive name; with groupType when given. The first visible match by creation. */
export async function findGroupByName(ctx: AppContext, name: string, groupType?: string | null): Promise<Group | null> {
  const params: unknown[] = [name];
  let typeCondition = "";
  if (groupType != null) {
    params.push(groupType);
    typeCondition = `AND g.group_type = $${params.length}`;
  }
  const visible = visibleGroupsCondition(ctx, "g", params);
  const [group] = await query<Group>(
    ctx.db,
    `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.name = $1 ${typeCondition} AND ${visible}
     ORDER BY g.created_at, g.id LIMIT 1`,
    params,
  );
  return group ?? null;
}

const SORT_COLUMN: Record<GroupOrderField, { expr: string; cast: string }> = {
  [GroupOrderField.NAME]: { expr: "g.name", cast: "text" },
  [GroupOrderField.CREATED_AT]: { expr: "g.created_at", cast: "timestamptz" },
  [GroupOrderField.UPDATED_AT]: { expr: "g.updated_at", cast: "timestamptz" },
};

export interface ListGroupsArgs {
  filter?: GroupFilter | null;
  orderBy?: GroupOrder | null;
  first?: number | null;
  after?: string | null;
  offset?: number | null;
  /** Count every match for totalCount (false when the query does not select it). @default true */
  withTotal?: boolean;
  /** Bring each group's memberCount along (Group.memberCount then costs no statement). */
  withMemberCount?: boolean;
}

/** Builds the WHERE conditions of a GroupFilter (alias g), pushing parameters. */
function filterConditions(ctx: AppContext, filter: GroupFilter | null | undefined, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  // isActive defaults to true, also when no filter is given; an explicit null means both.
  const isActive = filter === null || filter === undefined || filter.isActive === undefined ? true : filter.isActive;
  if (isActive !== null) add((p) => `g.is_active = ${p}`, isActive);
  if (filter?.groupType != null) add((p) => `g.group_type = ${p}`, filter.groupType);
  if (filter?.campus != null) add((p) => `g.campus = ${p}`, filter.campus);
  if (filter?.knowledgeArea != null) add((p) => `g.knowledge_area = ${p}`, filter.knowledgeArea);
  if (filter?.visibility != null) add((p) => `g.visibility = ${p}`, filter.visibility);
  if (filter?.search != null && filter.search !== "") {
    add((p) => `(g.name ILIKE ${p} OR g.short_name ILIKE ${p})`, `%${escapeLike(filter.search)}%`);
  }
  if (filter?.parentId != null) {
    if (!isUuid(filter.parentId)) where.push("FALSE");
    else {
      // Only under a parent the caller may see: the filter must not confirm a hidden parent's links.
      params.push(filter.parentId);
      const parent = `$${params.length}`;
      where.push(
        `EXISTS (SELECT 1 FROM group_parents gp JOIN groups pg ON pg.id = gp.parent_id
           WHERE gp.child_id = g.id AND gp.parent_id = ${parent} AND ${visibleGroupsCondition(ctx, "pg", params)})`,
      );
    }
  }
  if (filter?.rootsOnly != null) {
    where.push(`${filter.rootsOnly ? "NOT " : ""}EXISTS (SELECT 1 FROM group_parents gp WHERE gp.child_id = g.id)`);
  }
  if (filter?.metadata != null) add((p) => `g.metadata @> ${p}::jsonb`, JSON.stringify(filter.metadata));
  where.push(visibleGroupsCondition(ctx, "g", params));
  return where;
}

/** Groups the caller may see: filter, order, keyset (after) or offset pagination, totalCount; one statement. */
export async function listGroups(ctx: AppContext, args: ListGroupsArgs) {
  const first = pageSize(args.first, 50);
  if (args.after != null && args.offset != null) {
    throw new BadUserInputError("Use either after or offset, not both", { offset: ["cannot be combined with after"] });
  }
  if (args.offset != null && (!Number.isInteger(args.offset) || args.offset < 0)) {
    throw BadUserInputError.field("offset", "must be 0 or more");
  }
  const order = SORT_COLUMN[args.orderBy?.field ?? GroupOrderField.NAME];
  const desc = args.orderBy?.direction === OrderDirection.DESC;
  const params: unknown[] = [];
  const filters = filterConditions(ctx, args.filter, params).join(" AND ");
  const dir = desc ? "DESC" : "ASC";

  let keyset = "";
  if (args.after != null) {
    const [sortKey, id] = decodeCursor(args.after, 2);
    if (typeof sortKey !== "string" || !isUuid(id))
      throw BadUserInputError.field("after", "is not a cursor this list produced");
    params.push(sortKey, id);
    const cmp = desc ? "<" : ">";
    keyset = `AND (${order.expr}, g.id) ${cmp} ($${params.length - 1}::${order.cast}, $${params.length}::uuid)`;
  }
  params.push(first + 1);
  let limit = `LIMIT $${params.length}`;
  if (args.offset != null) {
    params.push(args.offset);
    limit += ` OFFSET $${params.length}`;
  }
  // The page reads the (filter, sort) index directly; the total, only when selected, is a count
  // of its own (sharing a CTE with the page made PostgreSQL materialize and sort every match).
  const memberCount = args.withMemberCount
    ? `, (SELECT count(*)::int FROM memberships a WHERE a.group_id = g.id AND ${COUNTING_MEMBERSHIP}) AS "prefetchedMemberCount"`
    : "";
  const page = `SELECT ${GROUP_COLUMNS}${memberCount}, ${order.expr} AS sort_key, ${order.expr}::text AS "sortKeyText" FROM groups g
    WHERE ${filters} ${keyset} ORDER BY ${order.expr} ${dir}, g.id ${dir} ${limit}`;
  const result = await query<Group & { sort_key: unknown; sortKeyText: string; totalCount: number }>(
    ctx.db,
    args.withTotal === false
      ? `SELECT NULL::int AS "totalCount", p.* FROM (${page}) p ORDER BY p.sort_key ${dir}, p.id ${dir}`
      : `SELECT t."totalCount", p.* FROM (SELECT count(*)::int AS "totalCount" FROM groups g WHERE ${filters}) t
         LEFT JOIN LATERAL (${page}) p ON TRUE ORDER BY p.sort_key ${dir}, p.id ${dir}`,
    params,
  );
  const { rows, totalCount } = splitTotal(result);
  const pageOf = toPage(rows, first, (row) => [row.sortKeyText, row.id]);
  const edges = pageOf.nodes.map(({ sort_key: _key, sortKeyText, ...node }) => ({
    node,
    cursor: encodeCursor([sortKeyText, node.id]),
  }));
  return { nodes: edges.map((edge) => edge.node), edges, pageInfo: pageOf.pageInfo, totalCount };
}

export interface DescendantsArgs {
  maxDepth?: number | null;
  groupType?: string | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Every visible descendant, nearest first, each once at its shortest distance; paginated by
 * (depth, name, id) with totalCount, in one statement.
 */
export async function listDescendants(ctx: AppContext, groupId: string, args: DescendantsArgs) {
  const first = pageSize(args.first, 100);
  if (args.maxDepth != null && args.maxDepth < 1) throw BadUserInputError.field("maxDepth", "must be 1 or more");
  const params: unknown[] = [groupId, args.maxDepth ?? null];
  const conditions = [visibleGroupsCondition(ctx, "g", params)];
  if (args.groupType != null) {
    params.push(args.groupType);
    conditions.push(`g.group_type = $${params.length}`);
  }
  let keyset = "";
  if (args.after != null) {
    const [depth, name, id] = decodeCursor(args.after, 3);
    if (typeof depth !== "number" || typeof name !== "string" || !isUuid(id)) {
      throw BadUserInputError.field("after", "is not a cursor this list produced");
    }
    params.push(depth, name, id);
    keyset = `WHERE (depth, name, id) > ($${params.length - 2}::int, $${params.length - 1}::text, $${params.length}::uuid)`;
  }
  params.push(first + 1);
  const result = await query<Group & { depth: number; totalCount: number }>(
    ctx.db,
    pageWithTotalSql(
      `WITH RECURSIVE down(id, depth) AS (
         SELECT gp.child_id, 1 FROM group_parents gp WHERE gp.parent_id = $1::uuid
         UNION
         SELECT gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
         WHERE $2::int IS NULL OR down.depth < $2::int
       ), filtered AS (
         SELECT ${GROUP_COLUMNS}, n.depth
         FROM (SELECT id, min(depth) AS depth FROM down GROUP BY id) n JOIN groups g ON g.id = n.id
         WHERE ${conditions.join(" AND ")}
       )`,
      { where: keyset, order: "depth, name, id", limit: `LIMIT $${params.length}` },
    ),
    params,
  );
  const { rows, totalCount } = splitTotal(result);
  const page = toPage(rows, first, (row) => [row.depth, row.name, row.id]);
  return {
    nodes: page.nodes.map(({ depth, ...group }): GroupRelative => ({ group, depth })),
    pageInfo: page.pageInfo,
    totalCount,
  };
}
