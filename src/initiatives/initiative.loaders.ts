import DataLoader from "dataloader";
import { query } from "../db";
import { GROUP_COLUMNS, type Group } from "../groups";
import { visibleGroupsCondition } from "../permissions";
import { type AppContext, byKey, groupedByKey, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { INITIATIVE_COLUMNS, type Initiative } from "./initiative.entity";

/** Initiatives by id (every authenticated caller may read any initiative); null for unknown ids. */
export const initiativesById = perRequest(
  (ctx) =>
    new DataLoader<string, Initiative | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return ids.map(() => null);
      const rows = await query<Initiative>(
        ctx.db,
        `SELECT ${INITIATIVE_COLUMNS} FROM initiatives i WHERE i.id = ANY($1::uuid[])`,
        [valid],
      );
      return byKey(ids, rows, (row) => row.id);
    }),
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
      return groupedByKey(ids, rows, (row) => row.key).map((list) => list.map(({ key: _key, ...i }) => i));
    }),
);

/** How many initiatives are linked to each group. */
export const initiativeCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const rows = await query<{ groupId: string; n: number }>(
        ctx.db,
        `SELECT gi.group_id AS "groupId", count(*)::int AS n FROM group_initiatives gi
         WHERE gi.group_id = ANY($1::uuid[]) GROUP BY gi.group_id`,
        [ids.filter(isUuid)],
      );
      const map = new Map(rows.map((r) => [r.groupId, r.n]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
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
      return groupedByKey(ids, rows, (row) => row.key).map((list) => list.map(({ key: _key, ...group }) => group));
    }),
);

/** Call after a link or unlink: the per-group lists and counts of this request are stale. */
export function forgetLinks(ctx: AppContext): void {
  initiativesByGroupId(ctx).clearAll();
  initiativeCountByGroupId(ctx).clearAll();
  groupsByInitiativeId(ctx).clearAll();
}
