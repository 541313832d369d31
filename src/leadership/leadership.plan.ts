import type { Sql } from "../db";
import { type PlannedRelation, registerGroupRelation } from "../groups";
import { reviveDates } from "../shared/json-rows";
import { primeUsersFromJson } from "../users";
import type { Leadership } from "./leadership.entity";
import { primeLeadershipsOfGroup } from "./leadership.loaders";
import { plannedLeadershipsSql } from "./leadership.plan.store";
import { LEADER_PREFIX } from "./leadership.store";

/**
 * How groups' root statements read Group.leaders and Group.leadershipHistory (see
 * groups/group.plan.ts): both come from one loader (every leadership of the group), planned once.
 */

/** The Date fields of a Leadership row (startDate and endDate are YYYY-MM-DD text either way). */
const LEADERSHIP_TIMESTAMPS = ["createdAt", "updatedAt"] as const satisfies readonly (keyof Leadership)[];

function planLeaderships(groupId: Sql): PlannedRelation {
  return {
    key: "leaderships",
    column: plannedLeadershipsSql(groupId),
    prime: (ctx, id, value) => {
      const rows = value as Record<string, unknown>[];
      primeUsersFromJson(ctx, rows, LEADER_PREFIX);
      primeLeadershipsOfGroup(ctx, id, reviveDates<Leadership>(rows, LEADERSHIP_TIMESTAMPS));
    },
  };
}

registerGroupRelation("leaders", (_ctx, _args, groupId) => planLeaderships(groupId));
registerGroupRelation("leadershipHistory", (_ctx, _args, groupId) => planLeaderships(groupId));
