import DataLoader from "dataloader";
import type { DataSource, EntityManager, Sql } from "../db";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { ForbiddenError, ForbiddenRuleError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { hierarchyFacts } from "./permission.store";
import { registry } from "./registry/registry";
import { type Decision, decide, type Grant, grantsAt } from "./rules";

/**
 * The one place that decides access. Every mutation and every visibility decision goes through
 * `can`/`assertCan`/`canView`/`checkAccess` (one object), and list statements filter with the SQL
 * mirrors of the same rules (visibility.ts `heldBy`/`visibleGroup`); resolvers hold no rules. The
 * rules themselves are the pure functions of rules.ts; this file gathers their facts, batched (the
 * statement is in permission.store.ts).
 */

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

/**
 * Group rows that ride on the request's facts statements: the facts read every group on a target's
 * ancestry anyway, so a caller that shows some of those groups next (checkPermission's grants and
 * their paths) asks for their rows beforehand (bringGroupRowsWithFacts) and reads them after
 * (groupRowFromFacts) without a statement of its own. Only the properties asked for are read.
 */
interface FactsGroupRows {
  /** The `'property', g.column` pairs every later facts statement of the request brings, by property. */
  wanted: Map<string, Sql>;
  /** The rows brought so far, by group id, with the properties each carries. */
  brought: Map<string, { row: Record<string, unknown>; properties: ReadonlySet<string> }>;
}

const factsGroupRows = perRequest((): FactsGroupRows => ({ wanted: new Map(), brought: new Map() }));

/**
 * From now on in this request, the facts statements bring each group's row with these
 * properties as well (`property -> 'property', g.column`, from the groups domain). Call before the
 * check whose facts should carry them; a check already answered from the cache brings none, and its
 * reader falls back to its own statement.
 */
export function bringGroupRowsWithFacts(ctx: AppContext, pairs: ReadonlyMap<string, Sql>): void {
  const { wanted } = factsGroupRows(ctx);
  for (const [property, pair] of pairs) wanted.set(property, pair);
}

/** The row of group `id` a facts statement of this request brought, if it carries every one of `properties`. */
export function groupRowFromFacts(
  ctx: AppContext,
  id: string,
  properties: readonly string[],
): Record<string, unknown> | undefined {
  const brought = factsGroupRows(ctx).brought.get(id);
  return brought && properties.every((p) => brought.properties.has(p)) ? brought.row : undefined;
}

/** Standing of (user, group) pairs: one statement for any number of pairs. */
export const standingOf = perRequest((ctx) => {
  const loader: DataLoader<StandingKey, Standing, string> = new DataLoader<StandingKey, Standing, string>(
    async (keys) => {
      const valid = keys.filter((k) => isUuid(k.userId) && isUuid(k.groupId));
      if (valid.length === 0) return keys.map(() => ({ exists: false, isGlobalAdmin: false, grants: [] }));
      const targets = [...new Set(valid.map((k) => k.groupId))];
      const users = [...new Set(valid.map((k) => k.userId))];
      const rows = factsGroupRows(ctx);
      const properties: ReadonlySet<string> = new Set(rows.wanted.keys());
      const { facts, admins, groupRows } = await hierarchyFacts(ctx.db, targets, users, [...rows.wanted.values()]);
      for (const row of groupRows) rows.brought.set(row.id as string, { row, properties });
      const now = new Date();
      // The grants are worked out when first read: most primed ancestors are never asked about.
      const standing = (userId: string, groupId: string): Standing => {
        let grants: Grant[] | undefined;
        return {
          exists: admins.has(userId),
          isGlobalAdmin: admins.get(userId) ?? false,
          get grants() {
            return (grants ??= facts.groups.has(groupId) ? grantsAt(facts, userId, groupId, now) : []);
          },
        };
      };
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
  runner: DataSource | EntityManager,
  userId: string,
  groupId: string,
): Promise<string[]> {
  if (!isUuid(userId) || !isUuid(groupId)) return [];
  const { facts } = await hierarchyFacts(runner, [groupId], [userId]);
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
  // The rows came with those facts: a change may have touched them too.
  factsGroupRows(ctx).brought.clear();
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
