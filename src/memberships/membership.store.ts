import {
  and,
  type DataSource,
  type EntityManager,
  empty,
  join,
  keysetPages,
  query,
  raw,
  type Sql,
  sql,
  value,
  type Runner,
} from "../db";
import { type NewEvent, recordEventsSql } from "../events";
import { type Group, groupColumns } from "../groups";
import { countingMembership, heldBy, visibleGroup } from "../permissions";
import type { Viewer } from "../shared/context";
import { USER_FIELD_NAMES, userColumnsPrefixed, type UserField } from "../users";
import type { Membership, MembershipStatus } from "./membership.entity";

/**
 * Every statement on the memberships table. Each one has a builder (`...Sql`: the fragment for
 * given arguments, pure, pinned by test/golden/memberships.store.test.ts) and a runner that sends
 * it through `query` on a pool or a transaction's connection. Loaders and services call the runners;
 * access rules come from permissions/visibility.ts as fragments, never re-written here. The alias
 * of the memberships table is always `a` (as in `countingMembership`).
 */

/** Each Membership field and its column in `memberships`: the one source of the SELECT lists. */
export const MEMBERSHIP_FIELDS = {
  id: "id",
  groupId: "group_id",
  userId: "user_id",
  role: "role",
  storedStatus: "status",
  invitedById: "invited_by",
  joinedAt: "joined_at",
  expiresAt: "expires_at",
  startsAt: "starts_at",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const satisfies Record<keyof Membership, string>;

export type MembershipField = keyof typeof MEMBERSHIP_FIELDS;

/** The entity's field names, in column-map order. */
export const MEMBERSHIP_FIELD_NAMES = Object.keys(MEMBERSHIP_FIELDS) as MembershipField[];

/** Some of a membership row's columns (alias `a`), aliased to the entity's properties. */
function membershipColumnsFor(fields: readonly MembershipField[]): Sql {
  return raw(
    fields
      .map((field) => [field, MEMBERSHIP_FIELDS[field]])
      .map(([field, column]) => (field === column ? `a.${column}` : `a.${column} AS "${field}"`))
      .join(", "),
  );
}

/** A membership row's columns (alias `a`), aliased to the entity's properties. */
export const membershipColumns: Sql = membershipColumnsFor(MEMBERSHIP_FIELD_NAMES);

/** `membershipColumns` as text, for statements of other domains not yet composed from fragments. */
export const MEMBERSHIP_COLUMNS = membershipColumns.text;

/** `field` as its column of alias `a`. */
function column(field: MembershipField): Sql {
  return raw(`a.${MEMBERSHIP_FIELDS[field]}`);
}

/**
 * "The viewer may read membership `a`": their own, or in a group where they hold members.view
 * (permissions' canSeeMemberOf, composed from visibility.ts's heldBy). TRUE for a global admin.
 */
function readableBy(viewer: Viewer): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`(a.user_id = ${viewer.id}::uuid OR ${heldBy(viewer, "members.view", column("groupId"))})`;
}

/* ------------------------------------------------------------------------------------------------
 * Reads behind the loaders (one statement per batch, whatever its size)
 * --------------------------------------------------------------------------------------------- */

/**
 * Memberships by id the viewer may read: their own, or in a group where they hold members.view.
 * The rule is in the statement, so `_entities` costs one statement for any number of them.
 */
export function readableMembershipsSql(viewer: Viewer, ids: readonly string[]): Sql {
  return sql`SELECT ${membershipColumns} FROM memberships a
    WHERE a.id = ANY(${value(ids)}::uuid[]) AND ${readableBy(viewer)}`;
}

export function readableMemberships(runner: Runner, viewer: Viewer, ids: readonly string[]): Promise<Membership[]> {
  return query<Membership>(runner, readableMembershipsSql(viewer, ids));
}

export interface MemberKey {
  groupId: string;
  userId: string;
}

/** The membership of each (group, user) pair, any status; callers decide visibility. */
export function membershipsOfPairsSql(pairs: readonly MemberKey[]): Sql {
  return sql`SELECT ${membershipColumns} FROM memberships a
    WHERE (a.group_id, a.user_id) IN (
      SELECT * FROM unnest(${value(pairs.map((k) => k.groupId))}::uuid[], ${value(pairs.map((k) => k.userId))}::uuid[])
    )`;
}

export function membershipsOfPairs(runner: Runner, pairs: readonly MemberKey[]): Promise<Membership[]> {
  return query<Membership>(runner, membershipsOfPairsSql(pairs));
}

/** Direct ACTIVE, unexpired members per group: rows `{ key, n }`, none for a group without any. */
export function memberCountsSql(groupIds: readonly string[]): Sql {
  return sql`SELECT a.group_id AS key, count(*)::int AS n FROM memberships a
    WHERE a.group_id = ANY(${value(groupIds)}::uuid[]) AND ${countingMembership}
    GROUP BY a.group_id`;
}

export function memberCounts(runner: Runner, groupIds: readonly string[]): Promise<{ key: string; n: number }[]> {
  return query<{ key: string; n: number }>(runner, memberCountsSql(groupIds));
}

/** A member on a page: the membership, its depth below the listed group and its joinedAt as text (the cursor). */
export type MemberRow = Membership & { depth: number; joinedKey: string };

/**
 * A row of `memberPagesSql`: one per listed group (`key`) and member, with the group's total; a
 * group without a member on the page has one row whose membership columns are null. Each member's
 * user rides along under the `user.` prefix (usersById is primed from them).
 */
export type MemberPageRow = MemberRow & { key: string; totalCount: number };

/**
 * Which columns a page of members reads (member-columns.ts reads them off the selection). Part of
 * the page's loader key: a page read for one selection never serves another.
 */
export interface MemberColumns {
  /** Membership fields, always with id and userId (the statements add joinedAt, their order); null: all of them. */
  membership: readonly MembershipField[] | null;
  /** The members' users' fields: null all of them (they prime usersById), [] none (no join). */
  user: readonly UserField[] | null;
  /** Whether the page's totalCount is asked for (a planned page counts only then). */
  total: boolean;
}

/** Every column, the total counted: for a page read without a selection to go by. */
export const ALL_MEMBER_COLUMNS: MemberColumns = { membership: null, user: null, total: true };

export interface MemberListOptions {
  role: string | null;
  includeInactive: boolean;
  transitive: boolean;
  /** Rows per group (the page size plus one, to tell whether more follow). */
  limit: number;
  /** The keyset cursor: (depth, joinedAt as text, id) of the last row seen. */
  after: readonly [number, string, string] | null;
  columns: MemberColumns;
}

/**
 * A page of members for each group with its totalCount, in one statement for any number of groups,
 * ordered by (depth, joinedAt, id). transitive: the members of every descendant too, each user once
 * at their nearest membership, counting only the descendants where the viewer holds members.view
 * (the listed group itself is checked by the caller). Each group's total and first rows come from
 * window functions in one pass over the matches (a lateral page per group rescanned all of them once
 * per group).
 */
export function memberPagesSql(viewer: Viewer, groupIds: readonly string[], o: MemberListOptions): Sql {
  const conditions: Sql[] = [];
  if (!o.includeInactive) conditions.push(countingMembership);
  if (o.role !== null) conditions.push(sql`a.role = ${o.role}`);
  if (o.transitive) conditions.push(sql`(s.depth = 0 OR ${heldBy(viewer, "members.view", column("groupId"))})`);
  const selected = o.columns.membership;
  const columns = selected === null ? membershipColumns : membershipColumnsFor(withOrderColumns(selected));
  // Direct members need no walk and no de-duplication (one membership per user and group).
  const filtered = o.transitive
    ? sql`WITH RECURSIVE down(root, id, depth) AS (
      SELECT r, r, 0 FROM unnest(${value(groupIds)}::uuid[]) AS r
      UNION SELECT down.root, gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
    ), scope AS (
      SELECT root, id, min(depth) AS depth FROM down GROUP BY root, id
    ), filtered AS (
      SELECT DISTINCT ON (s.root, a.user_id) s.root, s.depth, ${columns}, a.joined_at::text AS "joinedKey"
      FROM scope s JOIN memberships a ON a.group_id = s.id
      WHERE ${and(conditions)}
      ORDER BY s.root, a.user_id, s.depth, a.joined_at, a.id
    )`
    : sql`WITH filtered AS (
      SELECT a.group_id AS root, 0 AS depth, ${columns}, a.joined_at::text AS "joinedKey"
      FROM memberships a WHERE a.group_id = ANY(${value(groupIds)}::uuid[]) AND ${and(conditions)}
    )`;
  return memberPagesOf(filtered, groupIds, o, o.columns.user);
}

/**
 * The pages of memberPagesSql from `filtered`, a `WITH` clause ending in a CTE `filtered` of member
 * rows (root, depth, the membership columns under their property names, "joinedKey"): each group's
 * total and its first `o.limit` rows after the cursor, with the users (shared by the as-of pages of
 * membership-history.store.ts).
 */
export function memberPagesOf(
  filtered: Sql,
  groupIds: readonly string[],
  o: Pick<MemberListOptions, "limit" | "after">,
  users: readonly UserField[] | null,
): Sql {
  return keysetPages({
    filtered,
    key: [{ column: "root", as: "key", ids: groupIds }],
    order: { depth: "int", joinedAt: "timestamptz", id: "uuid" },
    after: o.after,
    limit: o.limit,
    // Each member's user rides along on its row, unless the selection asks for none of its
    // columns besides the id (the row's userId).
    beside: memberUserColumns(users).length
      ? {
          columns: userColumnsPrefixed(MEMBER_USER_PREFIX, memberUserColumns(users)),
          joins: sql`LEFT JOIN users u ON u.id = p."userId"`,
        }
      : null,
  });
}

/**
 * The user columns a page of members reads beside each row: every one for whole users (they prime
 * usersById, id included), the selected ones but the id for partial users (it is the row's userId).
 */
export function memberUserColumns(users: readonly UserField[] | null): readonly UserField[] {
  return users === null ? USER_FIELD_NAMES : users.filter((field) => field !== "id");
}

/** `fields` with joinedAt, which every member page is ordered by whether it was asked for or not. */
export function withOrderColumns(fields: readonly MembershipField[]): MembershipField[] {
  return fields.includes("joinedAt") ? [...fields] : [...fields, "joinedAt"];
}

/**
 * `'field', m.column` pairs for json_build_object: the given membership fields of a row `m` read
 * with its raw columns (alias `m`).
 */
export function membershipJsonPairs(fields: readonly MembershipField[]): Sql {
  return raw(fields.map((field) => `'${field}', m.${MEMBERSHIP_FIELDS[field]}`).join(", "));
}

/** The raw columns (alias `a`) behind the given membership fields. */
export function membershipRawColumns(fields: readonly MembershipField[]): Sql {
  return raw(fields.map((field) => `a.${MEMBERSHIP_FIELDS[field]}`).join(", "));
}

/** The prefix of the user columns riding along with each member. */
export const MEMBER_USER_PREFIX = "user.";

export function memberPages(
  runner: Runner,
  viewer: Viewer,
  groupIds: readonly string[],
  o: MemberListOptions,
): Promise<MemberPageRow[]> {
  return query<MemberPageRow>(runner, memberPagesSql(viewer, groupIds, o));
}

export interface UserMembershipOptions {
  includeInactive: boolean;
  role: string | null;
}

/**
 * Direct memberships of each user, by joinedAt: all of the viewer's own; someone else's only in
 * groups where the viewer holds members.view. ACTIVE (unexpired) only unless includeInactive.
 */
export function membershipsOfUsersSql(viewer: Viewer, userIds: readonly string[], o: UserMembershipOptions): Sql {
  const conditions = [readableBy(viewer)];
  if (!o.includeInactive) conditions.push(countingMembership);
  if (o.role !== null) conditions.push(sql`a.role = ${o.role}`);
  return sql`SELECT ${membershipColumns} FROM memberships a
    WHERE a.user_id = ANY(${value(userIds)}::uuid[]) AND ${and(conditions)}
    ORDER BY a.joined_at, a.id`;
}

export function membershipsOfUsers(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  o: UserMembershipOptions,
): Promise<Membership[]> {
  return query<Membership>(runner, membershipsOfUsersSql(viewer, userIds, o));
}

export interface UserGroupOptions {
  transitive: boolean;
  groupType: string | null;
}

/**
 * The groups where each user (`key`) has an ACTIVE, unexpired membership, visible to the viewer,
 * by name; transitive adds every ancestor of those groups, each once per user.
 */
export function groupsOfUsersSql(viewer: Viewer, userIds: readonly string[], o: UserGroupOptions): Sql {
  const conditions = [visibleGroup(viewer, "g")];
  if (o.groupType !== null) conditions.push(sql`g.group_type = ${o.groupType}`);
  const ascend = o.transitive
    ? sql`UNION SELECT mine.user_id, gp.parent_id FROM mine JOIN group_parents gp ON gp.child_id = mine.id`
    : empty;
  return sql`WITH RECURSIVE mine(user_id, id) AS (
      SELECT a.user_id, a.group_id FROM memberships a
      WHERE a.user_id = ANY(${value(userIds)}::uuid[]) AND ${countingMembership}
      ${ascend}
    )
    SELECT mine.user_id AS key, ${groupColumns}
    FROM mine JOIN groups g ON g.id = mine.id
    WHERE ${and(conditions)}
    ORDER BY g.name, g.id`;
}

export function groupsOfUsers(
  runner: Runner,
  viewer: Viewer,
  userIds: readonly string[],
  o: UserGroupOptions,
): Promise<(Group & { key: string })[]> {
  return query<Group & { key: string }>(runner, groupsOfUsersSql(viewer, userIds, o));
}

/* ------------------------------------------------------------------------------------------------
 * Locks and the reads under them (inside a change's transaction)
 * --------------------------------------------------------------------------------------------- */

/**
 * Locks the group row: changes to one group's memberships (and its deletion) queue on it, which
 * serializes the owner count and the caller's authority with every other change there. False when
 * the group is gone. (A statement on groups, kept here: it is the memberships' locking protocol.)
 */
export async function lockGroupForMemberships(tx: EntityManager, groupId: string): Promise<boolean> {
  const rows = await query(tx, sql`SELECT 1 FROM groups WHERE id = ${groupId} FOR NO KEY UPDATE`);
  return rows.length > 0;
}

/** The member's row, locked for update (take lockGroupForMemberships first). */
export function lockedMembershipSql(groupId: string, userId: string): Sql {
  return sql`SELECT ${membershipColumns} FROM memberships a
    WHERE a.group_id = ${groupId} AND a.user_id = ${userId} FOR UPDATE`;
}

export async function lockedMembership(
  tx: EntityManager,
  groupId: string,
  userId: string,
): Promise<Membership | undefined> {
  const [row] = await query<Membership>(tx, lockedMembershipSql(groupId, userId));
  return row;
}

/**
 * How many lasting owners (owner, ACTIVE, no expiresAt) the group has besides `userId`: the last
 * owner guard, read with the group row locked.
 */
export async function otherLastingOwners(tx: EntityManager, groupId: string, userId: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM memberships a
      WHERE a.group_id = ${groupId} AND a.user_id <> ${userId}
        AND a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL`,
  );
  return row!.n;
}

/* ------------------------------------------------------------------------------------------------
 * Writes in one statement: the facts read first, then a write guarded by the facts it relied on
 * --------------------------------------------------------------------------------------------- */

/** The membership's columns under the `member.` prefix (beside a group's, which use the plain names). */
const memberColumnsPrefixed: Sql = raw(
  Object.entries(MEMBERSHIP_FIELDS)
    .map(([field, col]) => `a.${col} AS "member.${field}"`)
    .join(", "),
);

/** What a change to one member is decided on, read in one statement. */
export interface MemberFacts {
  group: Group;
  /** The member's membership (any status), null when none. */
  member: Membership | null;
  /** Which of the asked users exist. */
  knownUserIds: Set<string>;
}

/**
 * The group, the membership of `memberId` there (null id: none asked) and which of `userIds` exist
 * (an erased user does not: nobody can be added or invite as one), in one statement (ids already checked to be UUIDs). No row when the group does not exist.
 */
export function memberFactsSql(groupId: string, memberId: string | null, userIds: readonly string[]): Sql {
  return sql`SELECT ${groupColumns}, ${memberColumnsPrefixed},
      ARRAY(SELECT u.id::text FROM users u WHERE u.id = ANY(${value(userIds)}::uuid[]) AND u.erased_at IS NULL) AS "knownUserIds"
    FROM groups g LEFT JOIN memberships a ON a.group_id = g.id AND a.user_id = ${memberId}::uuid
    WHERE g.id = ${groupId}::uuid`;
}

export async function memberFacts(
  db: DataSource,
  groupId: string,
  memberId: string | null,
  userIds: readonly string[],
): Promise<MemberFacts | null> {
  const [row] = await query<Record<string, unknown>>(db, memberFactsSql(groupId, memberId, userIds));
  if (!row) return null;
  const group: Record<string, unknown> = {};
  const member: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(row)) {
    if (key.startsWith("member.")) member[key.slice("member.".length)] = v;
    else if (key !== "knownUserIds") group[key] = v;
  }
  return {
    group: group as unknown as Group,
    member: member.id == null ? null : (member as unknown as Membership),
    knownUserIds: new Set(row.knownUserIds as string[]),
  };
}

/** A caller's roles that a decision relied on: the (group, role) of each membership granting them. */
export interface CallerGrants {
  userId: string;
  grants: readonly { groupId: string; role: string }[];
}

/**
 * The caller's memberships behind `c.grants`, still counting with the same roles, share-locked. In
 * READ COMMITTED a row lock waits for a concurrent change of that row and then re-checks the
 * conditions on its newest version, so a caller demoted or removed by a change committed before
 * this statement (or while it waits) is missing here: the write that requires all of them is not
 * made. Held until the write commits, it also makes a later change to the caller wait for it.
 */
export function callerStillHoldsSql(c: CallerGrants): Sql {
  return sql`SELECT a.group_id FROM memberships a
      WHERE a.user_id = ${c.userId}::uuid AND ${countingMembership}
        AND (a.group_id, a.role) IN (
          SELECT * FROM unnest(${value(c.grants.map((g) => g.groupId))}::uuid[], ${value(c.grants.map((g) => g.role))}::text[])
        )
      FOR SHARE OF a`;
}

/** The insert of addMember: the new membership and its events, only while `caller` (null: a global admin) holds. */
export interface MemberAddition {
  member: NewMembership;
  events: NewEvent[];
  caller: CallerGrants | null;
}

export function addMembershipSql(m: MemberAddition): Sql {
  const callerCte = m.caller ? sql`caller AS (${callerStillHoldsSql(m.caller)}), ` : empty;
  const guard = m.caller ? sql` WHERE (SELECT count(*) FROM caller) = ${m.caller.grants.length}::int` : empty;
  return sql`WITH ${callerCte}m AS (
      INSERT INTO memberships AS a (${raw([...INSERTED.map((f) => MEMBERSHIP_FIELDS[f]), "changed_by"].join(", "))})
      SELECT ${join([...INSERTED.map((f) => value(m.member[f])), value(m.member.changedById)])}${guard}
      RETURNING ${membershipColumns}
    ), events AS (${recordEventsSql(m.events, sql`EXISTS (SELECT 1 FROM m)`)})
    SELECT * FROM m`;
}

/**
 * One autocommitted statement: the membership and its events, or nothing when the caller's roles
 * changed since they were read (then read the facts again). A duplicate member fails the unique
 * constraint, a group deleted meanwhile its foreign key.
 */
export async function addMembership(db: DataSource, m: MemberAddition): Promise<Membership | undefined> {
  const [row] = await query<Membership>(db, addMembershipSql(m));
  return row;
}

/** The removal of one membership, as the facts showed it. */
export interface MemberRemoval {
  groupId: string;
  /** The membership, with the role and the lasting-owner standing the decision saw. */
  id: string;
  role: string;
  lastingOwner: boolean;
  events: NewEvent[];
  /** null: a global admin, or a member leaving. */
  caller: CallerGrants | null;
}

/** What a guarded removal found: whether its facts held, how many other lasting owners, whether it removed. */
export interface RemovalOutcome {
  callerHolds: boolean;
  asRead: boolean;
  otherOwners: number;
  removed: boolean;
}

/**
 * Removes a membership in one statement, guarded by what the decision relied on, each read under a
 * row lock (so on its newest version): the caller's roles (callerStillHoldsSql); the member's row,
 * locked for the delete, with the role and lasting-owner standing seen; and, when it is a lasting
 * owner (owner, ACTIVE, no expiry), the group's other lasting owners, share-locked, of which one
 * must remain. Two concurrent removals of a group's last two owners thus wait for each other (or
 * deadlock, and one is retried) and the second finds no other owner. The events are written only
 * with the delete.
 */
export function removeMembershipSql(r: MemberRemoval): Sql {
  const callerCte = r.caller ? sql`caller AS (${callerStillHoldsSql(r.caller)}), ` : empty;
  const callerHolds = r.caller ? sql`(SELECT count(*) FROM caller) = ${r.caller.grants.length}::int` : sql`TRUE`;
  const ownersCte = r.lastingOwner
    ? sql`owners AS (
        SELECT a.id FROM memberships a
        WHERE a.group_id = ${r.groupId}::uuid AND a.id <> ${r.id}::uuid
          AND a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL
        FOR SHARE OF a
      ), `
    : empty;
  const otherOwners = r.lastingOwner ? sql`(SELECT count(*) FROM owners)::int` : sql`NULL::int`;
  const ownerKept = r.lastingOwner ? sql` AND f."otherOwners" > 0` : empty;
  return sql`WITH ${callerCte}${ownersCte}target AS (
      SELECT a.id FROM memberships a
      WHERE a.id = ${r.id}::uuid AND a.role = ${r.role}
        AND (a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL) = ${r.lastingOwner}::boolean
      FOR UPDATE OF a
    ), facts AS (
      SELECT ${callerHolds} AS "callerHolds", EXISTS (SELECT 1 FROM target) AS "asRead", ${otherOwners} AS "otherOwners"
    ), m AS (
      DELETE FROM memberships a USING facts f
      WHERE a.id = ${r.id}::uuid AND f."callerHolds" AND f."asRead"${ownerKept}
      RETURNING a.id
    ), events AS (${recordEventsSql(r.events, sql`EXISTS (SELECT 1 FROM m)`)})
    SELECT f.*, EXISTS (SELECT 1 FROM m) AS removed FROM facts f`;
}

export async function removeMembership(db: DataSource, r: MemberRemoval): Promise<RemovalOutcome> {
  const [row] = await query<RemovalOutcome>(db, removeMembershipSql(r));
  return row!;
}

/* ------------------------------------------------------------------------------------------------
 * Writes (each answers the row as it is after the change)
 * --------------------------------------------------------------------------------------------- */

/** The fields a new membership is given; the others take their column defaults. */
const INSERTED = ["groupId", "userId", "role", "storedStatus", "invitedById", "expiresAt", "startsAt"] as const;

/**
 * A new membership. `changedById` (column `changed_by`, not read back: no Membership field) is who
 * makes the change; every write sets it, and the history trigger copies it into the period it opens
 * (migrations/1795000005000-MembershipHistory.ts).
 */
export type NewMembership = Pick<Membership, (typeof INSERTED)[number]> & { changedById: string | null };

/** Changes the role; `actorId` made the change (changed_by, copied into the period the trigger opens). */
export async function updateMembershipRole(
  tx: EntityManager,
  groupId: string,
  userId: string,
  role: string,
  actorId: string,
): Promise<Membership> {
  const [row] = await query<Membership>(
    tx,
    sql`UPDATE memberships AS a SET role = ${role}, updated_at = now(), changed_by = ${actorId}::uuid
      WHERE a.group_id = ${groupId} AND a.user_id = ${userId} RETURNING ${membershipColumns}`,
  );
  return row!;
}

/**
 * Sets the stored status. Making an expired membership ACTIVE or PENDING clears its past expiry:
 * otherwise it would stay INACTIVE, and the change (and its event) would change nothing.
 */
export async function updateMembershipStatus(
  tx: EntityManager,
  groupId: string,
  userId: string,
  status: MembershipStatus,
  actorId: string,
): Promise<Membership> {
  const [row] = await query<Membership>(
    tx,
    sql`UPDATE memberships AS a SET status = ${status}::varchar, updated_at = now(), changed_by = ${actorId}::uuid,
        expires_at = CASE WHEN ${status}::varchar <> 'INACTIVE' AND a.expires_at <= now() THEN NULL ELSE a.expires_at END
      WHERE a.group_id = ${groupId} AND a.user_id = ${userId} RETURNING ${membershipColumns}`,
  );
  return row!;
}

/**
 * Sets (null: clears) the expiry; `actorId` made the change. Opens no period (the history trigger
 * watches role and status); the expiry trigger records when it was set (expiry_set_at).
 */
export async function updateMembershipExpiry(
  tx: EntityManager,
  id: string,
  expiresAt: Date | null,
  actorId: string,
): Promise<Membership> {
  const [row] = await query<Membership>(
    tx,
    sql`UPDATE memberships AS a SET expires_at = ${value(expiresAt)}::timestamptz, updated_at = now(),
        changed_by = ${actorId}::uuid
      WHERE a.id = ${id} RETURNING ${membershipColumns}`,
  );
  return row!;
}

/** A PENDING invitation accepted (by `actorId`, the invitee): the membership becomes ACTIVE. */
export async function activateMembership(tx: EntityManager, id: string, actorId: string): Promise<Membership> {
  const [row] = await query<Membership>(
    tx,
    sql`UPDATE memberships AS a SET status = 'ACTIVE', updated_at = now(), changed_by = ${actorId}::uuid
      WHERE a.id = ${id} RETURNING ${membershipColumns}`,
  );
  return row!;
}

export async function deleteMembership(tx: EntityManager, id: string): Promise<void> {
  await query(tx, sql`DELETE FROM memberships WHERE id = ${id}`);
}
