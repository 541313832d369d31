import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Invitations by email (inviteByEmail, addMembers' email items; src/memberships/bulk.*):
 *
 * - `users.provisional`: a User row made for an address nobody has signed in with yet, so that an
 *   invitation (a PENDING membership) can be bound to it like any other. It has an email and no
 *   name (a CHECK), is left out of `Query.users`, and goes away when the first token carrying its
 *   address (email_verified not false) provisions a new user: its memberships, their periods and
 *   its events move to that user (src/users/claim.store.ts). The address stays unique across all
 *   users (users_email_key, on lower(email)), so one address has at most one provisional row.
 */
export class EmailInvitations1795000009000 implements MigrationInterface {
  name = "EmailInvitations1795000009000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN provisional boolean NOT NULL DEFAULT false`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_provisional_shape
       CHECK (NOT provisional OR (name IS NULL AND (email IS NOT NULL OR erased_at IS NOT NULL)))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Provisional rows (and, by cascade, their invitations) have no meaning without the column.
    await q.query(`DELETE FROM users WHERE provisional`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_provisional_shape`);
    await q.query(`ALTER TABLE users DROP COLUMN provisional`);
  }
}
