import DataLoader from "dataloader";
import { type KeyedPage, pagesByKey } from "../db";
import { type Group, groupsById } from "../groups";
import { loaderFamily, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { primeUsers } from "../users";
import {
  type GroupsWithPermissionOptions,
  groupsWithPermission,
  holders,
  type HoldersOptions,
} from "./reverse-lookup.store";

/**
 * The reverse lookups' DataLoaders: a list of users (or groups) asking costs one statement, whatever
 * its length. Malformed ids never reach SQL.
 */

export type HeldGroupsPage = KeyedPage<Group>;

/** Per user: a page of the groups where they hold the permission that the caller may see, and the total. */
export const groupsWithPermissionByUserId = loaderFamily(
  (ctx, o: GroupsWithPermissionOptions) =>
    new DataLoader<string, HeldGroupsPage, string>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await groupsWithPermission(ctx.db, requireViewer(ctx), valid, o) : [];
      const pages = pagesByKey(
        ids,
        rows,
        (row) => row.key,
        ({ key: _key, totalCount: _total, ...group }) => group,
      );
      const groups = groupsById(ctx);
      for (const page of pages) for (const group of page.rows) groups.prime(group.id, group);
      return pages;
    }),
);

/** A holder on a page: the user's id and the text its cursor sorts by. */
export interface HolderKey {
  userId: string;
  sortName: string;
}

export type HoldersPage = KeyedPage<HolderKey>;

/** Per group: a page of the users holding the permission there, and the total; usersById is primed. */
export const holdersByGroupId = loaderFamily(
  (ctx, o: HoldersOptions) =>
    new DataLoader<string, HoldersPage, string>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await holders(ctx.db, valid, o) : [];
      primeUsers(ctx, rows, "user.");
      return pagesByKey(
        ids,
        rows,
        (row) => row.key,
        (row): HolderKey => ({ userId: row.id!, sortName: row.sortName ?? "" }),
      );
    }),
);
