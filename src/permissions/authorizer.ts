import DataLoader from "dataloader";
import { query } from "../db";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { ForbiddenError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { registry } from "./registry/registry";

/**
 * The one place that decides access. Every mutation and every visibility decision goes through
 * `can`/`assertCan`/`canView`/`visibleGroupsCondition`; resolvers hold no rules.
 *
 * A role counts in group T when the membership is ACTIVE, unexpired, in an active group H, and H
 * is T itself or an ancestor of T such that every group on some path from H down to T (T
 * excluded) has permissionCascadeEnabled.
 */

/** SQL: the memberships that count (a = memberships alias, g = their group). */
export const COUNTING_MEMBERSHIP = `a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())`;

/**
 * Roles a user holds in each target group, directly or by cascade: one statement for any number
 * of targets. Walks upward from each target through parents whose cascade is enabled.
 */
const EFFECTIVE_ROLES_SQL = `
  WITH RECURSIVE up(target, node) AS (
    SELECT t, t FROM unnest($2::uuid[]) AS t
    UNION
    SELECT up.target, gp.parent_id
    FROM up
    JOIN group_parents gp ON gp.child_id = up.node
    JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
  )
  SELECT up.target AS "groupId", array_agg(DISTINCT a.role) AS roles
  FROM up
  JOIN memberships a ON a.group_id = up.node AND a.user_id = $1 AND ${COUNTING_MEMBERSHIP}
  JOIN groups h ON h.id = up.node AND h.is_active
  GROUP BY up.target`;

/** The caller's effective roles per group id (empty for none, or without a caller). */
export const viewerRolesByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, string[]>(async (groupIds) => {
      const viewer = ctx.viewer;
      const valid = groupIds.filter(isUuid);
      if (!viewer || valid.length === 0) return groupIds.map(() => []);
      const rows = await query<{ groupId: string; roles: string[] }>(ctx.db, EFFECTIVE_ROLES_SQL, [viewer.id, valid]);
      const map = new Map(rows.map((r) => [r.groupId, r.roles]));
      return groupIds.map((id) => map.get(id) ?? []);
    }),
);

/** Call after a change to memberships or the hierarchy within a request. */
export function forgetViewerRoles(ctx: AppContext): void {
  viewerRolesByGroupId(ctx).clearAll();
}

export async function can(ctx: AppContext, permission: string, groupId: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return true;
  const roles = await viewerRolesByGroupId(ctx).load(groupId);
  return roles.some((role) => registry.roleGrants(role, permission));
}

/** Throws FORBIDDEN naming the permission unless the caller holds it in the group. */
export async function assertCan(
  ctx: AppContext,
  permission: string,
  group: { id: string; name: string },
): Promise<void> {
  if (!(await can(ctx, permission, group.id))) throw new ForbiddenError(permission, `group "${group.name}"`);
}

/** A group is visible when PUBLIC, or the caller holds groups.view there, or is a global admin. */
export async function canView(ctx: AppContext, group: { id: string; visibility: string }): Promise<boolean> {
  if (group.visibility === "PUBLIC") return true;
  if (!ctx.viewer) return false;
  return can(ctx, "groups.view", group.id);
}

/**
 * SQL condition "group `alias` is visible to the caller", for list queries: PUBLIC, or inside the
 * downward closure of the groups where the caller holds a role granting groups.view. Pushes its
 * parameters onto `params`.
 */
export function visibleGroupsCondition(ctx: AppContext, alias: string, params: unknown[]): string {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return "TRUE";
  params.push(viewer.id, registry.rolesGranting("groups.view"));
  const v = `$${params.length - 1}::uuid`;
  const roles = `$${params.length}::text[]`;
  return `(${alias}.visibility = 'PUBLIC' OR ${alias}.id IN (
    WITH RECURSIVE held(id) AS (
      SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
      WHERE a.user_id = ${v} AND ${COUNTING_MEMBERSHIP} AND a.role = ANY(${roles})
      UNION
      SELECT gp.child_id FROM held
      JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
      JOIN group_parents gp ON gp.parent_id = held.id
    ) SELECT id FROM held))`;
}
