import {
  and,
  type DataSource,
  empty,
  type EntityManager,
  join,
  query,
  raw,
  type Sql,
  splitTotal,
  sql,
  value,
} from "../db";
import { heldBy } from "../permissions";
import type { Viewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import type { EventReach, EventType, GroupEvent, NewEvent } from "./event.entity";

/**
 * Every statement on domain_events: the writer's insert, the audit log's pages, replays, the live
 * feed's reads and the reach kept by GROUP_DELETED. Each statement has a builder answering its
 * fragment (pinned by test/golden/events.store.test.ts) and a function that runs it.
 */

/** The pool, or the EntityManager of an open transaction. */
type Runner = DataSource | EntityManager;

/**
 * domain_events' columns by GroupEvent property: the one list the reads derive from. The id is a
 * bigint and is answered as text; order by the column (`e.id`), never by that text, where "100"
 * sorts before "99" (the sequencer would take 100 for a gap and pass over 99).
 */
const COLUMNS = {
  id: "id",
  type: "type",
  groupId: "group_id",
  userId: "user_id",
  actorId: "actor_id",
  occurredAt: "occurred_at",
  payload: "payload",
} as const satisfies Record<keyof GroupEvent, string>;

/** The select list of a GroupEvent read from `domain_events e`. */
export const eventColumns: Sql = raw(
  Object.entries(COLUMNS)
    .map(([property, column]) => `e.${column}${column === COLUMNS.id ? "::text" : ""} AS "${property}"`)
    .join(", "),
);

/** What the writer stores of an event: column, type, value; id and occurred_at are the database's. */
const WRITTEN: readonly (readonly [column: string, type: string, of: (e: NewEvent) => unknown])[] = [
  [COLUMNS.type, "text", (e) => e.type],
  [COLUMNS.groupId, "uuid", (e) => e.groupId],
  [COLUMNS.userId, "uuid", (e) => e.userId ?? null],
  [COLUMNS.actorId, "uuid", (e) => e.actorId],
  [COLUMNS.payload, "jsonb", (e) => JSON.stringify(e.payload ?? {})],
  ["reach", "jsonb", (e) => (e.reach ? JSON.stringify(e.reach) : null)],
];

// ------------------------------------------------------------------------------------- writing

/** Any number of events in one statement: one array parameter per column. */
export function insertEventsSql(events: readonly NewEvent[]): Sql {
  const columns = raw(WRITTEN.map(([column]) => column).join(", "));
  const arrays = WRITTEN.map(([, type, of]) => sql`${value(events.map(of))}::${raw(type)}[]`);
  return sql`INSERT INTO domain_events (${columns}) SELECT * FROM unnest(${join(arrays, ", ")})`;
}

/**
 * The same insert as a fragment of the statement that makes the change (a data-modifying CTE):
 * the events are written only when `onlyIf` holds. Make `onlyIf` read the change's own CTE
 * (`EXISTS (SELECT 1 FROM changed)`): then nothing is recorded for a change that did not happen,
 * and the ids are drawn once the change holds its row locks, so they keep the order in which
 * changes to the same rows commit.
 */
export function insertEventsIfSql(events: readonly NewEvent[], onlyIf: Sql): Sql {
  return sql`${insertEventsSql(events)} WHERE ${onlyIf}`;
}

/** Writes `events` through `tx`, the transaction making the change they report. */
export async function insertEvents(tx: EntityManager, events: readonly NewEvent[]): Promise<void> {
  if (events.length > 0) await query(tx, insertEventsSql(events));
}

// ----------------------------------------------------------------------------------- audit log

export interface AuditLogFilter {
  groupId?: string | null;
  userId?: string | null;
  types?: EventType[] | null;
  since?: Date | null;
}

/** Keyset page: `first + 1` rows after the event `after` (so the caller knows whether more follow). */
export interface EventKeyset {
  first: number;
  after: bigint | null;
}

/**
 * Query.events: a page of the events of the groups where `viewer` holds events.view (all, deleted
 * groups' included, for a global admin) matching `filter`, oldest first, and the size of the whole
 * filtered set (the count row always exists, so an empty page still has its total).
 */
export function auditLogPageSql(viewer: Viewer, filter: AuditLogFilter | null | undefined, page: EventKeyset): Sql {
  const conditions = [heldBy(viewer, "events.view", sql`e.group_id`)];
  // An id that is not a UUID matches nothing (rather than fail the cast).
  if (filter?.groupId != null)
    conditions.push(isUuid(filter.groupId) ? sql`e.group_id = ${filter.groupId}::uuid` : sql`FALSE`);
  if (filter?.userId != null)
    conditions.push(isUuid(filter.userId) ? sql`e.user_id = ${filter.userId}::uuid` : sql`FALSE`);
  if (filter?.types) conditions.push(sql`e.type = ANY(${value(filter.types)}::text[])`);
  if (filter?.since) conditions.push(sql`e.occurred_at >= ${value(filter.since)}::timestamptz`);
  // `seq` is the numeric id to order by: the id itself is answered as text.
  const keyset = page.after === null ? empty : sql`WHERE seq > ${page.after.toString()}::bigint`;
  return sql`WITH filtered AS (SELECT ${eventColumns}, e.id AS seq FROM domain_events e WHERE ${and(conditions)})
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered ${keyset} ORDER BY seq LIMIT ${page.first + 1}
    ) p ON TRUE
    ORDER BY seq`;
}

export async function auditLogPage(
  runner: Runner,
  viewer: Viewer,
  filter: AuditLogFilter | null | undefined,
  page: EventKeyset,
): Promise<{ rows: GroupEvent[]; totalCount: number }> {
  const result = await query<GroupEvent & { seq?: unknown; totalCount: number }>(
    runner,
    auditLogPageSql(viewer, filter, page),
  );
  const { rows, totalCount } = splitTotal(result);
  return { rows: rows.map(({ seq: _seq, ...row }) => row as GroupEvent), totalCount };
}

export interface GroupEventsOptions {
  types: EventType[] | null;
  first: number;
  /** An event id (validated by the caller), or null. */
  after: string | null;
}

/**
 * Group.events of many groups in one statement: per group, its count under `types` and a page
 * after `after` (the caller checks events.view per group).
 */
export function groupEventPagesSql(groupIds: readonly string[], o: GroupEventsOptions): Sql {
  const ofGroup = [sql`e.group_id = r.id`];
  if (o.types) ofGroup.push(sql`e.type = ANY(${value(o.types)}::text[])`);
  const onPage = o.after === null ? ofGroup : [...ofGroup, sql`e.id > ${o.after}::bigint`];
  return sql`SELECT r.id AS key, t.n AS "totalCount", p.*
    FROM unnest(${value(groupIds)}::uuid[]) AS r(id)
    CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM domain_events e WHERE ${and(ofGroup)}) t
    LEFT JOIN LATERAL (
      SELECT ${eventColumns} FROM domain_events e WHERE ${and(onPage)} ORDER BY e.id LIMIT ${o.first + 1}
    ) p ON TRUE
    ORDER BY r.id, p.id::bigint`;
}

/** The pages of `groupIds` by group id (a group without events has no entry; ids not UUIDs are left out). */
export async function groupEventPages(
  runner: Runner,
  groupIds: readonly string[],
  o: GroupEventsOptions,
): Promise<Map<string, { rows: GroupEvent[]; totalCount: number }>> {
  const rows = await query<GroupEvent & { key: string; totalCount: number }>(
    runner,
    groupEventPagesSql(groupIds.filter(isUuid), o),
  );
  const byGroup = new Map<string, { rows: GroupEvent[]; totalCount: number }>();
  for (const { key, totalCount, ...row } of rows) {
    const entry = byGroup.get(key) ?? { rows: [], totalCount };
    if (row.id !== null) entry.rows.push(row as GroupEvent);
    byGroup.set(key, entry);
  }
  return byGroup;
}

// -------------------------------------------------------------------------------------- replay

/** The filters of one subscription (hub.ts StreamSpec). */
export interface ReplayScope {
  groupId: string | null;
  includeDescendants: boolean;
  types: ReadonlySet<string> | null;
  userId: string | null;
}

/** Ids above `after` up to `upTo` (the feed position the subscription registered at), `limit` at most. */
export interface ReplayRange {
  after: bigint;
  upTo: bigint;
  limit: number;
}

/**
 * A page of stored events for a subscription's replay. Events of groups the subscriber cannot read
 * are skipped here, not paged through in Node; what stays is a superset (the hub still decides
 * each event exactly): groups where events.view is held, the subscriber's own membership events
 * (membershipChanges of oneself), and groups deleted since (their GROUP_DELETED reach decides).
 */
export function replayPageSql(viewer: Viewer, scope: ReplayScope, range: ReplayRange): Sql {
  const conditions = [sql`e.id > ${range.after.toString()}`, sql`e.id <= ${range.upTo.toString()}`];
  if (scope.types) conditions.push(sql`e.type = ANY(${value([...scope.types])}::text[])`);
  if (scope.userId) conditions.push(sql`e.user_id = ${scope.userId}::uuid`);
  if (scope.groupId && !scope.includeDescendants) conditions.push(sql`e.group_id = ${scope.groupId}::uuid`);
  if (!viewer.isGlobalAdmin) {
    const own = scope.userId === viewer.id ? sql` OR e.user_id = ${viewer.id}::uuid` : empty;
    conditions.push(
      sql`(${heldBy(viewer, "events.view", sql`e.group_id`)}${own} OR NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = e.group_id))`,
    );
  }
  return sql`SELECT ${eventColumns} FROM domain_events e WHERE ${and(conditions)} ORDER BY e.id LIMIT ${range.limit}`;
}

export function replayPage(
  runner: Runner,
  viewer: Viewer,
  scope: ReplayScope,
  range: ReplayRange,
): Promise<GroupEvent[]> {
  return query<GroupEvent>(runner, replayPageSql(viewer, scope, range));
}

// ----------------------------------------------------------------------------------- live feed

/**
 * The transactions that may still commit an event id below the highest one this statement sees.
 * A transaction takes its transaction id before its event id (migration EventFeed1795000004000),
 * so such a transaction was running when the statement's snapshot was taken. Two sources, unioned:
 * - the snapshot's in-progress list (pg_snapshot_xip), less those known to belong to another
 *   database (a writer left open next door must not hold delivery back);
 * - this database's sessions holding a transaction id, read from pg_stat_activity AFTER the
 *   snapshot (within the same statement). The snapshot's list alone is not enough: it holds only
 *   ids below its xmax, which is the latest *completed* id + 1, so a transaction that took its id
 *   after one that has since committed (a delete running a long cascade behind a create) is not in
 *   it, and its event was taken as rolled back. Read later than the snapshot, pg_stat_activity
 *   holds every such transaction still running; one that finished in between has committed (its
 *   row is visible to the next read, which the sequencer always waits for) or rolled back.
 * Its 32-bit xids are widened to xid8 against the snapshot's xmax (they lie within 2^31 of it).
 * Constant text, no parameters: spliced into the feed's statements.
 */
const RUNNING_HERE: Sql = raw(`
  WITH snap AS MATERIALIZED (
    SELECT pg_current_snapshot() AS s, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS m
  )
  SELECT x::text FROM snap, pg_snapshot_xip(snap.s) x
  WHERE x::xid NOT IN (
    SELECT backend_xid FROM pg_stat_activity WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL
  )
  UNION
  SELECT (CASE WHEN w.f > snap.m + 2147483648 THEN w.f - 4294967296
               WHEN w.f < snap.m - 2147483648 THEN w.f + 4294967296 ELSE w.f END)::text
  FROM snap, pg_stat_activity a
  CROSS JOIN LATERAL (SELECT (snap.m - (snap.m & 4294967295)) + a.backend_xid::text::bigint AS f) w
  WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL`);

/**
 * The feed's read: the committed events after `position`, in id order, at most `limit`, and the
 * transactions running in the same statement (RUNNING_HERE), so the sequencer knows what a gap
 * below the highest id may still wait for. The running list comes in every row (one row with a
 * null event when nothing follows the position).
 */
export function feedReadSql(position: bigint, limit: number): Sql {
  return sql`WITH s AS MATERIALIZED (
      SELECT ARRAY(${RUNNING_HERE}) AS running
    )
    SELECT s.running, e.* FROM s LEFT JOIN LATERAL (
      SELECT ${eventColumns} FROM domain_events e WHERE e.id > ${position.toString()} ORDER BY e.id LIMIT ${limit}
    ) e ON TRUE ORDER BY e.id::bigint`;
}

export async function feedRead(
  runner: Runner,
  position: bigint,
  limit: number,
): Promise<{ events: GroupEvent[]; running: string[] }> {
  const rows = await query<GroupEvent & { running: string[] }>(runner, feedReadSql(position, limit));
  return {
    events: rows.filter((row) => row.id !== null).map(({ running: _running, ...event }) => event),
    running: rows[0]?.running ?? [],
  };
}

/** The highest id stored, and the transactions that might still commit a lower one (RUNNING_HERE). */
export function tailSql(): Sql {
  return sql`SELECT coalesce(max(id), 0)::text AS max, ARRAY(${RUNNING_HERE}) AS running FROM domain_events`;
}

export async function tail(runner: Runner): Promise<{ max: bigint; running: string[] }> {
  const [row] = await query<{ max: string; running: string[] }>(runner, tailSql());
  return { max: BigInt(row!.max), running: row!.running };
}

/** The highest event id stored (0 when none), for the metrics' feed lag: one index-only read. */
export function newestEventIdSql(): Sql {
  return sql`SELECT coalesce(max(id), 0)::text AS max FROM domain_events`;
}

export async function newestEventId(runner: Runner): Promise<bigint> {
  const [row] = await query<{ max: string }>(runner, newestEventIdSql());
  return BigInt(row!.max);
}

/** Whether none of the transactions `xids` (xid8 as text) is still in progress. */
export function runningCountSql(xids: readonly string[]): Sql {
  return sql`SELECT count(*)::int AS running FROM unnest(${value(xids)}::xid8[]) x WHERE pg_xact_status(x) = 'in progress'`;
}

export async function allFinished(runner: Runner, xids: readonly string[]): Promise<boolean> {
  const [row] = await query<{ running: number }>(runner, runningCountSql(xids));
  return row?.running === 0;
}

// ------------------------------------------------------------------------ deleted groups' reach

/**
 * For delivery (hub.ts): the existing groups among `ids`, each with itself and its ancestors (only
 * itself unless asked), and for a deleted one the reach its GROUP_DELETED row kept. One statement.
 */
export function deliveryGroupFactsSql(ids: readonly string[], withAncestors: boolean): Sql {
  const existing = withAncestors
    ? sql`WITH RECURSIVE up(id, ancestor) AS (
        SELECT g.id, g.id FROM groups g WHERE g.id = ANY(${value(ids)}::uuid[])
        UNION
        SELECT up.id, gp.parent_id FROM up JOIN group_parents gp ON gp.child_id = up.ancestor
      ) SELECT id, array_agg(ancestor)::text[] AS ancestors, NULL::jsonb AS reach FROM up GROUP BY id`
    : sql`SELECT g.id, ARRAY[g.id::text] AS ancestors, NULL::jsonb AS reach FROM groups g WHERE g.id = ANY(${value(ids)}::uuid[])`;
  return sql`${existing}
    UNION ALL
    SELECT d.group_id, NULL, d.reach FROM domain_events d
    WHERE d.type = 'GROUP_DELETED' AND d.group_id = ANY(${value(ids)}::uuid[]) AND d.reach IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = d.group_id)`;
}

export async function deliveryGroupFacts(
  runner: Runner,
  ids: readonly string[],
  withAncestors: boolean,
): Promise<{ existing: Map<string, string[]>; deleted: Map<string, EventReach> }> {
  const rows = await query<{ id: string; ancestors: string[] | null; reach: EventReach | null }>(
    runner,
    deliveryGroupFactsSql(ids, withAncestors),
  );
  const facts = { existing: new Map<string, string[]>(), deleted: new Map<string, EventReach>() };
  for (const r of rows) {
    if (r.ancestors) facts.existing.set(r.id, r.ancestors);
    else if (r.reach) facts.deleted.set(r.id, r.reach);
  }
  return facts;
}

/** Of `ids`, the deleted groups whose events `userId` could read when they were deleted (their GROUP_DELETED reach). */
export function deletedReadableBySql(ids: readonly string[], userId: string): Sql {
  return sql`SELECT d.group_id AS id FROM domain_events d
    WHERE d.type = 'GROUP_DELETED' AND d.group_id::text = ANY(${value(ids)}::text[]) AND d.reach -> 'readers' ? ${userId}
      AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = d.group_id)`;
}

export async function deletedReadableBy(runner: Runner, ids: readonly string[], userId: string): Promise<string[]> {
  return (await query<{ id: string }>(runner, deletedReadableBySql(ids, userId))).map((r) => r.id);
}
