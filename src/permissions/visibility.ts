import { raw, type Sql, sql, value } from "../db";
import type { Viewer } from "../shared/context";
import { registry } from "./registry/registry";
import { OWNER_ROLE } from "./rules";

/**
 * The access rules of rules.ts as SQL fragments, for statements that filter lists in the database.
 * One home for each condition; test/authorization.test.ts checks that the answers they give agree
 * with the TypeScript rules (grantsAt, membershipReach), test/reverse-lookups.test.ts that the
 * reverse lookups built on groupsHeldBy and holdersOf agree with checkPermission on random hierarchies.
 */

/** A membership (alias `a`) that counts: ACTIVE and unexpired (the group's state is checked by the caller). */
export const countingMembership: Sql = raw(`a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())`);

/** A membership (alias `a`) whose role grants `permission` (by the registry's role grants). */
function grantingRole(permission: string): Sql {
  return sql`a.role = ANY(${value(registry.rolesGranting(permission))}::text[])`;
}

/**
 * The ids of the groups where the user `userId` (a uuid expression: a parameter, or a column of an
 * enclosing row) holds `permission` through a role, as a subquery: the downward closure of the
 * active groups where they have a counting membership with a role granting it, descending only out
 * of groups that cascade, plus the archived groups they own directly (which count for themselves
 * alone). The SQL mirror of rules.grantsAt and membershipReach, read from the holder down; the
 * global-admin flag is no role and plays no part here (see heldBy).
 */
export function groupsHeldBy(userId: Sql, permission: string): Sql {
  // The archived groups the user owns count for them, and only themselves: no descent from them.
  const ownedArchived = registry.roleGrants(OWNER_ROLE, permission)
    ? sql`UNION
    SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
    WHERE a.user_id = ${userId} AND ${countingMembership} AND a.role = ${raw(`'${OWNER_ROLE}'`)}`
    : sql``;
  return sql`WITH RECURSIVE held(id) AS (
      SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
      WHERE a.user_id = ${userId} AND ${countingMembership} AND ${grantingRole(permission)}
      UNION
      SELECT gp.child_id FROM held
      JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
      JOIN group_parents gp ON gp.parent_id = held.id
    ) SELECT id FROM held
    ${ownedArchived}`;
}

/**
 * The ids of the users who hold `permission` in the group `groupId` (a uuid expression) through a
 * role, as a subquery (a user may come more than once, column `user_id`): a counting membership
 * with a granting role in the group itself, when active or, archived, held as its owner, or in an
 * active ancestor reached through cascading groups. The same rule as groupsHeldBy read from the
 * target up (rules.grantsAt walks the same way): each side is tested to agree with checkPermission
 * (test/reverse-lookups.test.ts). Global admins are in only through a role.
 */
export function holdersOf(groupId: Sql, permission: string): Sql {
  return sql`WITH RECURSIVE up(id) AS (
      SELECT ${groupId}
      UNION
      SELECT gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.id
      JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
    )
    SELECT a.user_id FROM up JOIN memberships a ON a.group_id = up.id JOIN groups h ON h.id = a.group_id
    WHERE ${countingMembership} AND ${grantingRole(permission)}
      AND (h.is_active OR (h.id = ${groupId} AND a.role = ${raw(`'${OWNER_ROLE}'`)}))`;
}

/**
 * "The viewer holds `permission` in the group whose id is `groupId`": `groupId` is among
 * groupsHeldBy(viewer). TRUE for a global admin.
 */
export function heldBy(viewer: Viewer, permission: string, groupId: Sql): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`${groupId} IN (
    ${groupsHeldBy(sql`${viewer.id}::uuid`, permission)})`;
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
