import "reflect-metadata";
import { EventType } from "../../src/events/event.entity";
import { GROUP_COLUMNS, groupColumns } from "../../src/groups/group.columns";
import { GroupVisibility, JoinPolicy } from "../../src/groups/group.entity";
import { GroupOrderField } from "../../src/groups/group.inputs";
import {
  ancestorsSql,
  descendantsPageSql,
  groupsPageSql,
  createGroupSql,
  type GroupCreation,
  type GroupsPageQuery,
  updateGroupSql,
  visibleGroupsByIdsSql,
} from "../../src/groups/group.store";

/*
 * Golden tests: the SQL text of the groups domain's main statements, pinned for a fixed viewer and
 * fixed arguments, with their values. The text must depend only on the statement's structure, never
 * on values (one prepared statement each). The access rule inside comes from
 * src/permissions/visibility.ts: a change there shows here too. After an intended change, review the
 * new SQL and update with `jest test/golden -u`.
 */

const viewer = { id: "00000000-0000-4000-8000-0000000000aa", isGlobalAdmin: false };
const admin = { id: "00000000-0000-4000-8000-0000000000ad", isGlobalAdmin: true };
const ROLES_WITH_VIEW = ["viewer", "member", "admin", "owner"];
const G1 = "00000000-0000-4000-8000-000000000001";
const G2 = "00000000-0000-4000-8000-000000000002";

const page: GroupsPageQuery = {
  filter: { groupType: "team", search: "lab" },
  orderBy: GroupOrderField.NAME,
  descending: false,
  after: ["Lab 7", G1],
  offset: null,
  limit: 51,
  withTotal: true,
};

describe("groups store SQL", () => {
  it("one column list: GROUP_COLUMNS is the text of groupColumns", () => {
    expect(GROUP_COLUMNS).toBe(groupColumns.text);
    expect(groupColumns.values).toEqual([]);
  });

  it("groups page: filters, visibility, keyset, limit and the total", () => {
    const statement = groupsPageSql(viewer, page);
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT t."totalCount", p.*
         FROM (SELECT count(*)::int AS "totalCount" FROM groups g WHERE g.is_active = $1 AND g.group_type = $2 AND (g.name ILIKE $3 OR g.short_name ILIKE $4) AND (g.visibility = 'PUBLIC' OR g.id IN (
         WITH RECURSIVE held(id) AS (
           SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
           WHERE a.user_id = $5::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($6::text[])
           UNION
           SELECT gp.child_id FROM held
           JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
           JOIN group_parents gp ON gp.parent_id = held.id
         ) SELECT id FROM held
         UNION
         SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
         WHERE a.user_id = $7::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner'))) t
         LEFT JOIN LATERAL (SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById", g.name AS sort_key, g.name::text AS "sortKeyText"
         FROM groups g
         WHERE g.is_active = $8 AND g.group_type = $9 AND (g.name ILIKE $10 OR g.short_name ILIKE $11) AND (g.visibility = 'PUBLIC' OR g.id IN (
         WITH RECURSIVE held(id) AS (
           SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
           WHERE a.user_id = $12::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($13::text[])
           UNION
           SELECT gp.child_id FROM held
           JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
           JOIN group_parents gp ON gp.parent_id = held.id
         ) SELECT id FROM held
         UNION
         SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
         WHERE a.user_id = $14::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner')) AND (g.name, g.id) > ($15::text, $16::uuid)
         ORDER BY g.name ASC, g.id ASC LIMIT $17) p ON TRUE
         ORDER BY p.sort_key ASC, p.id ASC"
    `);
    const visibility = [viewer.id, ROLES_WITH_VIEW, viewer.id];
    const filters = [true, "team", "%lab%", "%lab%", ...visibility];
    expect(statement.values).toEqual([...filters, ...filters, "Lab 7", G1, 51]);
  });

  it("groups page without the total, descending, by creation, with an offset", () => {
    const statement = groupsPageSql(admin, {
      ...page,
      filter: { isActive: null, parentId: G2, rootsOnly: false, metadata: { k: "v" } },
      orderBy: GroupOrderField.CREATED_AT,
      descending: true,
      after: null,
      offset: 20,
      withTotal: false,
    });
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT NULL::int AS "totalCount", p.* FROM (SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById", g.created_at AS sort_key, g.created_at::text AS "sortKeyText"
         FROM groups g
         WHERE EXISTS (SELECT 1 FROM group_parents gp JOIN groups pg ON pg.id = gp.parent_id
                 WHERE gp.child_id = g.id AND gp.parent_id = $1::uuid AND TRUE) AND EXISTS (SELECT 1 FROM group_parents gp WHERE gp.child_id = g.id) AND g.metadata @> $2::jsonb AND TRUE
         ORDER BY g.created_at DESC, g.id DESC LIMIT $3 OFFSET $4) p ORDER BY p.sort_key DESC, p.id DESC"
    `);
    expect(statement.values).toEqual([G2, '{"k":"v"}', 51, 20]);
  });

  it("visible groups by ids", () => {
    const statement = visibleGroupsByIdsSql(viewer, [G1, G2]);
    expect(statement.text).toMatchInlineSnapshot(`
     "SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById" FROM groups g
         WHERE g.id = ANY($1::uuid[]) AND (g.visibility = 'PUBLIC' OR g.id IN (
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
         WHERE a.user_id = $4::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner'))"
    `);
    expect(statement.values).toEqual([[G1, G2], viewer.id, ROLES_WITH_VIEW, viewer.id]);
  });

  it("ancestors, with and without maxDepth", () => {
    const statement = ancestorsSql(viewer, [G1], 3);
    expect(statement.text).toMatchInlineSnapshot(`
     "WITH RECURSIVE up(origin, id, depth) AS (
           SELECT gp.child_id, gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ANY($1::uuid[])
           UNION
           SELECT up.origin, gp.parent_id, up.depth + 1
           FROM up JOIN group_parents gp ON gp.child_id = up.id WHERE up.depth < $2::int
         ), nearest AS (
           SELECT origin, id, min(depth) AS depth FROM up GROUP BY origin, id
         )
         SELECT n.origin AS key, n.depth, g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
         FROM nearest n JOIN groups g ON g.id = n.id
         WHERE (g.visibility = 'PUBLIC' OR g.id IN (
         WITH RECURSIVE held(id) AS (
           SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active
           WHERE a.user_id = $3::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($4::text[])
           UNION
           SELECT gp.child_id FROM held
           JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled
           JOIN group_parents gp ON gp.parent_id = held.id
         ) SELECT id FROM held
         UNION
         SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active
         WHERE a.user_id = $5::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner'))
         ORDER BY n.depth, g.name, g.id"
    `);
    expect(statement.values).toEqual([[G1], 3, viewer.id, ROLES_WITH_VIEW, viewer.id]);
    expect(ancestorsSql(admin, [G1], null).text).toMatchInlineSnapshot(`
     "WITH RECURSIVE up(origin, id, depth) AS (
           SELECT gp.child_id, gp.parent_id, 1 FROM group_parents gp WHERE gp.child_id = ANY($1::uuid[])
           UNION
           SELECT up.origin, gp.parent_id, up.depth + 1
           FROM up JOIN group_parents gp ON gp.child_id = up.id
         ), nearest AS (
           SELECT origin, id, min(depth) AS depth FROM up GROUP BY origin, id
         )
         SELECT n.origin AS key, n.depth, g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
         FROM nearest n JOIN groups g ON g.id = n.id
         WHERE TRUE
         ORDER BY n.depth, g.name, g.id"
    `);
  });

  it("descendants page", () => {
    const statement = descendantsPageSql(viewer, G1, {
      maxDepth: null,
      groupType: "team",
      after: [2, "Lab 7", G2],
      limit: 101,
    });
    expect(statement.text).toMatchInlineSnapshot(`
     "WITH RECURSIVE down(id, depth) AS (
           SELECT gp.child_id, 1 FROM group_parents gp WHERE gp.parent_id = $1::uuid
           UNION
           SELECT gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
         ), filtered AS (
           SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById", n.depth
           FROM (SELECT id, min(depth) AS depth FROM down GROUP BY id) n JOIN groups g ON g.id = n.id
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
         WHERE a.user_id = $4::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = 'owner')) AND g.group_type = $5
         )
         SELECT t."totalCount", p.*
         FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
         LEFT JOIN LATERAL (
           SELECT * FROM filtered WHERE (depth, name, id) > ($6::int, $7::text, $8::uuid) ORDER BY depth, name, id LIMIT $9
         ) p ON TRUE
         ORDER BY depth, name, id"
    `);
    expect(statement.values).toEqual([G1, viewer.id, ROLES_WITH_VIEW, viewer.id, "team", 2, "Lab 7", G2, 101]);
  });

  const creation: GroupCreation = {
    id: G2,
    group: {
      name: "Lab",
      groupType: "team",
      description: null,
      shortName: "L",
      url: null,
      knowledgeArea: null,
      campus: "North",
      visibility: GroupVisibility.PRIVATE,
      joinPolicy: JoinPolicy.INVITE_ONLY,
      permissionCascadeEnabled: true,
      metadata: { k: "v" },
      createdById: viewer.id,
    },
    parentIds: [G1],
    events: [
      { type: EventType.GROUP_CREATED, groupId: G2, actorId: viewer.id, payload: { name: "Lab" } },
      { type: EventType.CHILD_ADDED, groupId: G1, actorId: viewer.id, payload: { childId: G2 } },
    ],
    quota: null,
  };

  it("create (one statement: the row, its parents, the creator's ownership, the events) and update: columns from the column map", () => {
    const insert = createGroupSql(creation);
    expect(insert.text).toMatchInlineSnapshot(`
     "WITH g AS (
           INSERT INTO groups AS g (id, name, group_type, description, short_name, url, knowledge_area, campus, visibility, join_policy, permission_cascade_enabled, metadata, created_by) SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13 RETURNING g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
         ), parents AS (
           INSERT INTO group_parents (child_id, parent_id) SELECT g.id, p FROM g, unnest($14::uuid[]) AS p
           RETURNING child_id
         ), owner AS (
           INSERT INTO memberships (group_id, user_id, role, status, invited_by, changed_by)
           SELECT g.id, $15::uuid, 'owner', 'ACTIVE', $16::uuid, $17::uuid FROM g
         ), events AS (INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach) SELECT * FROM unnest($18::text[], $19::uuid[], $20::uuid[], $21::uuid[], $22::jsonb[], $23::jsonb[]) WHERE EXISTS (SELECT 1 FROM g) AND (SELECT count(*) FROM parents) = $24::int)
         SELECT NULL::int AS "createdBefore", g.* FROM g"
    `);
    expect(insert.values).toEqual([
      G2,
      "Lab",
      "team",
      null,
      "L",
      null,
      null,
      "North",
      "PRIVATE",
      "INVITE_ONLY",
      true,
      '{"k":"v"}',
      viewer.id,
      [G1],
      viewer.id,
      viewer.id,
      viewer.id,
      ["GROUP_CREATED", "CHILD_ADDED"],
      [G2, G1],
      [null, null],
      [viewer.id, viewer.id],
      ['{"name":"Lab"}', `{"childId":"${G2}"}`],
      [null, null],
      1,
    ]);
    // With the quota, the count and its guard join in; the answer always has the count's row.
    const guarded = createGroupSql({ ...creation, quota: { max: 5 } });
    expect(guarded.text).toMatchInlineSnapshot(`
     "WITH created AS (SELECT count(*)::int AS n FROM groups WHERE created_by = $1::uuid), g AS (
           INSERT INTO groups AS g (id, name, group_type, description, short_name, url, knowledge_area, campus, visibility, join_policy, permission_cascade_enabled, metadata, created_by) SELECT $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14 WHERE (SELECT n FROM created) < $15::int RETURNING g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById"
         ), parents AS (
           INSERT INTO group_parents (child_id, parent_id) SELECT g.id, p FROM g, unnest($16::uuid[]) AS p
           RETURNING child_id
         ), owner AS (
           INSERT INTO memberships (group_id, user_id, role, status, invited_by, changed_by)
           SELECT g.id, $17::uuid, 'owner', 'ACTIVE', $18::uuid, $19::uuid FROM g
         ), events AS (INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach) SELECT * FROM unnest($20::text[], $21::uuid[], $22::uuid[], $23::uuid[], $24::jsonb[], $25::jsonb[]) WHERE EXISTS (SELECT 1 FROM g) AND (SELECT count(*) FROM parents) = $26::int)
         SELECT created.n AS "createdBefore", g.* FROM created LEFT JOIN g ON TRUE"
    `);
    expect(guarded.values.slice(0, 2)).toEqual([viewer.id, G2]);
    expect(guarded.values[14]).toBe(5);
    const update = updateGroupSql(G1, [
      ["shortName", null],
      ["isActive", false],
      ["metadata", {}],
    ]);
    expect(update.text).toMatchInlineSnapshot(`
     "UPDATE groups AS g SET short_name = $1, is_active = $2, metadata = $3::jsonb, updated_at = now() WHERE g.id = $4::uuid
         RETURNING g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById""
    `);
    expect(update.values).toEqual([null, false, "{}", G1]);
  });

  it("the text depends on the structure only, never on the values", () => {
    const other = { id: "00000000-0000-4000-8000-0000000000bb", isGlobalAdmin: false };
    const otherPage: GroupsPageQuery = {
      ...page,
      filter: { groupType: "lab", search: "x%" },
      after: ["Zoo", G2],
      limit: 3,
    };
    expect(groupsPageSql(other, otherPage).text).toBe(groupsPageSql(viewer, page).text);
    expect(visibleGroupsByIdsSql(other, [G2]).text).toBe(visibleGroupsByIdsSql(viewer, [G1, G2]).text);
    expect(ancestorsSql(other, [G2], 9).text).toBe(ancestorsSql(viewer, [G1], 3).text);
    expect(createGroupSql({ ...creation, id: G1, parentIds: [], events: [] }).text).toBe(createGroupSql(creation).text);
    const descendants = { maxDepth: 4, groupType: null, after: null, limit: 10 };
    expect(descendantsPageSql(other, G2, descendants).text).toBe(
      descendantsPageSql(viewer, G1, { ...descendants, maxDepth: 1, limit: 50 }).text,
    );
  });
});
