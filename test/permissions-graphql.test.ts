import { graphql } from "./generated";
import { codes, TestService, type TestUser } from "./utils/service";
import { ADMIN, CONTRACT_PERMISSIONS, MEMBER, OWNER, VIEWER } from "./utils/contract-registry";

const Permissions = graphql(`
  query PermissionsList(
    $keys: [String!]
    $module: String
    $capability: String
    $includeInactive: Boolean
    $includeDeprecated: Boolean
  ) {
    permissions(
      keys: $keys
      module: $module
      capability: $capability
      includeInactive: $includeInactive
      includeDeprecated: $includeDeprecated
    ) {
      key
      module
      capability
      label
      description
      isActive
      isDeprecated
      createdAt
      updatedAt
    }
  }
`);

const PermissionByKey = graphql(`
  query PermissionByKey($key: String!) {
    permission(key: $key) {
      key
      module
      capability
      label
      isActive
    }
  }
`);

const PermissionModules = graphql(`
  query PermissionModulesTree {
    permissionModules {
      key
      label
      description
      parent {
        key
        label
      }
      permissions {
        key
        isDeprecated
      }
    }
  }
`);

const Roles = graphql(`
  query RolesList {
    roles {
      name
      label
      rank
      permissions
    }
  }
`);

const Health = graphql(`
  query PermissionHealthReport {
    permissionHealth {
      status
      definedCount
      storedCount
      orphanedKeys
      missingKeys
    }
  }
`);

const ALL_KEYS = [...CONTRACT_PERMISSIONS].sort();

const keysOf = (rows: { key: string }[]) => rows.map((r) => r.key);

describe("permission registry queries", () => {
  let svc: TestService;
  let user: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    user = await svc.user();
    await svc.ok(`{ me { id } }`, {}, user); // provisioning happens once, before counting statements
  });

  afterAll(async () => {
    await svc.stop();
  });

  /** Statements of a request that reads nothing from the permission tables (auth and the like). */
  async function baseline(): Promise<number> {
    return (await svc.statements(Roles, {}, user)).count;
  }

  it("a fresh service has synced the registry on start: permissionHealth is healthy", async () => {
    const { permissionHealth } = await svc.ok(Health, {}, user);
    expect(permissionHealth).toEqual({
      status: "healthy",
      definedCount: 11,
      storedCount: 11,
      orphanedKeys: [],
      missingKeys: [],
    });
  });

  it("lists every active permission by key, with its stored fields", async () => {
    const { permissions } = await svc.ok(Permissions, {}, user);
    expect(keysOf(permissions)).toEqual(ALL_KEYS);
    const view = permissions.find((p) => p.key === "groups.create_subgroup")!;
    expect(view).toEqual({
      key: "groups.create_subgroup",
      module: "groups",
      capability: "create_subgroup",
      label: "Create subgroup",
      description: "Create a group under this one, or link one under it",
      isActive: true,
      isDeprecated: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("looks many keys up in one statement, in the order asked, leaving unknown keys out", async () => {
    const base = await baseline();
    const { data, count } = await svc.statements(
      Permissions,
      { keys: ["members.add", "nope.nothing", "groups.view", "events.view"] },
      user,
    );
    expect(keysOf(data.permissions)).toEqual(["members.add", "groups.view", "events.view"]);
    expect(count - base).toBe(1);
    expect((await svc.ok(Permissions, { keys: [] }, user)).permissions).toEqual([]);
  });

  it("filters by module and by capability, together or apart", async () => {
    expect(keysOf((await svc.ok(Permissions, { module: "members" }, user)).permissions)).toEqual([
      "members.add",
      "members.change_role",
      "members.remove",
      "members.view",
    ]);
    expect(keysOf((await svc.ok(Permissions, { capability: "view" }, user)).permissions)).toEqual([
      "events.view",
      "groups.view",
      "members.view",
    ]);
    expect(
      keysOf((await svc.ok(Permissions, { module: "groups", capability: "view", keys: ALL_KEYS }, user)).permissions),
    ).toEqual(["groups.view"]);
    expect((await svc.ok(Permissions, { module: "nothing" }, user)).permissions).toEqual([]);
  });

  describe("with an orphan and a deprecated key stored", () => {
    beforeAll(async () => {
      await svc.db.query(`UPDATE permissions SET is_deprecated = true WHERE key = 'leaders.manage'`);
      await svc.db.query(
        `INSERT INTO permissions (key, module, capability, label, is_active) VALUES ('legacy.thing', 'legacy', 'thing', 'Legacy', false)`,
      );
    });

    afterAll(async () => {
      await svc.db.query(`DELETE FROM permissions WHERE key = 'legacy.thing'`);
      await svc.db.query(`UPDATE permissions SET is_deprecated = false WHERE key = 'leaders.manage'`);
    });

    it("leaves inactive keys out unless includeInactive, and deprecated ones in unless includeDeprecated is false", async () => {
      const all = keysOf((await svc.ok(Permissions, {}, user)).permissions);
      expect(all).toEqual(ALL_KEYS);
      const withInactive = (await svc.ok(Permissions, { includeInactive: true }, user)).permissions;
      expect(keysOf(withInactive)).toEqual([...ALL_KEYS, "legacy.thing"].sort());
      expect(withInactive.find((p) => p.key === "legacy.thing")).toMatchObject({ isActive: false });
      const current = keysOf((await svc.ok(Permissions, { includeDeprecated: false }, user)).permissions);
      expect(current).toEqual(ALL_KEYS.filter((k) => k !== "leaders.manage"));
      const inactiveOnlyCurrent = await svc.ok(
        Permissions,
        { keys: ["legacy.thing", "leaders.manage"], includeInactive: true, includeDeprecated: false },
        user,
      );
      expect(keysOf(inactiveOnlyCurrent.permissions)).toEqual(["legacy.thing"]);
    });

    it("answers one key, inactive ones included, and null for an unknown key", async () => {
      expect((await svc.ok(PermissionByKey, { key: "members.change_role" }, user)).permission).toEqual({
        key: "members.change_role",
        module: "members",
        capability: "change_role",
        label: "Change roles",
        isActive: true,
      });
      expect((await svc.ok(PermissionByKey, { key: "legacy.thing" }, user)).permission).toMatchObject({
        isActive: false,
      });
      expect((await svc.ok(PermissionByKey, { key: "nope.nothing" }, user)).permission).toBeNull();
      expect((await svc.ok(PermissionByKey, { key: "" }, user)).permission).toBeNull();
    });

    it("permissionHealth warns about the orphan", async () => {
      expect((await svc.ok(Health, {}, user)).permissionHealth).toEqual({
        status: "warning",
        definedCount: 11,
        storedCount: 12,
        orphanedKeys: ["legacy.thing"],
        missingKeys: [],
      });
    });
  });

  it("lists modules with their parent and active permissions, batched: one statement per level", async () => {
    // The default registry has no nested modules; nest two in the tables the query reads.
    await svc.db.query(
      `INSERT INTO permission_modules (key, parent_key, label) VALUES
         ('groups.reports', 'groups', 'Reports'), ('groups.reports.daily', 'groups.reports', 'Daily'),
         ('gone', NULL, 'Gone'), ('gone.child', 'gone', 'Child of an orphan')`,
    );
    await svc.db.query(`UPDATE permission_modules SET is_active = false WHERE key = 'gone'`);
    await svc.db.query(
      `INSERT INTO permissions (key, module, capability, label) VALUES ('groups.reports.read', 'groups.reports', 'read', 'Read reports')`,
    );
    try {
      const base = await baseline();
      const { data, count } = await svc.statements(PermissionModules, {}, user);
      const byKey = new Map(data.permissionModules.map((m) => [m.key, m]));
      expect([...byKey.keys()]).toEqual([
        "events",
        "gone.child",
        "groups",
        "groups.reports",
        "groups.reports.daily",
        "initiatives",
        "leaders",
        "members",
      ]);
      expect(byKey.get("groups")).toEqual({
        key: "groups",
        label: "Groups",
        description: "Groups and their place in the hierarchy",
        parent: null,
        permissions: ["groups.create_subgroup", "groups.delete", "groups.update", "groups.view"].map((key) => ({
          key,
          isDeprecated: false,
        })),
      });
      expect(byKey.get("groups.reports")).toMatchObject({
        parent: { key: "groups", label: "Groups" },
        permissions: [{ key: "groups.reports.read" }],
      });
      expect(byKey.get("groups.reports.daily")).toMatchObject({ parent: { key: "groups.reports" }, permissions: [] });
      // An inactive parent is still answered (one more batched statement: it is not in the list).
      expect(byKey.get("gone.child")).toMatchObject({ parent: { key: "gone", label: "Gone" } });
      expect(count - base).toBe(3);
    } finally {
      await svc.db.query(`DELETE FROM permissions WHERE key = 'groups.reports.read'`);
      await svc.db.query(
        `DELETE FROM permission_modules WHERE key IN ('groups.reports', 'groups.reports.daily', 'gone', 'gone.child')`,
      );
    }
  });

  it("answers the roles from the registry, by rank, granting exactly the contract's permissions", async () => {
    const base = await baseline();
    const { data, count } = await svc.statements(Roles, {}, user);
    expect(count).toBe(base);
    expect(data.roles.map((r) => [r.name, r.rank])).toEqual([
      ["viewer", 10],
      ["member", 20],
      ["admin", 30],
      ["owner", 40],
    ]);
    expect(data.roles.map((r) => r.label)).toEqual(["Viewer", "Member", "Admin", "Owner"]);
    const grants = Object.fromEntries(data.roles.map((r) => [r.name, [...r.permissions].sort()]));
    expect(grants).toEqual({
      viewer: [...VIEWER].sort(),
      member: [...MEMBER].sort(),
      admin: [...ADMIN].sort(),
      owner: [...OWNER].sort(),
    });
  });

  it.each([
    ["permissions", `{ permissions { key } }`],
    ["permission", `{ permission(key: "groups.view") { key } }`],
    ["permissionModules", `{ permissionModules { key } }`],
    ["roles", `{ roles { name } }`],
    ["permissionHealth", `{ permissionHealth { status } }`],
  ])("refuses %s without a token (UNAUTHENTICATED)", async (_name, document) => {
    const res = await svc.gql(document);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
    expect(res.data ?? null).toBeNull();
  });
});

describe("SYNC_PERMISSIONS_ON_START=false", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start({ syncPermissionsOnStart: false });
  });

  afterAll(async () => {
    await svc.stop();
  });

  it("starts without syncing: the tables stay empty and permissionHealth names every key as missing", async () => {
    const user = await svc.user();
    expect((await svc.ok(Permissions, {}, user)).permissions).toEqual([]);
    const { permissionHealth } = await svc.ok(Health, {}, user);
    expect(permissionHealth).toEqual({
      status: "warning",
      definedCount: 11,
      storedCount: 0,
      orphanedKeys: [],
      missingKeys: ALL_KEYS,
    });
    // Roles come from the registry in memory, synced or not.
    expect((await svc.ok(Roles, {}, user)).roles).toHaveLength(4);
  });
});
