import { gql } from "./api";

/** The permission keys the console asks about (the default registry's). */
export type PermissionKey =
  | "groups.view"
  | "groups.update"
  | "groups.delete"
  | "groups.create_subgroup"
  | "members.view"
  | "members.add"
  | "members.remove"
  | "members.change_role"
  | "leaders.manage"
  | "initiatives.manage"
  | "events.view";

/**
 * What the signed-in user may do in one group: controls they may not use are not shown, rather
 * than failing after a click. The API stays the judge: this only decides what to offer.
 */
export interface GroupAccess {
  userId: string;
  isGlobalAdmin: boolean;
  can(permission: PermissionKey): boolean;
}

const ACCESS = `
  query AdminMyAccess($id: ID!) {
    me { id isGlobalAdmin permissions(groupId: $id) }
  }`;

/** Nothing allowed: the answer when the question itself fails (the group is hidden or gone). */
export const NO_ACCESS: GroupAccess = { userId: "", isGlobalAdmin: false, can: () => false };

/**
 * Asks the API (User.permissions: direct role plus cascade). Global admins may do everything, held
 * roles or not. A separate request from the group's: asking about a group one cannot see fails,
 * and that must not hide the group page's own "not found".
 */
export async function loadGroupAccess(groupId: string): Promise<GroupAccess> {
  try {
    const { me } = await gql<{ me: { id: string; isGlobalAdmin: boolean; permissions: string[] } }>(ACCESS, {
      id: groupId,
    });
    const keys = new Set(me.permissions);
    return {
      userId: me.id,
      isGlobalAdmin: me.isGlobalAdmin,
      can: (permission) => me.isGlobalAdmin || keys.has(permission),
    };
  } catch {
    return NO_ACCESS;
  }
}
