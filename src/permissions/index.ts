export {
  can,
  assertCan,
  canView,
  forgetViewerRoles,
  viewerRoles,
  rolesHeldNow,
  checkAccess,
  permissionsIn,
  assertSelfOrGlobalAdmin,
  canSeeMemberOf,
  bringGroupRowsWithFacts,
  groupRowFromFacts,
} from "./authorizer";
export { holdersAndAncestors } from "./permission.store";
export { heldBy, visibleGroup, countingMembership, emailVisibleTo, groupsHeldBy, holdersOf } from "./visibility";
export { roleChangeRefusal, type Grant, type Decision } from "./rules";
export {
  registry,
  PermissionRegistry,
  mergeDefinitions,
  validateDefinitions,
  effectiveRoles,
} from "./registry/registry";
export type { RegistryDefinitions, ModuleDefinition, PermissionDefinition, RoleDefinition } from "./registry/types";
export { PermissionResolver } from "./permission.resolver";
export { Permission, PermissionModule, Role, PermissionHealth } from "./permission.types";
export {
  applySync,
  planSync,
  diffTables,
  exportTables,
  formatChange,
  summarize,
  permissionHealth,
  permissionTotals,
  InvalidDefinitionsError,
  type ApplyOptions,
  type SyncResult,
  type SyncPlan,
  type SyncChange,
  type SyncOptions,
  type PermissionTables,
  type PermissionHealthReport,
  type PermissionTotals,
} from "./store";
