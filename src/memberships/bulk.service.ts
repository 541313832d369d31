import crypto from "node:crypto";
import { retrying } from "../db";
import { EventType, type NewEvent } from "../events";
import type { Group } from "../groups";
import { canView, forgetViewerRoles, registry, roleChangeRefusal, viewerRoles } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, ConflictError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { canSeeEmailOf } from "../users";
import type { BulkMemberInput } from "./bulk.inputs";
import {
  type AddItem,
  assertCount,
  type ItemError,
  normalizeEmail,
  readAddItem,
  singleError,
  throwItemErrors,
} from "./bulk.items";
import { addMemberships, type BulkFacts, bulkFacts, type KnownUser, removeMemberships } from "./bulk.store";
import { type Membership, MembershipStatus } from "./membership.entity";
import { readableMembershipsById } from "./membership.loaders";
import {
  callerGrants,
  CHANGED_MEANWHILE,
  forgetMemberships,
  GUARD_ATTEMPTS,
  LAST_OWNER,
  rolesOf,
} from "./membership.service";

/**
 * Members in bulk (addMembers, removeMembers) and invitations by email (inviteByEmail: a bulk add
 * of one email item). Each call reads its facts in one statement (beside the caller's roles, which
 * the authorizer reads), decides every item, and writes all of it in one guarded statement with one
 * event per member: a fixed number of statements whatever the number of members. All or nothing:
 * when an item is refused, nothing is written and every refusal is reported, in
 * `extensions.details`, under the item's index (as a string).
 */

/**
 * The facts (NOT_FOUND unless the group exists and the caller can see it), read anew on each
 * attempt with the caller's roles beside them (factsFor in membership.service.ts, for a set).
 */
async function readFacts(
  ctx: AppContext,
  groupId: string,
  userIds: string[],
  emails: string[],
): Promise<BulkFacts & { group: Group }> {
  const viewer = requireViewer(ctx);
  if (!isUuid(groupId)) throw new NotFoundError("Group", groupId);
  forgetViewerRoles(ctx);
  const [facts] = await Promise.all([
    bulkFacts(ctx.db, groupId, userIds.filter(isUuid), emails),
    viewer.isGlobalAdmin ? undefined : viewerRoles(ctx, groupId),
  ]);
  if (!facts || !(await canView(ctx, facts.group))) throw new NotFoundError("Group", groupId);
  return facts;
}

/** The refusal of the rank rules for one member (null: allowed), as roleChangeRefusal words it. */
function rankRefusal(
  ctx: AppContext,
  callerRoles: string[],
  userId: string,
  currentRole: string | null,
  newRole: string | null,
): ItemError | null {
  const viewer = requireViewer(ctx);
  const refusal = roleChangeRefusal(registry, {
    callerRoles,
    callerIsGlobalAdmin: viewer.isGlobalAdmin,
    self: userId === viewer.id,
    currentRole,
    newRole,
  });
  return refusal ? { kind: "forbidden", field: "role", message: refusal } : null;
}

/**
 * Whether the write failed on a user the facts saw that changed since, so that reading the facts
 * again gives the normal answer: an address someone took meanwhile (a provisional user of another
 * call, a new sign-in: users_email_key), or a provisional user that a sign-in claimed meanwhile,
 * whose row went (memberships_user_id_fkey: the address now belongs to the claimant, or to nobody).
 * The write is one statement, so nothing of it was made.
 */
function changedUnderfoot(error: unknown): boolean {
  if (error instanceof NotFoundError) return error.what === "User";
  const field = (error as { extensions?: { field?: unknown } }).extensions?.field;
  return error instanceof ConflictError && field === "email";
}

/** The user ids and the addresses that the items without an error of their own name. */
interface Listed {
  ids: Set<string>;
  emails: Set<string>;
}

/** What the items name, read once per call: the items do not change between attempts. */
function listedBy(items: AddItem[]): Listed {
  return {
    ids: new Set(items.flatMap((i) => (i.userId && !i.errors.length ? [i.userId] : []))),
    emails: new Set(items.flatMap((i) => (i.email && !i.errors.length ? [i.email] : []))),
  };
}

/**
 * The users listed both by id and by an address whose link the caller may not know: they cannot
 * see that user's email (users' canSeeEmailOf). Reporting such a pair as "the same user" would
 * tell a caller who holds an address, in a refused call that writes nothing; so its two items are
 * decided as independent ones instead (addAll). A statement only when such a pair is listed.
 * `users`: the facts of this attempt, which may differ from the last one's.
 */
async function hiddenLinks(ctx: AppContext, { ids, emails }: Listed, users: KnownUser[]): Promise<Set<string>> {
  const listedTwice = users.filter((u) => ids.has(u.id) && u.email !== null && emails.has(u.email) && !u.selfSet);
  const seen = await Promise.all(listedTwice.map((u) => canSeeEmailOf(ctx, u.id)));
  return new Set(listedTwice.filter((_, i) => !seen[i]).map((u) => u.id));
}

/**
 * The core of addMembers and inviteByEmail: reads the items, then on each attempt the facts; decides
 * every item (the user exists, or a provisional user is made for an unknown address; no duplicate;
 * not a member already; the rank rules); writes all of it in one guarded statement. `report`
 * throws the refusals (bulk: all of them, per item; single: the first, typed).
 */
async function addAll(
  ctx: AppContext,
  groupId: string,
  inputs: BulkMemberInput[],
  emailStatus: MembershipStatus,
  report: (errors: ItemError[][]) => void,
): Promise<Membership[]> {
  const viewer = requireViewer(ctx);
  const items = inputs.map((input) => readAddItem(input, emailStatus));
  const userIds = [...new Set(items.flatMap((i) => (i.userId ? [i.userId] : [])))];
  const emails = [...new Set(items.flatMap((i) => (i.email ? [i.email] : [])))];
  const listed = listedBy(items);
  const added = await retrying(async () => {
    for (let attempt = 1; ; attempt++) {
      const facts = await readFacts(ctx, groupId, userIds, emails);
      const caller = await callerGrants(ctx, facts.group, "members.add");
      const callerRoles = rolesOf(caller);
      const byId = new Map<string, KnownUser>(facts.users.map((u) => [u.id, u]));
      const byEmail = new Map<string, KnownUser>(facts.users.flatMap((u) => (u.email ? [[u.email, u]] : [])));
      const memberOf = new Set(facts.members.map((m) => m.userId));
      const hidden = await hiddenLinks(ctx, listed, facts.users);
      // The first item naming each user, and the first naming them by id (`id/…`) or by address (`email/…`).
      const firstIndex = new Map<string, number>();
      const firstOfKind = new Map<string, number>();
      const provisional = { ids: [] as string[], emails: [] as string[] };
      const newIdOf = new Map<string, string>();
      const errors = items.map((item) => [...item.errors]);
      const resolved = items.map((item, i) => {
        if (item.errors.length) return null;
        let userId: string;
        if (item.userId) {
          const known = isUuid(item.userId) ? byId.get(item.userId) : undefined;
          if (!known) {
            errors[i]!.push({ kind: "notFound", field: "userId", message: `user ${item.userId} not found` });
            return null;
          }
          userId = known.id;
        } else {
          const known = byEmail.get(item.email!);
          if (known?.selfSet) {
            // Anyone may type any address into their own account: an invitation binds only to an
            // address a sign-in token brought or a global admin set.
            errors[i]!.push({
              kind: "input",
              field: "email",
              message:
                "this address was set by an account's owner and not confirmed by a sign-in: invite that user by id",
            });
            return null;
          }
          userId = known?.id ?? newIdOf.get(item.email!) ?? crypto.randomUUID();
          if (!known && !newIdOf.has(item.email!)) {
            newIdOf.set(item.email!, userId);
            provisional.ids.push(userId);
            provisional.emails.push(item.email!);
          }
        }
        const kind = `${item.userId ? "id" : "email"}/${userId}`;
        const first = firstIndex.get(userId);
        const sameKind = firstOfKind.get(kind);
        // Listed once by id and once by an address the caller cannot see: decided as an independent
        // item, and answered with the membership the first of them makes (see hiddenLinks).
        const merged = first !== undefined && sameKind === undefined && hidden.has(userId);
        if (first !== undefined && !merged) {
          const earlier = sameKind ?? first;
          errors[i]!.push({ kind: "input", field: "members", message: `the same user as item ${earlier}` });
          return null;
        }
        if (first === undefined) firstIndex.set(userId, i);
        firstOfKind.set(kind, i);
        if (memberOf.has(userId)) {
          errors[i]!.push({ kind: "conflict", field: "userId", message: "this user is already a member of the group" });
          return null;
        }
        const refusal = rankRefusal(ctx, callerRoles, userId, null, item.role);
        if (refusal) {
          errors[i]!.push(refusal);
          return null;
        }
        return { userId, role: item.role, status: item.status, expiresAt: item.expiresAt, merged };
      });
      report(errors);
      const answers = resolved.map((r) => r!);
      const members = answers.filter((m) => !m.merged).map(({ merged: _, ...m }) => m);
      const events: NewEvent[] = members.map((m) => ({
        type: EventType.MEMBER_ADDED,
        groupId: facts.group.id,
        userId: m.userId,
        actorId: viewer.id,
        payload: {
          role: m.role,
          invitedBy: viewer.id,
          status: m.status,
          expiresAt: m.expiresAt?.toISOString() ?? null,
        },
      }));
      let rows: Membership[];
      try {
        rows = await addMemberships(ctx.db, {
          groupId: facts.group.id,
          invitedBy: viewer.id,
          actorId: viewer.id,
          members,
          provisional,
          events,
          caller,
        });
      } catch (error) {
        if (changedUnderfoot(error) && attempt < GUARD_ATTEMPTS) continue;
        throw error;
      }
      if (rows.length === members.length) {
        const byUser = new Map(rows.map((row) => [row.userId, row]));
        return answers.map((m) => byUser.get(m.userId)!);
      }
      if (attempt >= GUARD_ATTEMPTS) throw new ConflictError("groupId", CHANGED_MEANWHILE);
    }
  });
  forgetMemberships(ctx);
  for (const m of added) readableMembershipsById(ctx).clear(m.id);
  return added;
}

/**
 * addMembers: 1..MAX_BULK items, each a userId (added ACTIVE, as addMember) or an email (a PENDING
 * invitation, as inviteByEmail); members.add and the rank rules per item; all or nothing.
 */
export function addMembers(ctx: AppContext, groupId: string, members: BulkMemberInput[]): Promise<Membership[]> {
  requireViewer(ctx);
  assertCount("members", members.length);
  return addAll(ctx, groupId, members, MembershipStatus.PENDING, (errors) => throwItemErrors("members", errors));
}

/**
 * inviteByEmail: a PENDING invitation for the user with that address, or, when nobody has it, for a
 * provisional user bound to it, which a sign-in with the address, verified, claims (claim.service.ts).
 */
export async function inviteByEmail(
  ctx: AppContext,
  groupId: string,
  email: string,
  role: string | null | undefined,
  expiresAt: Date | null | undefined,
): Promise<Membership> {
  requireViewer(ctx);
  // The address is checked first: its refusal says nothing of the group.
  if (normalizeEmail(email) === null) throw BadUserInputError.field("email", "must be an email address");
  const [membership] = await addAll(ctx, groupId, [{ email, role, expiresAt }], MembershipStatus.PENDING, (errors) => {
    const first = errors[0]![0];
    if (first) throw singleError(first);
  });
  return membership!;
}

/**
 * removeMembers: 1..MAX_BULK user ids, each a member of the group; members.remove and the rank
 * rules per member (removing oneself among them is leaving); the group keeps a lasting owner. All or
 * nothing, one MEMBER_REMOVED each; answers how many were removed.
 */
export async function removeMembers(ctx: AppContext, groupId: string, userIds: string[]): Promise<number> {
  const viewer = requireViewer(ctx);
  assertCount("userIds", userIds.length);
  const ids = userIds.map((id) => id.toLowerCase());
  const removed = await retrying(async () => {
    for (let attempt = 1; ; attempt++) {
      const facts = await readFacts(ctx, groupId, [...new Set(ids)], []);
      const caller = await callerGrants(ctx, facts.group, "members.remove");
      const callerRoles = rolesOf(caller);
      const memberOf = new Map(facts.members.map((m) => [m.userId, m]));
      const firstIndex = new Map<string, number>();
      const errors: ItemError[][] = ids.map(() => []);
      const targets = ids.map((userId, i) => {
        const first = firstIndex.get(userId);
        if (first !== undefined) {
          errors[i]!.push({ kind: "input", field: "userIds", message: `the same user as item ${first}` });
          return null;
        }
        firstIndex.set(userId, i);
        const member = isUuid(userId) ? memberOf.get(userId) : undefined;
        if (!member) {
          errors[i]!.push({ kind: "notFound", field: "userId", message: "not a member of the group" });
          return null;
        }
        const refusal = rankRefusal(ctx, callerRoles, userId, member.role, null);
        if (refusal) {
          errors[i]!.push(refusal);
          return null;
        }
        return member;
      });
      // The group keeps a lasting owner: refused on each lasting owner listed when none would remain.
      const lasting = targets.filter((m) => m?.lasting).length;
      if (lasting > 0 && facts.lastingOwners - lasting <= 0) {
        targets.forEach((m, i) => {
          if (m?.lasting) errors[i]!.push({ kind: "input", field: "userId", message: LAST_OWNER });
        });
      }
      throwItemErrors("userIds", errors);
      const members = targets.map((m) => m!);
      const outcome = await removeMemberships(ctx.db, {
        groupId: facts.group.id,
        members,
        events: members.map((m) => ({
          type: EventType.MEMBER_REMOVED,
          groupId: facts.group.id,
          userId: m.userId,
          actorId: viewer.id,
          payload: { role: m.role, reason: m.userId === viewer.id ? "left" : "removed" },
        })),
        caller,
      });
      if (outcome.removed === members.length) return outcome.removed;
      if (attempt >= GUARD_ATTEMPTS) throw new ConflictError("userIds", CHANGED_MEANWHILE);
    }
  });
  forgetMemberships(ctx);
  return removed;
}
