import { type EntityManager, query, type Sql, sql, value } from "../db";

/**
 * Provisional users (migration 1795000009000-EmailInvitations): a row made for an address nobody
 * has signed in with yet, so that an invitation by email is a PENDING membership like any other.
 * Its statements live here beside the users' others: the insert (a fragment of the memberships'
 * bulk write), and the claim (memberships/claim.service.ts) that hands its invitations to a user
 * whose token carries its address, verified. Addresses are compared lower-cased, as
 * users_email_key does.
 */

/**
 * The insert of provisional users with the given ids and (lower-cased) addresses, as a fragment for
 * a data-modifying CTE, made only when `onlyIf` holds; RETURNING id. No ON CONFLICT: an address
 * taken meanwhile fails users_email_key (CONFLICT on `email`), and the caller reads its facts again.
 */
export function insertProvisionalUsersSql(ids: readonly string[], emails: readonly string[], onlyIf: Sql): Sql {
  return sql`INSERT INTO users (id, email, provisional)
      SELECT p.id, p.email, TRUE FROM unnest(${value(ids)}::uuid[], ${value(emails)}::text[]) AS p(id, email)
      WHERE ${onlyIf}
      RETURNING id`;
}

/**
 * "A provisional user other than `userId` holds `email`": then its invitations can move to
 * `userId`, whatever that user's own memberships (the claim drops the invitations to groups they
 * are in already). For the provisioning statement's answer (user.store.ts provisionUser), read
 * before its insert.
 */
export function claimableSql(userId: string, email: string): Sql {
  return sql`EXISTS (SELECT 1 FROM users p
      WHERE p.provisional AND lower(p.email) = lower(${email}::text) AND p.id <> ${userId}::uuid)`;
}

/** The provisional user holding `email`, locked for its claim; undefined when there is none (any more). */
export async function lockProvisionalUser(tx: EntityManager, email: string): Promise<string | undefined> {
  const [row] = await query<{ id: string }>(
    tx,
    sql`SELECT p.id FROM users p WHERE p.provisional AND lower(p.email) = lower(${email}::text) FOR UPDATE`,
  );
  return row?.id;
}

/**
 * Removes the invitations of provisional user `from` to the groups where user `to` has a
 * membership already (any status): the claimant's own standing there is kept, and the second
 * membership a move would make cannot exist. The history trigger closes their periods. What was
 * removed, for its MEMBER_REMOVED events.
 */
export async function dropInvitationsOfMembers(
  tx: EntityManager,
  from: string,
  to: string,
): Promise<{ groupId: string; role: string }[]> {
  return query<{ groupId: string; role: string }>(
    tx,
    sql`DELETE FROM memberships a WHERE a.user_id = ${from}::uuid
      AND EXISTS (SELECT 1 FROM memberships b WHERE b.group_id = a.group_id AND b.user_id = ${to}::uuid)
      RETURNING a.group_id AS "groupId", a.role`,
  );
}

/**
 * Moves what provisional user `from` holds to user `to`, in one statement: its memberships (same
 * ids; user_id is not a column the history triggers watch, so no period opens or closes; call
 * dropInvitationsOfMembers first, so none meets one of `to`'s), and, in every group where `to` has
 * no membership, its periods (the invitation's history is the claimant's from its start) and the
 * events naming it (the log then says who was invited; their payloads hold no address). A moved
 * period never reaches back before `to`'s last recorded instant in its group (it is shifted to
 * start there, or left empty), so it cannot overlap `to`'s own earlier periods: the history stays
 * one line per pair. In a group where `to` is a member, the periods stay with `from` (and go with
 * its row) and the events keep naming it: they are the story of an invitation that was dropped.
 * How many memberships moved.
 */
export async function moveProvisionalUser(tx: EntityManager, from: string, to: string): Promise<number> {
  const outsider = (groupId: Sql) =>
    sql`NOT EXISTS (SELECT 1 FROM memberships b WHERE b.group_id = ${groupId} AND b.user_id = ${to}::uuid)`;
  const [row] = await query<{ n: number }>(
    tx,
    sql`WITH moved AS (
        UPDATE memberships a SET user_id = ${to}::uuid, updated_at = now() WHERE a.user_id = ${from}::uuid RETURNING a.id
      ), since AS (
        SELECT g.group_id, (SELECT max(coalesce(c.valid_to, c.valid_from)) FROM membership_periods c
          WHERE c.group_id = g.group_id AND c.user_id = ${to}::uuid) AS instant
        FROM (SELECT DISTINCT mp.group_id FROM membership_periods mp WHERE mp.user_id = ${from}::uuid) g
      ), periods AS (
        UPDATE membership_periods mp SET user_id = ${to}::uuid,
          valid_from = greatest(mp.valid_from, s.instant),
          valid_to = CASE WHEN mp.valid_to IS NULL THEN NULL ELSE greatest(mp.valid_to, s.instant) END
        FROM since s
        WHERE mp.user_id = ${from}::uuid AND s.group_id = mp.group_id AND ${outsider(sql`mp.group_id`)}
        RETURNING mp.id
      ), events AS (
        UPDATE domain_events e SET user_id = ${to}::uuid
        WHERE e.user_id = ${from}::uuid AND ${outsider(sql`e.group_id`)}
        RETURNING e.id
      )
      SELECT (SELECT count(*) FROM moved)::int AS n, (SELECT count(*) FROM periods) AS p, (SELECT count(*) FROM events) AS e`,
  );
  return row!.n;
}

/**
 * The provisional row goes (with what stayed with it), and its address becomes the claimant's when
 * they have none: a token's verified address, so not one they typed in themselves (email_self_set).
 */
export async function handOverAddress(tx: EntityManager, from: string, to: string, email: string): Promise<void> {
  await query(tx, sql`DELETE FROM users WHERE id = ${from}::uuid AND provisional`);
  await query(
    tx,
    sql`UPDATE users SET email = ${email}::text, email_self_set = FALSE, updated_at = now()
      WHERE id = ${to}::uuid AND email IS NULL AND erased_at IS NULL`,
  );
}
