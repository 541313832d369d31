import { type DataSource, empty, query, type Sql, sql, value } from "../db";
import { type NewEvent, recordEventsSql } from "../events";
import { type Group, groupColumns } from "../groups";
import { insertProvisionalUsersSql } from "../users";
import type { Membership } from "./membership.entity";
import { type CallerGrants, callerStillHoldsSql, membershipColumns } from "./membership.store";

/**
 * The statements of members in bulk (addMembers, removeMembers) and of invitations by email
 * (inviteByEmail, which is a bulk add of one): one read of the facts, one guarded write, whatever
 * the number of members. Every list travels as an array parameter (`unnest`), so the text of each
 * statement depends only on its shape. The alias of the memberships table is `a`, as elsewhere.
 */

/** A user the facts found, by id or by (lower-cased) address; `provisional`: no one signed in with it yet. */
export interface KnownUser {
  id: string;
  email: string | null;
  provisional: boolean;
  /** The address was set by the account's owner (users.email_self_set): no invitation binds to it. */
  selfSet: boolean;
}

/** A membership the facts found: what the rank rules and the last-owner rule decide on. */
export interface ListedMember {
  id: string;
  userId: string;
  role: string;
  status: string;
  /** Owner, ACTIVE, no expiry (membership.service.ts isLastingOwner). */
  lasting: boolean;
}

/** What a bulk change is decided on, read in one statement. */
export interface BulkFacts {
  group: Group;
  users: KnownUser[];
  members: ListedMember[];
  /** The group's lasting owners, all of them. */
  lastingOwners: number;
}

const LASTING = sql`a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL`;

/**
 * The group; the users among `userIds` and with an address among `emails` (lower-cased), erased
 * ones left out (nobody adds or invites them); the memberships those users have in the group; and
 * how many lasting owners it has. No row when the group does not exist.
 */
export function bulkFactsSql(groupId: string, userIds: readonly string[], emails: readonly string[]): Sql {
  const listed = sql`u.erased_at IS NULL
    AND (u.id = ANY(${value(userIds)}::uuid[]) OR lower(u.email) = ANY(${value(emails)}::text[]))`;
  return sql`SELECT ${groupColumns},
      coalesce((SELECT json_agg(json_build_object('id', u.id, 'email', lower(u.email), 'provisional', u.provisional,
          'selfSet', u.email_self_set))
        FROM users u WHERE ${listed}), '[]'::json) AS "bulk.users",
      coalesce((SELECT json_agg(json_build_object('id', a.id, 'userId', a.user_id, 'role', a.role, 'status', a.status,
          'lasting', ${LASTING}))
        FROM memberships a WHERE a.group_id = g.id AND a.user_id IN (SELECT u.id FROM users u WHERE ${listed})),
        '[]'::json) AS "bulk.members",
      (SELECT count(*) FROM memberships a WHERE a.group_id = g.id AND ${LASTING})::int AS "bulk.lastingOwners"
    FROM groups g WHERE g.id = ${groupId}::uuid`;
}

export async function bulkFacts(
  db: DataSource,
  groupId: string,
  userIds: readonly string[],
  emails: readonly string[],
): Promise<BulkFacts | null> {
  const [row] = await query<Record<string, unknown>>(db, bulkFactsSql(groupId, userIds, emails));
  if (!row) return null;
  const group: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(row)) if (!key.startsWith("bulk.")) group[key] = v;
  return {
    group: group as unknown as Group,
    users: row["bulk.users"] as KnownUser[],
    members: row["bulk.members"] as ListedMember[],
    lastingOwners: row["bulk.lastingOwners"] as number,
  };
}

/** "The caller still holds the grants the decision relied on" (TRUE for null: a global admin), with its CTE. */
function callerGuard(caller: CallerGrants | null): { cte: Sql; holds: Sql } {
  if (!caller) return { cte: empty, holds: sql`TRUE` };
  return {
    cte: sql`caller AS (${callerStillHoldsSql(caller)}), `,
    holds: sql`(SELECT count(*) FROM caller) = ${caller.grants.length}::int`,
  };
}

/** One new membership of a bulk add. */
export interface NewBulkMember {
  userId: string;
  role: string;
  status: string;
  expiresAt: Date | null;
}

/** The insert of addMembers: provisional users for new addresses, the memberships and one event each. */
export interface BulkAddition {
  groupId: string;
  invitedBy: string;
  /** Who makes the change (changed_by, copied into the periods the trigger opens). */
  actorId: string;
  members: NewBulkMember[];
  /** Provisional users to create first: their ids (used in `members`) and lower-cased addresses. */
  provisional: { ids: string[]; emails: string[] };
  events: NewEvent[];
  caller: CallerGrants | null;
}

/**
 * One statement: the provisional users, then every membership (the history trigger opens their
 * periods in one set-based statement) and their events, only while the caller holds the grants
 * the decision relied on (share-locked: a demotion committed before is seen) and every provisional
 * user was made. Nothing when the caller's roles changed meanwhile (read the facts again). A member
 * added meanwhile fails memberships_group_user_key (CONFLICT), an address taken meanwhile
 * users_email_key (CONFLICT on email: read the facts again).
 */
export function addMembershipsSql(b: BulkAddition): Sql {
  const { cte, holds } = callerGuard(b.caller);
  const m = b.members;
  return sql`WITH ${cte}u AS (${insertProvisionalUsersSql(b.provisional.ids, b.provisional.emails, holds)}),
    m AS (
      INSERT INTO memberships AS a (group_id, user_id, role, status, invited_by, expires_at, changed_by)
      SELECT ${b.groupId}::uuid, x.user_id, x.role, x.status, ${b.invitedBy}::uuid, x.expires_at, ${b.actorId}::uuid
      FROM unnest(${value(m.map((r) => r.userId))}::uuid[], ${value(m.map((r) => r.role))}::text[],
        ${value(m.map((r) => r.status))}::text[], ${value(m.map((r) => r.expiresAt))}::timestamptz[])
        AS x(user_id, role, status, expires_at)
      WHERE ${holds} AND (SELECT count(*) FROM u) = ${b.provisional.ids.length}::int
      RETURNING ${membershipColumns}
    ), events AS (${recordEventsSql(b.events, sql`EXISTS (SELECT 1 FROM m)`)})
    SELECT * FROM m`;
}

export function addMemberships(db: DataSource, b: BulkAddition): Promise<Membership[]> {
  return query<Membership>(db, addMembershipsSql(b));
}

/** The removal of removeMembers: the memberships as the facts showed them. */
export interface BulkRemoval {
  groupId: string;
  members: Pick<ListedMember, "id" | "role" | "lasting">[];
  events: NewEvent[];
  caller: CallerGrants | null;
}

/** What a guarded bulk removal found, and how many it removed (all of them, or none). */
export interface BulkRemovalOutcome {
  callerHolds: boolean;
  asRead: boolean;
  /** The group's lasting owners outside the removal (null when none of the removed is one). */
  otherOwners: number | null;
  removed: number;
}

/**
 * One statement, guarded as removeMember's (membership.store.ts removeMembershipSql) but for a set:
 * the caller's grants share-locked; every listed membership locked for the delete and still with
 * the role and lasting-owner standing the decision saw; when lasting owners are among them, the
 * group's other lasting owners share-locked, of which one must remain. All of them go with their
 * events, or none.
 */
export function removeMembershipsSql(r: BulkRemoval): Sql {
  const { cte, holds } = callerGuard(r.caller);
  const ids = value(r.members.map((m) => m.id));
  const takesOwner = r.members.some((m) => m.lasting);
  const ownersCte = takesOwner
    ? sql`owners AS (
        SELECT a.id FROM memberships a
        WHERE a.group_id = ${r.groupId}::uuid AND NOT (a.id = ANY(${ids}::uuid[])) AND ${LASTING}
        FOR SHARE OF a
      ), `
    : empty;
  const otherOwners = takesOwner ? sql`(SELECT count(*) FROM owners)::int` : sql`NULL::int`;
  const ownerKept = takesOwner ? sql` AND f."otherOwners" > 0` : empty;
  return sql`WITH ${cte}${ownersCte}target AS (
      SELECT a.id FROM memberships a
      WHERE a.group_id = ${r.groupId}::uuid
        AND (a.id, a.role, (${LASTING})) IN (
          SELECT * FROM unnest(${ids}::uuid[], ${value(r.members.map((m) => m.role))}::text[],
            ${value(r.members.map((m) => m.lasting))}::boolean[]))
      FOR UPDATE OF a
    ), facts AS (
      SELECT ${holds} AS "callerHolds", (SELECT count(*) FROM target) = ${r.members.length}::int AS "asRead",
        ${otherOwners} AS "otherOwners"
    ), m AS (
      DELETE FROM memberships a USING facts f
      WHERE a.id = ANY(${ids}::uuid[]) AND f."callerHolds" AND f."asRead"${ownerKept}
      RETURNING a.id
    ), events AS (${recordEventsSql(r.events, sql`EXISTS (SELECT 1 FROM m)`)})
    SELECT f.*, (SELECT count(*) FROM m)::int AS removed FROM facts f`;
}

export async function removeMemberships(db: DataSource, r: BulkRemoval): Promise<BulkRemovalOutcome> {
  const [row] = await query<BulkRemovalOutcome>(db, removeMembershipsSql(r));
  return row!;
}
