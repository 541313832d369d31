import { type EntityManager, query, type Sql, sql, value } from "../db";

/**
 * Provisional users (migration 1795000009000-EmailInvitations): a row made for an address nobody
 * has signed in with yet, so that an invitation by email is a PENDING membership like any other.
 * Its statements on the users table live here beside the users' others: the insert (a fragment of
 * the memberships' bulk write), and the provisional row's part of the claim
 * (memberships/claim.service.ts) that hands its invitations to a user whose token carries its
 * address, verified: finding and locking the row, then removing it and handing its address over.
 * The claim's writes to memberships, their periods and events are memberships/claim.store.ts's.
 * Addresses are compared lower-cased, as users_email_key does.
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
