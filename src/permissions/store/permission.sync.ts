import type { DataSource } from "typeorm";
import { loadConfig } from "../../config";
import { inTransaction, query, raw, sql, value } from "../../db";
import { logger } from "../../shared/logger";
import { registry } from "../registry/registry";
import type { RegistryDefinitions } from "../registry/types";
import { writeBackup } from "./permission.backup";
import { assertValid, diffTables, type SyncChange, type SyncOptions, type SyncPlan } from "./permission.plan";
import { desiredState, type DesiredState, exportTables, type Runner } from "./permission.tables";

/** pg_advisory_xact_lock key of the sync: replicas starting together apply one after the other. */
const SYNC_LOCK = 7305002;

export interface ApplyOptions extends SyncOptions {
  /** Plan only: answer the changes, write nothing (no backup either). @default false */
  dryRun?: boolean;
  /** Backups go to `<dataDir>/permission-backups`. @default DATA_DIR as the config reads it */
  dataDir?: string;
}

export interface SyncResult {
  /** What was applied, or with dryRun what would be. */
  plan: SyncPlan;
  applied: boolean;
  /** The backup written before the changes; undefined when nothing changed or the tables were empty. */
  backupPath: string | undefined;
}

/** Counts per change kind, for one log line or one CLI line. */
export function summarize(changes: SyncChange[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of changes) counts[`${c.entity}.${c.kind}`] = (counts[`${c.entity}.${c.kind}`] ?? 0) + 1;
  return counts;
}

function keysOf(changes: SyncChange[], entity: SyncChange["entity"], ...kinds: SyncChange["kind"][]): string[] {
  return changes.filter((c) => c.entity === entity && kinds.includes(c.kind)).map((c) => c.key);
}

/**
 * Applies `changes` with a handful of set-based statements (never one per row): deletions first
 * (grants go with their role or permission), then deactivations, then upserts of modules,
 * permissions and roles, and last the grants of every role inserted or whose grants changed.
 */
async function applyChanges(tx: Runner, changes: SyncChange[], want: DesiredState): Promise<void> {
  const deleted = (entity: SyncChange["entity"]) => keysOf(changes, entity, "delete");
  const deactivated = (entity: SyncChange["entity"]) => keysOf(changes, entity, "deactivate");
  const upserted = (entity: SyncChange["entity"]) => keysOf(changes, entity, "insert", "update");

  // Table and key column names are this code's (raw), the keys are parameters.
  const tables = [
    ["role", raw("permission_roles"), raw("name")],
    ["permission", raw("permissions"), raw("key")],
    ["module", raw("permission_modules"), raw("key")],
  ] as const;
  for (const [entity, table, key] of tables) {
    const gone = deleted(entity);
    if (gone.length) await query(tx, sql`DELETE FROM ${table} WHERE ${key} = ANY(${value(gone)}::text[])`);
  }
  for (const [entity, table, key] of tables) {
    const retired = deactivated(entity);
    if (retired.length) {
      await query(
        tx,
        sql`UPDATE ${table} SET is_active = false, updated_at = now() WHERE ${key} = ANY(${value(retired)}::text[])`,
      );
    }
  }

  const modules = upserted("module").map((k) => want.modules.get(k)!);
  if (modules.length) {
    const rows = JSON.stringify(modules.map((m) => ({ ...m, parent_key: m.parentKey })));
    await query(
      tx,
      sql`INSERT INTO permission_modules (key, parent_key, label, description)
       SELECT key, parent_key, label, description FROM json_populate_recordset(NULL::permission_modules, ${rows}::json)
       ON CONFLICT (key) DO UPDATE SET parent_key = EXCLUDED.parent_key, label = EXCLUDED.label,
         description = EXCLUDED.description, is_active = true, updated_at = now()`,
    );
  }
  const permissions = upserted("permission").map((k) => want.permissions.get(k)!);
  if (permissions.length) {
    const rows = JSON.stringify(permissions.map((p) => ({ ...p, is_deprecated: p.isDeprecated })));
    await query(
      tx,
      sql`INSERT INTO permissions (key, module, capability, label, description, is_deprecated)
       SELECT key, module, capability, label, description, is_deprecated
       FROM json_populate_recordset(NULL::permissions, ${rows}::json)
       ON CONFLICT (key) DO UPDATE SET module = EXCLUDED.module, capability = EXCLUDED.capability,
         label = EXCLUDED.label, description = EXCLUDED.description, is_deprecated = EXCLUDED.is_deprecated,
         is_active = true, updated_at = now()`,
    );
  }
  const roles = upserted("role").map((k) => want.roles.get(k)!);
  if (roles.length) {
    await query(
      tx,
      sql`INSERT INTO permission_roles (name, label, rank)
       SELECT name, label, rank FROM json_populate_recordset(NULL::permission_roles, ${JSON.stringify(roles)}::json)
       ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label, rank = EXCLUDED.rank,
         is_active = true, updated_at = now()`,
    );
  }
  const regranted = changes
    .filter((c) => c.entity === "role" && (c.kind === "insert" || (c.kind === "update" && "permissions" in c.changes)))
    .map((c) => want.roles.get(c.key)!);
  if (regranted.length) {
    const names = regranted.map((r) => r.name);
    await query(tx, sql`DELETE FROM permission_role_grants WHERE role_name = ANY(${value(names)}::text[])`);
    const grants = regranted.flatMap((r) => r.permissions.map((p) => ({ role_name: r.name, permission_key: p })));
    if (grants.length) {
      await query(
        tx,
        sql`INSERT INTO permission_role_grants (role_name, permission_key)
         SELECT role_name, permission_key FROM json_populate_recordset(NULL::permission_role_grants, ${JSON.stringify(grants)}::json)`,
      );
    }
  }
}

/**
 * Makes the permission tables follow the definitions, in ONE transaction under an advisory lock,
 * so replicas starting together do not collide (the second finds nothing left to do). Before it
 * changes tables that hold rows it writes a JSON backup of them (`backupPath`). Each change is
 * logged and returned. Nothing changes when the plan is empty (one read, no transaction, no log)
 * or with `dryRun`. Refuses definitions that do not validate (InvalidDefinitionsError).
 */
export async function applySync(
  db: DataSource,
  defs: RegistryDefinitions = registry.definitions,
  options: ApplyOptions = {},
): Promise<SyncResult> {
  assertValid(defs);
  const preview = diffTables(await exportTables(db), defs, options);
  if (options.dryRun || preview.changes.length === 0) return { plan: preview, applied: false, backupPath: undefined };
  const want = desiredState(defs);
  const result = await inTransaction(db, async (tx): Promise<SyncResult> => {
    await query(tx, sql`SELECT pg_advisory_xact_lock(${SYNC_LOCK})`);
    // Planned again under the lock: another replica may have applied it meanwhile.
    const tables = await exportTables(tx);
    const plan = diffTables(tables, defs, options);
    if (plan.changes.length === 0) return { plan, applied: false, backupPath: undefined };
    const backupPath = plan.storedRows > 0 ? writeBackup(options.dataDir ?? loadConfig().dataDir, tables) : undefined;
    await applyChanges(tx, plan.changes, want);
    return { plan, applied: true, backupPath };
  });
  // Logged once committed, so the log never reports a change that was rolled back.
  for (const change of result.applied ? result.plan.changes : []) {
    logger.info("permission registry change", {
      entity: change.entity,
      kind: change.kind,
      key: change.key,
      changes: change.changes,
    });
  }
  return result;
}
