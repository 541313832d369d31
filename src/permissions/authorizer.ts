import DataLoader from "dataloader";
import type { DataSource, EntityManager, Sql } from "../db";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { ForbiddenError, ForbiddenRuleError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { hierarchyFacts } from "./permission.store";
import { registry } from "./registry/registry";
import { type Decision, decide, type Grant, grantsAt, type HierarchyFacts } from "./rules";

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

/** One facts statement's answer: the standings of its users in every group it read. */
interface ReadFacts {
  facts: HierarchyFacts;
  admins: ReadonlyMap<string, boolean>;
  now: Date;
}

const noStanding = (): Standing => ({ exists: false, isGlobalAdmin: false, grants: [] });

/** A user's standing in a group, its grants worked out when first read (most implied standings never are). */
class StandingFromFacts implements Standing {
  private worked: Grant[] | undefined;
  constructor(
    private readonly read: ReadFacts,
    private readonly userId: string,
    private readonly groupId: string,
  ) {}
  get exists(): boolean {
    return this.read.admins.has(this.userId);
  }
  get isGlobalAdmin(): boolean {
    return this.read.admins.get(this.userId) ?? false;
  }
  get grants(): Grant[] {
    const { facts, now } = this.read;
    return (this.worked ??= facts.groups.has(this.groupId) ? grantsAt(facts, this.userId, this.groupId, now) : []);
  }
}

/**
 * The standings loader's cache. Every ancestor of a target lies in the facts with all of its own
 * ancestors, so a facts statement also answers its users' standing in each of those groups: a later
 * check of an ancestor costs no statement. Those standings are made when first asked for, not
 * primed: a page of 50 holders under an 8-deep chain would otherwise build 400 of them per request,
 * and hardly any is ever read.
 */
class StandingCache implements DataLoader.CacheMap<string, Promise<Standing>> {
  private readonly held = new Map<string, Promise<Standing>>();
  /** The facts read so far in the request, by user. */
  private readonly readFor = new Map<string, ReadFacts[]>();

  learn(users: readonly string[], read: ReadFacts): void {
    for (const userId of users) {
      const reads = this.readFor.get(userId);
      if (reads) reads.push(read);
      else this.readFor.set(userId, [read]);
    }
  }

  get(key: string): Promise<Standing> | undefined {
    const held = this.held.get(key);
    if (held) return held;
    // The key is cacheKeyFn's `${userId}/${groupId}`.
    const slash = key.indexOf("/");
    const reads = this.readFor.get(key.slice(0, slash));
    if (!reads) return undefined;
    const [userId, groupId] = [key.slice(0, slash), key.slice(slash + 1)];
    const read = reads.find((r) => r.facts.groups.has(groupId));
    if (!read) return undefined;
    const implied = Promise.resolve<Standing>(new StandingFromFacts(read, userId, groupId));
    this.held.set(key, implied);
    return implied;
  }

  set(key: string, value: Promise<Standing>): void {
    this.held.set(key, value);
  }

  delete(key: string): void {
    // Only DataLoader deletes a single key (a failed load); the facts never answered it.
    this.held.delete(key);
  }

  clear(): void {
    this.held.clear();
    this.readFor.clear();
  }
}

/** Standing of (user, group) pairs: one statement for any number of pairs. */
export const standingOf = perRequest((ctx) => {
  const cache = new StandingCache();
  return new DataLoader<StandingKey, Standing, string>(
    async (keys) => {
      const valid = keys.filter((k) => isUuid(k.userId) && isUuid(k.groupId));
      if (valid.length === 0) return keys.map(noStanding);
      const targets = [...new Set(valid.map((k) => k.groupId))];
      const users = [...new Set(valid.map((k) => k.userId))];
      const rows = factsGroupRows(ctx);
      const properties: ReadonlySet<string> = new Set(rows.wanted.keys());
      const { facts, admins, groupRows } = await hierarchyFacts(ctx.db, targets, users, [...rows.wanted.values()]);
      for (const row of groupRows) rows.brought.set(row.id as string, { row, properties });
      const read: ReadFacts = { facts, admins, now: new Date() };
      cache.learn(users, read);
      return keys.map((k) =>
        isUuid(k.userId) && isUuid(k.groupId) ? new StandingFromFacts(read, k.userId, k.groupId) : noStanding(),
      );
    },
    { cacheKeyFn: (k) => `${k.userId}/${k.groupId}`, cacheMap: cache },
  );
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
