/**
 * The SQL both peers share. PostGraphile serves tables as they are; what the service computes
 * beyond plain columns (counting members, ancestors, the permission check, the writes with their
 * events) it gets as SQL functions here, in the bench database only. The floor runs the same
 * statements inline. They follow the service's rules (src/permissions/authorizer.ts,
 * src/memberships/membership.loaders.ts) so that all three answer the same.
 */

/** A membership that counts: ACTIVE and unexpired (src/permissions/authorizer.ts). */
export const COUNTING = `a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())`;

/** "Today" as the service has it: the UTC date. */
export const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

/** Ancestors of $1, each once at its shortest distance, nearest first. */
export const ANCESTORS = `
  WITH RECURSIVE up(id, depth) AS (
    SELECT gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = $1
    UNION
    SELECT gp.parent_id, up.depth + 1 FROM up JOIN group_parents gp ON gp.child_id = up.id
  )
  SELECT p.id, p.name::text AS name, min(up.depth)::int AS depth
  FROM up JOIN groups p ON p.id = up.id GROUP BY p.id, p.name ORDER BY 3, 2`;

/**
 * Grants of permission $3 to user $1 in group $2: a counting membership with a role granting it, in
 * the group (active, or archived and held as its owner) or in an active ancestor reached through
 * cascading groups; each holding group once with a shortest path (holder first, target last).
 */
export const GRANTS = `
  WITH RECURSIVE up(id, path) AS (
    SELECT $2::uuid, ARRAY[$2::uuid]
    UNION ALL
    SELECT gp.parent_id, gp.parent_id || up.path
    FROM up JOIN group_parents gp ON gp.child_id = up.id
    JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
    WHERE NOT gp.parent_id = ANY(up.path)
  ), nearest AS (
    SELECT DISTINCT ON (id) id, path FROM up ORDER BY id, cardinality(path)
  )
  SELECT a.group_id, a.role::text AS role, a.group_id <> $2 AS inherited, n.path
  FROM nearest n
  JOIN memberships a ON a.group_id = n.id AND a.user_id = $1 AND ${COUNTING}
  JOIN groups h ON h.id = a.group_id AND (h.is_active OR (h.id = $2 AND a.role = 'owner'))
  WHERE a.role IN (SELECT role_name FROM permission_role_grants WHERE permission_key = $3)
  ORDER BY cardinality(n.path), a.role`;

/** The roles granting permission $2 (the registry's effective grants, synced into the database). */
const GRANTING = `(SELECT role_name FROM permission_role_grants WHERE permission_key = $2)`;

/**
 * R1 by hand: the groups where user $1 holds permission $2 through a role (the downward closure of
 * the active groups where a counting membership grants it, descending out of cascading groups, and
 * the archived groups they own directly), the first $3 by name, and the total.
 */
export const HELD_GROUPS = `
  WITH RECURSIVE held(id) AS (
    SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
    WHERE a.user_id = $1 AND ${COUNTING} AND a.role IN ${GRANTING}
    UNION
    SELECT gp.child_id FROM held
    JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
    JOIN group_parents gp ON gp.parent_id = held.id
  ), reach AS (
    SELECT id FROM held
    UNION
    SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
    WHERE a.user_id = $1 AND ${COUNTING} AND a.role = 'owner' AND 'owner' IN ${GRANTING}
  )
  SELECT json_build_object(
    'totalCount', (SELECT count(*)::int FROM reach),
    'nodes', (SELECT coalesce(json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY x.name, x.id), '[]')
              FROM (SELECT g.id, g.name FROM reach JOIN groups g ON g.id = reach.id ORDER BY g.name, g.id LIMIT $3) x)
  ) AS answer`;

/**
 * R2 by hand: the users holding permission $2 in group $1 (GRANTS for every user at once), the
 * first $3 by name, each with their grants, and the total.
 */
export const HOLDERS = `
  WITH RECURSIVE up(id, path) AS (
    SELECT $1::uuid, ARRAY[$1::uuid]
    UNION ALL
    SELECT gp.parent_id, gp.parent_id || up.path
    FROM up JOIN group_parents gp ON gp.child_id = up.id
    JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
    WHERE NOT gp.parent_id = ANY(up.path)
  ), nearest AS (
    SELECT DISTINCT ON (id) id, path FROM up ORDER BY id, cardinality(path)
  ), grants AS (
    SELECT a.user_id, a.group_id, a.role::text AS role, a.group_id <> $1 AS inherited, n.path
    FROM nearest n
    JOIN memberships a ON a.group_id = n.id AND ${COUNTING}
    JOIN groups h ON h.id = a.group_id AND (h.is_active OR (h.id = $1 AND a.role = 'owner'))
    WHERE a.role IN ${GRANTING}
  ), holders AS (
    SELECT u.id, u.name, coalesce(u.name, '') AS sort_name FROM users u WHERE u.id IN (SELECT user_id FROM grants)
  )
  SELECT json_build_object(
    'totalCount', (SELECT count(*)::int FROM holders),
    'nodes', (SELECT coalesce(json_agg(json_build_object(
                'user', json_build_object('id', p.id, 'name', p.name),
                'grants', (SELECT coalesce(json_agg(json_build_object('group', g.group_id, 'role', g.role,
                             'inherited', g.inherited, 'path', g.path) ORDER BY cardinality(g.path), g.role), '[]')
                           FROM grants g WHERE g.user_id = p.id)
              ) ORDER BY p.sort_name, p.id), '[]')
              FROM (SELECT * FROM holders ORDER BY sort_name, id LIMIT $3) p)
  ) AS answer`;

/** addMember: the row and its MEMBER_ADDED event ($4 = the actor). */
export const ADD_MEMBER = `
  WITH m AS (
    INSERT INTO memberships (group_id, user_id, role, status, invited_by) VALUES ($1, $2, $3, 'ACTIVE', $4) RETURNING *
  ), e AS (
    INSERT INTO domain_events (type, group_id, user_id, actor_id, payload)
    SELECT 'MEMBER_ADDED', m.group_id, m.user_id, $4,
           jsonb_build_object('role', m.role, 'invitedBy', $4::uuid, 'status', m.status, 'expiresAt', NULL)
    FROM m
  )
  SELECT * FROM m`;

/** removeMember: the row goes, its MEMBER_REMOVED event stays ($3 = the actor). */
export const REMOVE_MEMBER = `
  WITH d AS (
    DELETE FROM memberships WHERE group_id = $1 AND user_id = $2 RETURNING group_id, user_id, role
  ), e AS (
    INSERT INTO domain_events (type, group_id, user_id, actor_id, payload)
    SELECT 'MEMBER_REMOVED', d.group_id, d.user_id, $3, jsonb_build_object('role', d.role) FROM d
  )
  SELECT EXISTS (SELECT 1 FROM d) AS removed`;

/** createGroup under one parent: group, parent link, owner membership, two events ($4 = creator). */
export const CREATE_GROUP = `
  WITH g AS (
    INSERT INTO groups (name, group_type, created_by) VALUES ($1, $2, $4) RETURNING *
  ), p AS (
    INSERT INTO group_parents (child_id, parent_id) SELECT g.id, $3 FROM g
  ), m AS (
    INSERT INTO memberships (group_id, user_id, role, status) SELECT g.id, $4, 'owner', 'ACTIVE' FROM g
  ), e AS (
    INSERT INTO domain_events (type, group_id, user_id, actor_id, payload)
    SELECT 'GROUP_CREATED', g.id, NULL::uuid, $4::uuid,
           jsonb_build_object('name', g.name, 'groupType', g.group_type, 'createdBy', $4::uuid, 'parentIds', jsonb_build_array($3::uuid))
    FROM g
    UNION ALL
    SELECT 'MEMBER_ADDED', g.id, $4, $4,
           jsonb_build_object('role', 'owner', 'invitedBy', $4::uuid, 'status', 'ACTIVE', 'expiresAt', NULL)
    FROM g
  )
  SELECT * FROM g`;

/** Functions PostGraphile exposes: computed columns (groups_*) and bench_* query/mutation fields. */
export const POSTGRAPHILE_FUNCTIONS = `
  DROP TYPE IF EXISTS bench_relative CASCADE;
  DROP TYPE IF EXISTS bench_grant CASCADE;
  CREATE TYPE bench_relative AS (id uuid, name text, depth int);
  CREATE TYPE bench_grant AS (group_id uuid, role text, inherited boolean, path uuid[]);

  CREATE OR REPLACE FUNCTION bench_groups_by_type(group_type text) RETURNS SETOF groups STABLE LANGUAGE sql AS $fn$
    SELECT g.* FROM groups g WHERE g.group_type = $1 AND g.is_active ORDER BY g.name, g.id $fn$;

  CREATE OR REPLACE FUNCTION groups_member_count(g groups) RETURNS int STABLE LANGUAGE sql AS $fn$
    SELECT count(*)::int FROM memberships a WHERE a.group_id = g.id AND ${COUNTING} $fn$;

  CREATE OR REPLACE FUNCTION groups_active_members(g groups) RETURNS SETOF memberships STABLE LANGUAGE sql AS $fn$
    SELECT a.* FROM memberships a WHERE a.group_id = g.id AND ${COUNTING} ORDER BY a.joined_at, a.id $fn$;

  CREATE OR REPLACE FUNCTION groups_current_leaders(g groups) RETURNS SETOF leaderships STABLE LANGUAGE sql AS $fn$
    SELECT l.* FROM leaderships l
    WHERE l.group_id = g.id AND l.start_date <= ${TODAY} AND (l.end_date IS NULL OR l.end_date > ${TODAY})
    ORDER BY l.start_date, l.id $fn$;

  CREATE OR REPLACE FUNCTION groups_active_children(g groups) RETURNS SETOF groups STABLE LANGUAGE sql AS $fn$
    SELECT c.* FROM group_parents gp JOIN groups c ON c.id = gp.child_id
    WHERE gp.parent_id = g.id AND c.is_active ORDER BY c.name, c.id $fn$;

  CREATE OR REPLACE FUNCTION groups_ancestors(g groups) RETURNS SETOF bench_relative STABLE LANGUAGE sql AS $fn$
    SELECT * FROM (${ANCESTORS.replaceAll("$1", "g.id")}) x $fn$;

  CREATE OR REPLACE FUNCTION bench_check_permission(user_id uuid, group_id uuid, permission text)
  RETURNS SETOF bench_grant STABLE LANGUAGE sql AS $fn$ ${GRANTS} $fn$;

  CREATE OR REPLACE FUNCTION bench_add_member(group_id uuid, user_id uuid, role text, actor_id uuid)
  RETURNS memberships VOLATILE LANGUAGE sql AS $fn$ ${ADD_MEMBER} $fn$;

  CREATE OR REPLACE FUNCTION bench_remove_member(group_id uuid, user_id uuid, actor_id uuid)
  RETURNS boolean VOLATILE LANGUAGE sql AS $fn$ ${REMOVE_MEMBER} $fn$;

  CREATE OR REPLACE FUNCTION bench_create_group(name text, group_type text, parent_id uuid, actor_id uuid)
  RETURNS groups VOLATILE LANGUAGE sql AS $fn$ ${CREATE_GROUP} $fn$;
`;
