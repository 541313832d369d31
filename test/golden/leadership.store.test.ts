import "reflect-metadata";
import { visibleGroup } from "../../src/permissions";
import {
  covers,
  LEADERSHIP_COLUMNS,
  leaderCountsSql,
  leadershipsOfGroupsSql,
  leadershipsOfUsersSql,
} from "../../src/leadership/leadership.store";

// The SQL of the leadership store, pinned: a change to a statement's text shows here first. The
// text depends only on the statement's shape (never on values), so each keeps one prepared statement.

const GROUP = "00000000-0000-4000-8000-0000000000a1";
const USER = "00000000-0000-4000-8000-0000000000b1";
const admin = { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true };
const viewer = { id: "00000000-0000-4000-8000-000000000002", isGlobalAdmin: false };

const COLUMNS =
  `l.id, l.group_id AS "groupId", l.user_id AS "userId", to_char(l.start_date, 'YYYY-MM-DD') AS "startDate", ` +
  `to_char(l.end_date, 'YYYY-MM-DD') AS "endDate", l.created_at AS "createdAt", l.updated_at AS "updatedAt"`;

describe("leadership store SQL", () => {
  it("derives the column list from the one column map, dates as YYYY-MM-DD", () => {
    expect(LEADERSHIP_COLUMNS).toBe(COLUMNS);
  });

  it("a period covers a date: start included, end excluded", () => {
    const condition = covers("2024-09-01");
    expect(condition.text).toBe(`(l.start_date <= $1::date AND (l.end_date IS NULL OR l.end_date > $2::date))`);
    expect(condition.values).toEqual(["2024-09-01", "2024-09-01"]);
  });

  it("leaders as of any date and the history: one statement of every period with its user", () => {
    const statement = leadershipsOfGroupsSql([GROUP]);
    expect(statement.text)
      .toBe(`SELECT ${COLUMNS}, u.id AS "user.id", u.name AS "user.name", u.email AS "user.email", u.is_global_admin AS "user.isGlobalAdmin", u.created_at AS "user.createdAt", u.updated_at AS "user.updatedAt"
     FROM leaderships l JOIN users u ON u.id = l.user_id
     WHERE l.group_id = ANY($1::uuid[])
     ORDER BY l.start_date, l.created_at, l.id`);
    expect(statement.values).toEqual([[GROUP]]);
  });

  it("how many lead each group on a date", () => {
    const statement = leaderCountsSql([GROUP], "2024-09-01");
    expect(statement.text).toBe(`SELECT l.group_id AS key, count(*)::int AS n FROM leaderships l
     WHERE l.group_id = ANY($1::uuid[]) AND (l.start_date <= $2::date AND (l.end_date IS NULL OR l.end_date > $3::date)) GROUP BY l.group_id`);
    expect(statement.values).toEqual([[GROUP], "2024-09-01", "2024-09-01"]);
  });

  it("a user's current leaderships, as a global admin", () => {
    const statement = leadershipsOfUsersSql(admin, [USER], "2024-09-01");
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM leaderships l JOIN groups g ON g.id = l.group_id
     WHERE l.user_id = ANY($1::uuid[]) AND TRUE AND (l.end_date IS NULL OR l.end_date > $2::date)
     ORDER BY l.start_date DESC, l.id`);
    expect(statement.values).toEqual([[USER], "2024-09-01"]);
  });

  it("a user's whole history, as anyone else: only in groups the viewer may see", () => {
    const statement = leadershipsOfUsersSql(viewer, [USER], null);
    // The visibility rule is visibility.ts's fragment, spliced in after the user ids ($1).
    const visible = visibleGroup(viewer, "g");
    const visibleText = visible.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM leaderships l JOIN groups g ON g.id = l.group_id
     WHERE l.user_id = ANY($1::uuid[]) AND ${visibleText}
     ORDER BY l.start_date DESC, l.id`);
    expect(statement.values).toEqual([[USER], ...visible.values]);
  });
});
