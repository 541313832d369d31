import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Dated leadership periods. History is never deleted: ending a leadership sets end_date. The
 * database refuses overlapping periods of one user in one group (an exclusion constraint), so
 * concurrent addLeader calls cannot both win.
 */
export class Leadership1795000002000 implements MigrationInterface {
  name = "Leadership1795000002000";

  async up(q: QueryRunner): Promise<void> {
    // btree_gist lets the exclusion constraint combine equality on ids with range overlap.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE leaderships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        start_date date NOT NULL,
        end_date date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT leaderships_dates_order CHECK (end_date IS NULL OR end_date >= start_date),
        CONSTRAINT leaderships_group_user_start_key UNIQUE (group_id, user_id, start_date),
        CONSTRAINT leaderships_no_overlap EXCLUDE USING gist (
          group_id WITH =, user_id WITH =, daterange(start_date, end_date, '[)') WITH &&
        )
      )`);
    // Current leaders of a batch of groups: by group, then the periods not yet ended.
    await q.query(`CREATE INDEX leaderships_group_current_idx ON leaderships (group_id, end_date, start_date)`);
    await q.query(`CREATE INDEX leaderships_user_idx ON leaderships (user_id, end_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE leaderships`);
  }
}
