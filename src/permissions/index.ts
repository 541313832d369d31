export {
  can,
  assertCan,
  canView,
  filterVisible,
  effectiveRole,
  forgetViewerRoles,
  visibleGroupsCondition,
  viewerRolesByGroupId,
  COUNTING_MEMBERSHIP,
  EFFECTIVE_ROLES_SQL,
} from "./authorizer";
export { registry, PermissionRegistry, mergeDefinitions, validateDefinitions } from "./registry/registry";
export type { RegistryDefinitions, ModuleDefinition, PermissionDefinition, RoleDefinition } from "./registry/types";
