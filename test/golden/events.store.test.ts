import { sql } from "../../src/db";
import { EventType } from "../../src/events/event.entity";
import {
  auditLogPageSql,
  eventColumns,
  feedReadSql,
  insertEventsIfSql,
  insertEventsSql,
  newestEventIdSql,
  replayPageSql,
  runningCountSql,
  tailSql,
} from "../../src/events/event.store";
import { registry } from "../../src/permissions";

/*
 * Golden tests: the SQL text of the event store's main statements, pinned. A change here changes a
 * prepared statement (and, for the feed, the gap rule: see RUNNING_HERE in event.store.ts), so it
 * must be deliberate. Whitespace is collapsed before comparing; everything else is exact. The
 * values are checked too, and the text must not depend on them (one prepared statement each).
 */

const text = (fragment: { text: string }) => fragment.text.replace(/\s+/g, " ").trim();

const VIEWER = { id: "00000000-0000-4000-8000-0000000000a1", isGlobalAdmin: false };
const OTHER = { id: "00000000-0000-4000-8000-0000000000b2", isGlobalAdmin: false };
const ADMIN = { id: "00000000-0000-4000-8000-0000000000c3", isGlobalAdmin: true };
const GROUP = "00000000-0000-4000-8000-0000000000d4";
/** The roles that grant events.view (member, admin and owner by default; a deployment may add). */
const READERS = registry.rolesGranting("events.view");

const COLUMNS =
  `e.id::text AS "id", e.type AS "type", e.group_id AS "groupId", e.user_id AS "userId", ` +
  `e.actor_id AS "actorId", e.occurred_at AS "occurredAt", e.payload AS "payload"`;

/** visibility.ts heldBy(viewer, "events.view", e.group_id), its parameters starting at $first. */
const heldEventsView = (first: number) =>
  `e.group_id IN ( WITH RECURSIVE held(id) AS ( ` +
  `SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND h.is_active ` +
  `WHERE a.user_id = $${first}::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) ` +
  `AND a.role = ANY($${first + 1}::text[]) ` +
  `UNION SELECT gp.child_id FROM held JOIN groups c ON c.id = held.id AND c.permission_cascade_enabled ` +
  `JOIN group_parents gp ON gp.parent_id = held.id ) SELECT id FROM held ` +
  `UNION SELECT a.group_id FROM memberships a JOIN groups h ON h.id = a.group_id AND NOT h.is_active ` +
  `WHERE a.user_id = $${first + 2}::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now()) ` +
  `AND a.role = 'owner')`;

const RUNNING_HERE =
  `WITH snap AS MATERIALIZED ( ` +
  `SELECT pg_current_snapshot() AS s, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS m ) ` +
  `SELECT x::text FROM snap, pg_snapshot_xip(snap.s) x WHERE x::xid NOT IN ( ` +
  `SELECT backend_xid FROM pg_stat_activity WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL ) ` +
  `UNION ` +
  `SELECT (CASE WHEN w.f > snap.m + 2147483648 THEN w.f - 4294967296 ` +
  `WHEN w.f < snap.m - 2147483648 THEN w.f + 4294967296 ELSE w.f END)::text ` +
  `FROM snap, pg_stat_activity a ` +
  `CROSS JOIN LATERAL (SELECT (snap.m - (snap.m & 4294967295)) + a.backend_xid::text::bigint AS f) w ` +
  `WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL`;

describe("event store SQL", () => {
  it("one column list for domain_events, the id as text", () => {
    expect(eventColumns.text).toBe(COLUMNS);
    expect(eventColumns.values).toEqual([]);
  });

  it("the feed read: events after the position with the transactions running, in one statement", () => {
    const read = feedReadSql(41n, 500);
    expect(text(read)).toBe(
      `WITH s AS MATERIALIZED ( SELECT ARRAY( ${RUNNING_HERE}) AS running ) ` +
        `SELECT s.running, e.* FROM s LEFT JOIN LATERAL ( ` +
        `SELECT ${COLUMNS} FROM domain_events e WHERE e.id > $1 ORDER BY e.id LIMIT $2 ` +
        `) e ON TRUE ORDER BY e.id::bigint`,
    );
    expect(read.values).toEqual(["41", 500]);
    expect(feedReadSql(99_999_999_999n, 7).text).toBe(read.text);
  });

  it("the settled tail and the pg_xact_status check", () => {
    expect(text(tailSql())).toBe(
      `SELECT coalesce(max(id), 0)::text AS max, ARRAY( ${RUNNING_HERE}) AS running FROM domain_events`,
    );
    const check = runningCountSql(["750", "751"]);
    expect(text(check)).toBe(
      `SELECT count(*)::int AS running FROM unnest($1::xid8[]) x WHERE pg_xact_status(x) = 'in progress'`,
    );
    expect(check.values).toEqual([["750", "751"]]);
  });

  it("an audit-log page: held events.view, the filters, the keyset, and the total", () => {
    const page = auditLogPageSql(VIEWER, { groupId: GROUP, types: [EventType.MEMBER_ADDED] }, { first: 50, after: 7n });
    expect(text(page)).toBe(
      `WITH filtered AS (SELECT ${COLUMNS}, e.id AS seq FROM domain_events e ` +
        `WHERE ${heldEventsView(1)} AND e.group_id = $4::uuid AND e.type = ANY($5::text[])) ` +
        `SELECT t."totalCount", p.* FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t ` +
        `LEFT JOIN LATERAL ( SELECT * FROM filtered WHERE seq > $6::bigint ORDER BY seq LIMIT $7 ) p ON TRUE ` +
        `ORDER BY seq`,
    );
    expect(page.values).toEqual([VIEWER.id, READERS, VIEWER.id, GROUP, ["MEMBER_ADDED"], "7", 51]);
    const another = auditLogPageSql(
      OTHER,
      { groupId: "00000000-0000-4000-8000-0000000000e5", types: [EventType.GROUP_CREATED, EventType.GROUP_DELETED] },
      { first: 3, after: 12345n },
    );
    expect(another.text).toBe(page.text);
  });

  it("a global admin's first page has no access condition", () => {
    const page = auditLogPageSql(ADMIN, null, { first: 50, after: null });
    expect(text(page)).toBe(
      `WITH filtered AS (SELECT ${COLUMNS}, e.id AS seq FROM domain_events e WHERE TRUE) ` +
        `SELECT t."totalCount", p.* FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t ` +
        `LEFT JOIN LATERAL ( SELECT * FROM filtered ORDER BY seq LIMIT $1 ) p ON TRUE ORDER BY seq`,
    );
    expect(page.values).toEqual([51]);
  });

  it("a replay page: the range first (test/events-replay-bounds.test.ts counts it), then the SQL prefilter", () => {
    const page = replayPageSql(
      VIEWER,
      { groupId: null, includeDescendants: false, types: null, userId: VIEWER.id },
      { after: 3n, upTo: 9n, limit: 200 },
    );
    expect(text(page)).toBe(
      `SELECT ${COLUMNS} FROM domain_events e WHERE e.id > $1 AND e.id <= $2 AND e.user_id = $3::uuid ` +
        `AND (${heldEventsView(4)} OR e.user_id = $7::uuid ` +
        `OR NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = e.group_id)) ORDER BY e.id LIMIT $8`,
    );
    expect(page.values).toEqual(["3", "9", VIEWER.id, VIEWER.id, READERS, VIEWER.id, VIEWER.id, 200]);
  });

  it("the writer's insert: any number of events in one statement, one array per column", () => {
    const insert = insertEventsSql([
      { type: EventType.GROUP_DELETED, groupId: GROUP, actorId: VIEWER.id, reach: { readers: [], ancestors: [] } },
      { type: EventType.CHILD_REMOVED, groupId: GROUP, actorId: VIEWER.id, payload: { childId: "c" } },
    ]);
    expect(text(insert)).toBe(
      `INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach) ` +
        `SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::jsonb[], $6::jsonb[])`,
    );
    expect(insert.values).toEqual([
      ["GROUP_DELETED", "CHILD_REMOVED"],
      [GROUP, GROUP],
      [null, null],
      [VIEWER.id, VIEWER.id],
      ["{}", `{"childId":"c"}`],
      [`{"readers":[],"ancestors":[]}`, null],
    ]);
  });

  it("the writer's insert as a fragment of the change's statement: the same insert, written only if the change was", () => {
    const events = [{ type: EventType.CHILD_ADDED, groupId: GROUP, actorId: VIEWER.id, payload: { childId: "c" } }];
    const fragment = insertEventsIfSql(events, sql`EXISTS (SELECT 1 FROM m)`);
    expect(fragment.text).toBe(`${insertEventsSql(events).text} WHERE EXISTS (SELECT 1 FROM m)`);
    expect(fragment.values).toEqual(insertEventsSql(events).values);
  });

  it("the newest event id, for the feed's lag in /metrics: one statement without parameters", () => {
    expect(text(newestEventIdSql())).toBe("SELECT coalesce(max(id), 0)::text AS max FROM domain_events");
    expect(newestEventIdSql().values).toEqual([]);
  });
});
