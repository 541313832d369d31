import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Scheduled starts and the time-driven events (src/timers/): MEMBER_STARTED, MEMBER_EXPIRED,
 * LEADER_STARTED, LEADER_ENDED, each written once when its instant passes.
 *
 * - `memberships.starts_at`: a membership added with a start is stored SCHEDULED (it grants nothing)
 *   until the timer makes it ACTIVE at that instant.
 * - `memberships.expiry_set_at`: when `expires_at` was last written (a trigger, so every writer,
 *   SQL by hand included, keeps it): only an expiry later than its own write produces an event, so
 *   an expiry set in the past (data loaded after the fact) floods nothing.
 * - `leaderships.start_noted` / `end_noted`: the marker that the period's start / end was written
 *   to the log (a leadership has no status to change); the instants are `start_date` / `end_date`
 *   at 00:00 UTC, and only those later than the row's write (`created_at` / `updated_at`) count.
 * - `time_events_since`: one row, the instant this migration ran. No earlier instant produces an
 *   event: a database upgraded with years of expired memberships writes none of them.
 * - Partial indexes keep a tick's look-up of due instants to the rows still waiting for one.
 */
export class TimeEvents1795000006000 implements MigrationInterface {
  name = "TimeEvents1795000006000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE time_events_since (
        single boolean PRIMARY KEY DEFAULT true CHECK (single),
        since timestamptz NOT NULL
      )`);
    await q.query(`INSERT INTO time_events_since (since) VALUES (clock_timestamp())`);
    await q.query(`ALTER TABLE memberships DROP CONSTRAINT memberships_status_value`);
    await q.query(
      `ALTER TABLE memberships ADD CONSTRAINT memberships_status_value
       CHECK (status IN ('ACTIVE', 'PENDING', 'INACTIVE', 'SCHEDULED'))`,
    );
    await q.query(`ALTER TABLE memberships ADD COLUMN starts_at timestamptz`);
    await q.query(`ALTER TABLE memberships ADD COLUMN expiry_set_at timestamptz`);
    await q.query(`
      CREATE FUNCTION memberships_expiry_set_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
          NEW.expiry_set_at := CASE WHEN NEW.expires_at IS NULL THEN NULL ELSE now() END;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER memberships_expiry_set_at BEFORE INSERT OR UPDATE OF expires_at ON memberships
      FOR EACH ROW EXECUTE FUNCTION memberships_expiry_set_at()`);
    await q.query(
      `CREATE INDEX memberships_expiry_due_idx ON memberships (expires_at)
       WHERE status <> 'INACTIVE' AND expires_at > expiry_set_at`,
    );
    await q.query(`CREATE INDEX memberships_start_due_idx ON memberships (starts_at) WHERE status = 'SCHEDULED'`);
    await q.query(`ALTER TABLE leaderships ADD COLUMN start_noted boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE leaderships ADD COLUMN end_noted boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX leaderships_start_due_idx ON leaderships (start_date) WHERE NOT start_noted`);
    await q.query(
      `CREATE INDEX leaderships_end_due_idx ON leaderships (end_date) WHERE end_date IS NOT NULL AND NOT end_noted`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX leaderships_end_due_idx`);
    await q.query(`DROP INDEX leaderships_start_due_idx`);
    await q.query(`ALTER TABLE leaderships DROP COLUMN end_noted`);
    await q.query(`ALTER TABLE leaderships DROP COLUMN start_noted`);
    await q.query(`DROP INDEX memberships_start_due_idx`);
    await q.query(`DROP INDEX memberships_expiry_due_idx`);
    await q.query(`DROP TRIGGER memberships_expiry_set_at ON memberships`);
    await q.query(`DROP FUNCTION memberships_expiry_set_at()`);
    await q.query(`ALTER TABLE memberships DROP COLUMN expiry_set_at`);
    // A scheduled membership becomes an ACTIVE one (the previous schema knows no start).
    await q.query(`UPDATE memberships SET status = 'ACTIVE' WHERE status = 'SCHEDULED'`);
    await q.query(`ALTER TABLE memberships DROP COLUMN starts_at`);
    await q.query(`ALTER TABLE memberships DROP CONSTRAINT memberships_status_value`);
    await q.query(
      `ALTER TABLE memberships ADD CONSTRAINT memberships_status_value CHECK (status IN ('ACTIVE', 'PENDING', 'INACTIVE'))`,
    );
    await q.query(`DROP TABLE time_events_since`);
  }
}
