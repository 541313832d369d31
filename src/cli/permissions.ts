import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { createDataSource } from "../../ormconfig";
import { resolveDatabase } from "../bootstrap";
import { loadConfig } from "../config";
import type { DataSource } from "../db";
import {
  applySync,
  effectiveRoles,
  exportTables,
  formatChange,
  type PermissionTotals,
  permissionTotals,
  registry,
  type RegistryDefinitions,
  validateDefinitions,
} from "../permissions";
import { logger } from "../shared/logger";

const USAGE = `Usage: npm run permissions:<command> [-- flags]
  permissions:validate [--definitions <file.json>]   check the registry; needs no database
  permissions:sync [--dry-run] [--clean-orphans] [--force]
                                                      make the permission tables follow the code
  permissions:export                                  print the permission tables as JSON
  permissions:health [--definitions <file.json>]      compare the tables with the code; totals
--definitions reads a JSON {modules, permissions, roles} instead of the code's registry (validate,
health, sync --dry-run). Works on DATABASE_URL, or on the embedded database under DATA_DIR.`;

interface Args {
  command: string | undefined;
  dryRun: boolean;
  cleanOrphans: boolean;
  force: boolean;
  definitions: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: argv[0], dryRun: false, cleanOrphans: false, force: false, definitions: undefined };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--dry-run") args.dryRun = true;
    else if (flag === "--clean-orphans") args.cleanOrphans = true;
    else if (flag === "--force") args.force = true;
    else if (flag === "--definitions" && argv[i + 1]) args.definitions = argv[++i];
    else throw new Error(`unknown or incomplete flag "${flag}"\n${USAGE}`);
  }
  return args;
}

/** The code's merged registry, or a JSON file of definitions (to check a set before it becomes code). */
function loadDefinitions(file: string | undefined): RegistryDefinitions {
  if (file === undefined) return registry.definitions;
  const parsed = JSON.parse(fs.readFileSync(path.resolve(file), "utf8")) as Partial<RegistryDefinitions>;
  if (!Array.isArray(parsed.modules) || !Array.isArray(parsed.permissions) || !Array.isArray(parsed.roles)) {
    throw new Error(`${file}: expected a JSON object with arrays "modules", "permissions" and "roles"`);
  }
  return parsed as RegistryDefinitions;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function validate(defs: RegistryDefinitions): number {
  const problems = validateDefinitions(defs);
  if (problems.length) {
    process.stderr.write(
      `the permission registry is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}\n`).join(""),
    );
    return 1;
  }
  print(
    `permission registry valid: ${defs.permissions.length} permissions in ${defs.modules.length} modules, ` +
      `${defs.roles.length} roles`,
  );
  // What each role ends up holding, so a grant to one role shows up in those ranked above it too.
  print("roles, lowest rank first (each also holds the permissions of every role ranked below it):");
  for (const role of effectiveRoles(defs.roles)) {
    const n = role.permissions.length;
    print(`  ${role.name} (rank ${role.rank}): ${n} permission${n === 1 ? "" : "s"}`);
  }
  return 0;
}

async function sync(db: DataSource, args: Args, dataDir: string): Promise<void> {
  if (args.definitions !== undefined && !args.dryRun) {
    throw new Error("--definitions is for --dry-run only: the database follows the code, so sync the code's registry");
  }
  const result = await applySync(db, loadDefinitions(args.definitions), {
    force: args.force,
    cleanOrphans: args.cleanOrphans,
    dryRun: args.dryRun,
    dataDir,
  });
  const { changes } = result.plan;
  if (changes.length === 0) return print("nothing to change: the permission tables follow the code");
  print(
    args.dryRun
      ? `dry run: ${changes.length} change(s) planned, nothing written`
      : `applied ${changes.length} change(s)${args.force ? " (forced rebuild)" : ""}`,
  );
  for (const change of changes) print(`  ${formatChange(change)}`);
  if (result.applied) {
    print(result.backupPath ? `backup of the tables before: ${result.backupPath}` : "no backup: the tables were empty");
  }
}

function printTotals(t: PermissionTotals): void {
  const list = (keys: string[]) => (keys.length ? keys.join(", ") : "none");
  print(`status: ${t.health.status}`);
  print(
    `defined ${t.health.definedCount}, stored ${t.health.storedCount}: active ${t.active} ` +
      `(deprecated ${t.deprecated}), inactive ${t.inactive}; active roles ${t.roles}`,
  );
  print(`orphaned (in the database, not in code): ${list(t.health.orphanedKeys)}`);
  print(`missing (in code, not synced): ${list(t.health.missingKeys)}`);
  print("per module:");
  for (const m of t.modules) {
    print(`  ${m.module}: active ${m.active}, deprecated ${m.deprecated}, inactive ${m.inactive}`);
  }
  print("roles granting each key:");
  for (const g of t.grants) print(`  ${g.key}: ${g.roles}`);
}

async function withDatabase(work: (db: DataSource, dataDir: string) => Promise<void>, quiet: boolean): Promise<void> {
  const config = loadConfig();
  // stdout carries the command's answer (JSON for export): log lines only when asked for.
  logger.setLevel(quiet ? "silent" : process.env.LOG_LEVEL ? config.logLevel : "warn");
  const { url, embedded } = await resolveDatabase(config);
  const db = createDataSource(url, { poolSize: 2, applicationName: "groups-subgraph-permissions" });
  try {
    await db.initialize();
    if (await db.showMigrations()) {
      throw new Error("the database has pending migrations: run `npm run migrate` first");
    }
    await work(db, config.dataDir);
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  switch (args.command) {
    case "validate":
      return validate(loadDefinitions(args.definitions));
    case "sync":
      await withDatabase((db, dataDir) => sync(db, args, dataDir), false);
      return 0;
    case "export":
      await withDatabase(async (db) => print(JSON.stringify(await exportTables(db), null, 2)), true);
      return 0;
    case "health":
      await withDatabase(
        async (db) => printTotals(await permissionTotals(db, loadDefinitions(args.definitions))),
        false,
      );
      return 0;
    default:
      throw new Error(USAGE);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
