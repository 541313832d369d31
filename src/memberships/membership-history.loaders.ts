import DataLoader from "dataloader";
import { type KeyedPage, pagesByKey } from "../db";
import type { Group } from "../groups";
import { groupedByKey, groupedByKeyColumn, loaderFamily, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { primeUsers } from "../users";
import type { MemberPage } from "./membership.loaders";
import type { MemberKey, UserGroupOptions, UserMembershipOptions } from "./membership.store";
import {
  groupsOfUsersAt,
  type HistoryPageOptions,
  historyPages,
  type MemberListAtOptions,
  memberCountsAt,
  memberPagesAt,
  type MembershipAt,
  membershipsOfUsersAt,
  periodsOfPairs,
} from "./membership-history.store";
import type { MembershipPeriod } from "./membership-period.entity";

/**
 * The loaders of the memberships' past (membership-history.store.ts): as-of twins of the present's
 * loaders (membership.loaders.ts), one family per instant and options, and the periods of (group,
 * user) pairs. Per request, one statement per batch, results in key order with explicit misses.
 */

/** Direct members counting at the instant, per group (0 for none). */
export const memberCountAtByGroupId = loaderFamily(
  (ctx, asOf: Date) =>
    new DataLoader<string, number, string>(async (ids) => {
      const counts = new Map((await memberCountsAt(ctx.db, ids.filter(isUuid), asOf)).map((r) => [r.key, r.n]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
);

/** memberPagesByGroupId as of an instant. */
export const memberPagesAtByGroupId = loaderFamily(
  (ctx, o: MemberListAtOptions) =>
    new DataLoader<string, MemberPage, string>(async (ids) => {
      const rows = await memberPagesAt(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      primeUsers(ctx, rows as unknown as Record<string, unknown>[], "user.");
      return pagesByKey(ids, rows, (row) => row.key);
    }),
);

/** membershipsByUserId as of an instant. */
export const membershipsAtByUserId = loaderFamily(
  (ctx, o: UserMembershipOptions & { asOf: Date }) =>
    new DataLoader<string, MembershipAt[], string>(async (ids) => {
      const rows = await membershipsOfUsersAt(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      return groupedByKey(ids, rows, (row) => row.userId);
    }),
);

/** groupsByUserId as of an instant. */
export const groupsAtByUserId = loaderFamily(
  (ctx, o: UserGroupOptions & { asOf: Date }) =>
    new DataLoader<string, Group[], string>(async (ids) => {
      const rows = await groupsOfUsersAt(ctx.db, requireViewer(ctx), ids.filter(isUuid), o);
      return groupedByKeyColumn<string, Group>(ids, rows);
    }),
);

const pairKey = (k: MemberKey) => `${k.groupId}/${k.userId}`;
const validPair = (k: MemberKey) => isUuid(k.groupId) && isUuid(k.userId);

/** Every period of a (group, user) pair the caller may read, oldest first ([] for none). */
export const periodsByPair = perRequest(
  (ctx) =>
    new DataLoader<MemberKey, MembershipPeriod[], string>(
      async (keys) => {
        const valid = keys.filter(validPair);
        const rows = valid.length ? await periodsOfPairs(ctx.db, requireViewer(ctx), valid) : [];
        return groupedByKey(keys.map(pairKey), rows, pairKey);
      },
      { cacheKeyFn: pairKey },
    ),
);

export type HistoryPage = KeyedPage<MembershipPeriod & { fromKey: string }>;

/** A page of a pair's periods, with its total, in one statement for any number of pairs. */
export const historyPagesByPair = loaderFamily(
  (ctx, o: HistoryPageOptions) =>
    new DataLoader<MemberKey, HistoryPage, string>(
      async (keys) => {
        const valid = keys.filter(validPair);
        const rows = valid.length ? await historyPages(ctx.db, requireViewer(ctx), valid, o) : [];
        return pagesByKey(
          keys.map(pairKey),
          rows,
          (row) => pairKey({ groupId: row.keyGroupId, userId: row.keyUserId }),
          ({ keyGroupId: _group, keyUserId: _user, totalCount: _total, ...period }) => period,
        );
      },
      { cacheKeyFn: pairKey },
    ),
);
