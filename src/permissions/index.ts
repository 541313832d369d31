export {
  can,
  assertCan,
  canView,
  forgetViewerRoles,
  visibleGroupsCondition,
  viewerRolesByGroupId,
  COUNTING_MEMBERSHIP,
} from "./authorizer";
export { registry, PermissionRegistry, mergeDefinitions, validateDefinitions } from "./registry/registry";
export type { RegistryDefinitions, ModuleDefinition, PermissionDefinition, RoleDefinition } from "./registry/types";
