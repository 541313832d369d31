import DataLoader from "dataloader";
import { type AppContext, byKey, groupedByKey, loaderFamily, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { todayUtc } from "../shared/scalars";
import { primeUsers } from "../users";
import { coversDate, type Leadership } from "./leadership.entity";
import {
  LEADER_PREFIX,
  leaderCounts,
  leadershipsOfGroups,
  leadershipsOfUsers,
  visibleLeadershipsByIds,
} from "./leadership.store";

/**
 * Leaderships by id in groups the caller may see, the rule in the same statement: `_entities`
 * costs one statement for any number of them.
 */
export const visibleLeadershipsById = perRequest((ctx) => {
  const viewer = requireViewer(ctx);
  return new DataLoader<string, Leadership | null>(async (ids) =>
    byKey(ids, await visibleLeadershipsByIds(ctx.db, viewer, ids.filter(isUuid)), (row) => row.id),
  );
});

/**
 * Every leadership of each group, oldest start date first, with its user (primed into usersById):
 * one statement serves both the history and the leaders at any date.
 */
const allLeadershipsByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, Leadership[], string>(async (ids) => {
      const rows = await leadershipsOfGroups(ctx.db, ids.filter(isUuid));
      primeUsers(ctx, rows as unknown as Record<string, unknown>[], LEADER_PREFIX);
      return groupedByKey(ids, rows, (row) => row.groupId);
    }),
);

/** Every leadership of a group as allLeadershipsByGroupId reads them (a planned statement read them instead). */
export function primeLeadershipsOfGroup(ctx: AppContext, groupId: string, rows: Leadership[]): void {
  allLeadershipsByGroupId(ctx).prime(groupId, rows);
}

/** Leaderships of a group, oldest start date first: those covering `asOf`, or every one for null. */
export function leadershipsOf(ctx: AppContext, groupId: string, asOf: string | null): Promise<Leadership[]> {
  return allLeadershipsByGroupId(ctx)
    .load(groupId)
    .then((all) => (asOf === null ? all : all.filter((l) => coversDate(l, asOf))));
}

/** How many lead each group today. */
export const leaderCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await leaderCounts(ctx.db, ids.filter(isUuid), todayUtc())).map((r) => [r.key, r.n]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
);

/**
 * Leaderships of each user in groups the caller can see: current ones (not ended as of today,
 * as Leadership.isActive) unless includeHistorical. Newest first.
 */
export const leadershipsByUserId = loaderFamily(
  (ctx, includeHistorical: boolean) =>
    new DataLoader<string, Leadership[], string>(async (ids) => {
      const notEndedAsOf = includeHistorical ? null : todayUtc();
      const rows = await leadershipsOfUsers(ctx.db, requireViewer(ctx), ids.filter(isUuid), notEndedAsOf);
      return groupedByKey(ids, rows, (row) => row.userId);
    }),
);
