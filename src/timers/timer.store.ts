import type { ClientBase } from "pg";
import { type EntityManager, query, raw, type Runner, type Sql, sql, value } from "../db";
import { type NewEvent, recordEventsSql } from "../events";
import { setPeriodInstantSql } from "../memberships";

/**
 * Every statement of the timer: the duty's advisory lock, the look-ups of instants that passed, and
 * the time-driven changes, each written together with its event and guarded so that it happens once
 * (the row must still need the change: a second writer, or a second replica believing it holds the
 * duty, changes nothing and writes no event).
 *
 * Which instants produce an event (migrations/1795000006000-TimeEvents.ts): only those later than
 * the migration (`time_events_since`) and later than the write of the row version that set them
 * (a membership's `expiry_set_at` for its expiry, `created_at` for its start; a leadership's
 * `created_at` for its start, `updated_at` for its end). A leadership's instants are its dates at
 * 00:00 UTC.
 */

/** The advisory lock key of the timer duty (one per database; any constant the service uses nowhere else). */
export const TIMER_DUTY_LOCK = "7305187403151970301";

/** Takes the duty for the session of `client` if no other session holds it; true when this one does. */
export async function tryTakeDuty(client: ClientBase): Promise<boolean> {
  const statement = sql`SELECT pg_try_advisory_lock(${TIMER_DUTY_LOCK}::bigint) AS held`;
  const { rows } = await client.query<{ held: boolean }>(statement.text, statement.values);
  return rows[0]!.held;
}

/** Gives the duty up (the end of the session gives it up too). */
export async function releaseDuty(client: ClientBase): Promise<void> {
  const statement = sql`SELECT pg_advisory_unlock(${TIMER_DUTY_LOCK}::bigint)`;
  await client.query(statement.text, statement.values);
}

const SINCE = sql`(SELECT t.since FROM time_events_since t)`;

/** An instant of a row as a timestamptz: a date at 00:00 UTC. */
function midnightUtc(column: string): Sql {
  return raw(`(${column}::timestamp AT TIME ZONE 'UTC')`);
}

/* ------------------------------------------------------------------------------------------------
 * Memberships: scheduled starts and expiries
 * --------------------------------------------------------------------------------------------- */

/** A membership whose start or expiry has passed, as read before its change. */
export interface DueMembership {
  id: string;
  groupId: string;
  userId: string;
  role: string;
  status: string;
  /** The instant that passed: startsAt or expiresAt. */
  instant: Date;
  /** Whether it produces an event (see the file's comment). */
  eligible: boolean;
}

/**
 * SCHEDULED memberships whose start has come, oldest instant first. Every one is started (a
 * membership must not stay SCHEDULED), with an event only when eligible.
 */
export function dueStartsSql(limit: number): Sql {
  return sql`SELECT a.id, a.group_id AS "groupId", a.user_id AS "userId", a.role, a.status, a.starts_at AS instant,
      (a.starts_at > a.created_at AND a.starts_at > ${SINCE}) AS eligible
    FROM memberships a
    WHERE a.status = 'SCHEDULED' AND a.starts_at <= now()
    ORDER BY a.starts_at, a.id LIMIT ${limit}`;
}

/**
 * Memberships not yet INACTIVE whose expiry has passed and was set before it passed, after the
 * migration (the partial index memberships_expiry_due_idx holds exactly the rows still waiting).
 * An expiry set already past (data loaded after the fact) is left to the read-time rule
 * (effectiveStatus): no event, no stored change.
 */
export function dueExpiriesSql(limit: number): Sql {
  return sql`SELECT a.id, a.group_id AS "groupId", a.user_id AS "userId", a.role, a.status, a.expires_at AS instant,
      TRUE AS eligible
    FROM memberships a
    WHERE a.status <> 'INACTIVE' AND a.expires_at > a.expiry_set_at
      AND a.expires_at <= now() AND a.expires_at > ${SINCE}
    ORDER BY a.expires_at, a.id LIMIT ${limit}`;
}

export function dueStarts(runner: Runner, limit: number): Promise<DueMembership[]> {
  return query<DueMembership>(runner, dueStartsSql(limit));
}

export function dueExpiries(runner: Runner, limit: number): Promise<DueMembership[]> {
  return query<DueMembership>(runner, dueExpiriesSql(limit));
}

/**
 * The change of one due membership to `status` with its events, in one statement, only while the
 * row is still as read (same status, role and instant): a change made meanwhile, or by another
 * writer, leaves nothing to do. `changed_by` null: nobody made it (the period it opens says so).
 */
export function changeDueMembershipSql(
  m: DueMembership,
  kind: "start" | "expiry",
  status: string,
  events: NewEvent[],
): Sql {
  const instantColumn = kind === "start" ? sql`a.starts_at` : sql`a.expires_at`;
  return sql`WITH m AS (
      UPDATE memberships AS a SET status = ${status}::varchar, changed_by = NULL, updated_at = now()
      WHERE a.id = ${m.id}::uuid AND a.status = ${m.status} AND a.role = ${m.role}
        AND ${instantColumn} = ${value(m.instant)}::timestamptz
      RETURNING a.id
    ), events AS (${recordEventsSql(events, sql`EXISTS (SELECT 1 FROM m)`)})
    SELECT count(*)::int AS n FROM m`;
}

/**
 * Runs changeDueMembershipSql in `tx` after making the transaction's period instant the due
 * instant: the period the change opens starts exactly then, not when the timer got to it.
 * True when this call made the change.
 */
export async function changeDueMembership(
  tx: EntityManager,
  m: DueMembership,
  kind: "start" | "expiry",
  status: string,
  events: NewEvent[],
): Promise<boolean> {
  await query(tx, setPeriodInstantSql(m.instant));
  const [row] = await query<{ n: number }>(tx, changeDueMembershipSql(m, kind, status, events));
  return row!.n > 0;
}

/* ------------------------------------------------------------------------------------------------
 * Leaderships: dated starts and ends
 * --------------------------------------------------------------------------------------------- */

/** A leadership whose start or end date has come, not yet noted. */
export interface DueLeadership {
  id: string;
  groupId: string;
  userId: string;
  startDate: string;
  endDate: string | null;
  eligible: boolean;
}

/**
 * Leaderships whose start (or end) date has come (00:00 UTC) and is not yet noted, from the
 * migration's day on (the date bound lets leaderships_start_due_idx / _end_due_idx answer). Every
 * one is noted, with an event only when eligible: its instant after the migration and after the
 * write of the row that set it.
 */
export function dueLeadershipsSql(kind: "start" | "end", limit: number): Sql {
  const date = kind === "start" ? "l.start_date" : "l.end_date";
  const noted = kind === "start" ? sql`l.start_noted` : sql`l.end_noted`;
  const written = kind === "start" ? sql`l.created_at` : sql`l.updated_at`;
  const at = midnightUtc(date);
  const dateColumn = raw(date);
  return sql`SELECT l.id, l.group_id AS "groupId", l.user_id AS "userId", l.start_date::text AS "startDate",
      l.end_date::text AS "endDate", (${at} > ${SINCE} AND ${at} > ${written}) AS eligible
    FROM leaderships l
    WHERE NOT ${noted} AND ${dateColumn} <= (now() AT TIME ZONE 'UTC')::date
      AND ${dateColumn} >= (${SINCE} AT TIME ZONE 'UTC')::date
    ORDER BY ${dateColumn}, l.id LIMIT ${limit}`;
}

export function dueLeaderships(runner: Runner, kind: "start" | "end", limit: number): Promise<DueLeadership[]> {
  return query<DueLeadership>(runner, dueLeadershipsSql(kind, limit));
}

/** Notes one leadership's start (or end) with its events, only if not noted yet (and, for an end, still that date). */
export function noteLeadershipSql(l: DueLeadership, kind: "start" | "end", events: NewEvent[]): Sql {
  const change =
    kind === "start"
      ? sql`SET start_noted = true WHERE l.id = ${l.id}::uuid AND NOT l.start_noted`
      : sql`SET end_noted = true WHERE l.id = ${l.id}::uuid AND NOT l.end_noted AND l.end_date = ${l.endDate}::date`;
  return sql`WITH noted AS (
      UPDATE leaderships AS l ${change}
      RETURNING l.id
    ), events AS (${recordEventsSql(events, sql`EXISTS (SELECT 1 FROM noted)`)})
    SELECT count(*)::int AS n FROM noted`;
}

export async function noteLeadership(
  runner: Runner,
  l: DueLeadership,
  kind: "start" | "end",
  events: NewEvent[],
): Promise<boolean> {
  const [row] = await query<{ n: number }>(runner, noteLeadershipSql(l, kind, events));
  return row!.n > 0;
}
