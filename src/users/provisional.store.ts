import { type EntityManager, query, type Sql, sql, value } from "../db";

/**
 * Provisional users (migration 1795000009000-EmailInvitations): a row made for an address nobody
 * has signed in with yet, so that an invitation by email is a PENDING membership like any other.
 * Its statements live here beside the users' others: the insert (a fragment of the memberships'
 * bulk write), and the claim that hands its invitations to the first user whose token carries its
 * address. Addresses are compared lower-cased, as users_email_key does.
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
 * "A provisional user holds `email` and user `userId` has no membership history at all": then its
 * invitations can move to `userId` without meeting one of theirs (no membership, no period). For the
 * provisioning statement's answer (user.store.ts provisionUser), read before its insert.
 */
export function claimableSql(userId: string, email: string): Sql {
  return sql`(EXISTS (SELECT 1 FROM users p WHERE p.provisional AND lower(p.email) = lower(${email}::text))
      AND NOT EXISTS (SELECT 1 FROM memberships a WHERE a.user_id = ${userId}::uuid)
      AND NOT EXISTS (SELECT 1 FROM membership_periods mp WHERE mp.user_id = ${userId}::uuid))`;
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
 * Moves everything of provisional user `from` to user `to`, in one statement: its memberships
 * (same ids; user_id is not a column the history triggers watch, so no period opens or closes),
 * their periods (the invitation's history is the claimant's from its start) and the events naming
 * it (the log then says who was invited; their payloads hold no address). `to` must have no
 * membership history (claimableSql), so nothing collides. How many memberships moved.
 */
export async function moveProvisionalUser(tx: EntityManager, from: string, to: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    tx,
    sql`WITH moved AS (
        UPDATE memberships a SET user_id = ${to}::uuid, updated_at = now() WHERE a.user_id = ${from}::uuid RETURNING a.id
      ), periods AS (
        UPDATE membership_periods mp SET user_id = ${to}::uuid WHERE mp.user_id = ${from}::uuid RETURNING mp.id
      ), events AS (
        UPDATE domain_events e SET user_id = ${to}::uuid WHERE e.user_id = ${from}::uuid RETURNING e.id
      )
      SELECT (SELECT count(*) FROM moved)::int AS n, (SELECT count(*) FROM periods) AS p, (SELECT count(*) FROM events) AS e`,
  );
  return row!.n;
}

/**
 * The provisional row goes, and its address becomes the claimant's (when they have none: a token's
 * address is stored only on a new row, as provisioning does).
 */
export async function handOverAddress(tx: EntityManager, from: string, to: string, email: string): Promise<void> {
  await query(tx, sql`DELETE FROM users WHERE id = ${from}::uuid AND provisional`);
  await query(
    tx,
    sql`UPDATE users SET email = ${email}::text, updated_at = now()
      WHERE id = ${to}::uuid AND email IS NULL AND erased_at IS NULL`,
  );
}
