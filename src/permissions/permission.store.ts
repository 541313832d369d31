import { and, empty, join, query, raw, type Sql, sql, value, type Runner } from "../db";
import type { Permission, PermissionModule } from "./permission.types";
import type { HierarchyFacts, MembershipFacts } from "./rules";
import { holdersOf } from "./visibility";

/**
 * Every statement the authorizer and the permission queries send: the facts the rules decide on,
 * who hears of a group's deletion, and the stored registry (permissions, modules). The registry
 * sync, export and health have theirs in store/. Each statement has a builder answering its
 * fragment (pinned by test/golden/permissions.store.test.ts) and a function that runs it.
 */

// ---------------------------------------------------------------------------------- the facts

/**
 * Facts for rules.ts in one statement: every ancestor edge of the targets, the groups on them, the
 * memberships of the given users in those groups, and the users' global-admin flags. They come as
 * one JSON value, four arrays of arrays (edges, groups, memberships, users; null for none): one
 * row of one column, parsed by a single JSON.parse. As rows of one shared shape (17 rows of nine
 * columns on the Q3 benchmark's chain) the driver's row handling cost the service's Node process
 * about a tenth of a check, and Node, not PostgreSQL, is what a permission check saturates.
 *
 * The memberships are looked up per (group, user) pair, one index-only probe each of the unique
 * (group_id, user_id) index, which carries role, status and expiry (migration
 * 1795000012000-MembershipPairProbe; LIMIT 1 keeps the planner from flattening the lookup into a
 * scan by user), so neither a user with thousands of memberships elsewhere (read by user, the
 * statement scanned all of them: 4 ms for 28,000, the Q3 benchmark's caller) nor a group with
 * thousands of members costs more than one with none. The groups are read by key from an array of
 * the nodes: as `IN (SELECT id FROM nodes)` the planner, guessing 112 nodes for a recursive CTE,
 * hashed them and scanned all 20,000 groups (7 ms of a 7.5 ms statement on the Q3 benchmark's
 * chain; 0.5 ms by key).
 *
 * `groupRow`: the `'property', g.column` pairs of each group's row to bring along as a JSON object
 * (each group's fourth element), for a caller that shows those groups next (checkPermission's
 * grant paths: the facts already read every group on the targets' ancestry); none, no row. Only
 * the pairs asked for: whole rows (sixteen columns, two timestamps and the metadata as JSON) cost
 * PostgreSQL as much again as the rest of the statement, for the eight groups of the Q3
 * benchmark's chain.
 *
 * One target and one user (a single permission check, the commonest batch) take scalar parameters
 * instead of arrays, a second statement text. With arrays, the generic plan guesses 10 elements
 * per array, so ~1,200 ancestors and ~12,000 membership probes, and PostgreSQL re-plans every
 * execution (planning took longer than running: 0.26 + 0.21 ms on the Q3 benchmark's chain). With
 * scalars the generic plan's estimate equals the custom one, so after five executions each
 * connection keeps the generic plan (0.01 ms to plan, 0.13 ms to run).
 */
export function hierarchyFactsSql(
  targets: readonly string[],
  users: readonly string[],
  groupRow: readonly Sql[] = [],
): Sql {
  const row = groupRow.length > 0 ? sql`, json_build_object(${join([...groupRow], ", ")})` : empty;
  const single = targets.length === 1 && users.length === 1;
  const isTarget = single ? sql`= ${targets[0]}::uuid` : sql`= ANY(${value(targets)}::uuid[])`;
  const targetIds = single ? sql`${targets[0]}::uuid` : sql`unnest(${value(targets)}::uuid[])`;
  const who = single ? sql`(SELECT ${users[0]}::uuid AS id) who` : sql`unnest(${value(users)}::uuid[]) AS who(id)`;
  const isUser = single ? sql`= ${users[0]}::uuid` : sql`= ANY(${value(users)}::uuid[])`;
  return sql`
    WITH RECURSIVE up(child, parent) AS (
      SELECT gp.child_id, gp.parent_id FROM group_parents gp WHERE gp.child_id ${isTarget}
      UNION
      SELECT gp.child_id, gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.parent
    ), nodes AS (
      SELECT ${targetIds} AS id UNION SELECT parent FROM up
    )
    SELECT json_build_array(
      (SELECT json_agg(json_build_array(child, parent)) FROM up),
      (SELECT json_agg(json_build_array(g.id, g.permission_cascade_enabled, g.is_active${row}))
       FROM groups g WHERE g.id = ANY(ARRAY(SELECT id FROM nodes))),
      (SELECT json_agg(json_build_array(m.group_id, m.user_id, m.role, m.status, m.expires_at))
       FROM nodes n CROSS JOIN ${who}
       CROSS JOIN LATERAL (
         SELECT a.group_id, a.user_id, a.role, a.status, a.expires_at FROM memberships a
         WHERE a.group_id = n.id AND a.user_id = who.id
         LIMIT 1
       ) m),
      (SELECT json_agg(json_build_array(u.id, u.is_global_admin)) FROM users u WHERE u.id ${isUser})
    ) AS facts`;
}

/** hierarchyFactsSql's value: edges (child, parent), groups, memberships (expiry as text) and users. */
type FactsJson = [
  [string, string][] | null,
  [string, boolean, boolean, Record<string, unknown>?][] | null,
  [string, string, string, string, string | null][] | null,
  [string, boolean][] | null,
];

/** Stand-ins for the ids while a shape's text is built (factsStatement). */
const TARGET = "\0target";
const USER = "\0user";

/**
 * hierarchyFactsSql's text for each shape (one check or a batch, and the group-row pairs), built
 * once with stand-ins for the ids, and which ids each parameter takes: a check then builds no text,
 * and the prepared statement's name is looked up by a text whose hash is already known.
 */
const factsShapes = new Map<string, { text: string; slots: ("targets" | "users")[] }>();
const MAX_FACTS_SHAPES = 100;

function factsStatement(
  targets: readonly string[],
  users: readonly string[],
  groupRow: readonly Sql[],
): [string, unknown[]] {
  const single = targets.length === 1 && users.length === 1;
  const key = `${single}:${groupRow.map((pair) => pair.text).join(", ")}`;
  let shape = factsShapes.get(key);
  if (!shape) {
    const [t, u] = single
      ? [[TARGET], [USER]]
      : [
          [TARGET, TARGET],
          [USER, USER],
        ];
    const built = hierarchyFactsSql(t, u, groupRow);
    const slots = built.values.map((v: unknown) => {
      if (v === TARGET || v === t) return "targets" as const;
      if (v === USER || v === u) return "users" as const;
      throw new Error("hierarchyFactsSql took a value that is not an id");
    });
    shape = { text: built.text, slots };
    if (factsShapes.size < MAX_FACTS_SHAPES) factsShapes.set(key, shape);
  }
  const [target, user] = single ? [targets[0], users[0]] : [targets, users];
  return [shape.text, shape.slots.map((slot) => (slot === "targets" ? target : user))];
}

/**
 * The facts rules.ts decides on for `users` in `targets` (ids already checked to be UUIDs): every
 * target's ancestors with their groups, the users' memberships there, and the users' global-admin
 * flags (a user missing from `admins` does not exist); with `groupRow` pairs, those groups' rows.
 */
export async function hierarchyFacts(
  runner: Runner,
  targets: readonly string[],
  users: readonly string[],
  groupRow: readonly Sql[] = [],
): Promise<{ facts: HierarchyFacts; admins: Map<string, boolean>; groupRows: Record<string, unknown>[] }> {
  const rows = await query<{ facts: FactsJson }>(runner, ...factsStatement(targets, users, groupRow), {
    pipelined: true,
  });
  const [edges, groupList, membershipList, userList] = rows[0]!.facts;
  const groupRows: Record<string, unknown>[] = [];
  const groups = new Map<string, { id: string; permissionCascadeEnabled: boolean; isActive: boolean }>();
  const parentsOf = new Map<string, string[]>();
  const memberships: MembershipFacts[] = [];
  const admins = new Map<string, boolean>();
  for (const [child, parent] of edges ?? []) {
    const parents = parentsOf.get(child);
    if (parents) parents.push(parent);
    else parentsOf.set(child, [parent]);
  }
  for (const [id, permissionCascadeEnabled, isActive, row] of groupList ?? []) {
    groups.set(id, { id, permissionCascadeEnabled, isActive });
    if (row) groupRows.push(row);
  }
  for (const [groupId, userId, role, status, expiresAt] of membershipList ?? []) {
    memberships.push({ groupId, userId, role, status, expiresAt: expiresAt === null ? null : new Date(expiresAt) });
  }
  for (const [id, admin] of userList ?? []) admins.set(id, admin);
  return { facts: { groups, parentsOf, memberships }, admins, groupRows };
}

/**
 * Everyone who holds `permission` in `groupId` right now through a role (visibility.ts holdersOf)
 * and the group's ancestors, in one statement. Taken before a group is deleted, for whoever must
 * still hear of it.
 */
export function holdersAndAncestorsSql(groupId: string, permission: string): Sql {
  return sql`
    WITH RECURSIVE anc(id) AS (
      SELECT gp.parent_id FROM group_parents gp WHERE gp.child_id = ${groupId}::uuid
      UNION
      SELECT gp.parent_id FROM anc JOIN group_parents gp ON gp.child_id = anc.id
    )
    SELECT ARRAY(SELECT DISTINCT x.user_id::text FROM (${holdersOf(sql`${groupId}::uuid`, permission)}) x) AS readers,
           ARRAY(SELECT id::text FROM anc) AS ancestors`;
}

export async function holdersAndAncestors(
  runner: Runner,
  groupId: string,
  permission: string,
): Promise<{ readers: string[]; ancestors: string[] }> {
  const [row] = await query<{ readers: string[]; ancestors: string[] }>(
    runner,
    holdersAndAncestorsSql(groupId, permission),
  );
  return row!;
}

// ---------------------------------------------------------------------- the stored registry

const PERMISSION_COLUMNS = raw(`p.key, p.module, p.capability, p.label, p.description, p.is_active AS "isActive",
  p.is_deprecated AS "isDeprecated", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`);

const MODULE_COLUMNS = raw(`m.key, m.label, m.description, m.parent_key AS "parentKey"`);

/** Stored permissions with these keys, active or not. */
export function permissionsByKeysSql(keys: readonly string[]): Sql {
  return sql`SELECT ${PERMISSION_COLUMNS} FROM permissions p WHERE p.key = ANY(${value(keys)}::text[])`;
}

export function permissionsWithKeys(runner: Runner, keys: readonly string[]): Promise<Permission[]> {
  return query<Permission>(runner, permissionsByKeysSql(keys));
}

/** Stored modules with these keys, active or not. */
export function modulesByKeysSql(keys: readonly string[]): Sql {
  return sql`SELECT ${MODULE_COLUMNS} FROM permission_modules m WHERE m.key = ANY(${value(keys)}::text[])`;
}

export function modulesWithKeys(runner: Runner, keys: readonly string[]): Promise<PermissionModule[]> {
  return query<PermissionModule>(runner, modulesByKeysSql(keys));
}

/** The active permissions of these modules (deprecated ones included), by key. */
export function activePermissionsOfModulesSql(modules: readonly string[]): Sql {
  return sql`SELECT ${PERMISSION_COLUMNS} FROM permissions p
    WHERE p.module = ANY(${value(modules)}::text[]) AND p.is_active ORDER BY p.key`;
}

export function activePermissionsOfModules(runner: Runner, modules: readonly string[]): Promise<Permission[]> {
  return query<Permission>(runner, activePermissionsOfModulesSql(modules));
}

export interface PermissionFilter {
  keys?: readonly string[] | null;
  module?: string | null;
  capability?: string | null;
  includeInactive?: boolean | null;
  includeDeprecated?: boolean | null;
}

/**
 * Stored permissions matching every given filter: in the order of `keys` when given (unknown keys
 * left out), otherwise by key.
 */
export function permissionsMatchingSql(filter: PermissionFilter): Sql {
  const conditions: Sql[] = [];
  if (filter.keys) conditions.push(sql`p.key = ANY(${value(filter.keys)}::text[])`);
  if (filter.module != null) conditions.push(sql`p.module = ${filter.module}`);
  if (filter.capability != null) conditions.push(sql`p.capability = ${filter.capability}`);
  if (!filter.includeInactive) conditions.push(sql`p.is_active`);
  if (filter.includeDeprecated === false) conditions.push(sql`NOT p.is_deprecated`);
  const order = filter.keys ? sql`array_position(${value(filter.keys)}::text[], p.key::text), p.key` : sql`p.key`;
  return sql`SELECT ${PERMISSION_COLUMNS} FROM permissions p WHERE ${and(conditions)} ORDER BY ${order}`;
}

export function permissionsMatching(runner: Runner, filter: PermissionFilter): Promise<Permission[]> {
  return query<Permission>(runner, permissionsMatchingSql(filter));
}

/** The active modules, by key. */
export function activeModulesSql(): Sql {
  return sql`SELECT ${MODULE_COLUMNS} FROM permission_modules m WHERE m.is_active ORDER BY m.key`;
}

export function activeModules(runner: Runner): Promise<PermissionModule[]> {
  return query<PermissionModule>(runner, activeModulesSql());
}
