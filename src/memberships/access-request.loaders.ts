import DataLoader from "dataloader";
import { type KeyedPage, pagesByKey } from "../db";
import { byKey, loaderFamily, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import type { AccessRequest } from "./access-request.entity";
import {
  type AccessRequestListOptions,
  type AccessRequestPageRow,
  accessRequestPages,
  readableAccessRequests,
} from "./access-request.store";

/** Requests by id that the caller may read (their own, or members.add in the group); null otherwise. */
export const readableAccessRequestsById = perRequest((ctx) => {
  const viewer = requireViewer(ctx);
  return new DataLoader<string, AccessRequest | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return ids.map(() => null);
    return byKey(ids, await readableAccessRequests(ctx.db, viewer, valid), (row) => row.id);
  });
});

export type AccessRequestPage = KeyedPage<AccessRequestPageRow>;

/** A page of each group's requests with its total: one statement for any number of groups. */
export const accessRequestPagesByGroupId = loaderFamily(
  (ctx, o: AccessRequestListOptions) =>
    new DataLoader<string, AccessRequestPage, string>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await accessRequestPages(ctx.db, valid, o) : [];
      return pagesByKey(ids, rows, (row) => row.key);
    }),
);
