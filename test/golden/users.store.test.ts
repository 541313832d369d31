import { raw } from "../../src/db";
import { heldBy } from "../../src/permissions";
import { USER_COLUMNS, userColumnsAs, usersByIdsSql, usersPageSql } from "../../src/users/user.store";

// The SQL of the users store, pinned: a change to a statement's text shows here first. The text
// depends only on the statement's shape (never on values), so each keeps one prepared statement.

const ADA = "00000000-0000-4000-8000-00000000000a";
const admin = { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true };
const viewer = { id: "00000000-0000-4000-8000-000000000002", isGlobalAdmin: false };

const COLUMNS = `u.id, u.name, u.email, u.is_global_admin AS "isGlobalAdmin", u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

describe("users store SQL", () => {
  it("derives every column list from the one column map", () => {
    expect(USER_COLUMNS).toBe(COLUMNS);
    expect(userColumnsAs("user.")).toBe(
      `u.id AS "user.id", u.name AS "user.name", u.email AS "user.email", u.is_global_admin AS "user.isGlobalAdmin", ` +
        `u.created_at AS "user.createdAt", u.updated_at AS "user.updatedAt"`,
    );
  });

  it("users by id: one array parameter", () => {
    const statement = usersByIdsSql([ADA]);
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`);
    expect(statement.values).toEqual([[ADA]]);
  });

  it("users page without search: the page and its total in one statement (provisional users left out)", () => {
    const statement = usersPageSql(admin, { search: null, after: null, limit: 51 });
    expect(statement.text)
      .toBe(`WITH filtered AS (SELECT ${COLUMNS}, coalesce(u.name, '') AS "sortName" FROM users u WHERE NOT u.provisional)
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered  ORDER BY "sortName", id LIMIT $1
    ) p ON TRUE
    ORDER BY "sortName", id`);
    expect(statement.values).toEqual([51]);
  });

  it("users page with search and cursor, as a global admin (every email is visible)", () => {
    const statement = usersPageSql(admin, { search: "ad_a%", after: ["Ada", ADA], limit: 21 });
    expect(statement.text)
      .toBe(`WITH filtered AS (SELECT ${COLUMNS}, coalesce(u.name, '') AS "sortName" FROM users u WHERE NOT u.provisional AND (u.name ILIKE $1 OR (u.email ILIKE $2 AND TRUE)))
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered WHERE ("sortName", id) > ($3, $4::uuid) ORDER BY "sortName", id LIMIT $5
    ) p ON TRUE
    ORDER BY "sortName", id`);
    // LIKE wildcards in the search are escaped: a plain substring match.
    expect(statement.values).toEqual(["%ad\\_a\\%%", "%ad\\_a\\%%", "Ada", ADA, 21]);
  });

  it("users page with search, as anyone else: an email matches only where its owner allows the viewer", () => {
    const statement = usersPageSql(viewer, { search: "ada", after: ["Ada", ADA], limit: 21 });
    // The access rule (members.view held in a group of that user) is visibility.ts's fragment,
    // spliced in after the viewer's own id ($3).
    const held = heldBy(viewer, "members.view", raw("m.group_id"));
    const heldText = held.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 3}`);
    const after = 3 + held.values.length;
    expect(statement.text)
      .toBe(`WITH filtered AS (SELECT ${COLUMNS}, coalesce(u.name, '') AS "sortName" FROM users u WHERE NOT u.provisional AND (u.name ILIKE $1 OR (u.email ILIKE $2 AND (u.id = $3::uuid OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = u.id AND ${heldText})))))
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered WHERE ("sortName", id) > ($${after + 1}, $${after + 2}::uuid) ORDER BY "sortName", id LIMIT $${after + 3}
    ) p ON TRUE
    ORDER BY "sortName", id`);
    expect(statement.values).toEqual(["%ada%", "%ada%", viewer.id, ...held.values, "Ada", ADA, 21]);
  });

  it("the text depends on the shape only, never on the values", () => {
    const a = usersPageSql(viewer, { search: "x", after: ["A", ADA], limit: 2 });
    const b = usersPageSql({ ...viewer, id: ADA }, { search: "another", after: ["Zed", viewer.id], limit: 500 });
    expect(b.text).toBe(a.text);
  });
});
