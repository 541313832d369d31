import DataLoader from "dataloader";
import { query } from "../db";
import { visibleGroupsCondition } from "../permissions";
import { type AppContext, byKey, groupedByKey, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { todayUtc } from "../shared/scalars";
import { covers, LEADERSHIP_COLUMNS, type Leadership } from "./leadership.entity";

/** One loader per distinct option value, all request-scoped. */
function loaderFamily<O, V>(make: (ctx: AppContext, option: O) => DataLoader<string, V>) {
  return perRequest((ctx) => {
    const family = new Map<string, DataLoader<string, V>>();
    return (option: O) => {
      const id = JSON.stringify(option ?? null);
      let loader = family.get(id);
      if (!loader) family.set(id, (loader = make(ctx, option)));
      return loader;
    };
  });
}

/** Leaderships by id; callers decide visibility. */
export const leadershipsById = perRequest(
  (ctx) =>
    new DataLoader<string, Leadership | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return ids.map(() => null);
      const rows = await query<Leadership>(
        ctx.db,
        `SELECT ${LEADERSHIP_COLUMNS} FROM leaderships l WHERE l.id = ANY($1::uuid[])`,
        [valid],
      );
      return byKey(ids, rows, (row) => row.id);
    }),
);

/** Leaders of each group as of a date (start included, end excluded), by start date. */
export const leadersByGroupId = loaderFamily(
  (ctx, asOf: string) =>
    new DataLoader<string, Leadership[]>(async (ids) => {
      const rows = await query<Leadership>(
        ctx.db,
        `SELECT ${LEADERSHIP_COLUMNS} FROM leaderships l
         WHERE l.group_id = ANY($1::uuid[]) AND ${covers("$2")}
         ORDER BY l.start_date, l.created_at, l.id`,
        [ids.filter(isUuid), asOf],
      );
      return groupedByKey(ids, rows, (row) => row.groupId);
    }),
);

/** Every leadership of each group, oldest start date first. */
export const historyByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, Leadership[]>(async (ids) => {
      const rows = await query<Leadership>(
        ctx.db,
        `SELECT ${LEADERSHIP_COLUMNS} FROM leaderships l WHERE l.group_id = ANY($1::uuid[])
         ORDER BY l.start_date, l.created_at, l.id`,
        [ids.filter(isUuid)],
      );
      return groupedByKey(ids, rows, (row) => row.groupId);
    }),
);

/** How many lead each group today. */
export const leaderCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const rows = await query<{ groupId: string; n: number }>(
        ctx.db,
        `SELECT l.group_id AS "groupId", count(*)::int AS n FROM leaderships l
         WHERE l.group_id = ANY($1::uuid[]) AND ${covers("$2")} GROUP BY l.group_id`,
        [ids.filter(isUuid), todayUtc()],
      );
      const map = new Map(rows.map((r) => [r.groupId, r.n]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
);

/**
 * Leaderships of each user in groups the caller can see: current ones (not ended as of today,
 * as Leadership.isActive) unless includeHistorical. Newest first.
 */
export const leadershipsByUserId = loaderFamily(
  (ctx, includeHistorical: boolean) =>
    new DataLoader<string, Leadership[]>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const conditions = [visibleGroupsCondition(ctx, "g", params)];
      if (!includeHistorical) {
        params.push(todayUtc());
        conditions.push(`(l.end_date IS NULL OR l.end_date > $${params.length}::date)`);
      }
      const rows = await query<Leadership>(
        ctx.db,
        `SELECT ${LEADERSHIP_COLUMNS} FROM leaderships l JOIN groups g ON g.id = l.group_id
         WHERE l.user_id = ANY($1::uuid[]) AND ${conditions.join(" AND ")}
         ORDER BY l.start_date DESC, l.id`,
        params,
      );
      return groupedByKey(ids, rows, (row) => row.userId);
    }),
);
