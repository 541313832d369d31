import { defaultRegistry } from "../../src/permissions/registry/default-registry";
import {
  effectiveRoles,
  mergeDefinitions,
  PermissionRegistry,
  registry,
  validateDefinitions,
} from "../../src/permissions/registry/registry";
import type { RegistryDefinitions } from "../../src/permissions/registry/types";
import { ADMIN, CONTRACT_PERMISSIONS, CONTRACT_ROLES } from "../utils/contract-registry";

const sorted = (values: Iterable<string>) => [...values].sort();

/** A small valid set to break one way at a time. */
function sample(): RegistryDefinitions {
  return {
    modules: [
      { key: "things", label: "Things" },
      { key: "things.sub", label: "Sub-things", parent: "things" },
    ],
    permissions: [
      { key: "things.read", module: "things", label: "Read" },
      { key: "things.sub.write", module: "things.sub", label: "Write" },
    ],
    roles: [
      { name: "reader", label: "Reader", rank: 10, permissions: ["things.read"] },
      { name: "writer", label: "Writer", rank: 20, permissions: ["things.read", "things.sub.write"] },
    ],
  };
}

describe("validateDefinitions", () => {
  it("finds nothing wrong with the default registry", () => {
    expect(validateDefinitions(defaultRegistry)).toEqual([]);
  });

  it("finds nothing wrong with the registry of this deployment (defaults + custom)", () => {
    expect(validateDefinitions(registry.definitions)).toEqual([]);
  });

  it("finds nothing wrong with a valid set with nested modules and dotted module keys", () => {
    expect(validateDefinitions(sample())).toEqual([]);
  });

  it("flags a permission key without a dot", () => {
    const defs = sample();
    defs.permissions.push({ key: "things", module: "things", label: "No dot" });
    expect(validateDefinitions(defs)).toEqual([expect.stringMatching(/permission "things" has no dot/)]);
  });

  it("flags a permission whose key does not start with its module", () => {
    const defs = sample();
    defs.permissions.push({ key: "other.read", module: "things", label: "Wrong module" });
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/permission "other\.read" does not start with its module "things"/),
    ]);
  });

  it("flags a key that only shares a prefix with its module name", () => {
    const defs = sample();
    // "thingsx.read" starts with "things" but not with "things."
    defs.permissions.push({ key: "thingsx.read", module: "things", label: "Prefix only" });
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/permission "thingsx\.read" does not start with its module "things"/),
    ]);
  });

  it("flags a key that is its module followed by a bare dot", () => {
    const defs = sample();
    defs.permissions.push({ key: "things.", module: "things", label: "No capability" });
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/permission "things\." does not start with its module "things" followed by a dot/),
    ]);
  });

  it("flags a permission key defined twice", () => {
    const defs = sample();
    defs.permissions.push({ key: "things.read", module: "things", label: "Again" });
    expect(validateDefinitions(defs)).toEqual([expect.stringMatching(/permission "things\.read" is defined twice/)]);
  });

  it("flags a module defined twice", () => {
    const defs = sample();
    defs.modules.push({ key: "things", label: "Again" });
    expect(validateDefinitions(defs)).toEqual([expect.stringMatching(/module "things" is defined twice/)]);
  });

  it("flags a role defined twice (before merging)", () => {
    const defs = sample();
    defs.roles.push({ name: "reader", label: "Again", rank: 11, permissions: [] });
    expect(validateDefinitions(defs)).toEqual([expect.stringMatching(/role "reader" is defined twice/)]);
  });

  it("flags a role granting a permission that is not defined", () => {
    const defs = sample();
    defs.roles[0]!.permissions.push("things.fly");
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/role "reader" grants "things\.fly", which is not a defined permission/),
    ]);
  });

  it("flags a module whose parent is not defined", () => {
    const defs = sample();
    defs.modules.push({ key: "orphan.child", label: "Orphan", parent: "orphan" });
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/module "orphan\.child" names parent "orphan", which is not defined/),
    ]);
  });

  it("flags a permission naming a module that is not defined", () => {
    const defs = sample();
    defs.permissions.push({ key: "ghost.read", module: "ghost", label: "Ghost" });
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/permission "ghost\.read" names module "ghost", which is not defined/),
    ]);
  });

  it("flags two roles sharing a rank: inheritance by rank needs a strict order", () => {
    const defs = sample();
    defs.roles.push({ name: "editor", label: "Editor", rank: 20, permissions: ["things.sub.write"] });
    expect(validateDefinitions(defs)).toEqual([
      'roles "writer" and "editor" share rank 20: give each role its own rank ' +
        "(a role holds the permissions of every role ranked below it, so ranks must be in a strict order)",
    ]);
  });

  it("flags a role given a default role's rank in the custom registry", () => {
    const merged = mergeDefinitions(defaultRegistry, {
      modules: [],
      permissions: [],
      roles: [{ name: "editor", label: "Editor", rank: 30, permissions: [] }],
    });
    expect(validateDefinitions(merged)).toEqual([expect.stringMatching(/^roles "admin" and "editor" share rank 30/)]);
  });

  it("flags a rank that is not an integer", () => {
    const defs = sample();
    defs.roles[0]!.rank = 10.5;
    expect(validateDefinitions(defs)).toEqual([
      expect.stringMatching(/role "reader" has a rank that is not an integer/),
    ]);
  });

  it("reports every problem, not only the first", () => {
    const defs = sample();
    defs.permissions.push({ key: "nodot", module: "things", label: "x" });
    defs.roles[1]!.permissions.push("things.nope");
    defs.modules.push({ key: "lost", label: "Lost", parent: "nowhere" });
    expect(validateDefinitions(defs)).toHaveLength(3);
  });
});

describe("mergeDefinitions", () => {
  it("merges the defaults with nothing into the defaults", () => {
    const merged = mergeDefinitions(defaultRegistry, { modules: [], permissions: [], roles: [] });
    expect(merged.modules).toEqual(defaultRegistry.modules);
    expect(merged.permissions).toEqual(defaultRegistry.permissions);
    expect(merged.roles).toEqual(defaultRegistry.roles);
  });

  it("adds modules and permissions, and unions the permissions of a role named twice", () => {
    const extra: RegistryDefinitions = {
      modules: [
        { key: "breakdown", label: "Breakdown" },
        { key: "breakdown.visit", label: "Visits", parent: "breakdown" },
      ],
      permissions: [{ key: "breakdown.visit.schedule", module: "breakdown.visit", label: "Schedule visits" }],
      roles: [
        { name: "admin", label: "Administrator", rank: 35, permissions: ["breakdown.visit.schedule", "groups.view"] },
        { name: "scheduler", label: "Scheduler", rank: 15, permissions: ["breakdown.visit.schedule"] },
      ],
    };
    const merged = mergeDefinitions(defaultRegistry, extra);
    expect(validateDefinitions(merged)).toEqual([]);
    expect(merged.modules.map((m) => m.key)).toEqual([
      ...defaultRegistry.modules.map((m) => m.key),
      "breakdown",
      "breakdown.visit",
    ]);
    expect(merged.permissions.map((p) => p.key)).toContain("breakdown.visit.schedule");

    const admin = merged.roles.find((r) => r.name === "admin")!;
    const defaultAdmin = defaultRegistry.roles.find((r) => r.name === "admin")!;
    // The lists are unioned as written; what admin inherits by rank comes with the registry.
    expect(sorted(admin.permissions)).toEqual(
      sorted([...defaultAdmin.permissions, "breakdown.visit.schedule", "groups.view"]),
    );
    expect(admin.permissions.filter((p) => p === "groups.view")).toHaveLength(1); // no duplicates
    expect(new PermissionRegistry(merged).permissionsOf(["admin"])).toEqual(
      sorted([...ADMIN, "breakdown.visit.schedule"]),
    );
    expect(admin).toMatchObject({ label: "Administrator", rank: 35 }); // the last label/rank wins
    expect(merged.roles.filter((r) => r.name === "admin")).toHaveLength(1);
    expect(merged.roles.map((r) => r.name)).toEqual(["viewer", "member", "admin", "owner", "scheduler"]);
  });

  it("does not change its inputs", () => {
    const before = JSON.stringify(defaultRegistry);
    mergeDefinitions(defaultRegistry, {
      modules: [],
      permissions: [],
      roles: [{ name: "owner", label: "O", rank: 40, permissions: ["x.y"] }],
    });
    expect(JSON.stringify(defaultRegistry)).toBe(before);
  });

  it("keeps a duplicate permission across sets, so validation can flag it", () => {
    const merged = mergeDefinitions(defaultRegistry, {
      modules: [],
      permissions: [{ key: "groups.view", module: "groups", label: "Again" }],
      roles: [],
    });
    expect(validateDefinitions(merged)).toEqual([expect.stringMatching(/permission "groups\.view" is defined twice/)]);
  });
});

describe("the default registry matches the contract", () => {
  const reg = new PermissionRegistry(defaultRegistry);

  it("defines exactly the contract's permissions", () => {
    expect(sorted(reg.permissions.map((p) => p.key))).toEqual(sorted(CONTRACT_PERMISSIONS));
  });

  it("defines the contract's roles, in rank order, with their ranks", () => {
    expect(reg.roles.map((r) => [r.name, r.rank])).toEqual(
      Object.entries(CONTRACT_ROLES).map(([name, r]) => [name, r.rank]),
    );
  });

  it.each(Object.entries(CONTRACT_ROLES))("gives %s exactly the contract's permissions", (name, role) => {
    expect(reg.permissionsOf([name])).toEqual(sorted(role.permissions));
    for (const key of CONTRACT_PERMISSIONS) expect(reg.roleGrants(name, key)).toBe(role.permissions.includes(key));
  });

  it("grants groups.delete to owners only", () => {
    expect(reg.rolesGranting("groups.delete")).toEqual(["owner"]);
  });

  it("grants groups.view to every role, lowest rank first", () => {
    expect(reg.rolesGranting("groups.view")).toEqual(["viewer", "member", "admin", "owner"]);
  });

  it("ranks each role strictly above the one below it, and each grants a superset of the one below", () => {
    const roles = reg.roles;
    for (let i = 1; i < roles.length; i++) {
      expect(roles[i]!.rank).toBeGreaterThan(roles[i - 1]!.rank);
      for (const key of roles[i - 1]!.permissions) expect(reg.roleGrants(roles[i]!.name, key)).toBe(true);
    }
  });
});

describe("PermissionRegistry", () => {
  const reg = new PermissionRegistry({
    ...sample(),
    // Given out of rank order on purpose.
    roles: [
      { name: "writer", label: "Writer", rank: 20, permissions: ["things.read", "things.sub.write"] },
      { name: "reader", label: "Reader", rank: 10, permissions: ["things.read"] },
    ],
  });

  it("sorts roles by rank", () => {
    expect(reg.roles.map((r) => r.name)).toEqual(["reader", "writer"]);
  });

  it("knows its roles and permissions, and nothing else", () => {
    expect(reg.isRole("reader")).toBe(true);
    expect(reg.isRole("owner")).toBe(false);
    expect(reg.isPermission("things.sub.write")).toBe(true);
    expect(reg.isPermission("things")).toBe(false);
    expect(reg.isPermission("groups.view")).toBe(false);
  });

  it("answers ranks, 0 for an unknown role", () => {
    expect(reg.rank("reader")).toBe(10);
    expect(reg.rank("writer")).toBe(20);
    expect(reg.rank("nobody")).toBe(0);
  });

  it("answers grants, false for unknown roles or permissions", () => {
    expect(reg.roleGrants("reader", "things.read")).toBe(true);
    expect(reg.roleGrants("reader", "things.sub.write")).toBe(false);
    expect(reg.roleGrants("nobody", "things.read")).toBe(false);
    expect(reg.roleGrants("writer", "things.fly")).toBe(false);
  });

  it("lists the roles granting a permission, lowest rank first; none for an unknown key", () => {
    expect(reg.rolesGranting("things.read")).toEqual(["reader", "writer"]);
    expect(reg.rolesGranting("things.sub.write")).toEqual(["writer"]);
    expect(reg.rolesGranting("things.fly")).toEqual([]);
  });

  it("unions and sorts the permissions of several roles, ignoring unknown ones", () => {
    expect(reg.permissionsOf(["reader", "writer", "nobody"])).toEqual(["things.read", "things.sub.write"]);
    expect(reg.permissionsOf([])).toEqual([]);
  });

  it("picks the highest-ranked role, whatever the order", () => {
    expect(reg.highest(["reader", "writer"])).toBe("writer");
    expect(reg.highest(["writer", "reader"])).toBe("writer");
    expect(reg.highest(["reader"])).toBe("reader");
    expect(reg.highest([])).toBeUndefined();
  });
});

/** README's "Adding a permission": reports.export granted to admin in the custom registry. */
const REPORTS: RegistryDefinitions = {
  modules: [{ key: "reports", label: "Reports" }],
  permissions: [{ key: "reports.export", module: "reports", label: "Export reports" }],
  roles: [{ name: "admin", label: "Admin", rank: 30, permissions: ["reports.export"] }],
};

describe("a role holds its own permissions plus those of every role ranked below it", () => {
  const reg = new PermissionRegistry(mergeDefinitions(defaultRegistry, REPORTS));

  it("a permission granted to admin is held by owner too, not by the roles below admin", () => {
    expect(validateDefinitions(reg.definitions)).toEqual([]);
    expect(reg.roleGrants("admin", "reports.export")).toBe(true);
    expect(reg.roleGrants("owner", "reports.export")).toBe(true);
    expect(reg.roleGrants("member", "reports.export")).toBe(false);
    expect(reg.roleGrants("viewer", "reports.export")).toBe(false);
    expect(reg.rolesGranting("reports.export")).toEqual(["admin", "owner"]);
    expect(reg.permissionsOf(["owner"])).toEqual(sorted([...CONTRACT_PERMISSIONS, "reports.export"]));
    expect(reg.roles.find((r) => r.name === "owner")!.permissions).toContain("reports.export");
  });

  it("leaves the default roles' effective sets as the contract has them", () => {
    for (const [name, role] of Object.entries(CONTRACT_ROLES)) {
      expect(reg.permissionsOf([name]).filter((k) => k !== "reports.export")).toEqual(sorted(role.permissions));
    }
  });

  it("a grant to the lowest role reaches every role; roles given out of order inherit by rank", () => {
    const defs = sample();
    defs.roles = [
      { name: "boss", label: "Boss", rank: 100, permissions: [] },
      { name: "writer", label: "Writer", rank: 20, permissions: ["things.sub.write"] },
      { name: "reader", label: "Reader", rank: 10, permissions: ["things.read"] },
    ];
    const custom = new PermissionRegistry(defs);
    expect(custom.roles.map((r) => [r.name, r.permissions])).toEqual([
      ["reader", ["things.read"]],
      ["writer", ["things.read", "things.sub.write"]],
      ["boss", ["things.read", "things.sub.write"]],
    ]);
    expect(custom.rolesGranting("things.read")).toEqual(["reader", "writer", "boss"]);
  });

  it("keeps the definitions as written: inherited permissions are not copied into them", () => {
    expect(reg.definitions.roles.find((r) => r.name === "owner")!.permissions).not.toContain("reports.export");
  });

  it("roles sharing a rank (refused by validation) inherit nothing from each other", () => {
    const defs = sample();
    defs.roles.push({ name: "editor", label: "Editor", rank: 20, permissions: ["things.sub.write"] });
    defs.roles[1]!.permissions = ["things.read"];
    const custom = new PermissionRegistry(defs);
    expect(custom.roleGrants("writer", "things.sub.write")).toBe(false);
    expect(custom.roleGrants("editor", "things.read")).toBe(true);
  });
});

describe("effectiveRoles", () => {
  it("lists inherited permissions first, lowest rank first, then the role's own, without duplicates", () => {
    expect(
      effectiveRoles([
        { name: "c", label: "C", rank: 3, permissions: ["x.c", "x.a"] },
        { name: "a", label: "A", rank: 1, permissions: ["x.a"] },
        { name: "b", label: "B", rank: 2, permissions: ["x.b"] },
      ]).map((r) => [r.name, r.permissions]),
    ).toEqual([
      ["a", ["x.a"]],
      ["b", ["x.a", "x.b"]],
      ["c", ["x.a", "x.b", "x.c"]],
    ]);
  });

  it("does not change its input", () => {
    const roles = [
      { name: "a", label: "A", rank: 1, permissions: ["x.a"] },
      { name: "b", label: "B", rank: 2, permissions: ["x.b"] },
    ];
    const before = JSON.stringify(roles);
    effectiveRoles(roles);
    expect(JSON.stringify(roles)).toBe(before);
  });
});
