import DataLoader from "dataloader";
import { countsByKey, query, rowsById } from "../db";
import { GROUP_COLUMNS, type Group } from "../groups";
import { visibleGroupsCondition } from "../permissions";
import { type AppContext, groupedByKeyColumn, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { INITIATIVE_COLUMNS, type Initiative } from "./initiative.entity";

/** Initiatives by id (every authenticated caller may read any initiative); null for unknown ids. */
export const initiativesById = perRequest((ctx) =>
  rowsById<Initiative>(ctx, `SELECT ${INITIATIVE_COLUMNS} FROM initiatives i WHERE i.id = ANY($1::uuid[])`),
);

/** The initiatives linked to each group, by name. */
export const initiativesByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, Initiative[]>(async (ids) => {
      const rows = await query<Initiative & { key: string }>(
        ctx.db,
        `SELECT gi.group_id AS key, ${INITIATIVE_COLUMNS}
         FROM group_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id
         WHERE gi.group_id = ANY($1::uuid[])
         ORDER BY i.name, i.id`,
        [ids.filter(isUuid)],
      );
      return groupedByKeyColumn<string, Initiative>(ids, rows);
    }),
);

/** How many initiatives are linked to each group. */
export const initiativeCountByGroupId = perRequest((ctx) =>
  countsByKey(
    ctx,
    `SELECT gi.group_id AS key, count(*)::int AS n FROM group_initiatives gi
     WHERE gi.group_id = ANY($1::uuid[]) GROUP BY gi.group_id`,
  ),
);

/** The groups each initiative is linked to, only those the caller can see, by name. */
export const groupsByInitiativeId = perRequest(
  (ctx) =>
    new DataLoader<string, Group[]>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const visible = visibleGroupsCondition(ctx, "g", params);
      const rows = await query<Group & { key: string }>(
        ctx.db,
        `SELECT gi.initiative_id AS key, ${GROUP_COLUMNS}
         FROM group_initiatives gi JOIN groups g ON g.id = gi.group_id
         WHERE gi.initiative_id = ANY($1::uuid[]) AND ${visible}
         ORDER BY g.name, g.id`,
        params,
      );
      return groupedByKeyColumn<string, Group>(ids, rows);
    }),
);

/** Call after a link or unlink: the per-group lists and counts of this request are stale. */
export function forgetLinks(ctx: AppContext): void {
  initiativesByGroupId(ctx).clearAll();
  initiativeCountByGroupId(ctx).clearAll();
  groupsByInitiativeId(ctx).clearAll();
}
