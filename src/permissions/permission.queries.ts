import DataLoader from "dataloader";
import { type AppContext, byKey, groupedByKey, perRequest } from "../shared/context";
import {
  activeModules,
  activePermissionsOfModules,
  modulesWithKeys,
  type PermissionFilter,
  permissionsMatching,
  permissionsWithKeys,
} from "./permission.store";
import { registry } from "./registry/registry";
import { permissionHealth } from "./store";
import type { Permission, PermissionHealth, PermissionModule, Role } from "./permission.types";

/** Stored permissions by key, active or not (null for an unknown key). */
export const permissionsByKey = perRequest(
  (ctx) =>
    new DataLoader<string, Permission | null>(async (keys) =>
      byKey(keys, await permissionsWithKeys(ctx.db, keys), (row) => row.key),
    ),
);

/** Stored modules by key, active or not: a module's parent may be an orphan awaiting clean-up. */
export const permissionModulesByKey = perRequest(
  (ctx) =>
    new DataLoader<string, PermissionModule | null>(async (keys) =>
      byKey(keys, await modulesWithKeys(ctx.db, keys), (row) => row.key),
    ),
);

/** Active permissions of each module (deprecated ones included), by key. */
export const permissionsByModule = perRequest(
  (ctx) =>
    new DataLoader<string, Permission[]>(async (modules) =>
      groupedByKey(modules, await activePermissionsOfModules(ctx.db, modules), (row) => row.module),
    ),
);

/**
 * Stored permissions matching every given filter, in one statement: in the order of `keys` when
 * given (unknown keys left out), otherwise by key.
 */
export async function listPermissions(ctx: AppContext, filter: PermissionFilter): Promise<Permission[]> {
  if (filter.keys && filter.keys.length === 0) return [];
  return permissionsMatching(ctx.db, filter);
}

/** Active modules, by key; primes the module loader so parents among them cost no statement. */
export async function listPermissionModules(ctx: AppContext): Promise<PermissionModule[]> {
  const rows = await activeModules(ctx.db);
  const loader = permissionModulesByKey(ctx);
  for (const row of rows) loader.prime(row.key, row);
  return rows;
}

/**
 * The registry's roles, lowest rank first, each with every permission it holds (those inherited
 * from lower ranks included): answered from memory, as the authorizer sees them.
 */
export function listRoles(): Role[] {
  return registry.roles.map((r) => ({ name: r.name, label: r.label, rank: r.rank, permissions: [...r.permissions] }));
}

export function findPermissionHealth(ctx: AppContext): Promise<PermissionHealth> {
  return permissionHealth(ctx.db, registry.definitions);
}
