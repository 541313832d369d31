import { type EntityManager, query, type Sql, sql } from "../db";

/**
 * The membership writes of the claim of invitations by email (claim.service.ts): the invitations a
 * provisional user holds are dropped where the claimant is a member already, and the rest move to
 * the claimant with their periods and events. They write memberships, membership_periods and
 * domain_events, so they live here with the memberships' other statements; the provisional user's
 * own row (found, locked, removed, its address handed over) stays in users/provisional.store.ts.
 * The alias of the memberships table is `a` (and `b` for the claimant's), as elsewhere.
 */

/**
 * The invitations of provisional user `from` to the groups where user `to` has a membership already
 * (any status), deleted: the claimant's own standing there is kept, and the second membership a
 * move would make cannot exist. The history trigger closes their periods. RETURNING what was
 * removed, for its MEMBER_REMOVED events.
 */
export function dropInvitationsOfMembersSql(from: string, to: string): Sql {
  return sql`DELETE FROM memberships a WHERE a.user_id = ${from}::uuid
      AND EXISTS (SELECT 1 FROM memberships b WHERE b.group_id = a.group_id AND b.user_id = ${to}::uuid)
      RETURNING a.group_id AS "groupId", a.role`;
}

/** Runs dropInvitationsOfMembersSql: what was removed, for its MEMBER_REMOVED events. */
export async function dropInvitationsOfMembers(
  tx: EntityManager,
  from: string,
  to: string,
): Promise<{ groupId: string; role: string }[]> {
  return query<{ groupId: string; role: string }>(tx, dropInvitationsOfMembersSql(from, to));
}

/**
 * Moves what provisional user `from` holds to user `to`, in one statement: its memberships (same
 * ids; user_id is not a column the history triggers watch, so no period opens or closes; run
 * dropInvitationsOfMembersSql first, so none meets one of `to`'s), and, in every group where `to`
 * has no membership, its periods (the invitation's history is the claimant's from its start) and
 * the events naming it (the log then says who was invited; their payloads hold no address). A moved
 * period never reaches back before `to`'s last recorded instant in its group (it is shifted to
 * start there, or left empty), so it cannot overlap `to`'s own earlier periods: the history stays
 * one line per pair. In a group where `to` is a member, the periods stay with `from` (and go with
 * its row) and the events keep naming it: they are the story of an invitation that was dropped.
 * Answers `n`, how many memberships moved.
 *
 * `to`'s groups (`inside`) are read once, as one materialized set, and `since` (the groups of
 * `from`'s periods outside them, each with `to`'s last instant there) is materialized too: the
 * periods and events then test a row against those sets, rather than looking the claimant's
 * membership (and last instant) up again for every period and event row. Every part reads the
 * statement's one snapshot, so `inside` is `to`'s memberships before `moved`, as the test was.
 */
export function moveProvisionalUserSql(from: string, to: string): Sql {
  return sql`WITH inside AS MATERIALIZED (
        SELECT b.group_id FROM memberships b WHERE b.user_id = ${to}::uuid
      ), moved AS (
        UPDATE memberships a SET user_id = ${to}::uuid, updated_at = now() WHERE a.user_id = ${from}::uuid RETURNING a.id
      ), since AS MATERIALIZED (
        SELECT g.group_id, (SELECT max(coalesce(c.valid_to, c.valid_from)) FROM membership_periods c
          WHERE c.group_id = g.group_id AND c.user_id = ${to}::uuid) AS instant
        FROM (SELECT DISTINCT mp.group_id FROM membership_periods mp WHERE mp.user_id = ${from}::uuid) g
        WHERE NOT EXISTS (SELECT 1 FROM inside i WHERE i.group_id = g.group_id)
      ), periods AS (
        UPDATE membership_periods mp SET user_id = ${to}::uuid,
          valid_from = greatest(mp.valid_from, s.instant),
          valid_to = CASE WHEN mp.valid_to IS NULL THEN NULL ELSE greatest(mp.valid_to, s.instant) END
        FROM since s
        WHERE mp.user_id = ${from}::uuid AND s.group_id = mp.group_id
        RETURNING mp.id
      ), events AS (
        UPDATE domain_events e SET user_id = ${to}::uuid
        WHERE e.user_id = ${from}::uuid AND NOT EXISTS (SELECT 1 FROM inside i WHERE i.group_id = e.group_id)
        RETURNING e.id
      )
      SELECT (SELECT count(*) FROM moved)::int AS n, (SELECT count(*) FROM periods) AS p, (SELECT count(*) FROM events) AS e`;
}

/** Runs moveProvisionalUserSql: how many memberships moved. */
export async function moveProvisionalUser(tx: EntityManager, from: string, to: string): Promise<number> {
  const [row] = await query<{ n: number }>(tx, moveProvisionalUserSql(from, to));
  return row!.n;
}
