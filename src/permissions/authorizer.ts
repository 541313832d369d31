import DataLoader from "dataloader";
import { query, raw } from "../db";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { ForbiddenError, ForbiddenRuleError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { registry } from "./registry/registry";
import { countingMembership, heldBy, spliceInto, visibleGroup } from "./visibility";
import {
  type Decision,
  decide,
  type Grant,
  grantsAt,
  type HierarchyFacts,
  type MembershipFacts,
  OWNER_ROLE,
} from "./rules";

/**
 * The one place that decides access. Every mutation and every visibility decision goes through
 * `can`/`assertCan`/`canView`/`checkAccess` (one object) or `heldCondition`/`visibleGroupsCondition`
 * (SQL for lists); resolvers hold no rules. The rules themselves are the pure functions of
 * rules.ts; this file gathers their facts, batched, and mirrors them in SQL for list queries.
 */

/** SQL: the memberships that count, alias a (the group's is_active is checked by the caller). */
export const COUNTING_MEMBERSHIP = countingMembership.text;

/**
 * Facts for rules.ts in one statement: every ancestor edge of the targets, the groups on them, the
 * memberships of the given users in those groups, and the users' global-admin flags.
 */
const FACTS_SQL = `
  WITH RECURSIVE up(child, parent) AS (
    SELECT gp.child_id, gp.parent_id FROM group_parents gp WHERE gp.child_id = ANY($1::uuid[])
    UNION
    SELECT gp.child_id, gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.parent
  ), nodes AS (
    SELECT unnest($1::uuid[]) AS id UNION SELECT parent FROM up
  )
  SELECT 'edge' AS kind, child AS a, parent AS b, NULL AS role, NULL AS status,
         NULL::timestamptz AS "expiresAt", NULL::boolean AS x, NULL::boolean AS y FROM up
  UNION ALL
  SELECT 'group', g.id, NULL, NULL, NULL, NULL, g.permission_cascade_enabled, g.is_active
  FROM groups g WHERE g.id IN (SELECT id FROM nodes)
  UNION ALL
  SELECT 'membership', m.group_id, m.user_id, m.role, m.status, m.expires_at, NULL, NULL
  FROM memberships m WHERE m.group_id IN (SELECT id FROM nodes) AND m.user_id = ANY($2::uuid[])
  UNION ALL
  SELECT 'user', u.id, NULL, NULL, NULL, NULL, u.is_global_admin, NULL FROM users u WHERE u.id = ANY($2::uuid[])`;

interface FactRow {
  kind: "edge" | "group" | "membership" | "user";
  a: string;
  b: string | null;
  role: string | null;
  status: string | null;
  expiresAt: Date | null;
  x: boolean | null;
  y: boolean | null;
}

/** What the authorizer knows about one user in one group. */
export interface Standing {
  /** Whether the user exists (false for an unknown id). */
  exists: boolean;
  isGlobalAdmin: boolean;
  grants: Grant[];
}

interface StandingKey {
  userId: string;
  groupId: string;
}

/** The facts for rules.ts out of FACTS_SQL's rows, and the users' global-admin flags. */
function factsFrom(rows: readonly FactRow[]): { facts: HierarchyFacts; admins: Map<string, boolean> } {
  const groups = new Map<string, { id: string; permissionCascadeEnabled: boolean; isActive: boolean }>();
  const parentsOf = new Map<string, string[]>();
  const memberships: MembershipFacts[] = [];
  const admins = new Map<string, boolean>();
  for (const r of rows) {
    if (r.kind === "edge") parentsOf.set(r.a, [...(parentsOf.get(r.a) ?? []), r.b!]);
    else if (r.kind === "group") groups.set(r.a, { id: r.a, permissionCascadeEnabled: !!r.x, isActive: !!r.y });
    else if (r.kind === "membership") {
      memberships.push({ groupId: r.a, userId: r.b!, role: r.role!, status: r.status!, expiresAt: r.expiresAt });
    } else admins.set(r.a, !!r.x);
  }
  return { facts: { groups, parentsOf, memberships }, admins };
}

/** Standing of (user, group) pairs: one statement for any number of pairs. */
export const standingOf = perRequest((ctx) => {
  const loader: DataLoader<StandingKey, Standing, string> = new DataLoader<StandingKey, Standing, string>(
    async (keys) => {
      const valid = keys.filter((k) => isUuid(k.userId) && isUuid(k.groupId));
      if (valid.length === 0) return keys.map(() => ({ exists: false, isGlobalAdmin: false, grants: [] }));
      const targets = [...new Set(valid.map((k) => k.groupId))];
      const users = [...new Set(valid.map((k) => k.userId))];
      const { facts, admins } = factsFrom(await query<FactRow>(ctx.db, FACTS_SQL, [targets, users]));
      const now = new Date();
      const standing = (userId: string, groupId: string): Standing => ({
        exists: admins.has(userId),
        isGlobalAdmin: admins.get(userId) ?? false,
        grants: facts.groups.has(groupId) ? grantsAt(facts, userId, groupId, now) : [],
      });
      // Every ancestor of a target lies in the facts with all of its own ancestors, so the
      // standing there is known too: primed, a later check of an ancestor costs no statement.
      for (const userId of users) {
        for (const groupId of facts.groups.keys()) loader.prime({ userId, groupId }, standing(userId, groupId));
      }
      return keys.map((k) =>
        isUuid(k.userId) && isUuid(k.groupId)
          ? standing(k.userId, k.groupId)
          : { exists: false, isGlobalAdmin: false, grants: [] },
      );
    },
    { cacheKeyFn: (k) => `${k.userId}/${k.groupId}` },
  );
  return loader;
});

/**
 * `userId`'s effective roles in `groupId` read now through `runner` (a transaction's connection),
 * never from the request's cache. A transaction re-checks its caller with it once it holds its
 * locks: a cached answer may predate a change committed meanwhile (the caller demoted, say).
 */
export async function rolesHeldNow(
  runner: Parameters<typeof query>[0],
  userId: string,
  groupId: string,
): Promise<string[]> {
  if (!isUuid(userId) || !isUuid(groupId)) return [];
  const { facts } = factsFrom(await query<FactRow>(runner, FACTS_SQL, [[groupId], [userId]]));
  if (!facts.groups.has(groupId)) return [];
  return [...new Set(grantsAt(facts, userId, groupId, new Date()).map((g) => g.role))];
}

/** The caller's effective roles in a group (empty for none, or without a caller). */
export async function viewerRoles(ctx: AppContext, groupId: string): Promise<string[]> {
  if (!ctx.viewer) return [];
  const standing = await standingOf(ctx).load({ userId: ctx.viewer.id, groupId });
  return [...new Set(standing.grants.map((g) => g.role))];
}

/** Call after a change to memberships or the hierarchy within a request. */
export function forgetViewerRoles(ctx: AppContext): void {
  standingOf(ctx).clearAll();
}

export async function can(ctx: AppContext, permission: string, groupId: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return true;
  return (await viewerRoles(ctx, groupId)).some((role) => registry.roleGrants(role, permission));
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

/** Whether `userId` holds `permission` in `groupId`, with every grant that allows it. */
export async function checkAccess(
  ctx: AppContext,
  userId: string,
  groupId: string,
  permission: string,
): Promise<Decision & { userExists: boolean }> {
  const standing = await standingOf(ctx).load({ userId, groupId });
  return { ...decide(registry, standing.grants, permission, standing.isGlobalAdmin), userExists: standing.exists };
}

/** Effective permission keys of `userId` in `groupId` (every key for a global admin). */
export async function permissionsIn(ctx: AppContext, userId: string, groupId: string): Promise<string[]> {
  const standing = await standingOf(ctx).load({ userId, groupId });
  if (standing.isGlobalAdmin) return registry.permissions.map((p) => p.key).sort();
  return registry.permissionsOf(standing.grants.map((g) => g.role));
}

/**
 * SQL condition "the caller holds `permission` in group `groupIdSql`" (visibility.ts heldBy),
 * spliced into a hand-numbered statement: pushes its parameters onto `params`.
 */
export function heldCondition(ctx: AppContext, permission: string, groupIdSql: string, params: unknown[]): string {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return "TRUE";
  return spliceInto(heldBy(viewer, permission, raw(groupIdSql)), params);
}

/**
 * Everyone who holds `permission` in `groupId` right now (global admins aside) and the group's
 * ancestors, in one statement: the upward mirror of heldCondition (a counting membership with a
 * granting role in the group itself, when active or, archived, held as its owner; or in an active
 * ancestor reached through cascading groups).
 * Taken before a group is deleted, for whoever must still hear of it.
 */
export async function holdersAndAncestors(
  runner: Parameters<typeof query>[0],
  groupId: string,
  permission: string,
): Promise<{ readers: string[]; ancestors: string[] }> {
  const [row] = await query<{ readers: string[]; ancestors: string[] }>(
    runner,
    `WITH RECURSIVE up(id) AS (
       SELECT $1::uuid
       UNION
       SELECT gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.id
       JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
     ), anc(id) AS (
       SELECT gp.parent_id FROM group_parents gp WHERE gp.child_id = $1
       UNION
       SELECT gp.parent_id FROM anc JOIN group_parents gp ON gp.child_id = anc.id
     )
     SELECT ARRAY(
              SELECT DISTINCT a.user_id::text FROM memberships a JOIN groups h ON h.id = a.group_id
              WHERE a.group_id IN (SELECT id FROM up) AND ${COUNTING_MEMBERSHIP} AND a.role = ANY($2::text[])
                AND (h.is_active OR (h.id = $1 AND a.role = '${OWNER_ROLE}'))
            ) AS readers,
            ARRAY(SELECT id::text FROM anc) AS ancestors`,
    [groupId, registry.rolesGranting(permission)],
  );
  return row!;
}

/** SQL condition "group `alias` is visible to the caller" (visibility.ts visibleGroup), spliced into `params`. */
export function visibleGroupsCondition(ctx: AppContext, alias: string, params: unknown[]): string {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return "TRUE";
  return spliceInto(visibleGroup(viewer, alias), params);
}

/**
 * Rules not tied to a group: only `ownerId` (the user themself, or a resource's creator) or a
 * global admin may act; otherwise FORBIDDEN with `refusal`. A null ownerId leaves global admins only.
 */
export function assertSelfOrGlobalAdmin(ctx: AppContext, ownerId: string | null, refusal: string): void {
  const viewer = requireViewer(ctx);
  if (!viewer.isGlobalAdmin && viewer.id !== ownerId) throw new ForbiddenRuleError(refusal);
}

/** What a group knows about one of its users (membership, permissions) is theirs, or for members.view holders. */
export async function canSeeMemberOf(ctx: AppContext, userId: string, groupId: string): Promise<boolean> {
  return userId === requireViewer(ctx).id || can(ctx, "members.view", groupId);
}
