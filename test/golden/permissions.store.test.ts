import { raw } from "../../src/db";
import { registry } from "../../src/permissions";
import {
  hierarchyFactsSql,
  holdersAndAncestorsSql,
  permissionsMatchingSql,
} from "../../src/permissions/permission.store";

/*
 * Golden tests: the SQL text of the permission store's main statements, pinned. The facts
 * statement runs for nearly every request (every permission check of a batch), so a change to it
 * must be deliberate. Whitespace is collapsed before comparing; everything else is exact. The
 * values are checked too, and the text must not depend on them (one prepared statement each).
 */

const text = (fragment: { text: string }) => fragment.text.replace(/\s+/g, " ").trim();

const GROUP_A = "00000000-0000-4000-8000-0000000000a1";
const GROUP_B = "00000000-0000-4000-8000-0000000000b2";
const USER = "00000000-0000-4000-8000-0000000000c3";

const PERMISSION_COLUMNS =
  `p.key, p.module, p.capability, p.label, p.description, p.is_active AS "isActive", ` +
  `p.is_deprecated AS "isDeprecated", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

describe("permission store SQL", () => {
  /** The facts statement's text after its CTEs, for `who` and `isUser` (scalars or arrays) and `row`. */
  const factsTail = (who: string, isUser: string, row = "") =>
    `SELECT json_build_array( ` +
    `(SELECT json_agg(json_build_array(child, parent)) FROM up), ` +
    `(SELECT json_agg(json_build_array(g.id, g.permission_cascade_enabled, g.is_active${row})) ` +
    `FROM groups g WHERE g.id = ANY(ARRAY(SELECT id FROM nodes))), ` +
    `(SELECT json_agg(json_build_array(m.group_id, m.user_id, m.role, m.status, m.expires_at)) ` +
    `FROM nodes n CROSS JOIN ${who} CROSS JOIN LATERAL ( ` +
    `SELECT a.group_id, a.user_id, a.role, a.status, a.expires_at FROM memberships a ` +
    `WHERE a.group_id = n.id AND a.user_id = who.id LIMIT 1 ) m), ` +
    `(SELECT json_agg(json_build_array(u.id, u.is_global_admin)) FROM users u WHERE u.id ${isUser}) ) AS facts`;

  it("the authorizer's facts: ancestor edges, their groups, the users' memberships there and admin flags, as one JSON value", () => {
    const facts = hierarchyFactsSql([GROUP_A, GROUP_B], [USER]);
    expect(text(facts)).toBe(
      `WITH RECURSIVE up(child, parent) AS ( ` +
        `SELECT gp.child_id, gp.parent_id FROM group_parents gp WHERE gp.child_id = ANY($1::uuid[]) ` +
        `UNION SELECT gp.child_id, gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.parent ` +
        `), nodes AS ( SELECT unnest($2::uuid[]) AS id UNION SELECT parent FROM up ) ` +
        factsTail(`unnest($3::uuid[]) AS who(id)`, `= ANY($4::uuid[])`),
    );
    // Each array travels twice: a fragment's value is one parameter per place it appears.
    expect(facts.values).toEqual([[GROUP_A, GROUP_B], [GROUP_A, GROUP_B], [USER], [USER]]);
    expect(hierarchyFactsSql([GROUP_B], [USER, USER]).text).toBe(facts.text);
  });

  it("the facts of one check take scalars, a text of its own whose generic plan PostgreSQL keeps", () => {
    const facts = hierarchyFactsSql([GROUP_A], [USER]);
    expect(text(facts)).toBe(
      `WITH RECURSIVE up(child, parent) AS ( ` +
        `SELECT gp.child_id, gp.parent_id FROM group_parents gp WHERE gp.child_id = $1::uuid ` +
        `UNION SELECT gp.child_id, gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.parent ` +
        `), nodes AS ( SELECT $2::uuid AS id UNION SELECT parent FROM up ) ` +
        factsTail(`(SELECT $3::uuid AS id) who`, `= $4::uuid`),
    );
    expect(facts.values).toEqual([GROUP_A, GROUP_A, USER, USER]);
    expect(hierarchyFactsSql([GROUP_B], [USER]).text).toBe(facts.text);
  });

  it("the facts with the groups' rows a caller asked for: a JSON object of those pairs only, the text otherwise the same", () => {
    const plain = text(hierarchyFactsSql([GROUP_A], [USER]));
    const pairs = [raw(`'id', g.id`), raw(`'name', g.name`), raw(`'visibility', g.visibility`)];
    const facts = hierarchyFactsSql([GROUP_A], [USER], pairs);
    const expected = plain.replace(
      `g.permission_cascade_enabled, g.is_active)) FROM`,
      `g.permission_cascade_enabled, g.is_active, json_build_object('id', g.id, 'name', g.name, 'visibility', g.visibility))) FROM`,
    );
    expect(expected).not.toBe(plain);
    expect(text(facts)).toBe(expected);
    expect(facts.values).toEqual([GROUP_A, GROUP_A, USER, USER]);
  });

  it("who hears of a deletion: the holders of a permission in the group (visibility.ts holdersOf), and its ancestors", () => {
    const holders = holdersAndAncestorsSql(GROUP_A, "events.view");
    expect(text(holders)).toBe(
      `WITH RECURSIVE anc(id) AS ( SELECT gp.parent_id FROM group_parents gp WHERE gp.child_id = $1::uuid ` +
        `UNION SELECT gp.parent_id FROM anc JOIN group_parents gp ON gp.child_id = anc.id ) ` +
        `SELECT ARRAY(SELECT DISTINCT x.user_id::text FROM (WITH RECURSIVE up(id) AS ( SELECT $2::uuid ` +
        `UNION SELECT gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.id ` +
        `JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled ) ` +
        `SELECT a.user_id FROM up JOIN memberships a ON a.group_id = up.id JOIN groups h ON h.id = a.group_id ` +
        `WHERE a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) ` +
        `AND a.role = ANY($3::text[]) AND (h.is_active OR (h.id = $4::uuid AND a.role = 'owner'))) x) AS readers, ` +
        `ARRAY(SELECT id::text FROM anc) AS ancestors`,
    );
    expect(holders.values).toEqual([GROUP_A, GROUP_A, registry.rolesGranting("events.view"), GROUP_A]);
  });

  it("permissions by filter: in the order of the keys asked", () => {
    const listed = permissionsMatchingSql({ keys: ["groups.view", "events.view"], includeDeprecated: false });
    expect(text(listed)).toBe(
      `SELECT ${PERMISSION_COLUMNS} FROM permissions p ` +
        `WHERE p.key = ANY($1::text[]) AND p.is_active AND NOT p.is_deprecated ` +
        `ORDER BY array_position($2::text[], p.key::text), p.key`,
    );
    expect(listed.values).toEqual([
      ["groups.view", "events.view"],
      ["groups.view", "events.view"],
    ]);
    const all = permissionsMatchingSql({ includeInactive: true });
    expect(text(all)).toBe(`SELECT ${PERMISSION_COLUMNS} FROM permissions p WHERE TRUE ORDER BY p.key`);
    expect(all.values).toEqual([]);
  });
});
