import { defaultRegistry } from "../../src/permissions/registry/default-registry";
import { mergeDefinitions, PermissionRegistry, registry } from "../../src/permissions/registry/registry";
import {
  decide,
  grantsAt,
  membershipReach,
  roleChangeRefusal,
  type Grant,
  type GroupFacts,
  type HierarchyFacts,
  type MembershipFacts,
  type RoleChange,
} from "../../src/permissions/rules";
import { CONTRACT_PERMISSIONS, CONTRACT_ROLES as ROLE_TABLE } from "../utils/contract-registry";

/*
 * The authorization rules as an allow/deny table over hand-made facts (no database).
 * Expected answers come from the contract's role table, written out here independently of the code
 * under test (contract.graphql, "The default registry").
 */

const CONTRACT_ROLES: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(ROLE_TABLE).map(([name, role]) => [name, role.permissions]),
);
const ROLE_NAMES = Object.keys(CONTRACT_ROLES);

/** The rules are exercised with the contract's default roles. */
const reg = new PermissionRegistry(defaultRegistry);

// ---------------------------------------------------------------- fact builders

const U = "user-u";
const OTHER = "user-other";
/** Far from the real clock on purpose: the rules must use the `now` they are given. */
const NOW = new Date("2100-01-01T12:00:00Z");
const PAST = new Date(NOW.getTime() - 24 * 3600 * 1000); // still in the real future
const FUTURE = new Date(NOW.getTime() + 24 * 3600 * 1000);

function group(id: string, opts: { cascade?: boolean; active?: boolean } = {}): GroupFacts {
  return { id, permissionCascadeEnabled: opts.cascade ?? true, isActive: opts.active ?? true };
}

function membership(
  groupId: string,
  role: string,
  opts: { userId?: string; status?: string; expiresAt?: Date | null } = {},
): MembershipFacts {
  return {
    groupId,
    userId: opts.userId ?? U,
    role,
    status: opts.status ?? "ACTIVE",
    expiresAt: opts.expiresAt ?? null,
  };
}

/** links: [child, parent] pairs, parents listed in the order given. */
function hierarchy(groups: GroupFacts[], links: [string, string][], memberships: MembershipFacts[]): HierarchyFacts {
  const parentsOf = new Map<string, string[]>();
  for (const [child, parent] of links) parentsOf.set(child, [...(parentsOf.get(child) ?? []), parent]);
  return { groups: new Map(groups.map((g) => [g.id, g])), parentsOf, memberships };
}

/** The chain A -> B -> C -> T (A the root, T the target). */
const CHAIN_LINKS: [string, string][] = [
  ["T", "C"],
  ["C", "B"],
  ["B", "A"],
];

function chain(overrides: Partial<Record<"A" | "B" | "C" | "T", { cascade?: boolean; active?: boolean }>> = {}) {
  return (["A", "B", "C", "T"] as const).map((id) => group(id, overrides[id]));
}

// ---------------------------------------------------------------- situations

interface Built {
  facts: HierarchyFacts;
  target: string;
}

interface Situation {
  name: string;
  /** The grant the role yields in the target; null when the membership does not count there. */
  grant: Omit<Grant, "role"> | null;
  /** When set, only this role yields the grant; the others get nothing. */
  onlyFor?: string;
  build(role: string): Built;
}

const DIRECT = { groupId: "T", inherited: false, path: ["T"] };
const UP_1 = { groupId: "P", inherited: true, path: ["P", "T"] };
const UP_3 = { groupId: "A", inherited: true, path: ["A", "B", "C", "T"] };

const SITUATIONS: Situation[] = [
  // (a) held directly
  {
    name: "held directly",
    grant: DIRECT,
    build: (role) => ({ facts: hierarchy([group("T")], [], [membership("T", role)]), target: "T" }),
  },
  {
    name: "held directly in a target with cascade disabled",
    grant: DIRECT,
    build: (role) => ({
      facts: hierarchy([group("T", { cascade: false })], [], [membership("T", role)]),
      target: "T",
    }),
  },
  // (b) inherited through one level
  {
    name: "inherited 1 level",
    grant: UP_1,
    build: (role) => ({
      facts: hierarchy([group("P"), group("T")], [["T", "P"]], [membership("P", role)]),
      target: "T",
    }),
  },
  {
    name: "inherited 1 level into a target with cascade disabled",
    grant: UP_1,
    build: (role) => ({
      facts: hierarchy([group("P"), group("T", { cascade: false })], [["T", "P"]], [membership("P", role)]),
      target: "T",
    }),
  },
  // (c) inherited through three levels
  {
    name: "inherited 3 levels",
    grant: UP_3,
    build: (role) => ({ facts: hierarchy(chain(), CHAIN_LINKS, [membership("A", role)]), target: "T" }),
  },
  {
    name: "inherited 3 levels into a target with cascade disabled",
    grant: UP_3,
    build: (role) => ({
      facts: hierarchy(chain({ T: { cascade: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  // (d) a link with cascade disabled
  {
    name: "held in a parent with cascade disabled",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("P", { cascade: false }), group("T")], [["T", "P"]], [membership("P", role)]),
      target: "T",
    }),
  },
  {
    name: "3 levels up, a middle group with cascade disabled",
    grant: null,
    build: (role) => ({
      facts: hierarchy(chain({ B: { cascade: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  {
    name: "3 levels up, the parent of the target with cascade disabled",
    grant: null,
    build: (role) => ({
      facts: hierarchy(chain({ C: { cascade: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  {
    name: "3 levels up, the holding group with cascade disabled",
    grant: null,
    build: (role) => ({
      facts: hierarchy(chain({ A: { cascade: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  // (e) PENDING
  {
    name: "PENDING, held directly",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { status: "PENDING" })]),
      target: "T",
    }),
  },
  {
    name: "PENDING, inherited 1 level",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("P"), group("T")], [["T", "P"]], [membership("P", role, { status: "PENDING" })]),
      target: "T",
    }),
  },
  // (f) INACTIVE
  {
    name: "INACTIVE, held directly",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { status: "INACTIVE" })]),
      target: "T",
    }),
  },
  {
    name: "INACTIVE, inherited 3 levels",
    grant: null,
    build: (role) => ({
      facts: hierarchy(chain(), CHAIN_LINKS, [membership("A", role, { status: "INACTIVE" })]),
      target: "T",
    }),
  },
  // (g) expiry
  {
    name: "expired, held directly",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { expiresAt: PAST })]),
      target: "T",
    }),
  },
  {
    name: "expired, inherited 1 level",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("P"), group("T")], [["T", "P"]], [membership("P", role, { expiresAt: PAST })]),
      target: "T",
    }),
  },
  {
    name: "expiring exactly now, held directly",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { expiresAt: NOW })]),
      target: "T",
    }),
  },
  {
    name: "expiring in the future, held directly",
    grant: DIRECT,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { expiresAt: FUTURE })]),
      target: "T",
    }),
  },
  {
    name: "expiring in the future, inherited 3 levels",
    grant: UP_3,
    build: (role) => ({
      facts: hierarchy(chain(), CHAIN_LINKS, [membership("A", role, { expiresAt: FUTURE })]),
      target: "T",
    }),
  },
  // (h) membership in an inactive (archived) group: only its direct owners keep it, and only it
  {
    name: "held directly in an archived target",
    grant: DIRECT,
    onlyFor: "owner",
    build: (role) => ({
      facts: hierarchy([group("T", { active: false })], [], [membership("T", role)]),
      target: "T",
    }),
  },
  {
    name: "held directly in an archived target with cascade disabled",
    grant: DIRECT,
    onlyFor: "owner",
    build: (role) => ({
      facts: hierarchy([group("T", { active: false, cascade: false })], [], [membership("T", role)]),
      target: "T",
    }),
  },
  {
    name: "held directly in an archived target, expiring in the future",
    grant: DIRECT,
    onlyFor: "owner",
    build: (role) => ({
      facts: hierarchy([group("T", { active: false })], [], [membership("T", role, { expiresAt: FUTURE })]),
      target: "T",
    }),
  },
  {
    name: "PENDING, held directly in an archived target",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T", { active: false })], [], [membership("T", role, { status: "PENDING" })]),
      target: "T",
    }),
  },
  {
    name: "INACTIVE, held directly in an archived target",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T", { active: false })], [], [membership("T", role, { status: "INACTIVE" })]),
      target: "T",
    }),
  },
  {
    name: "expired, held directly in an archived target",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T", { active: false })], [], [membership("T", role, { expiresAt: PAST })]),
      target: "T",
    }),
  },
  {
    name: "inherited 1 level from an active parent into an archived target",
    grant: UP_1,
    build: (role) => ({
      facts: hierarchy([group("P"), group("T", { active: false })], [["T", "P"]], [membership("P", role)]),
      target: "T",
    }),
  },
  {
    name: "inherited 3 levels through an archived middle group",
    grant: UP_3,
    build: (role) => ({
      facts: hierarchy(chain({ B: { active: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  {
    name: "held in an archived parent of an archived target",
    grant: null,
    build: (role) => ({
      facts: hierarchy(
        [group("P", { active: false }), group("T", { active: false })],
        [["T", "P"]],
        [membership("P", role)],
      ),
      target: "T",
    }),
  },
  {
    name: "held in an archived parent",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("P", { active: false }), group("T")], [["T", "P"]], [membership("P", role)]),
      target: "T",
    }),
  },
  {
    name: "held in an archived group 3 levels up",
    grant: null,
    build: (role) => ({
      facts: hierarchy(chain({ A: { active: false } }), CHAIN_LINKS, [membership("A", role)]),
      target: "T",
    }),
  },
  // Roles held elsewhere, or by someone else
  {
    name: "held in a child of the target (grants do not flow up)",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T"), group("K")], [["K", "T"]], [membership("K", role)]),
      target: "T",
    }),
  },
  {
    name: "held in an unrelated group",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T"), group("X")], [], [membership("X", role)]),
      target: "T",
    }),
  },
  {
    name: "held by another user in the target",
    grant: null,
    build: (role) => ({
      facts: hierarchy([group("T")], [], [membership("T", role, { userId: OTHER })]),
      target: "T",
    }),
  },
];

interface Case {
  name: string;
  role: string;
  permission: string;
  situation: Situation;
  allowed: boolean;
}

const CASES: Case[] = ROLE_NAMES.flatMap((role) =>
  CONTRACT_PERMISSIONS.flatMap((permission) =>
    SITUATIONS.map((situation) => {
      const grant = situation.onlyFor === undefined || situation.onlyFor === role ? situation.grant : null;
      const allowed = grant !== null && CONTRACT_ROLES[role]!.includes(permission);
      return {
        name: `${role} × ${permission} × ${situation.name} → ${allowed ? "allow" : "deny"}`,
        role,
        permission,
        situation,
        allowed,
      };
    }),
  ),
);

describe("the allow/deny table (default roles × default permissions × situations)", () => {
  it("covers every role, permission and situation", () => {
    expect(CASES).toHaveLength(4 * 11 * SITUATIONS.length);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)("$name", ({ role, permission, situation, allowed }) => {
    const { facts, target } = situation.build(role);
    const grants = grantsAt(facts, U, target, NOW);
    const grant = situation.onlyFor === undefined || situation.onlyFor === role ? situation.grant : null;
    const expectedGrant: Grant[] = grant ? [{ ...grant, role }] : [];
    expect(grants).toEqual(expectedGrant);

    const decision = decide(reg, grants, permission, false);
    expect(decision).toEqual({
      allowed,
      permission,
      globalAdmin: false,
      grants: allowed ? expectedGrant : [],
    });
  });
});

describe("global admins", () => {
  it.each(CONTRACT_PERMISSIONS.map((p) => [p]))("global admin without membership × %s → allow", (permission) => {
    const facts = hierarchy([group("T")], [], []);
    const grants = grantsAt(facts, U, "T", NOW);
    expect(grants).toEqual([]);
    expect(decide(reg, grants, permission, true)).toEqual({
      allowed: true,
      permission,
      globalAdmin: true,
      grants: [],
    });
  });

  it("a global admin is allowed even a permission no role grants", () => {
    expect(decide(reg, [], "nothing.at_all", true)).toMatchObject({ allowed: true, grants: [] });
  });

  it("a global admin's decision still lists the grants that allow it", () => {
    const grant: Grant = { groupId: "T", role: "owner", inherited: false, path: ["T"] };
    const viewer: Grant = { groupId: "P", role: "viewer", inherited: true, path: ["P", "T"] };
    expect(decide(reg, [grant, viewer], "groups.delete", true)).toEqual({
      allowed: true,
      permission: "groups.delete",
      globalAdmin: true,
      grants: [grant],
    });
  });
});

describe("the deployment registry agrees with the contract on the default roles", () => {
  it.each(ROLE_NAMES.map((r) => [r]))("%s held directly", (role) => {
    const grants = grantsAt(hierarchy([group("T")], [], [membership("T", role)]), U, "T", NOW);
    for (const permission of CONTRACT_PERMISSIONS) {
      expect(decide(registry, grants, permission, false).allowed).toBe(CONTRACT_ROLES[role]!.includes(permission));
    }
  });
});

// ---------------------------------------------------------------- membershipReach

describe("membershipReach", () => {
  const active = group("T");
  const archived = group("T", { active: false });

  it("an ACTIVE membership without expiry in an active group counts there and below", () => {
    expect(membershipReach(membership("T", "viewer"), active, NOW)).toBe("group-and-below");
  });

  it("counts one expiring after now, not one expiring at or before now", () => {
    expect(membershipReach(membership("T", "viewer", { expiresAt: FUTURE }), active, NOW)).toBe("group-and-below");
    expect(membershipReach(membership("T", "viewer", { expiresAt: NOW }), active, NOW)).toBe("nowhere");
    expect(membershipReach(membership("T", "viewer", { expiresAt: PAST }), active, NOW)).toBe("nowhere");
  });

  it("compares with the `now` it is given, not the clock", () => {
    const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    expect(membershipReach(membership("T", "viewer", { expiresAt: PAST }), active, lastYear)).toBe("group-and-below");
  });

  it("does not count PENDING, INACTIVE or SCHEDULED (not yet started), or any other status", () => {
    for (const status of ["PENDING", "INACTIVE", "SCHEDULED", "active", ""]) {
      expect(membershipReach(membership("T", "viewer", { status }), active, NOW)).toBe("nowhere");
      expect(membershipReach(membership("T", "owner", { status }), archived, NOW)).toBe("nowhere");
    }
  });

  it("in an archived group, only an ACTIVE, unexpired owner counts, and only in that group", () => {
    expect(membershipReach(membership("T", "owner"), archived, NOW)).toBe("group-only");
    expect(membershipReach(membership("T", "owner", { expiresAt: FUTURE }), archived, NOW)).toBe("group-only");
    expect(membershipReach(membership("T", "owner", { expiresAt: PAST }), archived, NOW)).toBe("nowhere");
    for (const role of ["viewer", "member", "admin", "ghost"]) {
      expect(membershipReach(membership("T", role), archived, NOW)).toBe("nowhere");
    }
  });

  it("does not count a membership in an unknown group", () => {
    expect(membershipReach(membership("T", "owner"), undefined, NOW)).toBe("nowhere");
  });
});

// ---------------------------------------------------------------- grantsAt

describe("grantsAt", () => {
  it("reports a role held in the target as not inherited, path [target]", () => {
    const facts = hierarchy([group("T")], [], [membership("T", "member")]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([{ groupId: "T", role: "member", inherited: false, path: ["T"] }]);
  });

  it("reports a role held in an ancestor as inherited, path from holder down to target", () => {
    const facts = hierarchy(chain(), CHAIN_LINKS, [membership("B", "admin")]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "B", role: "admin", inherited: true, path: ["B", "C", "T"] },
    ]);
    // The same facts seen from C: B is its parent.
    expect(grantsAt(facts, U, "C", NOW)).toEqual([{ groupId: "B", role: "admin", inherited: true, path: ["B", "C"] }]);
  });

  /*
   * A diamond with one long branch:
   *        A
   *      /   \
   *     X     Y2
   *     |     |
   *     |     Y
   *      \   /
   *        T
   * T's parents are listed long branch first, so a depth-first walk would find the long path.
   */
  const diamondLinks: [string, string][] = [
    ["T", "Y"],
    ["T", "X"],
    ["Y", "Y2"],
    ["Y2", "A"],
    ["X", "A"],
  ];
  const diamondGroups = (overrides: Record<string, { cascade?: boolean; active?: boolean }> = {}) =>
    ["A", "X", "Y", "Y2", "T"].map((id) => group(id, overrides[id]));

  it("chooses a shortest path through a DAG diamond and reports the holder once", () => {
    const facts = hierarchy(diamondGroups(), diamondLinks, [membership("A", "owner")]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "A", role: "owner", inherited: true, path: ["A", "X", "T"] },
    ]);
  });

  it("takes the longer branch when the shorter one does not cascade (some path suffices)", () => {
    const facts = hierarchy(diamondGroups({ X: { cascade: false } }), diamondLinks, [membership("A", "owner")]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "A", role: "owner", inherited: true, path: ["A", "Y2", "Y", "T"] },
    ]);
  });

  it("reports nothing when neither branch cascades", () => {
    const facts = hierarchy(diamondGroups({ X: { cascade: false }, Y2: { cascade: false } }), diamondLinks, [
      membership("A", "owner"),
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([]);
  });

  it("reports a holder reachable by two equally long paths once", () => {
    const links: [string, string][] = [
      ["T", "L"],
      ["T", "R"],
      ["L", "A"],
      ["R", "A"],
    ];
    const facts = hierarchy(
      ["A", "L", "R", "T"].map((id) => group(id)),
      links,
      [membership("A", "admin")],
    );
    const grants = grantsAt(facts, U, "T", NOW);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ groupId: "A", role: "admin", inherited: true });
    expect([
      ["A", "L", "T"],
      ["A", "R", "T"],
    ]).toContainEqual(grants[0]!.path);
  });

  it("ignores other users' memberships", () => {
    const facts = hierarchy(chain(), CHAIN_LINKS, [
      membership("T", "owner", { userId: OTHER }),
      membership("C", "admin", { userId: OTHER }),
      membership("A", "viewer"),
      membership("B", "owner", { userId: OTHER }),
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "A", role: "viewer", inherited: true, path: ["A", "B", "C", "T"] },
    ]);
    expect(grantsAt(facts, OTHER, "T", NOW).map((g) => [g.groupId, g.role])).toEqual([
      ["T", "owner"],
      ["C", "admin"],
      ["B", "owner"],
    ]);
    expect(grantsAt(facts, "nobody", "T", NOW)).toEqual([]);
  });

  it("yields one grant per role held at different levels, nearest first", () => {
    const facts = hierarchy(chain(), CHAIN_LINKS, [
      membership("A", "owner"),
      membership("T", "viewer"),
      membership("C", "admin"),
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "T", role: "viewer", inherited: false, path: ["T"] },
      { groupId: "C", role: "admin", inherited: true, path: ["C", "T"] },
      { groupId: "A", role: "owner", inherited: true, path: ["A", "B", "C", "T"] },
    ]);
  });

  it("leaves out only the memberships that do not count", () => {
    const facts = hierarchy(chain(), CHAIN_LINKS, [
      membership("T", "viewer", { status: "PENDING" }),
      membership("C", "member", { expiresAt: PAST }),
      membership("B", "admin"),
      membership("A", "owner", { status: "INACTIVE" }),
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "B", role: "admin", inherited: true, path: ["B", "C", "T"] },
    ]);
  });

  it("stops at a group that does not cascade but keeps what lies below it", () => {
    const facts = hierarchy(chain({ B: { cascade: false } }), CHAIN_LINKS, [
      membership("A", "owner"),
      membership("C", "member"),
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([{ groupId: "C", role: "member", inherited: true, path: ["C", "T"] }]);
  });

  it("an archived group's owner holds there only; its admin nothing; an active ancestor's roles still count there", () => {
    // A (active) -> B (archived) -> C -> T, all cascading.
    const facts = hierarchy(chain({ B: { active: false } }), CHAIN_LINKS, [
      membership("A", "member"),
      membership("B", "owner"),
      membership("B", "admin", { userId: OTHER }),
    ]);
    expect(grantsAt(facts, U, "B", NOW)).toEqual([
      { groupId: "B", role: "owner", inherited: false, path: ["B"] },
      { groupId: "A", role: "member", inherited: true, path: ["A", "B"] },
    ]);
    // Below the archived group: nothing from it, the active ancestor's role as before.
    expect(grantsAt(facts, U, "C", NOW)).toEqual([
      { groupId: "A", role: "member", inherited: true, path: ["A", "B", "C"] },
    ]);
    expect(grantsAt(facts, U, "T", NOW)).toEqual([
      { groupId: "A", role: "member", inherited: true, path: ["A", "B", "C", "T"] },
    ]);
    expect(grantsAt(facts, OTHER, "B", NOW)).toEqual([]);
    // The owner may do there whatever owner may; nothing below.
    expect(decide(reg, grantsAt(facts, U, "B", NOW), "groups.delete", false).allowed).toBe(true);
    expect(decide(reg, grantsAt(facts, U, "B", NOW), "groups.update", false).allowed).toBe(true);
    expect(decide(reg, grantsAt(facts, U, "C", NOW), "groups.update", false).allowed).toBe(false);
  });

  it("uses the real clock when no `now` is given", () => {
    const facts = hierarchy(
      [group("T"), group("P")],
      [["T", "P"]],
      [
        membership("T", "viewer", { expiresAt: new Date(Date.now() - 60_000) }),
        membership("P", "member", { expiresAt: new Date(Date.now() + 3_600_000) }),
      ],
    );
    expect(grantsAt(facts, U, "T").map((g) => g.role)).toEqual(["member"]);
  });
});

// ---------------------------------------------------------------- decide

describe("decide", () => {
  const facts = hierarchy(chain(), CHAIN_LINKS, [
    membership("A", "owner"),
    membership("T", "viewer"),
    membership("C", "admin"),
  ]);
  const grants = grantsAt(facts, U, "T", NOW);
  const [viewerAtT, adminAtC, ownerAtA] = grants;

  it("returns only the grants that allow the permission", () => {
    expect(decide(reg, grants, "groups.view", false).grants).toEqual([viewerAtT, adminAtC, ownerAtA]);
    expect(decide(reg, grants, "members.add", false).grants).toEqual([adminAtC, ownerAtA]);
    expect(decide(reg, grants, "groups.delete", false)).toEqual({
      allowed: true,
      permission: "groups.delete",
      globalAdmin: false,
      grants: [ownerAtA],
    });
  });

  it("denies with no grants when no role grants the permission", () => {
    expect(decide(reg, [viewerAtT!], "members.view", false)).toEqual({
      allowed: false,
      permission: "members.view",
      globalAdmin: false,
      grants: [],
    });
    expect(decide(reg, grants, "nothing.at_all", false)).toMatchObject({ allowed: false, grants: [] });
    expect(decide(reg, [], "groups.view", false)).toMatchObject({ allowed: false, grants: [] });
  });

  it("a permission granted to a lower role allows every role ranked above it, each grant keeping its role", () => {
    // README's "Adding a permission": reports.export granted to admin in the custom registry.
    const custom = new PermissionRegistry(
      mergeDefinitions(defaultRegistry, {
        modules: [{ key: "reports", label: "Reports" }],
        permissions: [{ key: "reports.export", module: "reports", label: "Export reports" }],
        roles: [{ name: "admin", label: "Admin", rank: 30, permissions: ["reports.export"] }],
      }),
    );
    expect(decide(custom, [ownerAtA!], "reports.export", false)).toEqual({
      allowed: true,
      permission: "reports.export",
      globalAdmin: false,
      grants: [ownerAtA],
    });
    expect(decide(custom, grants, "reports.export", false).grants).toEqual([adminAtC, ownerAtA]);
    expect(decide(custom, [viewerAtT!], "reports.export", false)).toMatchObject({ allowed: false, grants: [] });
  });

  it("gives an unknown role nothing", () => {
    const ghost: Grant = { groupId: "T", role: "ghost", inherited: false, path: ["T"] };
    for (const permission of CONTRACT_PERMISSIONS) {
      expect(decide(reg, [ghost], permission, false)).toMatchObject({ allowed: false, grants: [] });
    }
  });
});

// ---------------------------------------------------------------- roleChangeRefusal

describe("roleChangeRefusal", () => {
  const change = (c: Partial<RoleChange>): RoleChange => ({
    callerRoles: [],
    callerIsGlobalAdmin: false,
    self: false,
    currentRole: null,
    newRole: null,
    ...c,
  });
  const refusal = (c: Partial<RoleChange>) => roleChangeRefusal(reg, change(c));

  const RANKS: Record<string, number> = { viewer: 10, member: 20, admin: 30, owner: 40 };

  describe("granting a role to a new member: only at or below the caller's rank; owner by owners", () => {
    const cases = ROLE_NAMES.flatMap((caller) =>
      ROLE_NAMES.map((granted) => {
        const allowed = caller === "owner" || (granted !== "owner" && RANKS[granted]! <= RANKS[caller]!);
        return { name: `${caller} adds a ${granted} → ${allowed ? "allow" : "refuse"}`, caller, granted, allowed };
      }),
    );
    it.each(cases)("$name", ({ caller, granted, allowed }) => {
      const answer = refusal({ callerRoles: [caller], newRole: granted });
      if (allowed) expect(answer).toBeNull();
      else expect(answer).toMatch(granted === "owner" ? /only owners/ : /ranks above/);
    });
  });

  it("uses the caller's effective (highest) role, whatever the order", () => {
    expect(refusal({ callerRoles: ["viewer", "admin"], newRole: "admin" })).toBeNull();
    expect(refusal({ callerRoles: ["admin", "viewer"], newRole: "admin" })).toBeNull();
    expect(refusal({ callerRoles: ["member", "owner"], newRole: "owner" })).toBeNull();
    expect(refusal({ callerRoles: ["viewer", "member"], newRole: "admin" })).toMatch(/ranks above/);
  });

  it("names the caller's role when refusing a grant ranked above it", () => {
    expect(refusal({ callerRoles: ["member"], newRole: "admin" })).toMatch(/"admin".*ranks above.*"member"/);
  });

  describe("the owner role is granted, changed and taken away only by owners", () => {
    it("admin adding an owner → refused", () => {
      expect(refusal({ callerRoles: ["admin"], newRole: "owner" })).toMatch(/only owners/);
    });
    it("admin promoting an admin to owner → refused", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "admin", newRole: "owner" })).toMatch(/only owners/);
    });
    it("admin demoting an owner → refused", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "owner", newRole: "admin" })).toMatch(/only owners/);
      expect(refusal({ callerRoles: ["admin"], currentRole: "owner", newRole: "viewer" })).toMatch(/only owners/);
    });
    it("admin removing an owner (or changing their status) → refused", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "owner", newRole: null })).toMatch(/only owners/);
    });
    it("owner adding, promoting to, demoting and removing owners → allowed", () => {
      expect(refusal({ callerRoles: ["owner"], newRole: "owner" })).toBeNull();
      expect(refusal({ callerRoles: ["owner"], currentRole: "admin", newRole: "owner" })).toBeNull();
      expect(refusal({ callerRoles: ["owner"], currentRole: "owner", newRole: "member" })).toBeNull();
      expect(refusal({ callerRoles: ["owner"], currentRole: "owner", newRole: null })).toBeNull();
    });
    it("an owner by cascade counts as an owner", () => {
      expect(refusal({ callerRoles: ["viewer", "owner"], currentRole: "owner", newRole: "admin" })).toBeNull();
    });
  });

  describe("a member ranked above the caller cannot be changed or removed", () => {
    it("member changing an admin → refused, even to a lower role", () => {
      expect(refusal({ callerRoles: ["member"], currentRole: "admin", newRole: "viewer" })).toMatch(
        /"admin" ranks above/,
      );
    });
    it("member removing an admin (newRole null) → refused", () => {
      expect(refusal({ callerRoles: ["member"], currentRole: "admin", newRole: null })).toMatch(/"admin" ranks above/);
    });
    it("viewer removing a member → refused", () => {
      expect(refusal({ callerRoles: ["viewer"], currentRole: "member", newRole: null })).toMatch(/ranks above/);
    });
    it("admin changing or removing an admin (same rank) → allowed", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "admin", newRole: "member" })).toBeNull();
      expect(refusal({ callerRoles: ["admin"], currentRole: "admin", newRole: null })).toBeNull();
    });
    it("admin changing a viewer up to member or admin → allowed", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "viewer", newRole: "member" })).toBeNull();
      expect(refusal({ callerRoles: ["admin"], currentRole: "viewer", newRole: "admin" })).toBeNull();
    });
    it("admin removing a member → allowed", () => {
      expect(refusal({ callerRoles: ["admin"], currentRole: "member", newRole: null })).toBeNull();
    });
  });

  describe("nobody promotes themselves", () => {
    it("self member → admin refused even when the caller is owner by cascade", () => {
      expect(
        refusal({ callerRoles: ["member", "owner"], self: true, currentRole: "member", newRole: "admin" }),
      ).toMatch(/promote themselves/);
    });
    it("self admin → owner refused even when the caller is owner by cascade", () => {
      expect(refusal({ callerRoles: ["admin", "owner"], self: true, currentRole: "admin", newRole: "owner" })).toMatch(
        /promote themselves/,
      );
    });
    it("self viewer → member refused when the caller is admin by cascade", () => {
      expect(
        refusal({ callerRoles: ["viewer", "admin"], self: true, currentRole: "viewer", newRole: "member" }),
      ).toMatch(/promote themselves/);
    });
    it("self demotion → allowed", () => {
      expect(refusal({ callerRoles: ["admin"], self: true, currentRole: "admin", newRole: "member" })).toBeNull();
      expect(refusal({ callerRoles: ["owner"], self: true, currentRole: "owner", newRole: "viewer" })).toBeNull();
    });
    it("self keeping the same role, or leaving (newRole null) → allowed", () => {
      expect(refusal({ callerRoles: ["member"], self: true, currentRole: "member", newRole: "member" })).toBeNull();
      expect(refusal({ callerRoles: ["member"], self: true, currentRole: "member", newRole: null })).toBeNull();
    });
    it("the same change to someone else → allowed", () => {
      expect(refusal({ callerRoles: ["member", "owner"], currentRole: "member", newRole: "admin" })).toBeNull();
    });
  });

  describe("a caller with no role in the group", () => {
    it.each(ROLE_NAMES.map((r) => [r]))("cannot grant %s", (role) => {
      const answer = refusal({ callerRoles: [], newRole: role });
      expect(answer).toEqual(expect.any(String));
      expect(answer).toMatch(role === "owner" ? /only owners/ : /ranks above/);
    });
    it.each(ROLE_NAMES.map((r) => [r]))("cannot remove a %s", (role) => {
      expect(refusal({ callerRoles: [], currentRole: role, newRole: null })).toEqual(expect.any(String));
    });
  });

  describe("global admins are exempt", () => {
    it.each([
      ["adding an owner", { newRole: "owner" }],
      ["demoting an owner", { currentRole: "owner", newRole: "viewer" }],
      ["removing an owner", { currentRole: "owner", newRole: null }],
      ["promoting themselves", { self: true, currentRole: "viewer", newRole: "owner" }],
    ] as [string, Partial<RoleChange>][])("global admin with no role %s → allowed", (_name, c) => {
      expect(refusal({ ...c, callerRoles: [], callerIsGlobalAdmin: true })).toBeNull();
    });
  });
});
