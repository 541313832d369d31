import { type EntityManager, query, type Runner, sql, value } from "../db";

/**
 * The statements of a user's erasure and of the replicas' acknowledgements (src/erasure/erasure.service.ts,
 * erasure-watch.ts). The erasure touches memberships and leaderships too: its statements on them
 * are kept here, as one protocol, beside the user's row (the history triggers on `memberships`
 * close the periods, as for any removal).
 */

/** The NOTIFY channel of erasures: payload `{"id": <user id>, "seq": <erasure_seq>}`. */
export const ERASURE_CHANNEL = "user_erasures";

/** A fixed key of the advisory lock that serializes erasures (so they commit in erasure_seq order). */
const ERASURE_LOCK_KEY = 7_019_000_001;

/** The lasting-owner rule of membership.service.ts's isLastingOwner, for alias `alias`. */
function lasting(alias: "a" | "o") {
  return alias === "a"
    ? sql`a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL`
    : sql`o.role = 'owner' AND o.status = 'ACTIVE' AND o.expires_at IS NULL`;
}

/**
 * Takes the erasures' lock (until commit) and locks the user's row: undefined when there is no such
 * user, else whether they are erased already.
 */
export async function lockUserForErasure(tx: EntityManager, id: string): Promise<{ erased: boolean } | undefined> {
  await query(tx, sql`SELECT pg_advisory_xact_lock(${ERASURE_LOCK_KEY}::bigint)`);
  const [row] = await query<{ erased: boolean }>(
    tx,
    sql`SELECT u.erased_at IS NOT NULL AS erased FROM users u WHERE u.id = ${id}::uuid FOR UPDATE`,
  );
  return row;
}

/**
 * Locks the rows of the groups where the user is a member, in id order (the memberships' locking
 * protocol: changes to a group's memberships queue on its row; one order for all, so two erasures
 * or an erasure and a transaction on one group cannot deadlock on them).
 */
export async function lockGroupsOfMember(tx: EntityManager, userId: string): Promise<void> {
  await query(
    tx,
    sql`SELECT g.id FROM groups g
      WHERE g.id IN (SELECT a.group_id FROM memberships a WHERE a.user_id = ${userId}::uuid)
      ORDER BY g.id FOR NO KEY UPDATE`,
  );
}

/**
 * The groups of which the user is the last lasting owner (owner, ACTIVE, no expiry, and no other
 * such owner), by name. The other lasting owners are share-locked: a concurrent removal of one of
 * them (a guarded single statement, which takes no group lock) waits for this transaction, or
 * removes first and is not counted here.
 */
export async function groupsLastOwnedBy(tx: EntityManager, userId: string): Promise<{ id: string; name: string }[]> {
  const owned = await query<{ id: string; name: string }>(
    tx,
    sql`SELECT g.id, g.name FROM memberships a JOIN groups g ON g.id = a.group_id
      WHERE a.user_id = ${userId}::uuid AND ${lasting("a")}
      ORDER BY g.name, g.id`,
  );
  if (owned.length === 0) return [];
  const others = await query<{ groupId: string }>(
    tx,
    sql`SELECT o.group_id AS "groupId" FROM memberships o
      WHERE o.group_id = ANY(${value(owned.map((g) => g.id))}::uuid[]) AND o.user_id <> ${userId}::uuid AND ${lasting("o")}
      FOR SHARE OF o`,
  );
  const kept = new Set(others.map((o) => o.groupId));
  return owned.filter((g) => !kept.has(g.id));
}

/** Removes every membership of the user (the history trigger closes their periods); what was removed. */
export async function deleteMembershipsOf(
  tx: EntityManager,
  userId: string,
): Promise<{ groupId: string; role: string }[]> {
  return query<{ groupId: string; role: string }>(
    tx,
    sql`DELETE FROM memberships a WHERE a.user_id = ${userId}::uuid RETURNING a.group_id AS "groupId", a.role`,
  );
}

/**
 * Clears the message of every access request of the user (the requester's own words; a denial's
 * reason, the decider's, stays) and withdraws those still PENDING, decided by `actorId` now; the
 * requests it withdrew. Takes the requests' row locks: an approval deciding one meanwhile commits
 * first (and the removal of memberships that follows sees its membership) or finds it withdrawn.
 */
export async function clearAccessRequestsOf(
  tx: EntityManager,
  userId: string,
  actorId: string,
): Promise<{ id: string; groupId: string }[]> {
  const rows = await query<{ id: string; groupId: string; withdrawn: boolean }>(
    tx,
    sql`WITH pending AS (
        SELECT r.id FROM access_requests r WHERE r.user_id = ${userId}::uuid AND r.status = 'PENDING' FOR UPDATE OF r
      )
      UPDATE access_requests AS r SET message = NULL,
        status = CASE WHEN r.id IN (SELECT id FROM pending) THEN 'WITHDRAWN' ELSE r.status END,
        decided_by = CASE WHEN r.id IN (SELECT id FROM pending) THEN ${actorId}::uuid ELSE r.decided_by END,
        decided_at = CASE WHEN r.id IN (SELECT id FROM pending) THEN now() ELSE r.decided_at END
      WHERE r.user_id = ${userId}::uuid
      RETURNING r.id, r.group_id AS "groupId", r.id IN (SELECT id FROM pending) AS withdrawn`,
  );
  return rows.filter((r) => r.withdrawn).map(({ id, groupId }) => ({ id, groupId }));
}

/** A leadership the erasure ended: its period as it now is (dates as YYYY-MM-DD). */
export interface EndedLeadership {
  id: string;
  groupId: string;
  startDate: string;
  endDate: string;
}

/**
 * Ends every leadership of the user not ended as of `today` (YYYY-MM-DD): the end becomes today,
 * or its start for one that has not begun (an empty period, which covers no day). History stays.
 */
export async function endLeadershipsOf(tx: EntityManager, userId: string, today: string): Promise<EndedLeadership[]> {
  return query<EndedLeadership>(
    tx,
    sql`UPDATE leaderships AS l SET end_date = greatest(${today}::date, l.start_date), updated_at = now()
      WHERE l.user_id = ${userId}::uuid AND (l.end_date IS NULL OR l.end_date > ${today}::date)
      RETURNING l.id, l.group_id AS "groupId", to_char(l.start_date, 'YYYY-MM-DD') AS "startDate",
        to_char(l.end_date, 'YYYY-MM-DD') AS "endDate"`,
  );
}

/**
 * Clears the user's name and email, marks them erased with the next erasure number, and NOTIFYs
 * every replica (delivered at commit); the erasure's number.
 */
export async function eraseUserRow(tx: EntityManager, id: string): Promise<bigint> {
  const [row] = await query<{ seq: string }>(
    tx,
    sql`WITH u AS (
        UPDATE users SET name = NULL, email = NULL, erased_at = now(), erasure_seq = nextval('user_erasure_seq'),
          updated_at = now()
        WHERE id = ${id}::uuid RETURNING id, erasure_seq
      )
      SELECT u.erasure_seq::text AS seq,
        pg_notify(${ERASURE_CHANNEL}, json_build_object('id', u.id, 'seq', u.erasure_seq::text)::text)
      FROM u`,
  );
  return BigInt(row!.seq);
}

/** Erased users with an erasure number above `after`, in that order (start-up and catch-up of a replica). */
export async function erasuresAfter(runner: Runner, after: bigint): Promise<{ id: string; seq: bigint }[]> {
  const rows = await query<{ id: string; seq: string }>(
    runner,
    sql`SELECT u.id, u.erasure_seq::text AS seq FROM users u
      WHERE u.erasure_seq > ${after.toString()}::bigint ORDER BY u.erasure_seq`,
  );
  return rows.map((row) => ({ id: row.id, seq: BigInt(row.seq) }));
}

/** A replica says it is alive and refuses every erasure up to `seq`. */
export async function beat(runner: Runner, replicaId: string, seq: bigint): Promise<void> {
  await query(
    runner,
    sql`INSERT INTO replica_heartbeats AS h (replica_id, last_seen, erasure_seq)
      VALUES (${replicaId}::uuid, now(), ${seq.toString()}::bigint)
      ON CONFLICT (replica_id) DO UPDATE SET last_seen = now(), erasure_seq = greatest(h.erasure_seq, EXCLUDED.erasure_seq)`,
  );
}

/** A replica leaving, and the rows of replicas gone for a day. */
export async function forgetReplica(runner: Runner, replicaId: string): Promise<void> {
  await query(
    runner,
    sql`DELETE FROM replica_heartbeats
      WHERE replica_id = ${replicaId}::uuid OR last_seen < now() - interval '1 day'`,
  );
}

/** How many replicas seen within the last `liveMs` have not yet acknowledged erasure `seq`. */
export async function replicasBehind(runner: Runner, seq: bigint, liveMs: number): Promise<number> {
  const [row] = await query<{ n: number }>(
    runner,
    sql`SELECT count(*)::int AS n FROM replica_heartbeats
      WHERE last_seen > now() - make_interval(secs => ${liveMs / 1000}::float8) AND erasure_seq < ${seq.toString()}::bigint`,
  );
  return row!.n;
}

/** When each user (valid uuids) was erased; users never erased are left out. */
export async function erasedAtOf(runner: Runner, ids: readonly string[]): Promise<{ id: string; erasedAt: Date }[]> {
  if (ids.length === 0) return [];
  return query<{ id: string; erasedAt: Date }>(
    runner,
    sql`SELECT u.id, u.erased_at AS "erasedAt" FROM users u
      WHERE u.id = ANY(${value(ids)}::uuid[]) AND u.erased_at IS NOT NULL`,
  );
}
