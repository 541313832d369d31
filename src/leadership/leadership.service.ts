import { inTransaction, registerConstraints } from "../db";
import { EventType, recordEvent } from "../events";
import { groupForMutation } from "../groups";
import { assertCan } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, NotFoundError } from "../shared/errors";
import { todayUtc } from "../shared/scalars";
import { erasedAtById, usersById } from "../users";
import type { Leadership } from "./leadership.entity";
import type { AddLeaderInput, RemoveLeaderInput } from "./leadership.inputs";
import { visibleLeadershipsById } from "./leadership.loaders";
import { insertLeadership, lockCurrentLeadership, setLeadershipEnd } from "./leadership.store";

registerConstraints({
  leaderships_no_overlap: {
    kind: "input",
    field: "userId",
    message: "this user already leads the group during that time (periods of one leader may not overlap)",
  },
  leaderships_group_user_start_key: {
    kind: "input",
    field: "startDate",
    message: "this user already has a leadership of this group starting that day",
  },
  leaderships_dates_order: { kind: "input", field: "endDate", message: "must not be before the startDate" },
  leaderships_user_id_fkey: { kind: "notFound", what: "User" },
  leaderships_group_id_fkey: { kind: "notFound", what: "Group" },
});

/**
 * Starts a leadership (startDate defaults to today), or records a closed one when endDate is given
 * (on or after startDate). A user already leading the group in an overlapping period is BAD_USER_INPUT; the database's exclusion constraint decides, so
 * concurrent calls cannot both win. A leader need not be a member.
 */
export async function addLeader(ctx: AppContext, input: AddLeaderInput): Promise<Leadership> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, input.groupId);
  await assertCan(ctx, "leaders.manage", group);
  // An erased user leads nothing again (both read in one round of the per-request loaders).
  const [user, erasedAt] = await Promise.all([usersById(ctx).load(input.userId), erasedAtById(ctx).load(input.userId)]);
  if (!user || erasedAt) throw new NotFoundError("User", input.userId);
  const startDate = input.startDate ?? todayUtc();
  const endDate = input.endDate ?? null;
  if (endDate !== null && endDate < startDate) {
    throw BadUserInputError.field("endDate", `must not be before the startDate ${startDate}`);
  }
  const created = await inTransaction(ctx.db, async (tx) => {
    const row = await insertLeadership(tx, { groupId: group.id, userId: input.userId, startDate, endDate });
    await recordEvent(tx, {
      type: EventType.LEADER_ADDED,
      groupId: group.id,
      userId: input.userId,
      actorId: viewer.id,
      payload: { leadershipId: row.id, startDate, endDate },
    });
    return row;
  });
  return created;
}

/**
 * Ends the user's leadership that has not ended yet (endDate defaults to today); the period stays
 * in the history. Not a current leader, or an endDate before the startDate: BAD_USER_INPUT. A
 * scheduled end (a future endDate) may be moved; asking for the end it already has changes nothing
 * and is BAD_USER_INPUT with no event, as repeating a removal with a past or today's endDate is
 * (the leader is no longer current then).
 */
export async function removeLeader(ctx: AppContext, input: RemoveLeaderInput): Promise<Leadership> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, input.groupId);
  await assertCan(ctx, "leaders.manage", group);
  const endDate = input.endDate ?? todayUtc();
  const ended = await inTransaction(ctx.db, async (tx) => {
    const current = await lockCurrentLeadership(tx, group.id, input.userId, todayUtc());
    if (!current) throw BadUserInputError.field("userId", "this user is not a current leader of the group");
    if (endDate < current.startDate) {
      throw BadUserInputError.field("endDate", `must not be before the leadership's startDate ${current.startDate}`);
    }
    if (current.endDate === endDate) {
      throw BadUserInputError.field("userId", `this user's leadership already ends on ${endDate}; nothing to change`);
    }
    const row = await setLeadershipEnd(tx, current.id, endDate);
    await recordEvent(tx, {
      type: EventType.LEADER_REMOVED,
      groupId: group.id,
      userId: input.userId,
      actorId: viewer.id,
      payload: { leadershipId: current.id, startDate: current.startDate, endDate },
    });
    return row;
  });
  visibleLeadershipsById(ctx).clear(ended.id);
  return ended;
}
