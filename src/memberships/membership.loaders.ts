import DataLoader from "dataloader";
import { query } from "../db";
import { COUNTING_MEMBERSHIP } from "../permissions";
import { perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";

/** Direct ACTIVE, unexpired members per group. */
export const memberCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const rows = await query<{ groupId: string; n: number }>(
        ctx.db,
        `SELECT a.group_id AS "groupId", count(*)::int AS n FROM memberships a
         WHERE a.group_id = ANY($1::uuid[]) AND ${COUNTING_MEMBERSHIP} GROUP BY a.group_id`,
        [ids.filter(isUuid)],
      );
      const map = new Map(rows.map((r) => [r.groupId, r.n]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
);
