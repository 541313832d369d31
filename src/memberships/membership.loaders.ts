import DataLoader from "dataloader";
import { type KeyedPage, pagesByKey } from "../db";
import type { Group } from "../groups";
import {
  type AppContext,
  byKey,
  groupedByKey,
  groupedByKeyColumn,
  loaderFamily,
  perRequest,
  requireViewer,
} from "../shared/context";
import { isUuid } from "../shared/ids";
import { embedUsers, primeUsers, primeUsersFromJson, type UserField } from "../users";
import type { Membership } from "./membership.entity";
import {
  groupsOfUsers,
  type MemberKey,
  type MemberListOptions,
  MEMBER_USER_PREFIX,
  memberCounts,
  memberPages,
  type MemberPageRow,
  type MemberRow,
  membershipsOfPairs,
  membershipsOfUsers,
  readableMemberships,
  type UserGroupOptions,
  type UserMembershipOptions,
} from "./membership.store";

/**
 * The memberships' DataLoaders: per request, one store statement per batch, results in key order
 * with explicit misses. Malformed ids never reach SQL (a uuid cast would fail the whole batch).
 */

/** Direct ACTIVE, unexpired members per group (0 for none). */
export const memberCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await memberCounts(ctx.db, ids.filter(isUuid))).map((r) => [r.key, r.n]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
);

/**
 * Memberships by id that the caller may read (their own, or members.view in the group), the rule
 * in the same statement: `_entities` costs one statement for any number of them.
 */
export const readableMembershipsById = perRequest((ctx) => {
  const viewer = requireViewer(ctx);
  return new DataLoader<string, Membership | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return ids.map(() => null);
    return byKey(ids, await readableMemberships(ctx.db, viewer, valid), (row) => row.id);
  });
});

const pairKey = (k: MemberKey) => `${k.groupId}/${k.userId}`;

/** The membership of a user in a group, any status; callers decide visibility. */
export const membershipOf = perRequest(
  (ctx) =>
    new DataLoader<MemberKey, Membership | null, string>(
      async (keys) => {
        const valid = keys.filter((k) => isUuid(k.groupId) && isUuid(k.userId));
        if (valid.length === 0) return keys.map(() => null);
        return byKey(keys.map(pairKey), await membershipsOfPairs(ctx.db, valid), pairKey);
      },
      { cacheKeyFn: pairKey },
    ),
);

export type MemberPage = KeyedPage<MemberRow>;

/**
 * The users that came along with a page of members (memberUserColumns): whole ones prime
 * usersById; partial ones (only the selected columns) ride on their rows, where Membership.user
 * finds them, and never enter usersById. `fromJson`: the page was built as JSON by PostgreSQL.
 */
export function takeMemberUsers(
  ctx: AppContext,
  rows: Record<string, unknown>[],
  users: readonly UserField[] | null,
  fromJson: boolean,
): void {
  if (users === null) (fromJson ? primeUsersFromJson : primeUsers)(ctx, rows, MEMBER_USER_PREFIX);
  else if (users.length > 0) embedUsers(rows, MEMBER_USER_PREFIX, users, fromJson, "userId");
}

/** A page of members for each group, with totalCount, in one statement for any number of groups. */
export const memberPagesByGroupId = loaderFamily(
  (ctx, o: MemberListOptions) =>
    new DataLoader<string, MemberPage, string>(async (ids) => {
      const rows = await memberPages(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      // Each member's user came along: Membership.user costs no statement of its own.
      takeMemberUsers(ctx, rows as unknown as Record<string, unknown>[], o.columns.user, false);
      // Rows go out as they came (key, totals and the user columns ride along unread): copying
      // hundreds of rows to drop a few columns showed in profiles of member lists.
      return pagesByKey<string, MemberPageRow, MemberRow>(ids, rows, (row) => row.key);
    }),
);

/**
 * Direct memberships of each user: all of the caller's own; someone else's only in groups where
 * the caller holds members.view. ACTIVE (unexpired) only unless includeInactive.
 */
export const membershipsByUserId = loaderFamily(
  (ctx, o: UserMembershipOptions) =>
    new DataLoader<string, Membership[], string>(async (ids) => {
      const rows = await membershipsOfUsers(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      return groupedByKey(ids, rows, (row) => row.userId);
    }),
);

/**
 * Groups where each user has an ACTIVE (unexpired) membership, visible to the caller, by name;
 * transitive adds every ancestor of those groups, each once. One statement per batch.
 */
export const groupsByUserId = loaderFamily(
  (ctx, o: UserGroupOptions) =>
    new DataLoader<string, Group[], string>(async (ids) => {
      const rows = await groupsOfUsers(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      return groupedByKeyColumn<string, Group>(ids, rows);
    }),
);
