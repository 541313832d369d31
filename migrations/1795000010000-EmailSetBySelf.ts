import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `users.email_self_set`: the address was last set by its account's owner through `updateUser`,
 * not brought by a sign-in token or set by a global admin. Invitations by email
 * (src/memberships/bulk.*) never bind to such an address: anyone may type any address into their
 * own account, and the invitation meant for its real owner would reach them. Addresses already
 * stored count as before (false).
 */
export class EmailSetBySelf1795000010000 implements MigrationInterface {
  name = "EmailSetBySelf1795000010000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN email_self_set boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN email_self_set`);
  }
}
