import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What the live event feed (src/events/feed.ts) relies on:
 *
 * - Event ids are assigned by a BEFORE INSERT trigger that first makes sure the writing transaction
 *   has its transaction id, then takes the next id. So a transaction holding an id always shows in
 *   the snapshot of anyone who sees a later id, which is how the feed tells an id still being
 *   committed from one that never will be (a rolled-back transaction, a crash). A default on the
 *   column could hand out the id before the transaction id exists; the default is dropped.
 * - A statement-level trigger NOTIFYs channel `domain_events` at commit (PostgreSQL sends
 *   notifications only when, and if, the transaction commits), waking every replica's feed.
 * - Query.events filters by type and by actor/time; an index for each common shape.
 * - `reach` (never shown to clients) keeps, on a GROUP_DELETED event, who could read the group's
 *   events and the group's ancestors at the moment of deletion: once the group and its memberships
 *   are gone, live delivery decides with these.
 */
export class EventFeed1795000004000 implements MigrationInterface {
  name = "EventFeed1795000004000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE domain_events ALTER COLUMN id DROP DEFAULT`);
    await q.query(`ALTER TABLE domain_events ADD COLUMN reach jsonb`);
    await q.query(`
      CREATE FUNCTION domain_events_assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_current_xact_id();
        NEW.id := nextval('domain_events_id_seq');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER domain_events_assign_id BEFORE INSERT ON domain_events
      FOR EACH ROW EXECUTE FUNCTION domain_events_assign_id()`);
    await q.query(`
      CREATE FUNCTION domain_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('domain_events', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER domain_events_notify AFTER INSERT ON domain_events
      FOR EACH STATEMENT EXECUTE FUNCTION domain_events_notify()`);
    await q.query(`CREATE INDEX domain_events_type_idx ON domain_events (type, id)`);
    await q.query(`CREATE INDEX domain_events_occurred_at_idx ON domain_events (occurred_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX domain_events_occurred_at_idx`);
    await q.query(`DROP INDEX domain_events_type_idx`);
    await q.query(`DROP TRIGGER domain_events_notify ON domain_events`);
    await q.query(`DROP FUNCTION domain_events_notify()`);
    await q.query(`DROP TRIGGER domain_events_assign_id ON domain_events`);
    await q.query(`DROP FUNCTION domain_events_assign_id()`);
    await q.query(`ALTER TABLE domain_events ALTER COLUMN id SET DEFAULT nextval('domain_events_id_seq')`);
    await q.query(`ALTER TABLE domain_events DROP COLUMN reach`);
  }
}
