import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Erasure of users (eraseUser, src/users/erasure.*):
 *
 * - `users.erased_at`: when the user was erased (name and email are NULL from then on).
 * - `users.erasure_seq`: the erasure's number, from `user_erasure_seq`. Erasures are serialized (an
 *   advisory lock held to commit), so they commit in this order and a replica that has applied
 *   number n has applied every erasure up to n. A partial unique index serves the catch-up read
 *   (`erasure_seq > n`) and the start-up load.
 * - `replica_heartbeats`: one row per running replica, written by its own timer and after each
 *   erasure it applies: `erasure_seq` is the highest erasure it refuses the tokens of. eraseUser
 *   waits until every replica seen lately has acknowledged its erasure.
 */
export class Erasure1795000007000 implements MigrationInterface {
  name = "Erasure1795000007000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE user_erasure_seq`);
    await q.query(`ALTER TABLE users ADD COLUMN erased_at timestamptz, ADD COLUMN erasure_seq bigint`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_erased_cleared
       CHECK (erased_at IS NULL OR (name IS NULL AND email IS NULL AND erasure_seq IS NOT NULL))`,
    );
    await q.query(`CREATE UNIQUE INDEX users_erasure_seq_key ON users (erasure_seq) WHERE erasure_seq IS NOT NULL`);
    await q.query(`
      CREATE TABLE replica_heartbeats (
        replica_id uuid PRIMARY KEY,
        last_seen timestamptz NOT NULL DEFAULT now(),
        erasure_seq bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replica_heartbeats`);
    await q.query(`DROP INDEX users_erasure_seq_key`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_erased_cleared`);
    await q.query(`ALTER TABLE users DROP COLUMN erasure_seq, DROP COLUMN erased_at`);
    await q.query(`DROP SEQUENCE user_erasure_seq`);
  }
}
