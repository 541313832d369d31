import { type EntityManager, inTransaction, registerConstraints } from "../db";
import { EventType, recordEvent } from "../events";
import { type Group, groupForMutation } from "../groups";
import { assertCan, forgetViewerRoles, registry, roleChangeRefusal, rolesHeldNow, viewerRoles } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, ForbiddenError, ForbiddenRuleError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { usersById } from "../users";
import { effectiveStatus, type Membership, MembershipStatus } from "./membership.entity";
import type { AddMemberInput } from "./membership.inputs";
import { membershipOf, readableMembershipsById } from "./membership.loaders";
import {
  activateMembership,
  deleteMembership,
  insertMembership,
  lockedMembership,
  lockGroupForMemberships,
  otherLastingOwners,
  updateMembershipRole,
  updateMembershipStatus,
} from "./membership.store";

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

const LAST_OWNER =
  "a group must keep at least one ACTIVE owner without an expiry; make someone else a lasting owner first";

function assertRole(role: string): void {
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
function assertRankAllowsWith(ctx: AppContext, group: Group, callerRoles: string[], change: MemberChange): void {
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
function forgetMemberships(ctx: AppContext): void {
  forgetViewerRoles(ctx);
  membershipOf(ctx).clearAll();
}

function afterChange(ctx: AppContext, m: Membership): Membership {
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

export async function addMember(ctx: AppContext, input: AddMemberInput): Promise<Membership> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, input.groupId);
  await assertCan(ctx, "members.add", group);
  const role = input.role ?? "member";
  assertRole(role);
  const status = input.status ?? MembershipStatus.ACTIVE;
  if (status === MembershipStatus.INACTIVE) {
    throw BadUserInputError.field("status", "a new membership is ACTIVE, or PENDING for an invitation");
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw BadUserInputError.field("expiresAt", "must lie in the future");
  }
  const invitedBy = input.invitedBy ?? viewer.id;
  const [user, inviter] = await usersById(ctx).loadMany([input.userId, invitedBy]);
  if (!user || user instanceof Error) throw new NotFoundError("User", input.userId);
  if (!inviter || inviter instanceof Error) throw new NotFoundError("User (invitedBy)", invitedBy);
  await assertRankAllows(ctx, group, { userId: input.userId, currentRole: null, newRole: role });
  const created = await inTransaction(ctx.db, async (tx) => {
    if (!(await lockGroupForMemberships(tx, group.id))) throw new NotFoundError("Group", group.id);
    await assertStillAllowed(ctx, tx, group, "members.add", { userId: input.userId, currentRole: null, newRole: role });
    const row = await insertMembership(tx, {
      groupId: group.id,
      userId: input.userId,
      role,
      storedStatus: status,
      invitedById: invitedBy,
      expiresAt: input.expiresAt ?? null,
    });
    await recordEvent(tx, {
      type: EventType.MEMBER_ADDED,
      groupId: group.id,
      userId: input.userId,
      actorId: viewer.id,
      payload: { role, invitedBy, status, expiresAt: input.expiresAt?.toISOString() ?? null },
    });
    return row;
  });
  return afterChange(ctx, created);
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
    const after = await updateMembershipRole(tx, groupId, userId, role);
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
  const { group, current } = await memberToChange(ctx, groupId, userId, null);
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockForChange(ctx, tx, group, "members.change_role", current.userId, null);
    if (!before) throw new NotFoundError("Membership of user", userId);
    const oldStatus = effectiveStatus(before);
    if (oldStatus === status) return before;
    if (status !== MembershipStatus.ACTIVE) await assertAnotherOwner(tx, before);
    // An expired membership made ACTIVE or PENDING loses its past expiry (see updateMembershipStatus).
    const after = await updateMembershipStatus(tx, groupId, userId, status);
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
    if (before.storedStatus === MembershipStatus.PENDING && status === MembershipStatus.INACTIVE) {
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
    const after = await activateMembership(tx, before.id);
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

/** false when the user was not a member. Members may always leave; removing others needs members.remove. */
export async function removeMember(ctx: AppContext, groupId: string, userId: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, groupId);
  const self = userId === viewer.id;
  if (!self) await assertCan(ctx, "members.remove", group);
  const current = await membershipOf(ctx).load({ groupId, userId });
  if (!current) return false;
  if (!self) await assertRankAllows(ctx, group, { userId, currentRole: current.role, newRole: null });
  const removed = await inTransaction(ctx.db, async (tx) => {
    // Leaving needs no right; removing someone else is checked again under the lock.
    const before = self
      ? await lockMembership(tx, groupId, userId)
      : await lockForChange(ctx, tx, group, "members.remove", userId, null);
    if (!before) return false;
    await assertAnotherOwner(tx, before);
    await deleteMembership(tx, before.id);
    await recordEvent(tx, {
      type: EventType.MEMBER_REMOVED,
      groupId,
      userId,
      actorId: viewer.id,
      payload: { role: before.role, reason: self ? "left" : "removed" },
    });
    return true;
  });
  forgetMemberships(ctx);
  return removed;
}
