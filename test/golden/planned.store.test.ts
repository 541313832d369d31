import "reflect-metadata";
import { join, raw, type Sql, sql } from "../../src/db";
import { GroupOrderField } from "../../src/groups/group.inputs";
import {
  plannedAncestorsSql,
  plannedGroupSql,
  plannedGroupsPageSql,
  plannedRelativesSql,
} from "../../src/groups/group.plan.store";
import type { GroupsPageQuery } from "../../src/groups/group.store";
import { plannedInitiativesSql } from "../../src/initiatives/initiative.plan.store";
import { plannedLeadershipsSql } from "../../src/leadership/leadership.plan.store";
import { plannedMemberCountSql, plannedMemberPageSql } from "../../src/memberships/membership.plan.store";
import { type FieldNode, type OperationDefinitionNode, parse } from "graphql";
import { memberColumnsRead } from "../../src/memberships/member-columns";
import { ALL_MEMBER_COLUMNS, type MemberColumns } from "../../src/memberships/membership.store";

/*
 * Golden tests: the SQL text of the planned statements (src/groups/group.plan.ts), one per root
 * field of the benchmark's read shapes, and of each planned relation for a caller who is not a
 * global admin (the access rules of permissions/visibility.ts spliced in). The text depends only on
 * the statement's shape, never on values. After an intended change, review the new SQL and update
 * with `jest test/golden -u`.
 */

const viewer = { id: "00000000-0000-4000-8000-0000000000aa", isGlobalAdmin: false };
const admin = { id: "00000000-0000-4000-8000-0000000000ad", isGlobalAdmin: true };
const G1 = "00000000-0000-4000-8000-000000000001";
const G2 = "00000000-0000-4000-8000-000000000002";
const M1 = "00000000-0000-4000-8000-0000000000c1";
/** The root statement's group id, as the planner hands it to each relation. */
const ROW = raw("rg.id");

const planned = (columns: Sql[]) => sql`json_build_array(${join(columns, ", ")})`;

const members = (
  limit: number,
  after: readonly [number, string, string] | null = null,
  columns: MemberColumns = ALL_MEMBER_COLUMNS,
) => ({
  role: null,
  includeInactive: false,
  transitive: false,
  limit,
  after,
  columns,
});

/** The first field of a document's operation, as the planner is handed it. */
const fieldOf = (document: string) =>
  (parse(document).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;

/** Q1's members selection as member-columns.ts reads it: the role and the user's name, no total. */
const Q1_MEMBERS = memberColumnsRead({ fragments: {} }, [
  fieldOf(`{ members(first: 10) { nodes { role user { name } } } }`),
]);

const q1Page = (limit: number): GroupsPageQuery => ({
  filter: { groupType: "team" },
  orderBy: GroupOrderField.NAME,
  descending: false,
  after: null,
  offset: null,
  limit,
  withTotal: false,
});

/** Q1: groups(filter: {groupType}, first) { nodes { id name memberCount parents { name } members(first: 10) {...} } } */
const q1 = (first: number) =>
  plannedGroupsPageSql(
    admin,
    q1Page(first + 1),
    planned([
      plannedMemberCountSql(ROW),
      plannedRelativesSql(admin, ROW, { up: true, includeInactive: true }),
      plannedMemberPageSql(ROW, members(11, null, Q1_MEMBERS)),
    ]),
  );

/** Q4: group(id) { members(first: 20) leaders leadershipHistory initiatives children } */
const q4 = (id: string) =>
  plannedGroupSql(
    id,
    planned([
      plannedMemberPageSql(ROW, members(21)),
      plannedLeadershipsSql(ROW),
      plannedInitiativesSql(ROW),
      plannedRelativesSql(admin, ROW, { up: false, includeInactive: false }),
    ]),
  );

/** Q2: group(id) { ancestors { depth group { name } } } */
const q2 = (id: string) => plannedGroupSql(id, planned([plannedAncestorsSql(admin, ROW, null)]));

describe("planned statements", () => {
  it("a members page reads the columns its selection asks for", () => {
    expect(Q1_MEMBERS).toEqual({
      membership: ["id", "userId", "role"],
      user: ["id", "name"],
      total: false,
    });
    const read = (selection: string) => memberColumnsRead({ fragments: {} }, [fieldOf(`{ members { ${selection} } }`)]);
    expect(read(`totalCount nodes { status }`)).toEqual({
      membership: ["id", "userId", "storedStatus", "expiresAt"],
      user: [],
      total: true,
    });
    expect(read(`nodes { group { name } invitedBy { name } user { email erasedAt } }`)).toEqual({
      membership: ["id", "groupId", "userId", "invitedById"],
      user: ["id", "email"],
      total: false,
    });
    // A field it knows no columns for: every column (of the user, or of the membership and the user).
    expect(read(`nodes { role user { name memberships { role } } }`)).toEqual({
      membership: ["id", "userId", "role"],
      user: null,
      total: false,
    });
    expect(read(`nodes { role history { role } }`)).toBe(ALL_MEMBER_COLUMNS);
  });

  it("Q1: the groups page with each group's member count, parents and first members", () => {
    const statement = q1(50);
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT rg.*, json_build_array((SELECT count(*)::int FROM memberships a WHERE a.group_id = rg.id AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())), (SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]'::json) FROM (
           SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
           FROM group_parents gp JOIN groups g ON g.id = gp.parent_id
           WHERE gp.child_id = rg.id AND TRUE
         ) x), json_build_object(
           'rows', (SELECT coalesce(json_agg(json_build_object(
               'depth', 0, 'id', m.id, 'userId', m.user_id, 'role', m.role, 'joinedKey', m.joined_at::text, 'user.name', u.name
             ) ORDER BY m.joined_at, m.id), '[]'::json)
             FROM (
               SELECT a.id, a.user_id, a.role, a.joined_at
               FROM memberships a
               WHERE a.group_id = rg.id AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())
               ORDER BY a.joined_at, a.id LIMIT $1
             ) m LEFT JOIN users u ON u.id = m.user_id))) AS planned
         FROM (SELECT NULL::int AS "totalCount", p.* FROM (SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById", g.name AS sort_key, g.name::text AS "sortKeyText"
         FROM groups g
         WHERE g.is_active = $2 AND g.group_type = $3 AND TRUE
         ORDER BY g.name ASC, g.id ASC LIMIT $4) p ORDER BY p.sort_key ASC, p.id ASC) rg
         ORDER BY rg.sort_key ASC, rg.id ASC"
    `);
    expect(statement.values).toMatchInlineSnapshot(`
     [
       11,
       true,
       "team",
       51,
     ]
    `);
  });

  it("Q4: a group with its members page, leaderships, initiatives and active children", () => {
    const statement = q4(G1);
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT rg.*, json_build_array(json_build_object(
           'totalCount', (SELECT count(*)::int FROM memberships a WHERE a.group_id = rg.id AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())),
           'rows', (SELECT coalesce(json_agg(json_build_object(
               'depth', 0, 'id', m.id, 'groupId', m.group_id, 'userId', m.user_id, 'role', m.role, 'storedStatus', m.status, 'invitedById', m.invited_by, 'joinedAt', m.joined_at, 'expiresAt', m.expires_at, 'startsAt', m.starts_at, 'createdAt', m.created_at, 'updatedAt', m.updated_at, 'joinedKey', m.joined_at::text, 'user.id', u.id, 'user.name', u.name, 'user.email', u.email, 'user.isGlobalAdmin', u.is_global_admin, 'user.createdAt', u.created_at, 'user.updatedAt', u.updated_at
             ) ORDER BY m.joined_at, m.id), '[]'::json)
             FROM (
               SELECT a.id, a.group_id, a.user_id, a.role, a.status, a.invited_by, a.joined_at, a.expires_at, a.starts_at, a.created_at, a.updated_at
               FROM memberships a
               WHERE a.group_id = rg.id AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())
               ORDER BY a.joined_at, a.id LIMIT $1
             ) m LEFT JOIN users u ON u.id = m.user_id)), (SELECT coalesce(json_agg(x ORDER BY l.start_date, l.created_at, l.id), '[]'::json)
           FROM leaderships l JOIN users u ON u.id = l.user_id
           CROSS JOIN LATERAL (SELECT l.id, l.group_id AS "groupId", l.user_id AS "userId", to_char(l.start_date, 'YYYY-MM-DD') AS "startDate", to_char(l.end_date, 'YYYY-MM-DD') AS "endDate", l.created_at AS "createdAt", l.updated_at AS "updatedAt", u.id AS "user.id", u.name AS "user.name", u.email AS "user.email", u.is_global_admin AS "user.isGlobalAdmin", u.created_at AS "user.createdAt", u.updated_at AS "user.updatedAt") x
           WHERE l.group_id = rg.id), (SELECT coalesce(json_agg(x ORDER BY i.name, i.id), '[]'::json)
           FROM group_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id
           CROSS JOIN LATERAL (SELECT i.id, i.name, i.description, to_char(i.start_date, 'YYYY-MM-DD') AS "startDate", to_char(i.end_date, 'YYYY-MM-DD') AS "endDate", i.created_by AS "createdById", i.created_at AS "createdAt", i.updated_at AS "updatedAt") x
           WHERE gi.group_id = rg.id), (SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]'::json) FROM (
           SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
           FROM group_parents gp JOIN groups g ON g.id = gp.child_id
           WHERE gp.parent_id = rg.id AND TRUE AND g.is_active
         ) x)) AS planned
         FROM (SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById" FROM groups g WHERE g.id = $2::uuid) rg"
    `);
    expect(statement.values).toMatchInlineSnapshot(`
     [
       21,
       "00000000-0000-4000-8000-000000000001",
     ]
    `);
  });

  it("Q2: a group with its ancestors", () => {
    const statement = q2(G1);
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT rg.*, json_build_array((SELECT coalesce(json_agg(x ORDER BY x.depth, x.name, x.id), '[]'::json) FROM (
           WITH RECURSIVE up(id, depth) AS (
             SELECT gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = rg.id
             UNION
             SELECT gp.parent_id, up.depth + 1 FROM up JOIN group_parents gp ON gp.child_id = up.id
           ), nearest AS (
             SELECT id, min(depth) AS depth FROM up GROUP BY id
           )
           SELECT n.depth, g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
           FROM nearest n JOIN groups g ON g.id = n.id
           WHERE TRUE
         ) x)) AS planned
         FROM (SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById" FROM groups g WHERE g.id = $1::uuid) rg"
    `);
    expect(statement.values).toMatchInlineSnapshot(`
     [
       "00000000-0000-4000-8000-000000000001",
     ]
    `);
  });

  it("a caller who is not a global admin: the visibility rule inside each group relation", () => {
    expect(plannedRelativesSql(viewer, ROW, { up: false, includeInactive: true }).text).toMatchInlineSnapshot(`
     "(SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]'::json) FROM (
           SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
           FROM group_parents gp JOIN groups g ON g.id = gp.child_id
           WHERE gp.parent_id = rg.id AND (g.visibility = 'PUBLIC' OR g.id IN (
         WITH RECURSIVE held(id) AS (
           SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
           WHERE a.user_id = $1::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($2::text[])
           UNION
           SELECT gp.child_id FROM held
           JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
           JOIN group_parents gp ON gp.parent_id = held.id
         ) SELECT id FROM held
         UNION
         SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
         WHERE a.user_id = $3::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner'))
         ) x)"
    `);
    const ancestors = plannedAncestorsSql(viewer, ROW, 2);
    expect(ancestors.text).toMatchInlineSnapshot(`
     "(SELECT coalesce(json_agg(x ORDER BY x.depth, x.name, x.id), '[]'::json) FROM (
           WITH RECURSIVE up(id, depth) AS (
             SELECT gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = rg.id
             UNION
             SELECT gp.parent_id, up.depth + 1 FROM up JOIN group_parents gp ON gp.child_id = up.id WHERE up.depth < $1::int
           ), nearest AS (
             SELECT id, min(depth) AS depth FROM up GROUP BY id
           )
           SELECT n.depth, g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
           FROM nearest n JOIN groups g ON g.id = n.id
           WHERE (g.visibility = 'PUBLIC' OR g.id IN (
         WITH RECURSIVE held(id) AS (
           SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
           WHERE a.user_id = $2::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($3::text[])
           UNION
           SELECT gp.child_id FROM held
           JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
           JOIN group_parents gp ON gp.parent_id = held.id
         ) SELECT id FROM held
         UNION
         SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
         WHERE a.user_id = $4::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner'))
         ) x)"
    `);
    expect(ancestors.values).toMatchInlineSnapshot(`
     [
       2,
       "00000000-0000-4000-8000-0000000000aa",
       [
         "viewer",
         "member",
         "admin",
         "owner",
       ],
       "00000000-0000-4000-8000-0000000000aa",
     ]
    `);
  });

  it("a members page with role, inactive members and a cursor", () => {
    const statement = plannedMemberPageSql(ROW, {
      role: "admin",
      includeInactive: true,
      transitive: false,
      limit: 4,
      after: [0, "2024-01-01 00:00:00+00", M1],
      columns: ALL_MEMBER_COLUMNS,
    });
    expect(statement.text).toMatchInlineSnapshot(`
     "json_build_object(
           'totalCount', (SELECT count(*)::int FROM memberships a WHERE a.group_id = rg.id AND a.role = $1),
           'rows', (SELECT coalesce(json_agg(json_build_object(
               'depth', 0, 'id', m.id, 'groupId', m.group_id, 'userId', m.user_id, 'role', m.role, 'storedStatus', m.status, 'invitedById', m.invited_by, 'joinedAt', m.joined_at, 'expiresAt', m.expires_at, 'startsAt', m.starts_at, 'createdAt', m.created_at, 'updatedAt', m.updated_at, 'joinedKey', m.joined_at::text, 'user.id', u.id, 'user.name', u.name, 'user.email', u.email, 'user.isGlobalAdmin', u.is_global_admin, 'user.createdAt', u.created_at, 'user.updatedAt', u.updated_at
             ) ORDER BY m.joined_at, m.id), '[]'::json)
             FROM (
               SELECT a.id, a.group_id, a.user_id, a.role, a.status, a.invited_by, a.joined_at, a.expires_at, a.starts_at, a.created_at, a.updated_at
               FROM memberships a
               WHERE a.group_id = rg.id AND a.role = $2 AND (0, a.joined_at, a.id) > ($3::int, $4::timestamptz, $5::uuid)
               ORDER BY a.joined_at, a.id LIMIT $6
             ) m LEFT JOIN users u ON u.id = m.user_id))"
    `);
    expect(statement.values).toMatchInlineSnapshot(`
     [
       "admin",
       "admin",
       0,
       "2024-01-01 00:00:00+00",
       "00000000-0000-4000-8000-0000000000c1",
       4,
     ]
    `);
  });

  it("the text depends on the shape, never on the values", () => {
    expect(q1(5).text).toBe(q1(50).text);
    expect(q4(G2).text).toBe(q4(G1).text);
    expect(q2(G2).text).toBe(q2(G1).text);
    expect(plannedMemberPageSql(ROW, members(3)).text).toBe(plannedMemberPageSql(ROW, members(501)).text);
    expect(plannedMemberPageSql(ROW, members(3, [0, "x", G1])).text).not.toBe(
      plannedMemberPageSql(ROW, members(3)).text,
    );
    expect(plannedAncestorsSql(viewer, ROW, 1).text).toBe(plannedAncestorsSql({ ...viewer, id: G2 }, ROW, 7).text);
  });
});
