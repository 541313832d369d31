import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Access requests (src/memberships/access-request.*):
 *
 * - `groups.join_policy`: INVITE_ONLY (the default, and every existing group: today's behaviour),
 *   REQUEST (a user who can see the group asks; holders of members.add decide) or OPEN (a user who
 *   can see it joins as the lowest-ranked role).
 * - `access_requests`: one row per request, kept after its decision (APPROVED, DENIED or WITHDRAWN,
 *   with who decided and when). At most one PENDING request per user and group: a partial unique
 *   index, so two concurrent requests cannot both be written. Deleting the group or the user
 *   deletes their requests; deleting the decider keeps the request with `decided_by` NULL.
 *   `message` (the requester's words, cleared when the requester is erased) and `reason` (the
 *   decider's) are at most 2000 characters.
 */
export class AccessRequests1795000008000 implements MigrationInterface {
  name = "AccessRequests1795000008000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE groups ADD COLUMN join_policy varchar(12) NOT NULL DEFAULT 'INVITE_ONLY',
       ADD CONSTRAINT groups_join_policy_value CHECK (join_policy IN ('INVITE_ONLY', 'REQUEST', 'OPEN'))`,
    );
    await q.query(`
      CREATE TABLE access_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        message text,
        status varchar(10) NOT NULL DEFAULT 'PENDING',
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
        decided_at timestamptz,
        reason text,
        CONSTRAINT access_requests_status_value CHECK (status IN ('PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN')),
        CONSTRAINT access_requests_decided CHECK ((status = 'PENDING') = (decided_at IS NULL)),
        CONSTRAINT access_requests_message_length CHECK (char_length(message) <= 2000),
        CONSTRAINT access_requests_reason_length CHECK (char_length(reason) <= 2000)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (group_id, user_id) WHERE status = 'PENDING'`,
    );
    // A group's queue by status, oldest first (Group.accessRequests' keyset), and a user's requests (erasure).
    await q.query(`CREATE INDEX access_requests_group_idx ON access_requests (group_id, status, created_at, id)`);
    await q.query(`CREATE INDEX access_requests_user_idx ON access_requests (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_requests`);
    await q.query(`ALTER TABLE groups DROP CONSTRAINT groups_join_policy_value, DROP COLUMN join_policy`);
  }
}
