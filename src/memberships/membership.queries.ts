import type { FieldNode, GraphQLResolveInfo } from "graphql";
import {
  bringGroupsWithFacts,
  findGroup,
  type Group,
  type GroupProperty,
  groupPropertiesRead,
  groupsById,
  groupsFromFacts,
} from "../groups";
import { can, canSeeMemberOf, canView, checkAccess, type Grant, permissionsIn, registry } from "../permissions";
import { type AppContext, required, requireViewer } from "../shared/context";
import { selectedFields } from "../shared/selection";
import { BadUserInputError, ForbiddenError, NotFoundError } from "../shared/errors";
import { decodeKeyset, pageSize, toPage } from "../shared/pagination";
import type { Membership } from "./membership.entity";
import type { MembersArgs } from "./membership.inputs";
import { memberPagesByGroupId, membershipOf, readableMembershipsById } from "./membership.loaders";
import { memberPagesAtByGroupId } from "./membership-history.loaders";
import { ALL_MEMBER_COLUMNS, type MemberColumns, type MemberListOptions } from "./membership.store";

/**
 * A membership is readable by its own user, and by whoever holds members.view in its group
 * (global admins included). Someone else's membership in a group the caller cannot see is null.
 */
async function readable(ctx: AppContext, m: Membership | null): Promise<Membership | null> {
  return m && (await canSeeMemberOf(ctx, m.userId, m.groupId)) ? m : null;
}

export async function findMembership(ctx: AppContext, groupId: string, userId: string): Promise<Membership | null> {
  return readable(ctx, await membershipOf(ctx).load({ groupId, userId }));
}

/** A membership by id, null when missing or not readable (federation references); one statement per batch. */
export function findMembershipById(ctx: AppContext, id: string): Promise<Membership | null> {
  return readableMembershipsById(ctx).load(id);
}

/**
 * The options of a Group.members page, `first` already checked; throws BAD_USER_INPUT on a cursor
 * this list did not produce. The loader family's key: a plan priming the page builds it here too.
 */
export function memberListOptions(args: MembersArgs, first: number, columns: MemberColumns): MemberListOptions {
  return {
    role: args.role ?? null,
    includeInactive: args.includeInactive ?? false,
    transitive: args.transitive ?? false,
    limit: first + 1,
    after: args.after != null ? decodeKeyset(args.after, ["number", "string", "uuid"]) : null,
    columns,
  };
}

/**
 * Group.members: needs members.view in the group (now, also for a past instant); paginated by
 * (depth, joinedAt, id) with totalCount. With asOf, the members of then from the history.
 */
export async function listMembers(ctx: AppContext, group: Group, args: MembersArgs, columns: MemberColumns) {
  const first = pageSize(args.first, 50);
  if (!(await can(ctx, "members.view", group.id))) throw new ForbiddenError("members.view", `group "${group.name}"`);
  // The past reads whole rows (membership-history.store.ts).
  const o = memberListOptions(args, first, args.asOf ? ALL_MEMBER_COLUMNS : columns);
  const page = await (
    args.asOf ? memberPagesAtByGroupId(ctx)({ ...o, asOf: args.asOf }) : memberPagesByGroupId(ctx)(o)
  ).load(group.id);
  const { nodes, pageInfo } = toPage(page.rows, first, (row) => [row.depth, row.joinedKey, row.id]);
  return {
    nodes: nodes as Membership[],
    pageInfo,
    totalCount: page.totalCount,
  };
}

/** The group a per-user question is about: NOT_FOUND unless it exists and the caller sees it. */
async function visibleGroup(ctx: AppContext, groupId: string): Promise<Group> {
  const group = await findGroup(ctx, groupId);
  if (!group) throw new NotFoundError("Group", groupId);
  return group;
}

/**
 * The group of a membership or an access request (Membership.group, AccessRequest.group), by the
 * rule of Group reads (canView): a group the caller may not see is NOT_FOUND, word for word as one
 * that does not exist. The field is non-null, so the error nulls the membership or request in the
 * answer (a nullable field above it, or the answer's data) rather than hide it at its source: its
 * other fields (a request's status and reason) stay readable without the group. Someone losing
 * sight of a PRIVATE group thus stops reading its name through their request. `memberId`: the
 * membership's own user, who always gets it: a PENDING, INACTIVE or expired membership grants no
 * groups.view (rules.ts membershipReach), yet an invitation must say where it is to, and the
 * member may answer it (respondToInvitation) or leave.
 */
export async function relatedGroup(ctx: AppContext, groupId: string, memberId: string | null = null): Promise<Group> {
  if (memberId !== null && memberId === ctx.viewer?.id) {
    return required(groupsById(ctx).load(groupId), `group of the caller's membership in ${groupId}`);
  }
  return visibleGroup(ctx, groupId);
}

/** About someone else, the caller needs members.view in the group (global admins pass). */
async function assertMayAskAbout(ctx: AppContext, userId: string, group: Group): Promise<void> {
  if (!(await canSeeMemberOf(ctx, userId, group.id))) throw new ForbiddenError("members.view", `group "${group.name}"`);
}

/** BAD_USER_INPUT on `permission` unless it names a permission of the registry. */
export function assertPermissionKey(permission: string): void {
  if (!registry.isPermission(permission)) {
    throw BadUserInputError.field("permission", `unknown permission "${permission}"; see Query.permissions`);
  }
}

/** A grant as checkPermission answers it: the groups instead of their ids. */
export interface ExplainedGrant {
  group: Group;
  role: string;
  inherited: boolean;
  path: Group[];
}

const grantGroupsByNodes = new WeakMap<readonly FieldNode[], Map<string, readonly GroupProperty[]>>();

/**
 * The Group properties an answer's explained grants show: what the selection reads on the grants'
 * `group` and `path` below `base` (`[]` for checkPermission's own selection, `["nodes"]` for a page
 * of holders), for groupPropertiesRead. With planning off (PLAN_QUERIES=false), every property.
 */
export function grantGroupsRead(
  ctx: AppContext,
  info: GraphQLResolveInfo,
  base: readonly string[],
): readonly GroupProperty[] {
  if (!ctx.config.planQueries) return groupPropertiesRead(null);
  // A compiled document's field nodes are the same objects on every request: read each once.
  let byBase = grantGroupsByNodes.get(info.fieldNodes);
  if (!byBase) grantGroupsByNodes.set(info.fieldNodes, (byBase = new Map()));
  const key = base.join(".");
  let properties = byBase.get(key);
  if (!properties) {
    const grants = [...base, "grants"];
    properties = groupPropertiesRead([
      ...selectedFields(info, [...grants, "group"]),
      ...selectedFields(info, [...grants, "path"]),
    ]);
    byBase.set(key, properties);
  }
  return properties;
}

/** The groups among `groups` the caller may see, by id (their standings came with the facts). */
async function visibleById(ctx: AppContext, groups: readonly (Group | null)[]): Promise<Map<string, Group>> {
  const byId = new Map<string, Group>();
  for (const g of groups) {
    if (g && (await canView(ctx, g))) byId.set(g.id, g);
  }
  return byId;
}

/**
 * The grants as checkPermission shows them: only those whose every group on the path the caller may
 * see (`visible`: a grant must not reveal a PRIVATE ancestor; whether the permission is held stays
 * the truth), with the groups instead of their ids.
 */
function explainWith(grants: readonly Grant[], visible: ReadonlyMap<string, Group>): ExplainedGrant[] {
  return grants
    .filter((g) => g.path.every((id) => visible.has(id)))
    .map((g) => ({
      group: visible.get(g.groupId)!,
      role: g.role,
      inherited: g.inherited,
      path: g.path.map((id) => visible.get(id)!),
    }));
}

/**
 * explainWith for grants decided on the authorizer's facts: the groups on the paths came with those
 * facts (bringGroupsWithFacts, with `properties`), and so did the caller's standing there: this
 * costs no statement.
 */
export async function explainGrants(
  ctx: AppContext,
  grants: readonly Grant[],
  properties: readonly GroupProperty[],
): Promise<ExplainedGrant[]> {
  const ids = [...new Set(grants.flatMap((g) => g.path))];
  return explainWith(grants, await visibleById(ctx, await groupsFromFacts(ctx, ids, properties)));
}

/**
 * checkPermission: the subject's grants, the caller's standing, the target and every group on the
 * grants' paths (with the `properties` the answer shows: grantGroupsRead) come from one statement.
 */
export async function checkPermission(
  ctx: AppContext,
  userId: string,
  groupId: string,
  permission: string,
  properties: readonly GroupProperty[],
) {
  requireViewer(ctx);
  assertPermissionKey(permission);
  bringGroupsWithFacts(ctx, properties);
  const [decision] = await Promise.all([
    checkAccess(ctx, userId, groupId, permission),
    // Loaded in the same batch as the subject's facts: canView and members.view below reuse it.
    can(ctx, "groups.view", groupId),
  ]);
  // The target and the groups on the paths came with the facts: looked up once, together.
  const ids = [...new Set([groupId, ...decision.grants.flatMap((g) => g.path)])];
  const visible = await visibleById(ctx, await groupsFromFacts(ctx, ids, properties));
  const group = visible.get(groupId);
  if (!group) throw new NotFoundError("Group", groupId);
  if (!decision.userExists) throw new NotFoundError("User", userId);
  await assertMayAskAbout(ctx, userId, group);
  return {
    allowed: decision.allowed,
    permission,
    globalAdmin: decision.globalAdmin,
    grants: explainWith(decision.grants, visible),
  };
}

/** User.permissions(groupId): agrees with checkPermission for every key. */
export async function userPermissions(ctx: AppContext, userId: string, groupId: string): Promise<string[]> {
  // The caller's standing is loaded in the same batch as the subject's (one statement).
  const [keys, , group] = await Promise.all([
    permissionsIn(ctx, userId, groupId),
    can(ctx, "groups.view", groupId),
    visibleGroup(ctx, groupId),
  ]);
  await assertMayAskAbout(ctx, userId, group);
  return keys;
}
