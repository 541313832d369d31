import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Initiatives (programmes, projects, campaigns) and their links to groups. An initiative stands on
 * its own: it outlives the groups it is linked to, and deleting it removes its links. The date
 * order is a CHECK, so an update racing another one cannot store an end before the start.
 */
export class Initiatives1795000003000 implements MigrationInterface {
  name = "Initiatives1795000003000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE initiatives (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        description text,
        start_date date,
        end_date date,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT initiatives_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
        CONSTRAINT initiatives_dates_order CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
      )`);
    // Query.initiatives orders and pages by (name, id).
    await q.query(`CREATE INDEX initiatives_name_idx ON initiatives (name, id)`);
    // Keeps ON DELETE SET NULL of a user from scanning the table.
    await q.query(`CREATE INDEX initiatives_created_by_idx ON initiatives (created_by)`);

    await q.query(`
      CREATE TABLE group_initiatives (
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        initiative_id uuid NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
        linked_by uuid REFERENCES users (id) ON DELETE SET NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, initiative_id)
      )`);
    // Initiative.groups and the cascade from initiatives; the primary key serves Group.initiatives.
    await q.query(`CREATE INDEX group_initiatives_initiative_idx ON group_initiatives (initiative_id, group_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE group_initiatives`);
    await q.query(`DROP TABLE initiatives`);
  }
}
