import DataLoader from "dataloader";
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

export interface HeldGroupsPage {
  rows: Group[];
  totalCount: number;
}

/** Per user: a page of the groups where they hold the permission that the caller may see, and the total. */
export const groupsWithPermissionByUserId = loaderFamily(
  (ctx, o: GroupsWithPermissionOptions) =>
    new DataLoader<string, HeldGroupsPage, string>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await groupsWithPermission(ctx.db, requireViewer(ctx), valid, o) : [];
      const byUser = new Map<string, HeldGroupsPage>();
      const groups = groupsById(ctx);
      for (const { key, totalCount, ...group } of rows) {
        let page = byUser.get(key);
        if (!page) byUser.set(key, (page = { rows: [], totalCount }));
        // A user without any group has one row of nulls beside the count.
        if (group.id === null) continue;
        page.rows.push(group);
        groups.prime(group.id, group);
      }
      return ids.map((id) => byUser.get(id) ?? { rows: [], totalCount: 0 });
    }),
);

/** A holder on a page: the user's id and the text its cursor sorts by. */
export interface HolderKey {
  userId: string;
  sortName: string;
}

export interface HoldersPage {
  rows: HolderKey[];
  totalCount: number;
}

/** Per group: a page of the users holding the permission there, and the total; usersById is primed. */
export const holdersByGroupId = loaderFamily(
  (ctx, o: HoldersOptions) =>
    new DataLoader<string, HoldersPage, string>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length ? await holders(ctx.db, valid, o) : [];
      primeUsers(ctx, rows, "user.");
      const byGroup = new Map<string, HoldersPage>();
      for (const row of rows) {
        let page = byGroup.get(row.key);
        if (!page) byGroup.set(row.key, (page = { rows: [], totalCount: row.totalCount }));
        if (typeof row.id !== "string") continue;
        page.rows.push({ userId: row.id, sortName: row.sortName ?? "" });
      }
      return ids.map((id) => byGroup.get(id) ?? { rows: [], totalCount: 0 });
    }),
);
