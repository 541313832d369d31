export {
  exportTables,
  type PermissionTables,
  type ModuleRow,
  type PermissionRow,
  type RoleRow,
  type GrantRow,
  type Runner,
} from "./permission.tables";
export {
  planSync,
  diffTables,
  formatChange,
  InvalidDefinitionsError,
  type SyncPlan,
  type SyncChange,
  type SyncChangeKind,
  type SyncEntity,
  type SyncOptions,
  type FieldChange,
} from "./permission.plan";
export { applySync, summarize, type ApplyOptions, type SyncResult } from "./permission.sync";
export { backupDir, writeBackup } from "./permission.backup";
export {
  permissionHealth,
  permissionTotals,
  type PermissionHealthReport,
  type PermissionTotals,
  type ModuleTotals,
} from "./permission.health";
