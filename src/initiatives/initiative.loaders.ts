import DataLoader from "dataloader";
import type { Group } from "../groups";
import { type AppContext, byKey, groupedByKeyColumn, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import type { Initiative } from "./initiative.entity";
import {
  initiativeCounts,
  initiativesByIds,
  initiativesOfGroups,
  visibleGroupsOfInitiatives,
} from "./initiative.store";

/** Initiatives by id (every authenticated caller may read any initiative); null for unknown ids. */
export const initiativesById = perRequest(
  (ctx) =>
    new DataLoader<string, Initiative | null>(async (ids) =>
      byKey(ids, await initiativesByIds(ctx.db, ids.filter(isUuid)), (row) => row.id),
    ),
);

/** The initiatives linked to each group, by name. */
export const initiativesByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, Initiative[]>(async (ids) =>
      groupedByKeyColumn<string, Initiative>(ids, await initiativesOfGroups(ctx.db, ids.filter(isUuid))),
    ),
);

/** How many initiatives are linked to each group. */
export const initiativeCountByGroupId = perRequest(
  (ctx) =>
    new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await initiativeCounts(ctx.db, ids.filter(isUuid))).map((r) => [r.key, r.n]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
);

/** The groups each initiative is linked to, only those the caller can see, by name. */
export const groupsByInitiativeId = perRequest(
  (ctx) =>
    new DataLoader<string, Group[]>(async (ids) =>
      groupedByKeyColumn<string, Group>(
        ids,
        await visibleGroupsOfInitiatives(ctx.db, requireViewer(ctx), ids.filter(isUuid)),
      ),
    ),
);

/** Call after a link or unlink: the per-group lists and counts of this request are stale. */
export function forgetLinks(ctx: AppContext): void {
  initiativesByGroupId(ctx).clearAll();
  initiativeCountByGroupId(ctx).clearAll();
  groupsByInitiativeId(ctx).clearAll();
}
