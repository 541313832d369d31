import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { PermissionRegistry1795000001000 } from "../migrations/1795000001000-PermissionRegistry";
import { createDataSource } from "../ormconfig";
import {
  applySync,
  exportTables,
  InvalidDefinitionsError,
  type PermissionTables,
  permissionHealth,
  permissionTotals,
  planSync,
  registry,
  type RegistryDefinitions,
} from "../src/permissions";
import { logger } from "../src/shared/logger";
import { createTestDatabase } from "./utils/service";

/** A deep copy of this deployment's definitions, to change one thing at a time. */
function code(): RegistryDefinitions {
  return structuredClone(registry.definitions) as RegistryDefinitions;
}

/** `code()` without one permission key (and without the grants of it, which validation would refuse). */
function without(key: string, defs = code()): RegistryDefinitions {
  return {
    ...defs,
    permissions: defs.permissions.filter((p) => p.key !== key),
    roles: defs.roles.map((r) => ({ ...r, permissions: r.permissions.filter((p) => p !== key) })),
  };
}

/** What the tables must hold for `defs`, timestamps aside. */
function expectedTables(defs: RegistryDefinitions) {
  return {
    permission_modules: defs.modules
      .map((m) => ({
        key: m.key,
        parent_key: m.parent ?? null,
        label: m.label,
        description: m.description ?? null,
        is_active: true,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    permissions: defs.permissions
      .map((p) => ({
        key: p.key,
        module: p.module,
        capability: p.key.slice(p.module.length + 1),
        label: p.label,
        description: p.description ?? null,
        is_active: true,
        is_deprecated: p.deprecated ?? false,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    permission_roles: defs.roles
      .map((r) => ({ name: r.name, label: r.label, rank: r.rank, is_active: true }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    // A role's grants are what it holds: its own and those of every role ranked below it.
    permission_role_grants: defs.roles
      .flatMap((r) =>
        [...new Set(defs.roles.filter((lower) => lower.rank <= r.rank).flatMap((lower) => lower.permissions))].map(
          (p) => ({ role_name: r.name, permission_key: p }),
        ),
      )
      .sort((a, b) => a.role_name.localeCompare(b.role_name) || a.permission_key.localeCompare(b.permission_key)),
  };
}

function withoutTimestamps(tables: PermissionTables) {
  const strip = <T extends object>(rows: T[]) =>
    rows.map((row) => {
      const { created_at: _c, updated_at: _u, ...rest } = row as T & { created_at?: string; updated_at?: string };
      return rest;
    });
  return {
    permission_modules: strip(tables.permission_modules),
    permissions: strip(tables.permissions),
    permission_roles: strip(tables.permission_roles),
    permission_role_grants: tables.permission_role_grants,
  };
}

function backupsIn(dataDir: string): string[] {
  const dir = path.join(dataDir, "permission-backups");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

async function migratedDatabase() {
  const database = await createTestDatabase();
  const ds = createDataSource(database.url, { poolSize: 5 });
  await ds.initialize();
  await ds.runMigrations({ transaction: "each" });
  return { ...database, ds };
}

describe("permission registry sync", () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  let ds: DataSource;
  let dataDir: string;

  beforeAll(async () => {
    db = await migratedDatabase();
    ds = db.ds;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "permissions-sync-"));
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => jest.restoreAllMocks());

  it("stores every key of an empty database, healthy, and writes no backup of empty tables", async () => {
    const result = await applySync(ds, code(), { dataDir });
    expect(result.applied).toBe(true);
    expect(result.backupPath).toBeUndefined();
    expect(result.plan.changes.every((c) => c.kind === "insert")).toBe(true);
    expect(result.plan.changes).toHaveLength(
      registry.definitions.modules.length + registry.definitions.permissions.length + registry.definitions.roles.length,
    );
    expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(code()));
    expect(await permissionHealth(ds, code())).toEqual({
      status: "healthy",
      definedCount: 11,
      storedCount: 11,
      orphanedKeys: [],
      missingKeys: [],
    });
    expect(backupsIn(dataDir)).toEqual([]);
  });

  it("finds nothing to do when the tables follow the code: no transaction, no backup, no log", async () => {
    const info = jest.spyOn(logger, "info");
    const result = await applySync(ds, code(), { dataDir });
    expect(result).toEqual({ plan: expect.objectContaining({ changes: [] }), applied: false, backupPath: undefined });
    expect(info).not.toHaveBeenCalled();
    expect(backupsIn(dataDir)).toEqual([]);
  });

  it("keeps a key that left the code as an inactive orphan, backs the tables up first, and warns", async () => {
    const before = await exportTables(ds);
    const result = await applySync(ds, without("events.view"), { dataDir });
    expect(result.plan.changes).toEqual(
      expect.arrayContaining([
        {
          entity: "permission",
          kind: "deactivate",
          key: "events.view",
          changes: { isActive: { from: true, to: false } },
        },
        expect.objectContaining({ entity: "role", kind: "update", key: "member" }),
      ]),
    );
    const stored = (await exportTables(ds)).permissions.find((p) => p.key === "events.view");
    expect(stored).toMatchObject({ is_active: false });
    expect(await permissionHealth(ds, without("events.view"))).toEqual({
      status: "warning",
      definedCount: 10,
      storedCount: 11,
      orphanedKeys: ["events.view"],
      missingKeys: [],
    });

    // The backup holds the tables as they were before the change, in exportTables' shape.
    expect(result.backupPath).toMatch(/permission-backups\/permissions-[\dT-]+Z\.json$/);
    expect(path.dirname(result.backupPath!)).toBe(path.join(dataDir, "permission-backups"));
    expect(JSON.parse(fs.readFileSync(result.backupPath!, "utf8"))).toEqual(before);
  });

  it("reactivates a key that returns, keeping its creation time", async () => {
    const orphan = (await exportTables(ds)).permissions.find((p) => p.key === "events.view")!;
    const result = await applySync(ds, code(), { dataDir });
    expect(result.plan.changes).toContainEqual({
      entity: "permission",
      kind: "update",
      key: "events.view",
      changes: { isActive: { from: false, to: true } },
    });
    const back = (await exportTables(ds)).permissions.find((p) => p.key === "events.view")!;
    expect(back).toMatchObject({ is_active: true, created_at: orphan.created_at });
    expect((await permissionHealth(ds, code())).status).toBe("healthy");
    expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(code()));
  });

  it("deletes orphans with cleanOrphans, grants included, and is healthy again", async () => {
    const defs = without("events.view");
    await applySync(ds, defs, { dataDir });
    const result = await applySync(ds, defs, { dataDir, cleanOrphans: true });
    expect(result.plan.changes).toEqual([{ entity: "permission", kind: "delete", key: "events.view", changes: {} }]);
    const tables = await exportTables(ds);
    expect(tables.permissions.map((p) => p.key)).not.toContain("events.view");
    expect(tables.permission_role_grants.map((g) => g.permission_key)).not.toContain("events.view");
    expect(await permissionHealth(ds, defs)).toMatchObject({ status: "healthy", orphanedKeys: [], missingKeys: [] });

    // Back to the code's registry: the key is missing until synced, then inserted anew.
    expect(await permissionHealth(ds, code())).toMatchObject({ status: "warning", missingKeys: ["events.view"] });
    await applySync(ds, code(), { dataDir });
    expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(code()));
  });

  it("dry run returns the plan and changes nothing, backups included", async () => {
    const defs = code();
    defs.permissions.find((p) => p.key === "groups.view")!.label = "See group";
    const before = await exportTables(ds);
    const backups = backupsIn(dataDir);

    const result = await applySync(ds, defs, { dataDir, dryRun: true });
    expect(result.applied).toBe(false);
    expect(result.plan.changes).toEqual([
      {
        entity: "permission",
        kind: "update",
        key: "groups.view",
        changes: { label: { from: "View group", to: "See group" } },
      },
    ]);
    expect((await planSync(ds, defs)).changes).toEqual(result.plan.changes);
    expect(await exportTables(ds)).toEqual(before);
    expect(backupsIn(dataDir)).toEqual(backups);
  });

  it("updates labels, descriptions, deprecation and module labels, and logs each change with what changed", async () => {
    const defs = code();
    const view = defs.permissions.find((p) => p.key === "groups.view")!;
    view.label = "See group";
    view.description = "See a PRIVATE group";
    defs.permissions.find((p) => p.key === "leaders.manage")!.deprecated = true;
    defs.modules.find((m) => m.key === "events")!.label = "Audit trail";
    defs.roles.find((r) => r.name === "viewer")!.label = "Reader";
    const info = jest.spyOn(logger, "info");
    const before = (await exportTables(ds)).permissions.find((p) => p.key === "groups.view")!;

    const result = await applySync(ds, defs, { dataDir });
    expect(result.plan.changes).toEqual([
      { entity: "module", kind: "update", key: "events", changes: { label: { from: "Events", to: "Audit trail" } } },
      {
        entity: "permission",
        kind: "update",
        key: "groups.view",
        changes: {
          label: { from: "View group", to: "See group" },
          description: { from: "See a PRIVATE group and its details", to: "See a PRIVATE group" },
        },
      },
      {
        entity: "permission",
        kind: "update",
        key: "leaders.manage",
        changes: { isDeprecated: { from: false, to: true } },
      },
      { entity: "role", kind: "update", key: "viewer", changes: { label: { from: "Viewer", to: "Reader" } } },
    ]);
    for (const change of result.plan.changes) {
      expect(info).toHaveBeenCalledWith("permission registry change", {
        entity: change.entity,
        kind: change.kind,
        key: change.key,
        changes: change.changes,
      });
    }
    const after = await exportTables(ds);
    expect(withoutTimestamps(after)).toEqual(expectedTables(defs));
    const view2 = after.permissions.find((p) => p.key === "groups.view")!;
    expect(view2.created_at).toBe(before.created_at);
    expect(new Date(view2.updated_at).getTime()).toBeGreaterThan(new Date(before.updated_at).getTime());
    expect(await permissionTotals(ds, defs)).toMatchObject({ active: 11, deprecated: 1, inactive: 0, roles: 4 });
  });

  it("force rebuilds the tables exactly from the definitions, whatever they held", async () => {
    // Drift no sync would make: a stray key, a stray grant, a hand-edited label.
    await ds.query(
      `INSERT INTO permissions (key, module, capability, label) VALUES ('stray.key', 'stray', 'key', 'S')`,
    );
    await ds.query(`INSERT INTO permission_role_grants VALUES ('viewer', 'stray.key')`);
    await ds.query(`UPDATE permission_roles SET label = 'Hand-edited' WHERE name = 'owner'`);
    const before = await exportTables(ds);

    const result = await applySync(ds, code(), { dataDir, force: true });
    expect(result.applied).toBe(true);
    expect(result.plan.force).toBe(true);
    const kinds = new Set(result.plan.changes.map((c) => `${c.entity} ${c.kind}`));
    expect(kinds).toEqual(
      new Set([
        "module delete",
        "module insert",
        "permission delete",
        "permission insert",
        "role delete",
        "role insert",
      ]),
    );
    const after = await exportTables(ds);
    expect(withoutTimestamps(after)).toEqual(expectedTables(code()));
    // Rebuilt, not patched: every row is new.
    const created = before.permissions.find((p) => p.key === "groups.view")!.created_at;
    expect(after.permissions.find((p) => p.key === "groups.view")!.created_at).not.toBe(created);
    expect(JSON.parse(fs.readFileSync(result.backupPath!, "utf8"))).toEqual(before);
  });

  it("repairs a drifted grant without force", async () => {
    await ds.query(`DELETE FROM permission_role_grants WHERE role_name = 'owner' AND permission_key = 'groups.delete'`);
    const result = await applySync(ds, code(), { dataDir });
    expect(result.plan.changes).toEqual([
      {
        entity: "role",
        kind: "update",
        key: "owner",
        changes: {
          permissions: {
            from: expect.not.arrayContaining(["groups.delete"]),
            to: expect.arrayContaining(["groups.delete"]),
          },
        },
      },
    ]);
    expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(code()));
  });

  it("stores what each role holds: a key granted to admin is granted to owner too", async () => {
    const defs = code();
    defs.modules.push({ key: "reports", label: "Reports" });
    defs.permissions.push({ key: "reports.export", module: "reports", label: "Export reports" });
    defs.roles.find((r) => r.name === "admin")!.permissions.push("reports.export");
    try {
      const result = await applySync(ds, defs, { dataDir });
      expect(result.plan.changes.filter((c) => c.entity === "role").map((c) => [c.kind, c.key])).toEqual([
        ["update", "admin"],
        ["update", "owner"],
      ]);
      const holders = (await exportTables(ds)).permission_role_grants
        .filter((g) => g.permission_key === "reports.export")
        .map((g) => g.role_name);
      expect(holders).toEqual(["admin", "owner"]);
      expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(defs));
    } finally {
      await applySync(ds, code(), { dataDir, cleanOrphans: true });
    }
    expect(withoutTimestamps(await exportTables(ds))).toEqual(expectedTables(code()));
  });

  it("refuses definitions that do not validate, and changes nothing", async () => {
    const defs = code();
    defs.roles[0]!.permissions.push("groups.fly");
    const before = await exportTables(ds);
    await expect(applySync(ds, defs, { dataDir })).rejects.toThrow(InvalidDefinitionsError);
    await expect(applySync(ds, defs, { dataDir })).rejects.toThrow(/role "viewer" grants "groups\.fly"/);
    expect(await exportTables(ds)).toEqual(before);
  });

  it("lets replicas starting together sync once: the advisory lock makes the others find nothing to do", async () => {
    const fresh = await migratedDatabase();
    try {
      const results = await Promise.all([1, 2, 3, 4].map(() => applySync(fresh.ds, code(), { dataDir })));
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      expect(withoutTimestamps(await exportTables(fresh.ds))).toEqual(expectedTables(code()));
    } finally {
      await fresh.ds.destroy();
      await fresh.drop();
    }
  });

  it("tells to migrate first when the tables do not exist", async () => {
    const bare = await createTestDatabase();
    const bareDs = createDataSource(bare.url, { poolSize: 1 });
    await bareDs.initialize();
    try {
      await expect(applySync(bareDs, code(), { dataDir })).rejects.toThrow(/npm run migrate/);
    } finally {
      await bareDs.destroy();
      await bare.drop();
    }
  });
});

describe("the PermissionRegistry migration", () => {
  it("down drops the four tables and up creates them again, with the key-has-dot check", async () => {
    const db = await migratedDatabase();
    const tables = async () =>
      (
        (await db.ds.query(
          `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'permission%' ORDER BY 1`,
        )) as { table_name: string }[]
      ).map((r) => r.table_name);
    const runner = db.ds.createQueryRunner();
    try {
      expect(await tables()).toEqual([
        "permission_modules",
        "permission_role_grants",
        "permission_roles",
        "permissions",
      ]);
      await new PermissionRegistry1795000001000().down(runner);
      expect(await tables()).toEqual([]);
      await new PermissionRegistry1795000001000().up(runner);
      expect(await tables()).toHaveLength(4);
      await expect(
        db.ds.query(`INSERT INTO permissions (key, module, capability, label) VALUES ('nodot', 'x', 'y', 'z')`),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ constraint: "permissions_key_has_dot" }) });
    } finally {
      await runner.release();
      await db.ds.destroy();
      await db.drop();
    }
  });
});

describe("the permissions CLI (built)", () => {
  const root = path.resolve(__dirname, "..");
  const cli = path.join(root, "dist/src/cli/permissions.js");
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  let dataDir: string;

  beforeAll(async () => {
    try {
      execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
        cwd: root,
        stdio: "pipe",
      });
    } catch {
      // tsc still emits when some file fails to type-check; `npm test` runs the typecheck on its own.
    }
    expect(fs.existsSync(cli)).toBe(true);
    db = await migratedDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "permissions-cli-"));
  }, 120000);

  afterAll(async () => {
    await db.ds.destroy();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function run(args: string[], databaseUrl = db.url) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir };
    delete env.LOG_LEVEL;
    const res = spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: "utf8", timeout: 30000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  }

  function definitionsFile(defs: RegistryDefinitions): string {
    const file = path.join(dataDir, `definitions-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(defs));
    return file;
  }

  it("validate: accepts the deployment's registry with a summary and what each role holds, needing no database", () => {
    const res = run(["validate"], "postgres://nobody@127.0.0.1:1/none");
    expect(res).toEqual({
      code: 0,
      stdout:
        "permission registry valid: 11 permissions in 5 modules, 4 roles\n" +
        "roles, lowest rank first (each also holds the permissions of every role ranked below it):\n" +
        "  viewer (rank 10): 1 permission\n" +
        "  member (rank 20): 3 permissions\n" +
        "  admin (rank 30): 10 permissions\n" +
        "  owner (rank 40): 11 permissions\n",
      stderr: "",
    });
  });

  const broken: [string, (defs: RegistryDefinitions) => void, RegExp][] = [
    [
      "a key without a dot",
      (d) => d.permissions.push({ key: "groups", module: "groups", label: "x" }),
      /permission "groups" has no dot/,
    ],
    [
      "a key not starting with its module",
      (d) => d.permissions.push({ key: "members.ban", module: "groups", label: "x" }),
      /permission "members\.ban" does not start with its module "groups"/,
    ],
    [
      "a duplicate key",
      (d) => d.permissions.push({ key: "groups.view", module: "groups", label: "x" }),
      /permission "groups\.view" is defined twice/,
    ],
    [
      "a role granting an unknown permission",
      (d) => d.roles[0]!.permissions.push("groups.fly"),
      /role "viewer" grants "groups\.fly", which is not a defined permission/,
    ],
    [
      "a module whose parent is missing",
      (d) => d.modules.push({ key: "reports.daily", label: "x", parent: "reports" }),
      /module "reports\.daily" names parent "reports", which is not defined/,
    ],
    [
      "two roles sharing a rank",
      (d) => d.roles.push({ name: "editor", label: "Editor", rank: 40, permissions: [] }),
      /roles "owner" and "editor" share rank 40: give each role its own rank/,
    ],
  ];

  it.each(broken)("validate: exits non-zero naming %s", (_kind, breakIt, message) => {
    const defs = code();
    breakIt(defs);
    const res = run(["validate", "--definitions", definitionsFile(defs)]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/^the permission registry is invalid \(1 problem\):\n/);
    expect(res.stderr).toMatch(message);
  });

  it("sync --dry-run prints the plan and writes nothing; sync applies it; a second sync has nothing to do", async () => {
    const dry = run(["sync", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: 20 change\(s\) planned, nothing written\n/);
    expect(dry.stdout).toContain(
      '  insert permission groups.view: module "groups", capability "view", label "View group"',
    );
    expect((await exportTables(db.ds)).permissions).toEqual([]);

    const applied = run(["sync"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^applied 20 change\(s\)\n/);
    expect(applied.stdout).toContain("no backup: the tables were empty");
    expect(withoutTimestamps(await exportTables(db.ds))).toEqual(expectedTables(code()));

    expect(run(["sync"]).stdout).toBe("nothing to change: the permission tables follow the code\n");
  });

  it("sync --dry-run --definitions previews another set; --definitions without --dry-run is refused", async () => {
    const dry = run(["sync", "--dry-run", "--clean-orphans", "--definitions", definitionsFile(without("events.view"))]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("  delete permission events.view\n");
    expect((await exportTables(db.ds)).permissions.map((p) => p.key)).toContain("events.view");

    const refused = run(["sync", "--definitions", definitionsFile(code())]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--definitions is for --dry-run only/);
  });

  it("sync reports the backup it wrote before changing stored rows", async () => {
    await db.ds.query(`UPDATE permissions SET label = 'Old' WHERE key = 'groups.view'`);
    const res = run(["sync"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('  update permission groups.view: label "Old" -> "View group"\n');
    const backup = /backup of the tables before: (.+\.json)\n/.exec(res.stdout)?.[1];
    expect(backup && path.dirname(backup)).toBe(path.join(dataDir, "permission-backups"));
    expect(JSON.parse(fs.readFileSync(backup!, "utf8")).permissions).toContainEqual(
      expect.objectContaining({ key: "groups.view", label: "Old" }),
    );
  });

  it("export prints exactly the tables as JSON", async () => {
    const res = run(["export"]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(await exportTables(db.ds));
  });

  it("health prints the status and totals", () => {
    const res = run(["health"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("status: healthy\n");
    expect(res.stdout).toContain("defined 11, stored 11: active 11 (deprecated 0), inactive 0; active roles 4\n");
    expect(res.stdout).toContain("  members: active 4, deprecated 0, inactive 0\n");
    expect(res.stdout).toContain("  groups.view: 4\n");
    expect(res.stdout).toContain("  groups.delete: 1\n");
  });

  it("refuses to work on a database with pending migrations, saying what to run", async () => {
    const bare = await createTestDatabase();
    try {
      const res = run(["sync"], bare.url);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/pending migrations: run `npm run migrate` first/);
    } finally {
      await bare.drop();
    }
  });

  it("names an unknown command or flag with the usage", () => {
    const res = run(["sync", "--nope"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/unknown or incomplete flag "--nope"/);
    expect(res.stderr).toContain("permissions:validate");
  });
});
