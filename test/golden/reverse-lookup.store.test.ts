import { raw, type Sql } from "../../src/db";
import { GROUP_COLUMNS } from "../../src/groups";
import { groupsWithPermissionSql, holdersSql } from "../../src/memberships/reverse-lookup.store";
import { groupsHeldBy, heldBy, holdersOf, registry } from "../../src/permissions";
import { userColumnsAs } from "../../src/users";

// The SQL of the reverse permission lookups, pinned. The rule (which roles count where) is spliced
// in from visibility.ts (groupsHeldBy, holdersOf, heldBy), never written in the store: the
// expectations below splice the same fragments, so a change to the rule shows in its own golden test.

const USER = "00000000-0000-4000-8000-0000000000c3";
const OTHER = "00000000-0000-4000-8000-0000000000c4";
const admin = { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true };
const viewer = { id: "00000000-0000-4000-8000-000000000002", isGlobalAdmin: false };

const text = (s: string) => s.replace(/\s+/g, " ").trim();

/** A fragment's text as it reads after `offset` parameters of the enclosing statement. */
function spliced(fragment: Sql, offset: number): string {
  return fragment.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

describe("reverse lookup store SQL", () => {
  it("groups where users hold a permission, as a global admin, by type, after a cursor", () => {
    const statement = groupsWithPermissionSql(admin, [USER, OTHER], {
      permission: "groups.delete",
      groupType: "team",
      after: ["Lab", OTHER],
      limit: 51,
    });
    const held = groupsHeldBy(raw("r.root"), "groups.delete");
    expect(text(statement.text)).toBe(
      text(`WITH filtered AS (
        SELECT r.root, ${GROUP_COLUMNS}
        FROM unnest($1::uuid[]) AS r(root)
        CROSS JOIN LATERAL (${spliced(held, 1)}) held
        JOIN groups g ON g.id = held.id
        WHERE TRUE AND g.group_type = $3
      ), counted AS (
        SELECT "root", count(*)::int AS n FROM filtered GROUP BY "root"
      ), paged AS (
        SELECT * FROM (
          SELECT f.*, row_number() OVER (PARTITION BY f."root" ORDER BY f."name", f."id") AS rn
          FROM filtered f WHERE (f."name", f."id") > ($4::text, $5::uuid)
        ) x WHERE x.rn <= $6
      )
      SELECT k."root" AS "key", coalesce(c.n, 0) AS "totalCount", p.*
      FROM unnest($7::uuid[]) AS k("root")
      LEFT JOIN counted c ON c."root" = k."root"
      LEFT JOIN paged p ON p."root" = k."root"
      ORDER BY k."root", p."name", p."id"`),
    );
    // Only the owner grants groups.delete; archived groups owned directly are in (held's UNION).
    expect(held.text).toContain("NOT h.is_active");
    expect(statement.values).toEqual([[USER, OTHER], ["owner"], "team", "Lab", OTHER, 51, [USER, OTHER]]);
  });

  it("as an ordinary caller: groups they see, and about someone else only where they hold members.view", () => {
    const statement = groupsWithPermissionSql(viewer, [USER], {
      permission: "members.view",
      groupType: null,
      after: null,
      limit: 3,
    });
    const held = groupsHeldBy(raw("r.root"), "members.view");
    const sees = heldBy(viewer, "groups.view", raw("g.id"));
    const asks = heldBy(viewer, "members.view", raw("g.id"));
    const afterHeld = 1 + held.values.length;
    const afterSees = afterHeld + sees.values.length;
    expect(text(statement.text)).toBe(
      text(`WITH filtered AS (
        SELECT r.root, ${GROUP_COLUMNS}
        FROM unnest($1::uuid[]) AS r(root)
        CROSS JOIN LATERAL (${spliced(held, 1)}) held
        JOIN groups g ON g.id = held.id
        WHERE (g.visibility = 'PUBLIC' OR ${spliced(sees, afterHeld)})
          AND (r.root = $${afterSees + 1}::uuid OR ${spliced(asks, afterSees + 1)})
      ), counted AS (
        SELECT "root", count(*)::int AS n FROM filtered GROUP BY "root"
      ), paged AS (
        SELECT * FROM (
          SELECT f.*, row_number() OVER (PARTITION BY f."root" ORDER BY f."name", f."id") AS rn
          FROM filtered f
        ) x WHERE x.rn <= $${afterSees + 2 + asks.values.length}
      )
      SELECT k."root" AS "key", coalesce(c.n, 0) AS "totalCount", p.*
      FROM unnest($${afterSees + 3 + asks.values.length}::uuid[]) AS k("root")
      LEFT JOIN counted c ON c."root" = k."root"
      LEFT JOIN paged p ON p."root" = k."root"
      ORDER BY k."root", p."name", p."id"`),
    );
    expect(statement.values).toEqual([
      [USER],
      registry.rolesGranting("members.view"),
      ...sees.values,
      viewer.id,
      ...asks.values,
      3,
      [USER],
    ]);
  });

  it("the holders of a permission in groups, each once, by name, with their users", () => {
    const statement = holdersSql([USER, OTHER], { permission: "members.add", after: ["Ada", OTHER], limit: 11 });
    const holders = holdersOf(raw("r.root"), "members.add");
    expect(text(statement.text)).toBe(
      text(`WITH holding AS (
        SELECT DISTINCT r.root, x.user_id
        FROM unnest($1::uuid[]) AS r(root)
        CROSS JOIN LATERAL (${spliced(holders, 1)}) x
      ), filtered AS (
        SELECT h.root, h.user_id AS id, (SELECT coalesce(u.name, '') FROM users u WHERE u.id = h.user_id) AS "sortName"
        FROM holding h
      ), counted AS (
        SELECT "root", count(*)::int AS n FROM filtered GROUP BY "root"
      ), paged AS (
        SELECT * FROM (
          SELECT f.*, row_number() OVER (PARTITION BY f."root" ORDER BY f."sortName", f."id") AS rn
          FROM filtered f WHERE (f."sortName", f."id") > ($3::text, $4::uuid)
        ) x WHERE x.rn <= $5
      )
      SELECT k."root" AS "key", coalesce(c.n, 0) AS "totalCount", p.*, ${userColumnsAs("user.")}
      FROM unnest($6::uuid[]) AS k("root")
      LEFT JOIN counted c ON c."root" = k."root"
      LEFT JOIN paged p ON p."root" = k."root"
      LEFT JOIN users u ON u.id = p."id"
      ORDER BY k."root", p."sortName", p."id"`),
    );
    expect(text(holders.text)).toBe(
      text(`WITH RECURSIVE up(id) AS (
        SELECT r.root
        UNION
        SELECT gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.id
        JOIN groups p ON p.id = gp.parent_id AND p.permission_cascade_enabled
      )
      SELECT a.user_id FROM up JOIN memberships a ON a.group_id = up.id JOIN groups h ON h.id = a.group_id
      WHERE a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) AND a.role = ANY($1::text[])
        AND (h.is_active OR (h.id = r.root AND a.role = 'owner'))`),
    );
    expect(statement.values).toEqual([[USER, OTHER], ["admin", "owner"], "Ada", OTHER, 11, [USER, OTHER]]);
  });
});
