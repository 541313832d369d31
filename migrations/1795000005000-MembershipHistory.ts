import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The history of memberships: `membership_periods`, one row per span of constant role and stored
 * status of one user in one group, written by triggers on `memberships`, so every write path (the
 * stores' guarded statements and transactions, createGroup's owner, cascades) keeps it without a
 * statement of its own. `memberships` stays the current state, which the hot indexes cover.
 *
 * - A period covers [valid_from, valid_to); valid_to null = still current. At most one current
 *   period per pair (a unique partial index) and no two overlapping (an exclusion constraint over
 *   tstzrange, btree_gist: already created by the Leadership migration, IF NOT EXISTS for safety).
 * - The instant of a change is the transaction's `now()`, or `groups.period_instant` when the
 *   transaction sets it (`set_config('groups.period_instant', <timestamptz>, true)`: a time-driven
 *   change recorded at the instant it happened), never earlier than the pair's last recorded
 *   instant: a transaction that started before another one's committed change to the same member
 *   (now() is the transaction's start) records its own change at that change's instant, so periods
 *   never run backwards (the earlier one is then empty, which no as-of read shows).
 * - `membership_id` and `joined_at` describe the membership the period belongs to (kept after the
 *   row is deleted: a removed membership's periods still say when it began); `changed_by` is who
 *   made the change that opened it, taken from `memberships.changed_by`, which writers set.
 * - Instants are kept to the millisecond, the precision of the API's DateTime: a period's `from`
 *   read back and passed as `asOf` falls inside that period, not just before it.
 * - Existing memberships get one current period from their joined_at with their role and stored
 *   status (changed_by = invited_by): history starts there.
 */
export class MembershipHistory1795000005000 implements MigrationInterface {
  name = "MembershipHistory1795000005000";

  async up(q: QueryRunner): Promise<void> {
    // The backfill reads every membership: on a large deployment it outlasts the pool's 30 s
    // statement_timeout (ormconfig.ts). Off for this migration's transaction only.
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`ALTER TABLE memberships ADD COLUMN changed_by uuid REFERENCES users (id) ON DELETE SET NULL`);
    await q.query(`UPDATE memberships SET changed_by = invited_by`);
    await q.query(`
      CREATE TABLE membership_periods (
        id bigserial PRIMARY KEY,
        membership_id uuid NOT NULL,
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(50) NOT NULL,
        status varchar(10) NOT NULL,
        joined_at timestamptz NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT membership_periods_order CHECK (valid_to IS NULL OR valid_to >= valid_from),
        CONSTRAINT membership_periods_no_overlap EXCLUDE USING gist (
          group_id WITH =, user_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&
        )
      )`);
    await q.query(
      `CREATE UNIQUE INDEX membership_periods_current_key ON membership_periods (group_id, user_id)
       WHERE valid_to IS NULL`,
    );
    // As-of reads of a group's members and of a user's memberships; the exclusion constraint's GiST
    // index answers (group, user) lookups and range containment.
    await q.query(`CREATE INDEX membership_periods_group_idx ON membership_periods (group_id, valid_from)`);
    await q.query(`CREATE INDEX membership_periods_user_idx ON membership_periods (user_id, valid_from)`);
    await q.query(`
      INSERT INTO membership_periods (membership_id, group_id, user_id, role, status, joined_at, valid_from, changed_by)
      SELECT id, group_id, user_id, role, status, joined_at, date_trunc('milliseconds', joined_at), invited_by
      FROM memberships`);
    // The instant of this transaction's changes: the setting if set, else now(), to the millisecond.
    await q.query(`
      CREATE FUNCTION membership_period_instant() RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT date_trunc('milliseconds',
          coalesce(nullif(current_setting('groups.period_instant', true), '')::timestamptz, now()))
      $$`);
    // ...but never before the pair's last recorded instant, so periods never run backwards.
    await q.query(`
      CREATE FUNCTION membership_period_next(g uuid, u uuid) RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT greatest(membership_period_instant(),
          (SELECT max(coalesce(p.valid_to, p.valid_from)) FROM membership_periods p WHERE p.group_id = g AND p.user_id = u))
      $$`);
    // Inserts and deletes are statement triggers over transition tables: a bulk insert or a group's
    // deletion (its memberships cascade) writes the history in one set-based statement, not one
    // per row. Updates are a row trigger, as a column list (role, status) allows no transition table.
    await q.query(`
      CREATE FUNCTION membership_periods_open() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO membership_periods (membership_id, group_id, user_id, role, status, joined_at, valid_from, changed_by)
        SELECT n.id, n.group_id, n.user_id, n.role, n.status, n.joined_at, membership_period_next(n.group_id, n.user_id),
               n.changed_by
        FROM inserted n;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER membership_periods_open AFTER INSERT ON memberships
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION membership_periods_open()`);
    await q.query(`
      CREATE FUNCTION membership_periods_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        instant timestamptz;
      BEGIN
        IF NEW.role = OLD.role AND NEW.status = OLD.status THEN
          RETURN NULL;
        END IF;
        instant := membership_period_next(NEW.group_id, NEW.user_id);
        UPDATE membership_periods SET valid_to = instant
          WHERE group_id = NEW.group_id AND user_id = NEW.user_id AND valid_to IS NULL;
        INSERT INTO membership_periods (membership_id, group_id, user_id, role, status, joined_at, valid_from, changed_by)
        VALUES (NEW.id, NEW.group_id, NEW.user_id, NEW.role, NEW.status, NEW.joined_at, instant, NEW.changed_by);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER membership_periods_change AFTER UPDATE OF role, status ON memberships
      FOR EACH ROW EXECUTE FUNCTION membership_periods_change()`);
    await q.query(`
      CREATE FUNCTION membership_periods_close() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE membership_periods p SET valid_to = membership_period_next(p.group_id, p.user_id)
        FROM deleted d
        WHERE p.group_id = d.group_id AND p.user_id = d.user_id AND p.valid_to IS NULL;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER membership_periods_close AFTER DELETE ON memberships
      REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION membership_periods_close()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER membership_periods_close ON memberships`);
    await q.query(`DROP FUNCTION membership_periods_close()`);
    await q.query(`DROP TRIGGER membership_periods_change ON memberships`);
    await q.query(`DROP FUNCTION membership_periods_change()`);
    await q.query(`DROP TRIGGER membership_periods_open ON memberships`);
    await q.query(`DROP FUNCTION membership_periods_open()`);
    await q.query(`DROP FUNCTION membership_period_next(uuid, uuid)`);
    await q.query(`DROP FUNCTION membership_period_instant()`);
    await q.query(`DROP TABLE membership_periods`);
    await q.query(`ALTER TABLE memberships DROP COLUMN changed_by`);
  }
}
