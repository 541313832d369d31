import type { PermissionRegistry } from "./registry/registry";

/**
 * The access rules as pure functions over facts read from the database: the authorizer gathers the
 * facts in one statement, these decide. Unit-tested as an allow/deny table (test/unit/rules.test.ts).
 */

export interface GroupFacts {
  id: string;
  permissionCascadeEnabled: boolean;
  isActive: boolean;
}

export interface MembershipFacts {
  groupId: string;
  userId: string;
  role: string;
  status: string;
  expiresAt: Date | null;
}

/** A target group's ancestry and the memberships of some users in it. */
export interface HierarchyFacts {
  groups: ReadonlyMap<string, GroupFacts>;
  /** child id -> parent ids */
  parentsOf: ReadonlyMap<string, readonly string[]>;
  memberships: readonly MembershipFacts[];
}

/** A role held where it counts for a target group. */
export interface Grant {
  /** Where the role is held. */
  groupId: string;
  role: string;
  /** false = held in the target group itself */
  inherited: boolean;
  /** From the holding group down to the target, both included. */
  path: string[];
}

/** The role whose direct holders keep an archived group, and who alone grant or take away that role. */
export const OWNER_ROLE = "owner";

/**
 * Where a membership's role counts:
 * - "group-and-below": ACTIVE and unexpired, in an active group: there, and below it through
 *   cascading groups;
 * - "group-only": ACTIVE and unexpired, role owner, in an archived group: in that group alone, so
 *   its owners still see it and may restore or delete it; an archived group passes nothing down;
 * - "nowhere": anything else (PENDING, INACTIVE, expired, SCHEDULED: not yet started; any other
 *   role in an archived group).
 * (Roles inherited from active ancestors count in an archived group as in any other: see grantsAt.)
 */
export type MembershipReach = "group-and-below" | "group-only" | "nowhere";

export function membershipReach(m: MembershipFacts, group: GroupFacts | undefined, now: Date): MembershipReach {
  const current = m.status === "ACTIVE" && (m.expiresAt === null || m.expiresAt.getTime() > now.getTime());
  if (!current || !group) return "nowhere";
  if (group.isActive) return "group-and-below";
  return m.role === OWNER_ROLE ? "group-only" : "nowhere";
}

/**
 * Every role `userId` holds that counts in `targetId` (see membershipReach): held in the target
 * itself, or in an ancestor A such that every group on some path from A down to the target (target
 * excluded) cascades. Each holding group is reported once, with a shortest such path (breadth-first
 * walk upwards). Whether the groups on the path are archived does not matter, only the holder's.
 */
export function grantsAt(facts: HierarchyFacts, userId: string, targetId: string, now = new Date()): Grant[] {
  const via = new Map<string, string | null>([[targetId, null]]);
  const queue = [targetId];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const parent of facts.parentsOf.get(node) ?? []) {
      if (via.has(parent) || !facts.groups.get(parent)?.permissionCascadeEnabled) continue;
      via.set(parent, node);
      queue.push(parent);
    }
  }
  const grants: Grant[] = [];
  for (const m of facts.memberships) {
    if (m.userId !== userId || !via.has(m.groupId)) continue;
    const reach = membershipReach(m, facts.groups.get(m.groupId), now);
    if (reach === "nowhere" || (reach === "group-only" && m.groupId !== targetId)) continue;
    const path = [m.groupId];
    for (let step = via.get(m.groupId); step != null; step = via.get(step)) path.push(step);
    grants.push({ groupId: m.groupId, role: m.role, inherited: m.groupId !== targetId, path });
  }
  // Nearest first, then by role: a stable order for clients and tests.
  return grants.sort((a, b) => a.path.length - b.path.length || a.role.localeCompare(b.role));
}

export interface Decision {
  allowed: boolean;
  permission: string;
  globalAdmin: boolean;
  /** Every grant whose role grants the permission; empty when denied. */
  grants: Grant[];
}

/** Whether the grants (or being a global admin) allow `permission`. */
export function decide(
  registry: PermissionRegistry,
  grants: readonly Grant[],
  permission: string,
  isGlobalAdmin: boolean,
): Decision {
  const allowing = grants.filter((g) => registry.roleGrants(g.role, permission));
  return { allowed: isGlobalAdmin || allowing.length > 0, permission, globalAdmin: isGlobalAdmin, grants: allowing };
}

export interface RoleChange {
  /** The caller's effective roles in the group (direct and cascaded). */
  callerRoles: readonly string[];
  callerIsGlobalAdmin: boolean;
  /** Whether the caller is the member being changed. */
  self: boolean;
  /** The member's current role; null when adding a member. */
  currentRole: string | null;
  /** The role after the change; null when removing the member or changing only their status. */
  newRole: string | null;
}

/**
 * The rank rules of granting, changing and removing roles; answers why it is refused, or null.
 * - a role can be granted or changed only to one ranked at or below the caller's effective role;
 * - a member ranked above the caller cannot be changed or removed by them;
 * - the owner role is granted, changed and taken away only by owners;
 * - nobody promotes themselves.
 * Global admins are exempt. Which permission the change needs is checked separately.
 */
export function roleChangeRefusal(registry: PermissionRegistry, change: RoleChange): string | null {
  if (change.callerIsGlobalAdmin) return null;
  const callerRole = registry.highest(change.callerRoles);
  const callerRank = callerRole === undefined ? 0 : registry.rank(callerRole);
  const callerIsOwner = change.callerRoles.includes(OWNER_ROLE);
  const touchesOwner = change.currentRole === OWNER_ROLE || change.newRole === OWNER_ROLE;
  if (touchesOwner && !callerIsOwner) return "only owners can grant, change or remove the owner role";
  if (change.newRole !== null && registry.rank(change.newRole) > callerRank) {
    return `role "${change.newRole}" ranks above your own role${callerRole ? ` "${callerRole}"` : ""} in this group`;
  }
  if (change.currentRole !== null && registry.rank(change.currentRole) > callerRank) {
    return `this member's role "${change.currentRole}" ranks above your own in this group`;
  }
  if (
    change.self &&
    change.newRole !== null &&
    change.currentRole !== null &&
    registry.rank(change.newRole) > registry.rank(change.currentRole)
  ) {
    return "nobody can promote themselves";
  }
  return null;
}
