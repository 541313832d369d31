import { type DataSource, type EntityManager, query, sql } from "../../db";
import { effectiveRoles } from "../registry/registry";
import type { RegistryDefinitions } from "../registry/types";

/** Where the store reads and writes: the DataSource, or the EntityManager of an open transaction. */
export type Runner = DataSource | EntityManager;

/*
 * Rows exactly as the tables hold them (snake_case columns, timestamps as ISO strings): the shape of
 * `exportTables` and of the backups, so a backup can be put back with json_populate_recordset.
 */

export interface ModuleRow {
  key: string;
  parent_key: string | null;
  label: string;
  description: string | null;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface PermissionRow {
  key: string;
  module: string;
  capability: string;
  label: string;
  description: string | null;
  is_active: boolean;
  is_deprecated: boolean;
  created_at: string;
  updated_at: string;
}

export interface RoleRow {
  name: string;
  label: string;
  rank: number;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface GrantRow {
  role_name: string;
  permission_key: string;
}

/** The four permission tables, each ordered by its key: what `permissions:export` prints and backups hold. */
export interface PermissionTables {
  permission_modules: ModuleRow[];
  permissions: PermissionRow[];
  permission_roles: RoleRow[];
  permission_role_grants: GrantRow[];
}

export const TABLE_NAMES = ["permission_modules", "permissions", "permission_roles", "permission_role_grants"] as const;

const EXPORT_SQL = sql`
  SELECT
    (SELECT coalesce(json_agg(t ORDER BY t.key), '[]') FROM permission_modules t) AS permission_modules,
    (SELECT coalesce(json_agg(t ORDER BY t.key), '[]') FROM permissions t) AS permissions,
    (SELECT coalesce(json_agg(t ORDER BY t.name), '[]') FROM permission_roles t) AS permission_roles,
    (SELECT coalesce(json_agg(t ORDER BY t.role_name, t.permission_key), '[]')
       FROM permission_role_grants t) AS permission_role_grants`;

function isMissingTable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  return (e?.driverError?.code ?? e?.code) === "42P01";
}

/** Every row of the permission tables, in one statement (one consistent snapshot). */
export async function exportTables(runner: Runner): Promise<PermissionTables> {
  try {
    const [row] = await query<PermissionTables>(runner, EXPORT_SQL);
    return row!;
  } catch (error) {
    // Every store function reads through here first: name the step the operator forgot.
    if (isMissingTable(error)) {
      throw new Error("the permission tables do not exist yet: apply the migrations first (npm run migrate)");
    }
    throw error;
  }
}

export function rowCount(tables: PermissionTables): number {
  return TABLE_NAMES.reduce((sum, name) => sum + tables[name].length, 0);
}

/** What the definitions say a module row holds (everything but flags and timestamps). */
export interface DesiredModule {
  key: string;
  parentKey: string | null;
  label: string;
  description: string | null;
}

export interface DesiredPermission {
  key: string;
  module: string;
  capability: string;
  label: string;
  description: string | null;
  isDeprecated: boolean;
}

export interface DesiredRole {
  name: string;
  label: string;
  rank: number;
  /**
   * What the role effectively grants, inherited ones included (as `Query.roles` answers), sorted,
   * without duplicates: permission_role_grants says who holds a key, not where it was listed.
   */
  permissions: string[];
}

export interface DesiredState {
  modules: Map<string, DesiredModule>;
  permissions: Map<string, DesiredPermission>;
  roles: Map<string, DesiredRole>;
}

/** The rows the definitions ask for, by key. The capability is what follows "<module>." in the key. */
export function desiredState(defs: RegistryDefinitions): DesiredState {
  return {
    modules: new Map(
      defs.modules.map((m) => [
        m.key,
        { key: m.key, parentKey: m.parent ?? null, label: m.label, description: m.description ?? null },
      ]),
    ),
    permissions: new Map(
      defs.permissions.map((p) => [
        p.key,
        {
          key: p.key,
          module: p.module,
          capability: p.key.slice(p.module.length + 1),
          label: p.label,
          description: p.description ?? null,
          isDeprecated: p.deprecated ?? false,
        },
      ]),
    ),
    roles: new Map(
      effectiveRoles(defs.roles).map((r) => [
        r.name,
        { name: r.name, label: r.label, rank: r.rank, permissions: [...new Set(r.permissions)].sort() },
      ]),
    ),
  };
}
