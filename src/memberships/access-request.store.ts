import { type EntityManager, keysetPages, query, raw, type Runner, type Sql, sql, value } from "../db";
import { type NewEvent, recordEventsSql } from "../events";
import { heldBy } from "../permissions";
import type { Viewer } from "../shared/context";
import type { AccessRequest, AccessRequestStatus } from "./access-request.entity";

/**
 * Every statement on `access_requests` (src/memberships/access-request.service.ts decides, this
 * sends). The alias of the table is always `r`. The access rule (who may read a request) is composed
 * from permissions' heldBy, never written here.
 */

/** Each AccessRequest field and its column: the one source of the SELECT lists. */
export const ACCESS_REQUEST_FIELDS = {
  id: "id",
  groupId: "group_id",
  userId: "user_id",
  message: "message",
  status: "status",
  createdAt: "created_at",
  decidedById: "decided_by",
  decidedAt: "decided_at",
  reason: "reason",
} as const satisfies Record<keyof AccessRequest, string>;

/** A request's columns (alias `r`), aliased to the entity's properties. */
export const accessRequestColumns: Sql = raw(
  Object.entries(ACCESS_REQUEST_FIELDS)
    .map(([field, column]) => (field === column ? `r.${column}` : `r.${column} AS "${field}"`))
    .join(", "),
);

/* ------------------------------------------------------------------------------------------------
 * Reads behind the loaders (one statement per batch, whatever its size)
 * --------------------------------------------------------------------------------------------- */

/** "The viewer may read request `r`": their own, or members.add in its group (TRUE for a global admin). */
function readableBy(viewer: Viewer): Sql {
  if (viewer.isGlobalAdmin) return sql`TRUE`;
  return sql`(r.user_id = ${viewer.id}::uuid OR ${heldBy(viewer, "members.add", sql`r.group_id`)})`;
}

/** Requests by id that the viewer may read (the rule in the statement). */
export function readableAccessRequestsSql(viewer: Viewer, ids: readonly string[]): Sql {
  return sql`SELECT ${accessRequestColumns} FROM access_requests r
    WHERE r.id = ANY(${value(ids)}::uuid[]) AND ${readableBy(viewer)}`;
}

export function readableAccessRequests(
  runner: Runner,
  viewer: Viewer,
  ids: readonly string[],
): Promise<AccessRequest[]> {
  return query<AccessRequest>(runner, readableAccessRequestsSql(viewer, ids));
}

export interface AccessRequestListOptions {
  status: AccessRequestStatus;
  /** Rows per group (the page size plus one, to tell whether more follow). */
  limit: number;
  /** The keyset cursor: (createdAt as text, id) of the last row seen. */
  after: readonly [string, string] | null;
}

/** A row of accessRequestPagesSql: one per group (`key`) and request, with the group's total; nulls for none. */
export type AccessRequestPageRow = AccessRequest & { key: string; totalCount: number; createdKey: string };

/**
 * A page of each group's requests in one status, oldest first by (createdAt, id), with each
 * group's total, in one statement for any number of groups (the caller checked members.add in
 * each). A group without a request on the page has one row whose request columns are null. The
 * matches are a plain scan of access_requests_group_idx (group, status, createdAt, id): written
 * NOT MATERIALIZED, the total and the page each read that index, the page with the cursor as an
 * index condition, rather than every match being copied out first.
 */
export function accessRequestPagesSql(groupIds: readonly string[], o: AccessRequestListOptions): Sql {
  return keysetPages({
    filtered: sql`WITH filtered AS NOT MATERIALIZED (
      SELECT ${accessRequestColumns}, r.created_at::text AS "createdKey" FROM access_requests r
      WHERE r.group_id = ANY(${value(groupIds)}::uuid[]) AND r.status = ${o.status}
    )`,
    key: [{ column: "groupId", as: "key", ids: groupIds }],
    order: { createdAt: "timestamptz", id: "uuid" },
    after: o.after,
    limit: o.limit,
  });
}

export function accessRequestPages(
  runner: Runner,
  groupIds: readonly string[],
  o: AccessRequestListOptions,
): Promise<AccessRequestPageRow[]> {
  return query<AccessRequestPageRow>(runner, accessRequestPagesSql(groupIds, o));
}

/* ------------------------------------------------------------------------------------------------
 * Inside a decision's transaction (the group row locked first: the memberships' locking protocol)
 * --------------------------------------------------------------------------------------------- */

/**
 * Locks the group row (as membership.store's lockGroupForMemberships: changes to a group's
 * memberships and to the group itself queue on it) and answers what joining is decided on: its
 * join policy, whether it is active, and whether `userId` already has a membership there (any
 * status) with that status. Undefined when the group is gone.
 */
export async function lockGroupForJoining(
  tx: EntityManager,
  groupId: string,
  userId: string,
): Promise<{ joinPolicy: string; isActive: boolean; memberStatus: string | null } | undefined> {
  const [row] = await query<{ joinPolicy: string; isActive: boolean; memberStatus: string | null }>(
    tx,
    sql`SELECT g.join_policy AS "joinPolicy", g.is_active AS "isActive",
        (SELECT a.status FROM memberships a WHERE a.group_id = g.id AND a.user_id = ${userId}::uuid) AS "memberStatus"
      FROM groups g WHERE g.id = ${groupId}::uuid FOR NO KEY UPDATE OF g`,
  );
  return row;
}

/** The request's row, locked for its decision (take the group's lock first). */
export async function lockedAccessRequest(tx: EntityManager, id: string): Promise<AccessRequest | undefined> {
  const [row] = await query<AccessRequest>(
    tx,
    sql`SELECT ${accessRequestColumns} FROM access_requests r WHERE r.id = ${id}::uuid FOR UPDATE`,
  );
  return row;
}

/** A new PENDING request (its id chosen by the caller, so that its event can name it) and its events. */
export async function insertAccessRequest(
  tx: EntityManager,
  r: { id: string; groupId: string; userId: string; message: string | null },
  events: NewEvent[],
): Promise<AccessRequest> {
  const [row] = await query<AccessRequest>(
    tx,
    sql`WITH r AS (
        INSERT INTO access_requests AS r (id, group_id, user_id, message)
        VALUES (${r.id}::uuid, ${r.groupId}::uuid, ${r.userId}::uuid, ${r.message})
        RETURNING ${accessRequestColumns}
      ), events AS (${recordEventsSql(events, sql`EXISTS (SELECT 1 FROM r)`)})
      SELECT * FROM r`,
  );
  return row!;
}

/**
 * Decides a PENDING request (APPROVED, DENIED or WITHDRAWN, by `decidedBy`, now) with its events,
 * in one statement; undefined (nothing written) when it is no longer PENDING.
 */
export async function decideAccessRequest(
  tx: EntityManager,
  d: { id: string; status: AccessRequestStatus; decidedBy: string; reason: string | null },
  events: NewEvent[],
): Promise<AccessRequest | undefined> {
  const [row] = await query<AccessRequest>(
    tx,
    sql`WITH r AS (
        UPDATE access_requests AS r SET status = ${d.status}::varchar, decided_by = ${d.decidedBy}::uuid,
          decided_at = now(), reason = ${d.reason}
        WHERE r.id = ${d.id}::uuid AND r.status = 'PENDING'
        RETURNING ${accessRequestColumns}
      ), events AS (${recordEventsSql(events, sql`EXISTS (SELECT 1 FROM r)`)})
      SELECT * FROM r`,
  );
  return row;
}
