import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";
import { ADMIN, MEMBER, OWNER, VIEWER } from "./utils/contract-registry";

/*
 * README's "Adding a permission", done as a deployment does it: reports.export defined in the custom
 * registry and granted to admin. A role holds its own permissions plus those of every role ranked
 * below it, so owner holds it too, through every path: Query.roles, checkPermission,
 * User.permissions, the role grants the sync stored.
 */
jest.mock("../src/permissions/custom-registry", () => ({
  customRegistry: {
    modules: [{ key: "reports", label: "Reports" }],
    permissions: [{ key: "reports.export", module: "reports", label: "Export reports" }],
    roles: [{ name: "admin", label: "Admin", rank: 30, permissions: ["reports.export"] }],
  },
}));

// Plain documents: this suite's operations are not worth a codegen round of their own.
const ROLES = `{ roles { name rank permissions } }`;
const CHECK = `query ($userId: ID!, $groupId: ID!, $permission: String!) {
  checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {
    allowed
    grants { group { id } role inherited }
  }
}`;
const USER_PERMISSIONS = `query ($userId: ID!, $groupId: ID!) { user(id: $userId) { permissions(groupId: $groupId) } }`;
const HEALTH = `{ permissionHealth { status } }`;

interface Check {
  checkPermission: { allowed: boolean; grants: { group: { id: string }; role: string; inherited: boolean }[] };
}

const sorted = (keys: readonly string[]) => [...keys].sort();

describe("a permission granted to admin in the custom registry", () => {
  let svc: TestService;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let parent: string;
  let group: string;

  beforeAll(async () => {
    svc = await TestService.start();
    [owner, admin, member] = [await svc.user(), await svc.user(), await svc.user()];
    await provision(svc, owner!, admin!, member!);
    parent = await createGroup(svc, owner!, { name: "Reports parent" });
    group = await createGroup(svc, admin!, { name: "Reports group" });
    // The admin created the group (owner there); in the parent they are an admin, the member a member.
    await addMember(svc, owner!, parent, admin!, { role: "admin" });
    await addMember(svc, owner!, parent, member!, { role: "member" });
    await addMember(svc, admin!, group, owner!, { role: "owner" });
    await addMember(svc, admin!, group, member!, { role: "member" });
  });
  afterAll(() => svc.stop());

  const check = async (userId: string, groupId: string) =>
    (await svc.ok<Check, unknown>(CHECK, { userId, groupId, permission: "reports.export" }, owner!)).checkPermission;

  it("Query.roles: admin and owner hold it, the roles below admin do not; nothing else changes", async () => {
    const { roles } = await svc.ok<{ roles: { name: string; rank: number; permissions: string[] }[] }, unknown>(
      ROLES,
      {},
      member!,
    );
    expect(Object.fromEntries(roles.map((r) => [r.name, sorted(r.permissions)]))).toEqual({
      viewer: sorted(VIEWER),
      member: sorted(MEMBER),
      admin: sorted([...ADMIN, "reports.export"]),
      owner: sorted([...OWNER, "reports.export"]),
    });
  });

  it("checkPermission: an owner holds it, the grant naming the role they hold", async () => {
    expect(await check(owner!.id, parent)).toEqual({
      allowed: true,
      grants: [{ group: { id: parent }, role: "owner", inherited: false }],
    });
    expect(await check(admin!.id, parent)).toEqual({
      allowed: true,
      grants: [{ group: { id: parent }, role: "admin", inherited: false }],
    });
    expect(await check(member!.id, parent)).toEqual({ allowed: false, grants: [] });
  });

  it("User.permissions of an owner lists it", async () => {
    const { user } = await svc.ok<{ user: { permissions: string[] } }, unknown>(
      USER_PERMISSIONS,
      { userId: owner!.id, groupId: group },
      owner!,
    );
    expect(user.permissions).toEqual(sorted([...OWNER, "reports.export"]));
  });

  it("the sync on start stored owner among the roles granting it, and the registry is healthy", async () => {
    expect(
      (await svc.ok<{ permissionHealth: { status: string } }, unknown>(HEALTH, {}, member!)).permissionHealth,
    ).toEqual({ status: "healthy" });
    const rows = (await svc.db.query(
      `SELECT role_name FROM permission_role_grants WHERE permission_key = 'reports.export' ORDER BY role_name`,
    )) as { role_name: string }[];
    expect(rows.map((r) => r.role_name)).toEqual(["admin", "owner"]);
  });
});
