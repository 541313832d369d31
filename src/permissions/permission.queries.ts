import DataLoader from "dataloader";
import { query } from "../db";
import { type AppContext, byKey, groupedByKey, perRequest } from "../shared/context";
import { registry } from "./registry/registry";
import { permissionHealth } from "./store";
import type { Permission, PermissionHealth, PermissionModule, Role } from "./permission.types";

const PERMISSION_COLUMNS = `p.key, p.module, p.capability, p.label, p.description, p.is_active AS "isActive",
  p.is_deprecated AS "isDeprecated", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

const MODULE_COLUMNS = `m.key, m.label, m.description, m.parent_key AS "parentKey"`;

/** Stored permissions by key, active or not (null for an unknown key). */
export const permissionsByKey = perRequest(
  (ctx) =>
    new DataLoader<string, Permission | null>(async (keys) => {
      const rows = await query<Permission>(
        ctx.db,
        `SELECT ${PERMISSION_COLUMNS} FROM permissions p WHERE p.key = ANY($1::text[])`,
        [keys],
      );
      return byKey(keys, rows, (row) => row.key);
    }),
);

/** Stored modules by key, active or not: a module's parent may be an orphan awaiting clean-up. */
export const permissionModulesByKey = perRequest(
  (ctx) =>
    new DataLoader<string, PermissionModule | null>(async (keys) => {
      const rows = await query<PermissionModule>(
        ctx.db,
        `SELECT ${MODULE_COLUMNS} FROM permission_modules m WHERE m.key = ANY($1::text[])`,
        [keys],
      );
      return byKey(keys, rows, (row) => row.key);
    }),
);

/** Active permissions of each module (deprecated ones included), by key. */
export const permissionsByModule = perRequest(
  (ctx) =>
    new DataLoader<string, Permission[]>(async (modules) => {
      const rows = await query<Permission>(
        ctx.db,
        `SELECT ${PERMISSION_COLUMNS} FROM permissions p
         WHERE p.module = ANY($1::text[]) AND p.is_active ORDER BY p.key`,
        [modules],
      );
      return groupedByKey(modules, rows, (row) => row.module);
    }),
);

export interface PermissionFilter {
  keys?: string[] | null;
  module?: string | null;
  capability?: string | null;
  includeInactive?: boolean | null;
  includeDeprecated?: boolean | null;
}

/**
 * Stored permissions matching every given filter, in one statement: in the order of `keys` when
 * given (unknown keys left out), otherwise by key.
 */
export async function listPermissions(ctx: AppContext, filter: PermissionFilter): Promise<Permission[]> {
  if (filter.keys && filter.keys.length === 0) return [];
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.keys) where.push(`p.key = ANY($${params.push(filter.keys)}::text[])`);
  if (filter.module != null) where.push(`p.module = $${params.push(filter.module)}`);
  if (filter.capability != null) where.push(`p.capability = $${params.push(filter.capability)}`);
  if (!filter.includeInactive) where.push("p.is_active");
  if (filter.includeDeprecated === false) where.push("NOT p.is_deprecated");
  const order = filter.keys ? `array_position($1::text[], p.key::text), p.key` : "p.key";
  return query<Permission>(
    ctx.db,
    `SELECT ${PERMISSION_COLUMNS} FROM permissions p
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order}`,
    params,
  );
}

/** Active modules, by key; primes the module loader so parents among them cost no statement. */
export async function listPermissionModules(ctx: AppContext): Promise<PermissionModule[]> {
  const rows = await query<PermissionModule>(
    ctx.db,
    `SELECT ${MODULE_COLUMNS} FROM permission_modules m WHERE m.is_active ORDER BY m.key`,
  );
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
