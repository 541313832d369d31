import { bringGroupsWithFacts, type Group, type GroupProperty } from "../groups";
import { can, checkAccess } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { ForbiddenError } from "../shared/errors";
import { decodeKeyset, encodeCursor, pageSize, toPage } from "../shared/pagination";
import { type User, usersById } from "../users";
import { assertPermissionKey, type ExplainedGrant, explainGrants } from "./membership.queries";
import { groupsWithPermissionByUserId, holdersByGroupId } from "./reverse-lookup.loaders";

/**
 * The reverse permission lookups: who holds a permission where, the converse of checkPermission.
 * Which roles count where is one rule (rules.grantsAt, mirrored in SQL by visibility.ts); a holder's
 * grants are checkPermission's own (the authorizer's facts, decided by grantsAt), so the lists and
 * checkPermission cannot drift apart. test/reverse-lookups.test.ts checks them against each other
 * on random hierarchies.
 */

export interface GroupsWithPermissionArgs {
  permission: string;
  groupType?: string | null;
  first?: number | null;
  after?: string | null;
}

/**
 * User.groupsWithPermission: the groups where the user holds the permission through a role (held
 * there, or cascaded from an ancestor), among those the caller may see and may ask about the user
 * in (as checkPermission: the user themself, or members.view there); by name, with the exact total.
 * One statement for any number of users asking the same.
 */
export async function listGroupsWithPermission(ctx: AppContext, userId: string, args: GroupsWithPermissionArgs) {
  requireViewer(ctx);
  assertPermissionKey(args.permission);
  const first = pageSize(args.first, 50);
  const after = args.after != null ? decodeKeyset(args.after, ["string", "uuid"]) : null;
  const page = await groupsWithPermissionByUserId(ctx)({
    permission: args.permission,
    groupType: args.groupType ?? null,
    after,
    limit: first + 1,
  }).load(userId);
  const { nodes, pageInfo } = toPage(page.rows, first, (g) => [g.name, g.id]);
  const edges = nodes.map((node) => ({ node, cursor: encodeCursor([node.name, node.id]) }));
  return { nodes, edges, pageInfo, totalCount: page.totalCount };
}

export interface UsersWithPermissionArgs {
  permission: string;
  first?: number | null;
  after?: string | null;
}

export interface PermissionHolderRow {
  user: User;
  grants: ExplainedGrant[];
}

/**
 * Group.usersWithPermission: needs members.view in the group. Every user holding the permission
 * there through a role (global admins only so), by name, each with the grants checkPermission
 * explains (those through a group the caller cannot see left out, as there). Three statements at
 * most whatever the page or the depth: the caller's standing (often already loaded), the page, and
 * the holders' facts; a list of groups asking shares them.
 */
export async function listUsersWithPermission(
  ctx: AppContext,
  group: Group,
  args: UsersWithPermissionArgs,
  properties: readonly GroupProperty[],
) {
  requireViewer(ctx);
  assertPermissionKey(args.permission);
  // The groups the grants show come with the facts (the caller's standing here may be the first).
  bringGroupsWithFacts(ctx, properties);
  const first = pageSize(args.first, 50);
  const after = args.after != null ? decodeKeyset(args.after, ["string", "uuid"]) : null;
  if (!(await can(ctx, "members.view", group.id))) throw new ForbiddenError("members.view", `group "${group.name}"`);
  const page = await holdersByGroupId(ctx)({ permission: args.permission, after, limit: first + 1 }).load(group.id);
  const { nodes, pageInfo } = toPage(page.rows, first, (h) => [h.sortName, h.userId]);
  const ids = nodes.map((h) => h.userId);
  // The users came with the page (primed); the decisions are checkPermission's, in one batch.
  const [users, decisions] = await Promise.all([
    usersById(ctx).loadMany(ids),
    Promise.all(ids.map((id) => checkAccess(ctx, id, group.id, args.permission))),
  ]);
  const grants = await Promise.all(decisions.map((d) => explainGrants(ctx, d.grants, properties)));
  const holders: PermissionHolderRow[] = nodes.map((h, i) => {
    const user = users[i];
    if (!user || user instanceof Error) throw new Error(`holder ${h.userId} has no user row`);
    return { user, grants: grants[i]! };
  });
  return { nodes: holders, pageInfo, totalCount: page.totalCount };
}
