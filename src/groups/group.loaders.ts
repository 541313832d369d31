import DataLoader from "dataloader";
import { type AppContext, byKey, groupedByKey, loaderFamily, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import type { Group, GroupRelative } from "./group.entity";
import * as store from "./group.store";

/**
 * The request's group loaders: batching and caching only; every statement is in group.store.ts.
 * One statement per batch each.
 */

/** Rows by id, in key order; null for an unknown or malformed id (no statement when none is valid). */
function byIdLoader(load: (ids: string[]) => Promise<Group[]>): DataLoader<string, Group | null> {
  return new DataLoader<string, Group | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return ids.map(() => null);
    return byKey(ids, await load(valid), (row) => row.id);
  });
}

/** Groups by id, visible or not: callers decide visibility (canView). */
export const groupsById = perRequest((ctx) => byIdLoader((ids) => store.groupsByIds(ctx.db, ids)));

/**
 * Groups by id that the caller may see, the visibility rule in the same statement: what
 * `_entities` uses, so any number of Group representations costs one statement.
 */
export const visibleGroupsById = perRequest((ctx) => {
  const viewer = requireViewer(ctx);
  return byIdLoader((ids) => store.visibleGroupsByIds(ctx.db, viewer, ids));
});

function relativesLoader(ctx: AppContext, up: boolean, includeInactive: boolean) {
  return new DataLoader<string, Group[]>(async (ids) => {
    const rows = await store.relatives(ctx.db, requireViewer(ctx), ids.filter(isUuid), { up, includeInactive });
    return groupedByKey(ids, rows, (row) => row.key);
  });
}

/** Visible parents of each group (archived ones included: they still hold their children). */
export const parentsByGroupId = perRequest((ctx) => relativesLoader(ctx, true, true));

/** Visible children of each group; active ones only unless includeInactive. */
export const childrenByGroupId = loaderFamily((ctx, includeInactive: boolean) =>
  relativesLoader(ctx, false, includeInactive),
);

/** Every visible ancestor of each group, nearest first, each once at its shortest distance. */
export const ancestorsByGroupId = loaderFamily(
  (ctx, maxDepth: number | null) =>
    new DataLoader<string, GroupRelative[]>(async (ids) => {
      const rows = await store.ancestors(ctx.db, requireViewer(ctx), ids.filter(isUuid), maxDepth);
      return groupedByKey(ids, rows, (row) => row.key).map((list) =>
        list.map(({ key: _key, depth, ...group }) => ({ group, depth })),
      );
    }),
);
