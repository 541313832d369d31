import { type EntityManager, inTransaction, registerConstraints, retrying } from "../db";
import { EventType, recordEvent } from "../events";
import { type Group, groupForMutation } from "../groups";
import {
  assertCan,
  canView,
  checkAccess,
  forgetViewerRoles,
  registry,
  roleChangeRefusal,
  rolesHeldNow,
  viewerRoles,
} from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, ConflictError, ForbiddenError, ForbiddenRuleError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { effectiveStatus, type Membership, MembershipStatus } from "./membership.entity";
import type { AddMemberInput } from "./membership.inputs";
import { membershipOf, readableMembershipsById } from "./membership.loaders";
import {
  activateMembership,
  addMembership,
  type CallerGrants,
  deleteMembership,
  lockedMembership,
  lockGroupForMemberships,
  memberFacts,
  otherLastingOwners,
  removeMembership,
  updateMembershipExpiry,
  updateMembershipRole,
  updateMembershipStatus,
} from "./membership.store";
import { statusEndedAt } from "./membership-history.store";

registerConstraints({
  memberships_group_user_key: {
    kind: "conflict",
    field: "userId",
    message: "this user is already a member of the group",
  },
  memberships_user_id_fkey: { kind: "notFound", what: "User" },
  memberships_group_id_fkey: { kind: "notFound", what: "Group" },
  memberships_invited_by_fkey: { kind: "notFound", what: "User (invitedBy)" },
  memberships_role_length: { kind: "input", field: "role", message: "must be 1 to 50 characters" },
});

export const LAST_OWNER =
  "a group must keep at least one ACTIVE owner without an expiry; make someone else a lasting owner first";

export function assertRole(role: string): void {
  // Role names are identifiers, matched exactly (never trimmed); a blank one gets its own message.
  if (role.trim() === "") throw BadUserInputError.field("role", "must not be blank");
  if (!registry.isRole(role)) {
    throw BadUserInputError.field(
      "role",
      `unknown role "${role}"; one of ${registry.roles.map((r) => r.name).join(", ")}`,
    );
  }
}

/** A change to one member: who, their role now (null: not a member yet) and after (null: removed, or status only). */
interface MemberChange {
  userId: string;
  currentRole: string | null;
  newRole: string | null;
}

/** Refuses a change the rank rules forbid (rules.roleChangeRefusal) to a caller holding `callerRoles`. */
export function assertRankAllowsWith(ctx: AppContext, group: Group, callerRoles: string[], change: MemberChange): void {
  const viewer = requireViewer(ctx);
  const refusal = roleChangeRefusal(registry, {
    callerRoles,
    callerIsGlobalAdmin: viewer.isGlobalAdmin,
    self: change.userId === viewer.id,
    currentRole: change.currentRole,
    newRole: change.newRole,
  });
  if (refusal) throw new ForbiddenRuleError(`${refusal} (group "${group.name}")`);
}

/** Refuses a change the rank rules forbid, as FORBIDDEN with the reason (the caller's roles as the request cached them). */
async function assertRankAllows(ctx: AppContext, group: Group, change: MemberChange): Promise<void> {
  assertRankAllowsWith(ctx, group, await viewerRoles(ctx, group.id), change);
}

/**
 * The caller's authority checked again inside the transaction, once the group row is locked: their
 * roles are read anew on the transaction's connection (direct membership and cascaded ones), then
 * `permission` and the rank rules for `change` are decided on them. Every change to the group's
 * memberships queues on that lock, so one committed before (the caller demoted or removed, say) is
 * seen here and the caller acts only with the roles they hold now: FORBIDDEN otherwise. The checks
 * before the transaction stay (cheap refusals, NOT_FOUND for an invisible group); this one decides.
 */
async function assertStillAllowed(
  ctx: AppContext,
  tx: EntityManager,
  group: Group,
  permission: string,
  change: MemberChange,
): Promise<void> {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return;
  const roles = await rolesHeldNow(tx, viewer.id, group.id);
  if (!roles.some((role) => registry.roleGrants(role, permission))) {
    throw new ForbiddenError(permission, `group "${group.name}"`);
  }
  assertRankAllowsWith(ctx, group, roles, change);
}

/**
 * Loads the member's row for update after locking the group row, on which changes to one group's
 * memberships (and its deletion) queue: that serializes the owner count and the caller's authority
 * with every other change there.
 */
async function lockMembership(tx: EntityManager, groupId: string, userId: string): Promise<Membership | undefined> {
  if (!(await lockGroupForMemberships(tx, groupId))) return undefined;
  return lockedMembership(tx, groupId, userId);
}

/**
 * True when `m` keeps its group owned: role owner, ACTIVE, no expiresAt. An owner that will expire
 * does not (the group would be ownerless once it does, with nobody acting), nor one not ACTIVE.
 */
function isLastingOwner(m: Membership): boolean {
  return m.role === "owner" && m.storedStatus === MembershipStatus.ACTIVE && m.expiresAt === null;
}

/**
 * Refuses taking away the group's last lasting owner (isLastingOwner): removing, demoting or
 * deactivating them is BAD_USER_INPUT unless another one remains. Call with the group row locked.
 */
async function assertAnotherOwner(tx: EntityManager, m: Membership): Promise<void> {
  if (!isLastingOwner(m)) return;
  if ((await otherLastingOwners(tx, m.groupId, m.userId)) === 0) throw BadUserInputError.field("userId", LAST_OWNER);
}

/** The request's cached roles and memberships are stale after a change. */
export function forgetMemberships(ctx: AppContext): void {
  forgetViewerRoles(ctx);
  membershipOf(ctx).clearAll();
}

export function afterChange(ctx: AppContext, m: Membership): Membership {
  forgetMemberships(ctx);
  readableMembershipsById(ctx).clear(m.id);
  return m;
}

/**
 * The checks before changing someone's role or status: the group (NOT_FOUND unless visible), the
 * permission, the membership (NOT_FOUND), and the rank rules for `newRole` (null: status only).
 */
async function memberToChange(
  ctx: AppContext,
  groupId: string,
  userId: string,
  newRole: string | null,
): Promise<{ group: Group; current: Membership }> {
  const group = await groupForMutation(ctx, groupId);
  await assertCan(ctx, "members.change_role", group);
  if (newRole !== null) assertRole(newRole);
  const current = await membershipOf(ctx).load({ groupId, userId });
  if (!current) throw new NotFoundError("Membership of user", userId);
  await assertRankAllows(ctx, group, { userId, currentRole: current.role, newRole });
  return { group, current };
}

/**
 * Locks the member's row for a change needing `permission`, then checks the caller's authority
 * again under the lock against the member's role as it is now (assertStillAllowed).
 * Undefined when the membership is gone.
 */
async function lockForChange(
  ctx: AppContext,
  tx: EntityManager,
  group: Group,
  permission: string,
  userId: string,
  newRole: string | null,
): Promise<Membership | undefined> {
  const locked = await lockMembership(tx, group.id, userId);
  if (locked) await assertStillAllowed(ctx, tx, group, permission, { userId, currentRole: locked.role, newRole });
  return locked;
}

/** How many times a write whose facts changed under it reads them again before giving up (CONFLICT). */
export const GUARD_ATTEMPTS = 3;

export const CHANGED_MEANWHILE = "the group's memberships changed meanwhile; read them again and retry";

/**
 * The facts a change to one member is decided on, in one statement (the group, the member's
 * membership, which of `userIds` exist) and, for anyone but a global admin, the caller's standing
 * in the group from the authorizer beside it. NOT_FOUND unless the group exists and is visible.
 * Read anew on each attempt: the caller's roles are forgotten first.
 */
async function factsFor(
  ctx: AppContext,
  groupId: string,
  memberId: string,
  userIds: string[],
): Promise<{ group: Group; member: Membership | null; knownUserIds: Set<string> }> {
  const viewer = requireViewer(ctx);
  if (!isUuid(groupId)) throw new NotFoundError("Group", groupId);
  forgetViewerRoles(ctx);
  const [facts] = await Promise.all([
    memberFacts(ctx.db, groupId, isUuid(memberId) ? memberId : null, userIds.filter(isUuid)),
    // The caller's standing, read in parallel (primes the authorizer's cache for the checks below).
    viewer.isGlobalAdmin ? undefined : viewerRoles(ctx, groupId),
  ]);
  if (!facts || !(await canView(ctx, facts.group))) throw new NotFoundError("Group", groupId);
  return facts;
}

/**
 * The caller's grants that allow `permission` in the group (null for a global admin): the facts a
 * write is guarded by. The highest of the caller's roles is among them whenever the permission is
 * held (a role holds whatever the roles ranked below it hold), so the rank rules decided on them
 * are those decided on all of the caller's roles.
 */
export async function callerGrants(ctx: AppContext, group: Group, permission: string): Promise<CallerGrants | null> {
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin) return null;
  const decision = await checkAccess(ctx, viewer.id, group.id, permission);
  if (!decision.allowed) throw new ForbiddenError(permission, `group "${group.name}"`);
  return { userId: viewer.id, grants: decision.grants.map((g) => ({ groupId: g.groupId, role: g.role })) };
}

/**
 * The facts are read, the rules decide, and one statement writes the membership with its event,
 * guarded by the caller's roles the decision relied on (re-checked in the statement under row
 * locks). When they changed meanwhile, nothing is written and the facts are read again: a caller
 * demoted before the write is refused (FORBIDDEN).
 */
export async function addMember(ctx: AppContext, input: AddMemberInput): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const invitedBy = input.invitedBy ?? viewer.id;
  const created = await retrying(async () => {
    for (let attempt = 1; ; attempt++) {
      const { group, knownUserIds } = await factsFor(ctx, input.groupId, input.userId, [input.userId, invitedBy]);
      const caller = await callerGrants(ctx, group, "members.add");
      const role = input.role ?? "member";
      assertRole(role);
      const asked = input.status ?? MembershipStatus.ACTIVE;
      if (asked === MembershipStatus.INACTIVE || asked === MembershipStatus.SCHEDULED) {
        throw BadUserInputError.field(
          "status",
          "a new membership is ACTIVE, or PENDING for an invitation (startsAt schedules it)",
        );
      }
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw BadUserInputError.field("expiresAt", "must lie in the future");
      }
      const startsAt = input.startsAt ?? null;
      if (startsAt) assertStart(startsAt, asked, input.expiresAt ?? null);
      // A scheduled membership is stored SCHEDULED: it grants nothing until the timer starts it.
      const status = startsAt ? MembershipStatus.SCHEDULED : asked;
      if (!knownUserIds.has(input.userId)) throw new NotFoundError("User", input.userId);
      if (!knownUserIds.has(invitedBy)) throw new NotFoundError("User (invitedBy)", invitedBy);
      assertRankAllowsWith(ctx, group, rolesOf(caller), { userId: input.userId, currentRole: null, newRole: role });
      const row = await addMembership(ctx.db, {
        member: {
          groupId: group.id,
          userId: input.userId,
          role,
          storedStatus: status,
          invitedById: invitedBy,
          expiresAt: input.expiresAt ?? null,
          startsAt,
          changedById: viewer.id,
        },
        events: [
          {
            type: EventType.MEMBER_ADDED,
            groupId: group.id,
            userId: input.userId,
            actorId: viewer.id,
            payload: {
              role,
              invitedBy,
              status,
              expiresAt: input.expiresAt?.toISOString() ?? null,
              ...(startsAt ? { startsAt: startsAt.toISOString() } : {}),
            },
          },
        ],
        caller,
      });
      if (row) return row;
      if (attempt >= GUARD_ATTEMPTS) throw new ConflictError("groupId", CHANGED_MEANWHILE);
    }
  });
  return afterChange(ctx, created);
}

/** A start must lie ahead, be an ACTIVE membership's (not an invitation's) and come before its expiry. */
function assertStart(startsAt: Date, status: MembershipStatus, expiresAt: Date | null): void {
  if (startsAt.getTime() <= Date.now()) throw BadUserInputError.field("startsAt", "must lie in the future");
  if (status !== MembershipStatus.ACTIVE) {
    throw BadUserInputError.field("startsAt", "only an ACTIVE membership can be scheduled, not an invitation");
  }
  if (expiresAt && expiresAt.getTime() <= startsAt.getTime()) {
    throw BadUserInputError.field("expiresAt", "must lie after startsAt");
  }
}

/** The roles of the grants a decision relied on. */
export function rolesOf(caller: CallerGrants | null): string[] {
  return caller ? [...new Set(caller.grants.map((g) => g.role))] : [];
}

export async function updateMemberRole(
  ctx: AppContext,
  groupId: string,
  userId: string,
  role: string,
): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const { group, current } = await memberToChange(ctx, groupId, userId, role);
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockForChange(ctx, tx, group, "members.change_role", current.userId, role);
    if (!before) throw new NotFoundError("Membership of user", userId);
    if (before.role === role) return before;
    if (role !== "owner") await assertAnotherOwner(tx, before);
    const after = await updateMembershipRole(tx, groupId, userId, role, viewer.id);
    await recordEvent(tx, {
      type: EventType.MEMBER_ROLE_CHANGED,
      groupId,
      userId,
      actorId: viewer.id,
      payload: { oldRole: before.role, newRole: role },
    });
    return after;
  });
  return afterChange(ctx, updated);
}

export async function setMemberStatus(
  ctx: AppContext,
  groupId: string,
  userId: string,
  status: MembershipStatus,
): Promise<Membership> {
  const viewer = requireViewer(ctx);
  if (status === MembershipStatus.SCHEDULED) {
    throw BadUserInputError.field("status", "SCHEDULED is set by addMember's startsAt, not by a change");
  }
  const { group, current } = await memberToChange(ctx, groupId, userId, null);
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockForChange(ctx, tx, group, "members.change_role", current.userId, null);
    if (!before) throw new NotFoundError("Membership of user", userId);
    const oldStatus = effectiveStatus(before);
    if (oldStatus === status) return before;
    if (status !== MembershipStatus.ACTIVE) await assertAnotherOwner(tx, before);
    // An expired membership made ACTIVE or PENDING loses its past expiry (see updateMembershipStatus).
    const after = await updateMembershipStatus(tx, groupId, userId, status, viewer.id);
    await recordEvent(tx, {
      type: EventType.MEMBER_STATUS_CHANGED,
      groupId,
      userId,
      actorId: viewer.id,
      payload: { oldStatus, newStatus: status },
    });
    return after;
  });
  return afterChange(ctx, updated);
}

/**
 * Renewal: sets (or, null, clears) the member's expiresAt under members.change_role and the rank
 * rules of a status change, with MEMBER_EXPIRY_CHANGED; opens no period. A new expiry must lie in
 * the future; a membership already expired is made ACTIVE first (setMemberStatus, which clears the
 * past expiry): giving it a future expiry here would revive it without a status change. Giving the
 * group's last lasting owner an expiry is BAD_USER_INPUT (a group keeps an ACTIVE owner without one).
 */
export async function setMemberExpiry(
  ctx: AppContext,
  groupId: string,
  userId: string,
  expiresAt: Date | null,
): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const { group, current } = await memberToChange(ctx, groupId, userId, null);
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw BadUserInputError.field("expiresAt", "must lie in the future");
  }
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockForChange(ctx, tx, group, "members.change_role", current.userId, null);
    if (!before) throw new NotFoundError("Membership of user", userId);
    if (before.expiresAt && before.expiresAt.getTime() <= Date.now()) {
      throw BadUserInputError.field(
        "expiresAt",
        "this membership has expired; make it ACTIVE with setMemberStatus first, then set its expiry",
      );
    }
    if (expiresAt && before.startsAt && expiresAt.getTime() <= before.startsAt.getTime()) {
      throw BadUserInputError.field("expiresAt", "must lie after startsAt");
    }
    if ((before.expiresAt?.getTime() ?? null) === (expiresAt?.getTime() ?? null)) return before;
    if (expiresAt) await assertAnotherOwner(tx, before);
    const after = await updateMembershipExpiry(tx, before.id, expiresAt, viewer.id);
    await recordEvent(tx, {
      type: EventType.MEMBER_EXPIRY_CHANGED,
      groupId,
      userId,
      actorId: viewer.id,
      payload: {
        oldExpiresAt: before.expiresAt?.toISOString() ?? null,
        newExpiresAt: expiresAt?.toISOString() ?? null,
      },
    });
    return after;
  });
  return afterChange(ctx, updated);
}

/** The caller accepts (-> ACTIVE) or declines (-> removed, null) their own PENDING invitation. */
export async function respondToInvitation(
  ctx: AppContext,
  groupId: string,
  accept: boolean,
): Promise<Membership | null> {
  const viewer = requireViewer(ctx);
  if (!isUuid(groupId)) throw new NotFoundError("Invitation to group", groupId);
  const result = await inTransaction(ctx.db, async (tx) => {
    const before = await lockMembership(tx, groupId, viewer.id);
    if (!before) throw new NotFoundError("Invitation to group", groupId);
    const status = effectiveStatus(before);
    // Expired: still stored PENDING (the timer has not got to it yet), or made INACTIVE by the
    // timer at its expiry (the period that ended then was the invitation's).
    if (
      status === MembershipStatus.INACTIVE &&
      (before.storedStatus === MembershipStatus.PENDING ||
        (before.expiresAt !== null &&
          before.expiresAt.getTime() <= Date.now() &&
          (await statusEndedAt(tx, before.id, before.expiresAt)) === MembershipStatus.PENDING))
    ) {
      throw BadUserInputError.field("groupId", "this invitation has expired; ask for a new one");
    }
    if (status !== MembershipStatus.PENDING) {
      throw BadUserInputError.field("groupId", `there is no pending invitation: your membership is ${status}`);
    }
    if (!accept) {
      await deleteMembership(tx, before.id);
      await recordEvent(tx, {
        type: EventType.MEMBER_REMOVED,
        groupId,
        userId: viewer.id,
        actorId: viewer.id,
        payload: { role: before.role, reason: "declined" },
      });
      return null;
    }
    const after = await activateMembership(tx, before.id, viewer.id);
    await recordEvent(tx, {
      type: EventType.MEMBER_STATUS_CHANGED,
      groupId,
      userId: viewer.id,
      actorId: viewer.id,
      payload: { oldStatus: MembershipStatus.PENDING, newStatus: MembershipStatus.ACTIVE },
    });
    return after;
  });
  if (result) return afterChange(ctx, result);
  forgetMemberships(ctx);
  return null;
}

/**
 * false when the user was not a member. Members may always leave; removing others needs
 * members.remove. The facts are read, the rules decide, and one statement removes the membership
 * with its event, guarded by what the decision relied on (removeMembershipSql): the caller's roles,
 * the member's role, and another lasting owner when the member is one (BAD_USER_INPUT otherwise).
 * When the caller's roles or the member changed meanwhile, the facts are read again.
 */
export async function removeMember(ctx: AppContext, groupId: string, userId: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const self = userId === viewer.id;
  const removed = await retrying(async () => {
    for (let attempt = 1; ; attempt++) {
      const { group, member } = await factsFor(ctx, groupId, userId, []);
      // Leaving needs no right; removing someone else is guarded by the caller's roles.
      const caller = self ? null : await callerGrants(ctx, group, "members.remove");
      if (!member) return false;
      if (!self) {
        assertRankAllowsWith(ctx, group, rolesOf(caller), { userId, currentRole: member.role, newRole: null });
      }
      const outcome = await removeMembership(ctx.db, {
        groupId: group.id,
        id: member.id,
        role: member.role,
        lastingOwner: isLastingOwner(member),
        events: [
          {
            type: EventType.MEMBER_REMOVED,
            groupId: group.id,
            userId,
            actorId: viewer.id,
            payload: { role: member.role, reason: self ? "left" : "removed" },
          },
        ],
        caller,
      });
      if (outcome.removed) return true;
      if (outcome.callerHolds && outcome.asRead) throw BadUserInputError.field("userId", LAST_OWNER);
      if (attempt >= GUARD_ATTEMPTS) throw new ConflictError("userId", CHANGED_MEANWHILE);
    }
  });
  forgetMemberships(ctx);
  return removed;
}
