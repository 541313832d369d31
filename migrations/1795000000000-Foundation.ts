import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Users, groups, the multi-parent hierarchy, memberships and the domain-event log.
 * Rules that must hold under concurrency live here, in the database: uniqueness, checks,
 * foreign keys and the hierarchy's cycle guard.
 */
export class Foundation1795000000000 implements MigrationInterface {
  name = "Foundation1795000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255),
        email varchar(320),
        is_global_admin boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_format CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+$')
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_name_idx ON users (name, id)`);

    await q.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        group_type varchar(50) NOT NULL DEFAULT 'organization',
        description text,
        short_name varchar(50),
        url text,
        knowledge_area varchar(255),
        campus varchar(255),
        visibility varchar(10) NOT NULL DEFAULT 'PRIVATE',
        is_active boolean NOT NULL DEFAULT true,
        permission_cascade_enabled boolean NOT NULL DEFAULT true,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT groups_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
        CONSTRAINT groups_group_type_length CHECK (char_length(group_type) BETWEEN 1 AND 50),
        CONSTRAINT groups_url_scheme CHECK (url IS NULL OR url ~* '^https?://'),
        CONSTRAINT groups_visibility_value CHECK (visibility IN ('PUBLIC', 'PRIVATE')),
        CONSTRAINT groups_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX groups_short_name_campus_key ON groups (short_name, campus)
       WHERE short_name IS NOT NULL AND campus IS NOT NULL`,
    );
    await q.query(`CREATE INDEX groups_name_idx ON groups (name, id)`);
    await q.query(`CREATE INDEX groups_created_at_idx ON groups (created_at, id)`);
    await q.query(`CREATE INDEX groups_updated_at_idx ON groups (updated_at, id)`);
    await q.query(`CREATE INDEX groups_group_type_idx ON groups (group_type, name, id)`);
    await q.query(`CREATE INDEX groups_created_by_idx ON groups (created_by)`);
    await q.query(`CREATE INDEX groups_metadata_idx ON groups USING gin (metadata jsonb_path_ops)`);

    await q.query(`
      CREATE TABLE group_parents (
        child_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        parent_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (child_id, parent_id),
        CONSTRAINT group_parents_not_self CHECK (child_id <> parent_id)
      )`);
    await q.query(`CREATE INDEX group_parents_parent_idx ON group_parents (parent_id, child_id)`);
    // The cycle guard: every new link takes one transaction-scoped lock, so two concurrent
    // updates that would only together close a cycle are serialized and the second one sees
    // the first (a volatile function takes a fresh snapshot per statement under READ COMMITTED).
    await q.query(`
      CREATE FUNCTION group_parents_prevent_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7305001);
        IF EXISTS (
          WITH RECURSIVE down(id) AS (
            SELECT NEW.child_id
            UNION
            SELECT gp.child_id FROM group_parents gp JOIN down ON gp.parent_id = down.id
          )
          SELECT 1 FROM down WHERE down.id = NEW.parent_id
        ) THEN
          RAISE EXCEPTION 'linking % under % would create a cycle', NEW.child_id, NEW.parent_id
            USING ERRCODE = '23514', CONSTRAINT = 'group_parents_no_cycle';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER group_parents_no_cycle BEFORE INSERT OR UPDATE ON group_parents
      FOR EACH ROW EXECUTE FUNCTION group_parents_prevent_cycle()`);

    await q.query(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(50) NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'ACTIVE',
        invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
        joined_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_group_user_key UNIQUE (group_id, user_id),
        CONSTRAINT memberships_status_value CHECK (status IN ('ACTIVE', 'PENDING', 'INACTIVE')),
        CONSTRAINT memberships_role_length CHECK (char_length(role) BETWEEN 1 AND 50)
      )`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id, group_id)`);
    await q.query(`CREATE INDEX memberships_group_status_idx ON memberships (group_id, status, role)`);

    await q.query(`
      CREATE TABLE domain_events (
        id bigserial PRIMARY KEY,
        type varchar(40) NOT NULL,
        group_id uuid NOT NULL,
        user_id uuid,
        actor_id uuid,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT domain_events_payload_object CHECK (jsonb_typeof(payload) = 'object')
      )`);
    await q.query(`CREATE INDEX domain_events_group_idx ON domain_events (group_id, id)`);
    await q.query(`CREATE INDEX domain_events_user_idx ON domain_events (user_id, id) WHERE user_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE domain_events`);
    await q.query(`DROP TABLE memberships`);
    await q.query(`DROP TRIGGER group_parents_no_cycle ON group_parents`);
    await q.query(`DROP FUNCTION group_parents_prevent_cycle()`);
    await q.query(`DROP TABLE group_parents`);
    await q.query(`DROP TABLE groups`);
    await q.query(`DROP TABLE users`);
  }
}
