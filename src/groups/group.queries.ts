import { canView } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError } from "../shared/errors";
import { decodeKeyset, encodeCursor, pageSize, toPage } from "../shared/pagination";
import { isUuid } from "../shared/ids";
import type { Group, GroupRelative } from "./group.entity";
import { type GroupFilter, type GroupOrder, GroupOrderField, OrderDirection } from "./group.inputs";
import { groupsById } from "./group.loaders";
import type { GroupRelationsPlan } from "./group.plan";
import * as planned from "./group.plan.store";
import * as store from "./group.store";

/**
 * A group the caller may see, by id; null otherwise. With a plan, the group and its planned
 * relations come from one statement, which primes groupsById and the relations' loaders.
 */
export async function findGroup(
  ctx: AppContext,
  id: string,
  plan: GroupRelationsPlan | null = null,
): Promise<Group | null> {
  if (plan && isUuid(id)) {
    const found = await planned.plannedGroup(ctx.db, id, plan.column);
    groupsById(ctx).prime(id, found?.group ?? null);
    if (found) plan.prime(ctx, id, found.planned);
  }
  const group = await groupsById(ctx).load(id);
  return group && (await canView(ctx, group)) ? group : null;
}

/** Exact, case-sensitive name; with groupType when given. The first visible match by creation. */
export function findGroupByName(ctx: AppContext, name: string, groupType?: string | null): Promise<Group | null> {
  return store.groupByName(ctx.db, requireViewer(ctx), name, groupType ?? null);
}

export interface ListGroupsArgs {
  filter?: GroupFilter | null;
  orderBy?: GroupOrder | null;
  first?: number | null;
  after?: string | null;
  offset?: number | null;
  /** Count every match for totalCount (false when the query does not select it). @default true */
  withTotal?: boolean;
  /** The relations the page's groups select, read in the same statement (group.plan.ts). */
  plan?: GroupRelationsPlan | null;
}

/**
 * Groups the caller may see: filter, order, keyset (after) or offset pagination, totalCount, and
 * the planned relations of each listed group; one statement.
 */
export async function listGroups(ctx: AppContext, args: ListGroupsArgs) {
  const first = pageSize(args.first, 50);
  if (args.after != null && args.offset != null) {
    throw new BadUserInputError("Use either after or offset, not both", { offset: ["cannot be combined with after"] });
  }
  if (args.offset != null && (!Number.isInteger(args.offset) || args.offset < 0)) {
    throw BadUserInputError.field("offset", "must be 0 or more");
  }
  const q: store.GroupsPageQuery = {
    filter: args.filter,
    orderBy: args.orderBy?.field ?? GroupOrderField.NAME,
    descending: args.orderBy?.direction === OrderDirection.DESC,
    after: args.after != null ? decodeKeyset(args.after, ["string", "uuid"]) : null,
    offset: args.offset ?? null,
    limit: first + 1,
    withTotal: args.withTotal !== false,
  };
  let page: { rows: { group: Group; sortKey: string }[]; totalCount: number };
  if (args.plan) {
    const read = await planned.plannedGroupsPage(ctx.db, requireViewer(ctx), q, args.plan.column);
    for (const row of read.rows) args.plan.prime(ctx, row.group.id, row.planned);
    page = read;
  } else {
    page = await store.groupsPage(ctx.db, requireViewer(ctx), q);
  }
  const pageOf = toPage(page.rows, first, (row) => [row.sortKey, row.group.id]);
  const edges = pageOf.nodes.map(({ group, sortKey }) => ({ node: group, cursor: encodeCursor([sortKey, group.id]) }));
  return { nodes: edges.map((edge) => edge.node), edges, pageInfo: pageOf.pageInfo, totalCount: page.totalCount };
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
  const { rows, totalCount } = await store.descendantsPage(ctx.db, requireViewer(ctx), groupId, {
    maxDepth: args.maxDepth ?? null,
    groupType: args.groupType ?? null,
    after: args.after != null ? decodeKeyset(args.after, ["number", "string", "uuid"]) : null,
    limit: first + 1,
  });
  const page = toPage(rows, first, (row) => [row.depth, row.name, row.id]);
  return {
    nodes: page.nodes.map(({ depth, ...group }): GroupRelative => ({ group, depth })),
    pageInfo: page.pageInfo,
    totalCount,
  };
}
