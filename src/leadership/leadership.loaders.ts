import DataLoader from "dataloader";
import { countsByKey, query, rowsById } from "../db";
import { visibleGroupsCondition } from "../permissions";
import { type AppContext, groupedByKey, loaderFamily, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { todayUtc } from "../shared/scalars";
import { primeUsers, userColumnsAs } from "../users";
import { covers, LEADERSHIP_COLUMNS, type Leadership } from "./leadership.entity";

/**
 * Leaderships by id in groups the caller may see, the rule in the same statement: `_entities`
 * costs one statement for any number of them.
 */
export const visibleLeadershipsById = perRequest((ctx) => {
  const params: unknown[] = [null]; // $1 is the ids (rowsById)
  const visible = visibleGroupsCondition(ctx, "g", params);
  return rowsById<Leadership>(
    ctx,
    `SELECT ${LEADERSHIP_COLUMNS} FROM leaderships l JOIN groups g ON g.id = l.group_id
     WHERE l.id = ANY($1::uuid[]) AND ${visible}`,
    params.slice(1),
  );
});

/**
 * Every leadership of each group, oldest start date first, with its user (primed into usersById):
 * one statement serves both the history and the leaders at any date.
 */
const allLeadershipsByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, Leadership[], string>(async (ids) => {
      const rows = await query<Leadership>(
        ctx.db,
        `SELECT ${LEADERSHIP_COLUMNS}, ${userColumnsAs("user.")}
         FROM leaderships l JOIN users u ON u.id = l.user_id
         WHERE l.group_id = ANY($1::uuid[])
         ORDER BY l.start_date, l.created_at, l.id`,
        [ids.filter(isUuid)],
      );
      primeUsers(ctx, rows as unknown as Record<string, unknown>[], "user.");
      return groupedByKey(ids, rows, (row) => row.groupId);
    }),
);

/**
 * Leaderships of each group, oldest start date first: those covering `asOf` (start included,
 * end excluded; dates are YYYY-MM-DD strings, so they compare as text), or every one for null.
 */
export function leadershipsOf(ctx: AppContext, groupId: string, asOf: string | null): Promise<Leadership[]> {
  return allLeadershipsByGroupId(ctx)
    .load(groupId)
    .then((all) =>
      asOf === null ? all : all.filter((l) => l.startDate <= asOf && (l.endDate === null || l.endDate > asOf)),
    );
}

/** How many lead each group today. */
export const leaderCountByGroupId = perRequest((ctx) =>
  countsByKey(
    ctx,
    `SELECT l.group_id AS key, count(*)::int AS n FROM leaderships l
     WHERE l.group_id = ANY($1::uuid[]) AND ${covers("$2")} GROUP BY l.group_id`,
    [todayUtc()],
  ),
);

/**
 * Leaderships of each user in groups the caller can see: current ones (not ended as of today,
 * as Leadership.isActive) unless includeHistorical. Newest first.
 */
export const leadershipsByUserId = loaderFamily(
  (ctx, includeHistorical: boolean) =>
    new DataLoader<string, Leadership[], string>(async (ids) => {
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
