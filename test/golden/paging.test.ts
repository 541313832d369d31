import { keysetPages, sql } from "../../src/db";
import { AccessRequestStatus } from "../../src/memberships/access-request.entity";
import { accessRequestColumns, accessRequestPagesSql } from "../../src/memberships/access-request.store";
import { historyPagesSql, periodColumns } from "../../src/memberships/membership-history.store";

// The keyset pages of many keys (src/db/paging.ts keysetPages), pinned through the statements
// built on it that no other golden test covers: the access requests' pages (one key, the matches
// inlined) and the membership history's pages (a composite key). The member pages and the reverse
// lookups' pages are pinned in memberships.store.test.ts and reverse-lookup.store.test.ts.

const GROUP = "00000000-0000-4000-8000-00000000000a";
const OTHER = "00000000-0000-4000-8000-00000000000b";
const USER = "00000000-0000-4000-8000-0000000000c3";
const admin = { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true };

describe("keyset pages SQL", () => {
  it("access requests: NOT MATERIALIZED, so the page's cursor is an index condition of access_requests_group_idx", () => {
    const after = ["2024-05-01 10:00:00+00", OTHER] as const;
    const statement = accessRequestPagesSql([GROUP, OTHER], { status: AccessRequestStatus.PENDING, limit: 51, after });
    expect(statement.text).toBe(`WITH filtered AS NOT MATERIALIZED (
      SELECT ${accessRequestColumns.text}, r.created_at::text AS "createdKey" FROM access_requests r
      WHERE r.group_id = ANY($1::uuid[]) AND r.status = $2
    ), counted AS (
      SELECT "groupId", count(*)::int AS n FROM filtered GROUP BY "groupId"
    ), paged AS (
      SELECT * FROM (
        SELECT f.*, row_number() OVER (PARTITION BY f."groupId" ORDER BY f."createdAt", f."id") AS rn
        FROM filtered f WHERE (f."createdAt", f."id") > ($3::timestamptz, $4::uuid)
      ) x WHERE x.rn <= $5
    )
    SELECT k."groupId" AS "key", coalesce(c.n, 0) AS "totalCount", p.*
    FROM unnest($6::uuid[]) AS k("groupId")
    LEFT JOIN counted c ON c."groupId" = k."groupId"
    LEFT JOIN paged p ON p."groupId" = k."groupId"
    ORDER BY k."groupId", p."createdAt", p."id"`);
    expect(statement.values).toEqual([[GROUP, OTHER], "PENDING", ...after, 51, [GROUP, OTHER]]);
  });

  it("membership history: a page per (group, user) pair, the pair's ids zipped into the keys", () => {
    const pairs = [
      { groupId: GROUP, userId: USER },
      { groupId: OTHER, userId: USER },
    ];
    const statement = historyPagesSql(admin, pairs, { limit: 11, after: ["2024-05-01 10:00:00+00", 7] });
    expect(statement.text).toBe(`WITH filtered AS (
      SELECT ${periodColumns.text}, p.valid_from::text AS "fromKey" FROM membership_periods p
      WHERE (p.group_id, p.user_id) IN (SELECT q.group_id, q.user_id FROM unnest($1::uuid[], $2::uuid[]) AS q(group_id, user_id) WHERE TRUE)
    ), counted AS (
      SELECT "groupId", "userId", count(*)::int AS n FROM filtered GROUP BY "groupId", "userId"
    ), paged AS (
      SELECT * FROM (
        SELECT f.*, row_number() OVER (PARTITION BY f."groupId", f."userId" ORDER BY f."from", f."id") AS rn
        FROM filtered f WHERE (f."from", f."id") > ($3::timestamptz, $4::bigint)
      ) x WHERE x.rn <= $5
    )
    SELECT k."groupId" AS "keyGroupId", k."userId" AS "keyUserId", coalesce(c.n, 0) AS "totalCount", p.*
    FROM unnest($6::uuid[], $7::uuid[]) AS k("groupId", "userId")
    LEFT JOIN counted c ON c."groupId" = k."groupId" AND c."userId" = k."userId"
    LEFT JOIN paged p ON p."groupId" = k."groupId" AND p."userId" = k."userId"
    ORDER BY k."groupId", k."userId", p."from", p."id"`);
    expect(statement.values).toEqual([
      [GROUP, OTHER],
      [USER, USER],
      "2024-05-01 10:00:00+00",
      7,
      11,
      [GROUP, OTHER],
      [USER, USER],
    ]);
  });

  it("membership history: the read rule is decided per asked pair, so each pair left is an index probe", () => {
    const member = { id: USER, isGlobalAdmin: false };
    const statement = historyPagesSql(member, [{ groupId: GROUP, userId: OTHER }], { limit: 11, after: null });
    expect(statement.text).toContain(`FROM membership_periods p
      WHERE (p.group_id, p.user_id) IN (SELECT q.group_id, q.user_id FROM unnest($1::uuid[], $2::uuid[]) AS q(group_id, user_id) WHERE (q.user_id = $3::uuid OR q.group_id IN (`);
    expect(statement.values.slice(0, 3)).toEqual([[GROUP], [OTHER], USER]);
  });

  it("a page's text depends on its shape, never on its values", () => {
    const one = accessRequestPagesSql([GROUP], { status: AccessRequestStatus.PENDING, limit: 3, after: null });
    const other = accessRequestPagesSql([GROUP, OTHER], {
      status: AccessRequestStatus.DENIED,
      limit: 501,
      after: null,
    });
    expect(other.text).toBe(one.text);
    const cursor = ["2024-05-01 10:00:00+00", OTHER] as const;
    expect(
      accessRequestPagesSql([GROUP], { status: AccessRequestStatus.PENDING, limit: 3, after: cursor }).text,
    ).not.toBe(one.text);
  });

  it("refuses a cursor that does not match the page order", () => {
    const page = {
      filtered: sql`WITH filtered AS (SELECT 1)`,
      key: [{ column: "root", as: "key", ids: [GROUP] }],
      order: { name: "text", id: "uuid" },
      limit: 2,
    };
    expect(() => keysetPages({ ...page, after: ["Ada"] })).toThrow(
      "a cursor of 1 values for a page order of 2 columns",
    );
    expect(keysetPages({ ...page, after: ["Ada", OTHER] }).values).toEqual(["Ada", OTHER, 2, [GROUP]]);
  });
});
