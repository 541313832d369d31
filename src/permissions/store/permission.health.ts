import { registry } from "../registry/registry";
import type { RegistryDefinitions } from "../registry/types";
import { exportTables, type Runner } from "./permission.tables";

export interface PermissionHealthReport {
  /** "healthy" when the stored keys are exactly the code's and all active; otherwise "warning". */
  status: "healthy" | "warning";
  /** Permission keys the definitions hold. */
  definedCount: number;
  /** Permission rows the database holds, inactive orphans included. */
  storedCount: number;
  /** In the database, not in the code: inactive orphans awaiting `--clean-orphans`, sorted. */
  orphanedKeys: string[];
  /**
   * In the code, not (or not as an active row) in the database, sorted. An inactive row for a key
   * the code defines counts as missing: a sync would reactivate it.
   */
  missingKeys: string[];
}

function health(stored: { key: string; is_active: boolean }[], defs: RegistryDefinitions): PermissionHealthReport {
  const defined = new Set(defs.permissions.map((p) => p.key));
  const active = new Set(stored.filter((p) => p.is_active).map((p) => p.key));
  const orphanedKeys = stored.filter((p) => !defined.has(p.key)).map((p) => p.key);
  const missingKeys = [...defined].filter((key) => !active.has(key)).sort();
  return {
    status: orphanedKeys.length || missingKeys.length ? "warning" : "healthy",
    definedCount: defined.size,
    storedCount: stored.length,
    orphanedKeys,
    missingKeys,
  };
}

/** How the stored permissions compare with the definitions; one statement. */
export async function permissionHealth(
  runner: Runner,
  defs: RegistryDefinitions = registry.definitions,
): Promise<PermissionHealthReport> {
  return health((await exportTables(runner)).permissions, defs);
}

export interface ModuleTotals {
  module: string;
  active: number;
  /** Active and deprecated. */
  deprecated: number;
  inactive: number;
}

/** The `permissions:health` report: the health plus totals of what the database holds. */
export interface PermissionTotals {
  health: PermissionHealthReport;
  /** Stored permissions that are active (deprecated ones included). */
  active: number;
  /** Active permissions marked deprecated. */
  deprecated: number;
  /** Inactive (orphaned) permissions. */
  inactive: number;
  /** Active stored roles. */
  roles: number;
  /** Per stored module of a permission, by module. */
  modules: ModuleTotals[];
  /** Per stored permission key: how many active stored roles grant it (0 included), by key. */
  grants: { key: string; roles: number }[];
}

export async function permissionTotals(
  runner: Runner,
  defs: RegistryDefinitions = registry.definitions,
): Promise<PermissionTotals> {
  const tables = await exportTables(runner);
  const modules = new Map<string, ModuleTotals>();
  for (const p of tables.permissions) {
    const m = modules.get(p.module) ?? { module: p.module, active: 0, deprecated: 0, inactive: 0 };
    if (!p.is_active) m.inactive++;
    else {
      m.active++;
      if (p.is_deprecated) m.deprecated++;
    }
    modules.set(p.module, m);
  }
  const activeRoles = new Set(tables.permission_roles.filter((r) => r.is_active).map((r) => r.name));
  const granting = new Map<string, number>();
  for (const g of tables.permission_role_grants) {
    if (activeRoles.has(g.role_name)) granting.set(g.permission_key, (granting.get(g.permission_key) ?? 0) + 1);
  }
  const list = [...modules.values()];
  return {
    health: health(tables.permissions, defs),
    active: list.reduce((n, m) => n + m.active, 0),
    deprecated: list.reduce((n, m) => n + m.deprecated, 0),
    inactive: list.reduce((n, m) => n + m.inactive, 0),
    roles: activeRoles.size,
    modules: list.sort((a, b) => a.module.localeCompare(b.module)),
    grants: tables.permissions.map((p) => ({ key: p.key, roles: granting.get(p.key) ?? 0 })),
  };
}
