import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The authorizer's facts read each (group, user) pair's membership on every permission check
 * (src/permissions/permission.store.ts hierarchyFactsSql): its role, status and expiry. The unique
 * (group_id, user_id) index now carries them, so the lookup is one index-only probe. Without them
 * the generic plan read the group's members from memberships_page_idx (which carries them) and
 * filtered by user: a scan as long as the group's member list, on every check, for every ancestor.
 * On the benchmark's Q3 chain (8 groups of about 25 members) the statement went 0.27 → 0.13 ms; a
 * group of 10,000 members would have cost a scan of 10,000 index entries per check.
 */
export class MembershipPairProbe1795000012000 implements MigrationInterface {
  name = "MembershipPairProbe1795000012000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE memberships DROP CONSTRAINT memberships_group_user_key,
       ADD CONSTRAINT memberships_group_user_key UNIQUE (group_id, user_id) INCLUDE (role, status, expires_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE memberships DROP CONSTRAINT memberships_group_user_key,
       ADD CONSTRAINT memberships_group_user_key UNIQUE (group_id, user_id)`,
    );
  }
}
