import { raw, type Sql, sql, value } from "../db";
import type { Viewer } from "../shared/context";
import { registry } from "./registry/registry";
import { OWNER_ROLE } from "./rules";

/**
 * The access rules of rules.ts as SQL fragments, for statements that filter lists in the database.
 * One home for each condition; test/authorization.test.ts checks that the answers they give agree
 * with the TypeScript rules (grantsAt, membershipReach).
 */

/** A membership (alias `a`) that counts: ACTIVE and unexpired (the group's state is checked by the caller). */
export const countingMembership: Sql = raw(`a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())`);

/**
 * "The viewer holds `permission` in the group whose id is `groupId`": the group lies in the
 * downward closure of the active groups where the viewer has a counting membership with a role
 * granting it, descending only out of groups that cascade, or is an archived group the viewer owns
 * directly (the SQL mirror of rules.grantsAt and membershipReach). TRUE for a global admin.
 */
export function heldBy(viewer: Viewer, permission: string, groupId: Sql): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  const v = sql`${viewer.id}::uuid`;
  // The archived groups the viewer owns count for them, and only themselves: no descent from them.
  const ownedArchived = registry.roleGrants(OWNER_ROLE, permission)
    ? sql`UNION
    SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
    WHERE a.user_id = ${v} AND ${countingMembership} AND a.role = ${raw(`'${OWNER_ROLE}'`)}`
    : sql``;
  return sql`${groupId} IN (
    WITH RECURSIVE held(id) AS (
      SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
      WHERE a.user_id = ${v} AND ${countingMembership} AND a.role = ANY(${value(registry.rolesGranting(permission))}::text[])
      UNION
      SELECT gp.child_id FROM held
      JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
      JOIN group_parents gp ON gp.parent_id = held.id
    ) SELECT id FROM held
    ${ownedArchived})`;
}

/** "Group `alias` is visible to the viewer": PUBLIC, or groups.view held there (TRUE for a global admin). */
export function visibleGroup(viewer: Viewer, alias: string): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`(${raw(alias)}.visibility = 'PUBLIC' OR ${heldBy(viewer, "groups.view", raw(`${alias}.id`))})`;
}

/**
 * "The viewer may see the email of user `userId`": the user themselves, a global admin, or a holder
 * of members.view in a group where that user has a membership (any status: those holders list them all).
 */
export function emailVisibleTo(viewer: Viewer, userId: Sql): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`(${userId} = ${viewer.id}::uuid OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = ${userId} AND ${heldBy(viewer, "members.view", raw("m.group_id"))}))`;
}
