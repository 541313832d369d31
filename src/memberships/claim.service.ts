import { type DataSource, type EntityManager, inTransaction } from "../db";
import { EventType, recordEvents } from "../events";
import { ConflictError } from "../shared/errors";
import { logger } from "../shared/logger";
import { handOverAddress, lockGroupsOfMember, lockProvisionalUser } from "../users";
import { dropInvitationsOfMembers, moveProvisionalUser } from "./claim.store";

/**
 * Runs of a claim in all (inTransaction's one budget): a deadlock, a serialization failure or a
 * membership of the claimant made meanwhile each costs one.
 */
const CLAIM_ATTEMPTS = 3;

/**
 * The claim of invitations by email: a user signing in with a (verified) address that a provisional
 * user holds takes over its invitations, whatever their own history (users/user.service.ts
 * provisionViewer calls it once per replica and verified address). In one transaction: the
 * provisional row is locked (a concurrent claim of the same address waits, then finds nothing), the
 * groups of its memberships are locked as every membership change locks them; its invitations to
 * groups where the user is already a member are dropped (MEMBER_REMOVED naming the provisional
 * user, reason "duplicate": the user's own membership stands); the rest move to `userId` with their
 * periods and events (claim.store.ts moveProvisionalUser); the provisional row goes and
 * the address becomes the user's when they have none. The user then sees the invitations under
 * `me { memberships(includeInactive: true) }` and accepts or declines them as any other.
 *
 * Never refuses the caller: a claim that fails (logged) leaves the invitations where they were.
 * How many invitations moved.
 */
export async function claimInvitations(db: DataSource, userId: string, email: string): Promise<number> {
  try {
    return await inTransaction(db, (tx) => claim(tx, userId, email), {
      attempts: CLAIM_ATTEMPTS,
      // The user was added meanwhile to a group the address is invited to (memberships_group_user_key):
      // the next run sees that membership and drops the invitation instead.
      retryOn: (error) => error instanceof ConflictError,
    });
  } catch (error) {
    logger.warn("claiming the invitations of an address failed", { error: String(error) });
    return 0;
  }
}

async function claim(tx: EntityManager, userId: string, email: string): Promise<number> {
  const provisional = await lockProvisionalUser(tx, email);
  if (!provisional || provisional === userId) return 0;
  await lockGroupsOfMember(tx, provisional);
  const dropped = await dropInvitationsOfMembers(tx, provisional, userId);
  await recordEvents(
    tx,
    dropped.map((m) => ({
      type: EventType.MEMBER_REMOVED,
      groupId: m.groupId,
      userId: provisional,
      actorId: userId,
      payload: { role: m.role, reason: "duplicate" },
    })),
  );
  const moved = await moveProvisionalUser(tx, provisional, userId);
  await handOverAddress(tx, provisional, userId, email);
  return moved;
}
