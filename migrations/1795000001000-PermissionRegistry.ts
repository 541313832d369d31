import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The stored copy of the permission registry. The code (src/permissions/registry) is the source of
 * truth and `permissions:sync` makes these tables follow it; nothing else writes them.
 *
 * No foreign key from permissions to modules, nor from a module to its parent: a key that left the
 * code is kept as an inactive orphan until `--clean-orphans`, and modules and permissions must be
 * deletable in any order when that happens. Grants do reference both sides, so cleaning an orphan
 * takes its grants with it.
 */
export class PermissionRegistry1795000001000 implements MigrationInterface {
  name = "PermissionRegistry1795000001000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE permission_modules (
        key varchar(100) PRIMARY KEY,
        parent_key varchar(100),
        label varchar(255) NOT NULL,
        description text,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX permission_modules_parent_idx ON permission_modules (parent_key)`);

    // The key is the primary key (unique and indexed): a key is never renamed, only added or retired.
    await q.query(`
      CREATE TABLE permissions (
        key varchar(150) PRIMARY KEY,
        module varchar(100) NOT NULL,
        capability varchar(100) NOT NULL,
        label varchar(255) NOT NULL,
        description text,
        is_active boolean NOT NULL DEFAULT true,
        is_deprecated boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT permissions_key_has_dot CHECK (position('.' in key) > 0)
      )`);
    // Leads with module, so it also serves lookups by module alone.
    await q.query(`CREATE INDEX permissions_module_capability_idx ON permissions (module, capability)`);

    await q.query(`
      CREATE TABLE permission_roles (
        name varchar(50) PRIMARY KEY,
        label varchar(255) NOT NULL,
        rank integer NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE permission_role_grants (
        role_name varchar(50) NOT NULL REFERENCES permission_roles (name) ON DELETE CASCADE,
        permission_key varchar(150) NOT NULL REFERENCES permissions (key) ON DELETE CASCADE,
        PRIMARY KEY (role_name, permission_key)
      )`);
    await q.query(`CREATE INDEX permission_role_grants_permission_idx ON permission_role_grants (permission_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE permission_role_grants`);
    await q.query(`DROP TABLE permission_roles`);
    await q.query(`DROP TABLE permissions`);
    await q.query(`DROP TABLE permission_modules`);
  }
}
