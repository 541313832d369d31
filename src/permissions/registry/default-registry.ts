import type { RegistryDefinitions } from "./types";

/*
 * Each role lists only what it adds: a role holds its own permissions plus those of every role
 * ranked below it (PermissionRegistry computes the effective sets), so member holds viewer's too,
 * and owner everything.
 */
const VIEWER = ["groups.view"];
const MEMBER = ["members.view", "events.view"];
const ADMIN = [
  "groups.update",
  "groups.create_subgroup",
  "members.add",
  "members.remove",
  "members.change_role",
  "leaders.manage",
  "initiatives.manage",
];
const OWNER = ["groups.delete"];

/** The contract's default registry. Deployments add theirs in ../custom-registry.ts, not here. */
export const defaultRegistry: RegistryDefinitions = {
  modules: [
    { key: "groups", label: "Groups", description: "Groups and their place in the hierarchy" },
    { key: "members", label: "Members", description: "Who belongs to a group, and with which role" },
    { key: "leaders", label: "Leaders", description: "Dated leadership of groups" },
    { key: "initiatives", label: "Initiatives", description: "Initiatives groups take part in" },
    { key: "events", label: "Events", description: "The audit trail of a group" },
  ],
  permissions: [
    { key: "groups.view", module: "groups", label: "View group", description: "See a PRIVATE group and its details" },
    {
      key: "groups.update",
      module: "groups",
      label: "Update group",
      description: "Change a group's fields and parents",
    },
    { key: "groups.delete", module: "groups", label: "Delete group", description: "Delete a group for good" },
    {
      key: "groups.create_subgroup",
      module: "groups",
      label: "Create subgroup",
      description: "Create a group under this one, or link one under it",
    },
    { key: "members.view", module: "members", label: "View members", description: "List members and their roles" },
    { key: "members.add", module: "members", label: "Add members", description: "Add or invite members" },
    { key: "members.remove", module: "members", label: "Remove members", description: "Remove members" },
    {
      key: "members.change_role",
      module: "members",
      label: "Change roles",
      description: "Change a member's role or status",
    },
    { key: "leaders.manage", module: "leaders", label: "Manage leaders", description: "Add and end leaderships" },
    {
      key: "initiatives.manage",
      module: "initiatives",
      label: "Manage initiatives",
      description: "Link and unlink initiatives",
    },
    { key: "events.view", module: "events", label: "View events", description: "Read the group's audit trail" },
  ],
  roles: [
    { name: "viewer", label: "Viewer", rank: 10, permissions: VIEWER },
    { name: "member", label: "Member", rank: 20, permissions: MEMBER },
    { name: "admin", label: "Admin", rank: 30, permissions: ADMIN },
    { name: "owner", label: "Owner", rank: 40, permissions: OWNER },
  ],
};
