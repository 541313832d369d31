import { diffTables, formatChange, type PermissionTables, type RegistryDefinitions } from "../../src/permissions";

const T = "2026-01-01T00:00:00+00:00";

/** Nested modules with a dotted key, a deprecated key, and roles given out of order. */
function defs(): RegistryDefinitions {
  return {
    modules: [
      { key: "breakdown", label: "Breakdown" },
      { key: "breakdown.visit", label: "Visits", parent: "breakdown", description: "Site visits" },
    ],
    permissions: [
      { key: "breakdown.view", module: "breakdown", label: "View" },
      { key: "breakdown.visit.schedule", module: "breakdown.visit", label: "Schedule", deprecated: true },
    ],
    roles: [
      { name: "planner", label: "Planner", rank: 15, permissions: ["breakdown.visit.schedule", "breakdown.view"] },
    ],
  };
}

/** The tables exactly as a sync of `defs()` leaves them. */
function synced(): PermissionTables {
  return {
    permission_modules: [
      {
        key: "breakdown",
        parent_key: null,
        label: "Breakdown",
        description: null,
        is_active: true,
        created_at: T,
        updated_at: T,
      },
      {
        key: "breakdown.visit",
        parent_key: "breakdown",
        label: "Visits",
        description: "Site visits",
        is_active: true,
        created_at: T,
        updated_at: T,
      },
    ],
    permissions: [
      {
        key: "breakdown.view",
        module: "breakdown",
        capability: "view",
        label: "View",
        description: null,
        is_active: true,
        is_deprecated: false,
        created_at: T,
        updated_at: T,
      },
      {
        key: "breakdown.visit.schedule",
        module: "breakdown.visit",
        capability: "schedule",
        label: "Schedule",
        description: null,
        is_active: true,
        is_deprecated: true,
        created_at: T,
        updated_at: T,
      },
    ],
    permission_roles: [{ name: "planner", label: "Planner", rank: 15, is_active: true, created_at: T, updated_at: T }],
    permission_role_grants: [
      { role_name: "planner", permission_key: "breakdown.view" },
      { role_name: "planner", permission_key: "breakdown.visit.schedule" },
    ],
  };
}

const empty: PermissionTables = {
  permission_modules: [],
  permissions: [],
  permission_roles: [],
  permission_role_grants: [],
};

describe("diffTables (the sync plan, without a database)", () => {
  it("inserts everything into empty tables, the capability being what follows the (dotted) module", () => {
    const plan = diffTables(empty, defs());
    expect(plan.storedRows).toBe(0);
    expect(plan.changes.map((c) => `${c.kind} ${c.entity} ${c.key}`)).toEqual([
      "insert module breakdown",
      "insert module breakdown.visit",
      "insert permission breakdown.view",
      "insert permission breakdown.visit.schedule",
      "insert role planner",
    ]);
    expect(plan.changes[3]!.changes).toMatchObject({
      module: { from: null, to: "breakdown.visit" },
      capability: { from: null, to: "schedule" },
      isDeprecated: { from: null, to: true },
    });
    expect(plan.changes[4]!.changes.permissions).toEqual({
      from: null,
      to: ["breakdown.view", "breakdown.visit.schedule"],
    });
  });

  it("plans nothing when the tables follow the definitions (grant order and duplicates do not matter)", () => {
    const d = defs();
    d.roles[0]!.permissions.push("breakdown.view");
    expect(diffTables(synced(), d).changes).toEqual([]);
    expect(diffTables(synced(), d).storedRows).toBe(7);
  });

  it("deactivates an orphan once, then leaves it alone; cleanOrphans deletes it, active or not", () => {
    const d = defs();
    d.modules.pop();
    d.permissions.pop();
    d.roles[0]!.permissions = ["breakdown.view"];
    expect(diffTables(synced(), d).changes.map((c) => `${c.kind} ${c.entity} ${c.key}`)).toEqual([
      "deactivate module breakdown.visit",
      "deactivate permission breakdown.visit.schedule",
      "update role planner",
    ]);

    const orphaned = synced();
    orphaned.permissions[1]!.is_active = false;
    orphaned.permission_modules[1]!.is_active = false;
    orphaned.permission_role_grants.pop();
    expect(diffTables(orphaned, d).changes).toEqual([]);
    expect(
      diffTables(orphaned, d, { cleanOrphans: true }).changes.map((c) => `${c.kind} ${c.entity} ${c.key}`),
    ).toEqual(["delete module breakdown.visit", "delete permission breakdown.visit.schedule"]);
  });

  it("updates a module's parent and a role's rank, and reactivates a role that returns", () => {
    const tables = synced();
    tables.permission_modules[1]!.parent_key = null;
    tables.permission_roles[0]!.is_active = false;
    tables.permission_roles[0]!.rank = 5;
    expect(diffTables(tables, defs()).changes).toEqual([
      {
        entity: "module",
        kind: "update",
        key: "breakdown.visit",
        changes: { parentKey: { from: null, to: "breakdown" } },
      },
      {
        entity: "role",
        kind: "update",
        key: "planner",
        changes: { rank: { from: 5, to: 15 }, isActive: { from: false, to: true } },
      },
    ]);
  });

  it("force deletes every stored row and inserts every defined one, even when nothing differs", () => {
    const plan = diffTables(synced(), defs(), { force: true });
    expect(plan.force).toBe(true);
    expect(plan.changes.filter((c) => c.kind === "delete")).toHaveLength(5);
    expect(plan.changes.filter((c) => c.kind === "insert")).toHaveLength(5);
    expect(plan.changes.every((c) => c.kind === "delete" || c.kind === "insert")).toBe(true);
  });

  it("formats a change as one line", () => {
    const tables = synced();
    tables.permissions[0]!.label = "Old";
    const [change] = diffTables(tables, defs()).changes;
    expect(formatChange(change!)).toBe('update permission breakdown.view: label "Old" -> "View"');
    expect(formatChange({ entity: "permission", kind: "delete", key: "x.y", changes: {} })).toBe(
      "delete permission x.y",
    );
  });
});
