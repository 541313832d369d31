import { inTransaction, type DataSource } from "../db";
import { logger } from "../shared/logger";
import { lockGroupsOfMember } from "./erasure.store";
import { handOverAddress, lockProvisionalUser, moveProvisionalUser } from "./provisional.store";

/**
 * The claim of invitations by email: a user provisioned from a token whose (verified) address a
 * provisional user holds, and who has no membership history, takes over its invitations. In one
 * transaction: the provisional row is locked (a concurrent claim of the same address waits, then
 * finds nothing), the groups of its memberships are locked as every membership change locks them,
 * its memberships, their periods and its events move to `userId`, the provisional row goes and
 * the address becomes the user's. The user then sees the invitations under
 * `me { memberships(includeInactive: true) }` and accepts or declines them as any other.
 *
 * Never refuses the caller: a claim that fails (logged) leaves the invitations where they were.
 * How many invitations moved.
 */
export async function claimInvitations(db: DataSource, userId: string, email: string): Promise<number> {
  try {
    return await inTransaction(db, async (tx) => {
      const provisional = await lockProvisionalUser(tx, email);
      if (!provisional || provisional === userId) return 0;
      await lockGroupsOfMember(tx, provisional);
      const moved = await moveProvisionalUser(tx, provisional, userId);
      await handOverAddress(tx, provisional, userId, email);
      return moved;
    });
  } catch (error) {
    logger.warn("claiming the invitations of an address failed", { error: String(error) });
    return 0;
  }
}
