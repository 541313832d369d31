import { randomUUID } from "node:crypto";
import { type EntityManager, inTransaction, query, registerConstraints } from "../db";
import { EventType } from "../events";
import { type Group, groupForMutation, groupsById, JoinPolicy } from "../groups";
import { can, registry, rolesHeldNow, viewerRoles } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, ConflictError, ForbiddenError, ForbiddenRuleError, NotFoundError } from "../shared/errors";
import { decodeKeyset, pageSize, toPage } from "../shared/pagination";
import { AccessRequest, AccessRequestStatus } from "./access-request.entity";
import { accessRequestPagesByGroupId, readableAccessRequestsById } from "./access-request.loaders";
import {
  decideAccessRequest,
  insertAccessRequest,
  lockedAccessRequest,
  lockGroupForJoining,
} from "./access-request.store";
import { type Membership, MembershipStatus } from "./membership.entity";
import { afterChange, assertRankAllowsWith, assertRole } from "./membership.service";
import { addMembershipSql } from "./membership.store";

/**
 * Access requests and open groups (joinPolicy REQUEST and OPEN). Kept beside, not inside, the
 * membership service: it uses that service's rules (assertRole, the rank rules) and the memberships'
 * locking protocol (the group row locked first, the caller's roles read again under the lock), and
 * writes a membership through the same insert as addMember.
 */

registerConstraints({
  access_requests_one_pending: {
    kind: "conflict",
    field: "groupId",
    message: "you already have a pending request to join this group; wait for its decision or withdraw it",
  },
  access_requests_message_length: { kind: "input", field: "message", message: "must be at most 2000 characters" },
  access_requests_reason_length: { kind: "input", field: "reason", message: "must be at most 2000 characters" },
  access_requests_group_id_fkey: { kind: "notFound", what: "Group" },
  access_requests_user_id_fkey: { kind: "notFound", what: "User" },
});

/** The most characters of a request's message and of a denial's reason (the table checks it too). */
export const ACCESS_TEXT_LIMIT = 2000;

/** An optional free text: trimmed, null when blank, at most ACCESS_TEXT_LIMIT characters, no NUL. */
function optionalText(field: string, text: string | null | undefined): string | null {
  if (text == null) return null;
  if (text.includes("\u0000")) throw BadUserInputError.field(field, "must not contain NUL characters");
  const trimmed = text.trim();
  // Counted in code points, as PostgreSQL's char_length counts them.
  if ([...trimmed].length > ACCESS_TEXT_LIMIT) {
    throw BadUserInputError.field(field, `must be at most ${ACCESS_TEXT_LIMIT} characters`);
  }
  return trimmed === "" ? null : trimmed;
}

/** The role a joiner or an approved requester gets unless told otherwise: the lowest-ranked one. */
function lowestRole(): string {
  return registry.roles[0]!.name;
}

const HOW_TO_JOIN: Record<JoinPolicy, string> = {
  [JoinPolicy.INVITE_ONLY]:
    "this group admits members by invitation only (joinPolicy INVITE_ONLY): ask one of its admins to add you",
  [JoinPolicy.REQUEST]: "this group admits members on request (joinPolicy REQUEST): use requestToJoin",
  [JoinPolicy.OPEN]: "this group is open (joinPolicy OPEN): join it with joinGroup",
};

/** Refuses joining a group whose policy is not `wanted`, or that is archived (BAD_USER_INPUT). */
function assertJoinable(group: { joinPolicy: string; isActive: boolean }, wanted: JoinPolicy): void {
  if (group.joinPolicy !== wanted) {
    throw BadUserInputError.field(
      "groupId",
      HOW_TO_JOIN[group.joinPolicy as JoinPolicy] ?? "this group cannot be joined",
    );
  }
  if (!group.isActive) throw BadUserInputError.field("groupId", "this group is archived: nobody can join it now");
}

function notPending(request: AccessRequest | undefined, id: string): Error {
  if (!request) return new NotFoundError("AccessRequest", id);
  return BadUserInputError.field(
    "id",
    `this request is already ${request.status}: only a PENDING request can be approved, denied or withdrawn`,
  );
}

/**
 * Locks the group row for a change to its memberships and answers the facts of joining it
 * (lockGroupForJoining); NOT_FOUND when it is gone.
 */
async function lockGroup(tx: EntityManager, group: { id: string }, userId: string) {
  const facts = await lockGroupForJoining(tx, group.id, userId);
  if (!facts) throw new NotFoundError("Group", group.id);
  return facts;
}

/**
 * requestToJoin: a REQUEST group the caller can see (else NOT_FOUND, word for word what a group that
 * does not exist answers). One PENDING request per user and group (the partial unique index:
 * CONFLICT); a member (any status) is CONFLICT too. Writes ACCESS_REQUESTED in the same statement.
 */
export async function requestToJoin(
  ctx: AppContext,
  groupId: string,
  message: string | null | undefined,
): Promise<AccessRequest> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, groupId);
  const text = optionalText("message", message);
  assertJoinable(group, JoinPolicy.REQUEST);
  const created = await inTransaction(ctx.db, async (tx) => {
    const facts = await lockGroup(tx, group, viewer.id);
    assertJoinable(facts, JoinPolicy.REQUEST);
    if (facts.memberStatus) {
      throw new ConflictError("groupId", `you are already a member of this group (status ${facts.memberStatus})`);
    }
    const id = randomUUID();
    return insertAccessRequest(tx, { id, groupId: group.id, userId: viewer.id, message: text }, [
      {
        type: EventType.ACCESS_REQUESTED,
        groupId: group.id,
        userId: viewer.id,
        actorId: viewer.id,
        payload: { accessRequestId: id },
      },
    ]);
  });
  readableAccessRequestsById(ctx).prime(created.id, created);
  return created;
}

/** withdrawAccessRequest: the requester only (FORBIDDEN for anyone else who may read it). */
export async function withdrawAccessRequest(ctx: AppContext, id: string): Promise<AccessRequest> {
  const viewer = requireViewer(ctx);
  const request = await readableAccessRequestsById(ctx).load(id);
  if (!request) throw new NotFoundError("AccessRequest", id);
  if (request.userId !== viewer.id) throw new ForbiddenRuleError("only the requester may withdraw an access request");
  if (request.status !== AccessRequestStatus.PENDING) throw notPending(request, id);
  const withdrawn = await inTransaction(ctx.db, async (tx) => {
    return decide(tx, request, viewer.id, AccessRequestStatus.WITHDRAWN, null, { reason: null });
  });
  readableAccessRequestsById(ctx).clear(id).prime(id, withdrawn);
  return withdrawn;
}

const DECISION_EVENTS = {
  [AccessRequestStatus.APPROVED]: EventType.ACCESS_APPROVED,
  [AccessRequestStatus.DENIED]: EventType.ACCESS_DENIED,
  [AccessRequestStatus.WITHDRAWN]: EventType.ACCESS_WITHDRAWN,
} as const;

/**
 * Decides a PENDING request in `tx` with its ACCESS_* event (payload: the request's id and
 * `payload`); BAD_USER_INPUT naming its status when it was decided meanwhile.
 */
async function decide(
  tx: EntityManager,
  request: AccessRequest,
  actorId: string,
  status: keyof typeof DECISION_EVENTS,
  reason: string | null,
  payload: Record<string, unknown>,
): Promise<AccessRequest> {
  const decided = await decideAccessRequest(tx, { id: request.id, status, decidedBy: actorId, reason }, [
    {
      type: DECISION_EVENTS[status],
      groupId: request.groupId,
      userId: request.userId,
      actorId,
      payload: { accessRequestId: request.id, ...payload },
    },
  ]);
  if (!decided) throw notPending(await lockedAccessRequest(tx, request.id), request.id);
  return decided;
}

/**
 * The request a decision is about and its group: NOT_FOUND unless the caller may read the request
 * (its requester, or members.add in the group), FORBIDDEN without members.add, BAD_USER_INPUT once
 * it is no longer PENDING (checked again under the lock).
 */
async function requestToDecide(ctx: AppContext, id: string): Promise<{ request: AccessRequest; group: Group }> {
  const request = await readableAccessRequestsById(ctx).load(id);
  if (!request) throw new NotFoundError("AccessRequest", id);
  const group = await groupsById(ctx).load(request.groupId);
  if (!group) throw new NotFoundError("AccessRequest", id);
  if (!(await can(ctx, "members.add", group.id))) throw new ForbiddenError("members.add", `group "${group.name}"`);
  if (request.status !== AccessRequestStatus.PENDING) throw notPending(request, id);
  return { request, group };
}

/**
 * Under the group's lock, the caller's authority decided again on the roles they hold now (read on
 * the transaction's connection): members.add, and for an approval the rank rules for `newRole`.
 */
async function assertStillDeciding(
  ctx: AppContext,
  tx: EntityManager,
  group: Group,
  requesterId: string,
  newRole: string | null,
): Promise<void> {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return;
  const roles = await rolesHeldNow(tx, viewer.id, group.id);
  if (!roles.some((role) => registry.roleGrants(role, "members.add"))) {
    throw new ForbiddenError("members.add", `group "${group.name}"`);
  }
  if (newRole !== null) assertRankAllowsWith(ctx, group, roles, { userId: requesterId, currentRole: null, newRole });
}

/**
 * approveAccessRequest: members.add; `role` (default the lowest-ranked) within the rank rules as
 * for addMember. In one transaction: the request APPROVED (ACCESS_APPROVED) and the requester's
 * ACTIVE membership (MEMBER_ADDED, invitedBy the approver). The requester being a member by then
 * is CONFLICT (deny the request instead).
 */
export async function approveAccessRequest(
  ctx: AppContext,
  id: string,
  role: string | null | undefined,
): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const { request, group } = await requestToDecide(ctx, id);
  const newRole = role ?? lowestRole();
  assertRole(newRole);
  const change = { userId: request.userId, currentRole: null, newRole };
  assertRankAllowsWith(ctx, group, viewer.isGlobalAdmin ? [] : await viewerRoles(ctx, group.id), change);
  const created = await inTransaction(ctx.db, async (tx) => {
    const facts = await lockGroup(tx, group, request.userId);
    await assertStillDeciding(ctx, tx, group, request.userId, newRole);
    if (facts.memberStatus) {
      throw new ConflictError(
        "id",
        `the requester is already a member of this group (status ${facts.memberStatus}); deny the request instead`,
      );
    }
    await decide(tx, request, viewer.id, AccessRequestStatus.APPROVED, null, { role: newRole });
    const [membership] = await query<Membership>(
      tx,
      addMembershipSql({
        member: {
          groupId: group.id,
          userId: request.userId,
          role: newRole,
          storedStatus: MembershipStatus.ACTIVE,
          invitedById: viewer.id,
          expiresAt: null,
          startsAt: null,
          changedById: viewer.id,
        },
        events: [
          {
            type: EventType.MEMBER_ADDED,
            groupId: group.id,
            userId: request.userId,
            actorId: viewer.id,
            payload: {
              role: newRole,
              invitedBy: viewer.id,
              status: MembershipStatus.ACTIVE,
              expiresAt: null,
              accessRequestId: request.id,
            },
          },
        ],
        caller: null,
      }),
    );
    return membership!;
  });
  readableAccessRequestsById(ctx).clear(id);
  return afterChange(ctx, created);
}

/** denyAccessRequest: members.add; an optional reason (<= 2000 characters); ACCESS_DENIED. */
export async function denyAccessRequest(
  ctx: AppContext,
  id: string,
  reason: string | null | undefined,
): Promise<AccessRequest> {
  const viewer = requireViewer(ctx);
  const text = optionalText("reason", reason);
  const { request, group } = await requestToDecide(ctx, id);
  const denied = await inTransaction(ctx.db, async (tx) => {
    await lockGroup(tx, group, request.userId);
    await assertStillDeciding(ctx, tx, group, request.userId, null);
    return decide(tx, request, viewer.id, AccessRequestStatus.DENIED, text, {});
  });
  readableAccessRequestsById(ctx).clear(id).prime(id, denied);
  return denied;
}

/**
 * joinGroup: an OPEN group the caller can see (else NOT_FOUND, as for a group that does not exist);
 * joins ACTIVE as the lowest-ranked role with MEMBER_ADDED (invitedBy null). A member (any status)
 * is CONFLICT.
 */
export async function joinGroup(ctx: AppContext, groupId: string): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, groupId);
  assertJoinable(group, JoinPolicy.OPEN);
  const role = lowestRole();
  const created = await inTransaction(ctx.db, async (tx) => {
    const facts = await lockGroup(tx, group, viewer.id);
    assertJoinable(facts, JoinPolicy.OPEN);
    if (facts.memberStatus) {
      throw new ConflictError("groupId", `you are already a member of this group (status ${facts.memberStatus})`);
    }
    const [membership] = await query<Membership>(
      tx,
      addMembershipSql({
        member: {
          groupId: group.id,
          userId: viewer.id,
          role,
          storedStatus: MembershipStatus.ACTIVE,
          invitedById: null,
          expiresAt: null,
          startsAt: null,
          changedById: viewer.id,
        },
        events: [
          {
            type: EventType.MEMBER_ADDED,
            groupId: group.id,
            userId: viewer.id,
            actorId: viewer.id,
            payload: { role, invitedBy: null, status: MembershipStatus.ACTIVE, expiresAt: null },
          },
        ],
        caller: null,
      }),
    );
    return membership!;
  });
  return afterChange(ctx, created);
}

export interface AccessRequestsArgs {
  status?: AccessRequestStatus | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Group.accessRequests: needs members.add in the group; one status (default PENDING), oldest
 * first by (createdAt, id), with totalCount. One statement for the requests of every group listed
 * in a request (accessRequestPagesByGroupId).
 */
export async function listAccessRequests(ctx: AppContext, group: Group, args: AccessRequestsArgs) {
  const first = pageSize(args.first, 50);
  if (!(await can(ctx, "members.add", group.id))) throw new ForbiddenError("members.add", `group "${group.name}"`);
  const page = await accessRequestPagesByGroupId(ctx)({
    status: args.status ?? AccessRequestStatus.PENDING,
    limit: first + 1,
    after: args.after != null ? decodeKeyset(args.after, ["string", "uuid"]) : null,
  }).load(group.id);
  const { nodes, pageInfo } = toPage(page.rows, first, (row) => [row.createdKey, row.id]);
  return { nodes: nodes as AccessRequest[], pageInfo, totalCount: page.totalCount };
}
