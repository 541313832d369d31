import "reflect-metadata";
import { GROUP_COLUMNS } from "../../src/groups";
import { visibleGroup } from "../../src/permissions";
import {
  INITIATIVE_COLUMNS,
  initiativesByIdsSql,
  initiativesPageSql,
  visibleGroupsOfInitiativesSql,
} from "../../src/initiatives/initiative.store";

// The SQL of the initiatives store, pinned: a change to a statement's text shows here first. The
// text depends only on the statement's shape (never on values), so each keeps one prepared statement.

const INITIATIVE = "00000000-0000-4000-8000-0000000000c1";
const viewer = { id: "00000000-0000-4000-8000-000000000002", isGlobalAdmin: false };

const COLUMNS =
  `i.id, i.name, i.description, to_char(i.start_date, 'YYYY-MM-DD') AS "startDate", ` +
  `to_char(i.end_date, 'YYYY-MM-DD') AS "endDate", i.created_by AS "createdById", i.created_at AS "createdAt", ` +
  `i.updated_at AS "updatedAt"`;

describe("initiatives store SQL", () => {
  it("derives the column list from the one column map, dates as YYYY-MM-DD", () => {
    expect(INITIATIVE_COLUMNS).toBe(COLUMNS);
  });

  it("initiatives by id: one array parameter", () => {
    const statement = initiativesByIdsSql([INITIATIVE]);
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM initiatives i WHERE i.id = ANY($1::uuid[])`);
    expect(statement.values).toEqual([[INITIATIVE]]);
  });

  it("the first page without search: the page and its total in one statement", () => {
    const statement = initiativesPageSql({ search: null, after: null, limit: 51 });
    expect(statement.text).toBe(`WITH filtered AS (SELECT ${COLUMNS} FROM initiatives i )
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered  ORDER BY name, id LIMIT $1
    ) p ON TRUE
    ORDER BY name, id`);
    expect(statement.values).toEqual([51]);
  });

  it("a later page with search: a substring of the name, LIKE wildcards escaped", () => {
    const statement = initiativesPageSql({ search: "50%_off", after: ["Apollo", INITIATIVE], limit: 11 });
    expect(statement.text).toBe(`WITH filtered AS (SELECT ${COLUMNS} FROM initiatives i WHERE i.name ILIKE $1)
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered WHERE (name, id) > ($2::text, $3::uuid) ORDER BY name, id LIMIT $4
    ) p ON TRUE
    ORDER BY name, id`);
    expect(statement.values).toEqual(["%50\\%\\_off%", "Apollo", INITIATIVE, 11]);
  });

  it("an initiative's groups: only those the viewer may see", () => {
    const statement = visibleGroupsOfInitiativesSql(viewer, [INITIATIVE]);
    // The visibility rule is visibility.ts's fragment, spliced in after the initiative ids ($1).
    const visible = visibleGroup(viewer, "g");
    const visibleText = visible.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
    expect(statement.text).toBe(`SELECT gi.initiative_id AS key, ${GROUP_COLUMNS}
     FROM group_initiatives gi JOIN groups g ON g.id = gi.group_id
     WHERE gi.initiative_id = ANY($1::uuid[]) AND ${visibleText}
     ORDER BY g.name, g.id`);
    expect(statement.values).toEqual([[INITIATIVE], ...visible.values]);
  });

  it("the text depends on the shape only, never on the values", () => {
    const a = initiativesPageSql({ search: "a", after: ["A", INITIATIVE], limit: 2 });
    const b = initiativesPageSql({ search: "another", after: ["Zed", viewer.id], limit: 500 });
    expect(b.text).toBe(a.text);
  });
});
