import { registry, validateDefinitions } from "../registry/registry";
import type { RegistryDefinitions } from "../registry/types";
import { desiredState, exportTables, type PermissionTables, rowCount, type Runner } from "./permission.tables";

/** What a sync may do to one row. A returning key is an "update" whose changes include isActive. */
export type SyncChangeKind = "insert" | "update" | "deactivate" | "delete";

export type SyncEntity = "module" | "permission" | "role";

export interface FieldChange {
  from: unknown;
  to: unknown;
}

/** One row's change: which row, and every field that changes (`from` is null on insert). */
export interface SyncChange {
  entity: SyncEntity;
  kind: SyncChangeKind;
  /** The module or permission key, or the role name. */
  key: string;
  changes: Record<string, FieldChange>;
}

export interface SyncOptions {
  /** Rebuild every row from the definitions: delete them all, then insert (one transaction). @default false */
  force?: boolean;
  /** Delete rows whose key left the code instead of only marking them inactive. @default false */
  cleanOrphans?: boolean;
}

export interface SyncPlan {
  force: boolean;
  cleanOrphans: boolean;
  /** Modules first, then permissions, then roles; by key within each. Empty = the tables follow the code. */
  changes: SyncChange[];
  /** Rows the four tables held when planned: a backup is only worth writing when this is not 0. */
  storedRows: number;
}

/** Thrown for definitions that must not reach the database; `problems` are validateDefinitions' sentences. */
export class InvalidDefinitionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`the permission registry is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function assertValid(defs: RegistryDefinitions): void {
  const problems = validateDefinitions(defs);
  if (problems.length) throw new InvalidDefinitionsError(problems);
}

type Comparable = Record<string, unknown>;

/** The fields of `to` that differ from `from` (arrays compared by content). */
function fieldChanges(from: Comparable, to: Comparable): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const [field, value] of Object.entries(to)) {
    if (JSON.stringify(from[field]) !== JSON.stringify(value)) changes[field] = { from: from[field], to: value };
  }
  return changes;
}

function inserted(row: Comparable): Record<string, FieldChange> {
  return Object.fromEntries(Object.entries(row).map(([field, to]) => [field, { from: null, to }]));
}

/**
 * One table's changes: insert what only the code has, update what differs (a stored inactive row
 * whose key is back in the code is reactivated), and retire what only the table has.
 */
function diff(
  entity: SyncEntity,
  stored: Map<string, { active: boolean; fields: Comparable }>,
  desired: Map<string, Comparable>,
  options: Required<SyncOptions>,
): SyncChange[] {
  const changes: SyncChange[] = [];
  const keys = [...new Set([...stored.keys(), ...desired.keys()])].sort();
  for (const key of keys) {
    const now = stored.get(key);
    const want = desired.get(key);
    if (options.force) {
      if (now) changes.push({ entity, kind: "delete", key, changes: {} });
      if (want) changes.push({ entity, kind: "insert", key, changes: inserted(want) });
    } else if (!now) {
      changes.push({ entity, kind: "insert", key, changes: inserted(want!) });
    } else if (!want) {
      if (options.cleanOrphans) changes.push({ entity, kind: "delete", key, changes: {} });
      else if (now.active)
        changes.push({ entity, kind: "deactivate", key, changes: { isActive: { from: true, to: false } } });
    } else {
      const fields = fieldChanges(now.fields, want);
      if (!now.active) fields.isActive = { from: false, to: true };
      if (Object.keys(fields).length) changes.push({ entity, kind: "update", key, changes: fields });
    }
  }
  return changes;
}

/** The changes that make `tables` follow `defs` (pure: no database). */
export function diffTables(tables: PermissionTables, defs: RegistryDefinitions, options: SyncOptions = {}): SyncPlan {
  const opts = { force: options.force ?? false, cleanOrphans: options.cleanOrphans ?? false };
  const want = desiredState(defs);
  const grants = new Map<string, string[]>();
  for (const g of tables.permission_role_grants)
    grants.set(g.role_name, [...(grants.get(g.role_name) ?? []), g.permission_key]);

  const modules = diff(
    "module",
    new Map(
      tables.permission_modules.map((m) => [
        m.key,
        { active: m.is_active, fields: { parentKey: m.parent_key, label: m.label, description: m.description } },
      ]),
    ),
    new Map([...want.modules].map(([key, { key: _key, ...fields }]) => [key, fields])),
    opts,
  );
  const permissions = diff(
    "permission",
    new Map(
      tables.permissions.map((p) => [
        p.key,
        {
          active: p.is_active,
          fields: {
            module: p.module,
            capability: p.capability,
            label: p.label,
            description: p.description,
            isDeprecated: p.is_deprecated,
          },
        },
      ]),
    ),
    new Map([...want.permissions].map(([key, { key: _key, ...fields }]) => [key, fields])),
    opts,
  );
  const roles = diff(
    "role",
    new Map(
      tables.permission_roles.map((r) => [
        r.name,
        {
          active: r.is_active,
          fields: { label: r.label, rank: r.rank, permissions: [...(grants.get(r.name) ?? [])].sort() },
        },
      ]),
    ),
    new Map([...want.roles].map(([name, { name: _name, ...fields }]) => [name, fields])),
    opts,
  );
  return { ...opts, changes: [...modules, ...permissions, ...roles], storedRows: rowCount(tables) };
}

/**
 * What a sync would change, reading the tables once; changes nothing. Refuses invalid definitions
 * (InvalidDefinitionsError): the database never receives a registry that does not validate.
 */
export async function planSync(
  runner: Runner,
  defs: RegistryDefinitions = registry.definitions,
  options: SyncOptions = {},
): Promise<SyncPlan> {
  assertValid(defs);
  return diffTables(await exportTables(runner), defs, options);
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(", ")}]` : JSON.stringify(value);
}

/** One line per change, for people: `update permission groups.view: label "A" -> "B"`. */
export function formatChange(change: SyncChange): string {
  const fields = Object.entries(change.changes).map(([field, { from, to }]) =>
    change.kind === "insert" ? `${field} ${show(to)}` : `${field} ${show(from)} -> ${show(to)}`,
  );
  return `${change.kind} ${change.entity} ${change.key}${fields.length ? `: ${fields.join(", ")}` : ""}`;
}
