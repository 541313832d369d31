import { inTransaction } from "../db";
import { EventType, type NewEvent, recordEvents } from "../events";
import { assertSelfOrGlobalAdmin } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { logger } from "../shared/logger";
import { todayUtc } from "../shared/scalars";
import {
  clearAccessRequestsOf,
  deleteMembershipsOf,
  endLeadershipsOf,
  eraseUserRow,
  groupsLastOwnedBy,
  lockGroupsOfMember,
  lockUserForErasure,
  replicasBehind,
  erasedAtById,
  refuseErasedUsers,
  usersById,
} from "../users";

/**
 * A replica counts as live while its heartbeat is at most this many of its intervals old
 * (Config.replicaHeartbeatMs; erasure-watch.ts): one missing five in a row is taken for gone.
 */
const LIVE_HEARTBEATS = 5;

/** How long eraseUser waits for every live replica to acknowledge the erasure (ms). */
export const ERASURE_ACK_TIMEOUT_MS = 2_000;

const ACK_POLL_MS = 20;

/**
 * Erases a user (a global admin, or the user themself): in one transaction, every current
 * membership is removed (MEMBER_REMOVED, reason "erased", one per membership; the history triggers
 * close the periods, which stay under the same id), the messages of their access requests are
 * cleared and the PENDING ones withdrawn (ACCESS_WITHDRAWN, reason "erased"), every leadership not ended yet ends today
 * (LEADER_REMOVED), and the name and email are cleared with erasedAt set. Refused with nothing
 * changed (BAD_USER_INPUT naming the groups) when the user is the last lasting owner of a group.
 * Once committed, the erasure is applied here at once and eraseUser waits (at most
 * ERASURE_ACK_TIMEOUT_MS) until every live replica acknowledged it: from then on every replica
 * refuses the user's tokens. Erasing an erased user again changes nothing and answers true.
 */
export async function eraseUser(ctx: AppContext, id: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (!isUuid(id)) throw new NotFoundError("User", id);
  const userId = id.toLowerCase();
  assertSelfOrGlobalAdmin(ctx, userId, "eraseUser needs a global admin or the user themself");
  const seq = await inTransaction(ctx.db, async (tx) => {
    const user = await lockUserForErasure(tx, userId);
    if (!user) throw new NotFoundError("User", id);
    if (user.erased) return null;
    await lockGroupsOfMember(tx, userId);
    const lastOwned = await groupsLastOwnedBy(tx, userId);
    if (lastOwned.length) throw lastOwnerError(lastOwned.map((g) => g.name));
    // Before the memberships: an approval committing meanwhile is then seen by the removal.
    const withdrawn = await clearAccessRequestsOf(tx, userId, viewer.id);
    const removed = await deleteMembershipsOf(tx, userId);
    const ended = await endLeadershipsOf(tx, userId, todayUtc());
    const erasure = await eraseUserRow(tx, userId);
    // Ids, roles and dates only: no event of the log holds a name or an email.
    const events: NewEvent[] = [
      ...removed.map((m) => ({
        type: EventType.MEMBER_REMOVED,
        groupId: m.groupId,
        userId,
        actorId: viewer.id,
        payload: { role: m.role, reason: "erased" },
      })),
      ...withdrawn.map((r) => ({
        type: EventType.ACCESS_WITHDRAWN,
        groupId: r.groupId,
        userId,
        actorId: viewer.id,
        payload: { accessRequestId: r.id, reason: "erased" },
      })),
      ...ended.map((l) => ({
        type: EventType.LEADER_REMOVED,
        groupId: l.groupId,
        userId,
        actorId: viewer.id,
        payload: { leadershipId: l.id, startDate: l.startDate, endDate: l.endDate },
      })),
    ];
    if (events.length) await recordEvents(tx, events);
    return erasure;
  });
  if (seq === null) return true;
  refuseErasedUsers(ctx.db, [userId]);
  usersById(ctx).clear(userId);
  erasedAtById(ctx).clear(userId);
  await acknowledged(ctx, seq);
  return true;
}

function lastOwnerError(groupNames: string[]): BadUserInputError {
  const message =
    `the user is the last ACTIVE owner without an expiry of ${groupNames.map((n) => `"${n}"`).join(", ")}; ` +
    "a group must keep one: make someone else a lasting owner there first";
  return new BadUserInputError(`id: ${message}`, { id: [message] });
}

/**
 * Waits until no replica seen in its last LIVE_HEARTBEATS heartbeats is behind erasure `seq`, or
 * ERASURE_ACK_TIMEOUT_MS passed (then logs it: the replica applies the erasure when it hears of
 * it, at the latest at its next heartbeat's catch-up read).
 */
async function acknowledged(ctx: AppContext, seq: bigint): Promise<void> {
  const deadline = Date.now() + ERASURE_ACK_TIMEOUT_MS;
  for (;;) {
    const behind = await replicasBehind(ctx.db, seq, LIVE_HEARTBEATS * ctx.config.replicaHeartbeatMs);
    if (behind === 0) return;
    if (Date.now() >= deadline) {
      logger.warn("erasure not acknowledged by every replica in time", { replicas: behind, erasure: seq.toString() });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, ACK_POLL_MS));
  }
}
