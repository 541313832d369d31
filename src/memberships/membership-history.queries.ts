import type { Group } from "../groups";
import { canSeeMemberOf } from "../permissions";
import type { AppContext } from "../shared/context";
import { ForbiddenError } from "../shared/errors";
import { decodeKeyset, pageSize, toPage } from "../shared/pagination";
import { historyPagesByPair } from "./membership-history.loaders";

export interface MembershipHistoryArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Group.membershipHistory: every period of one user in the group, removed memberships included,
 * oldest first by (from, id) with totalCount. Needs members.view in the group now, or being that
 * user (as a membership is readable); the group itself is visible (its resolver got it).
 */
export async function membershipHistory(ctx: AppContext, group: Group, userId: string, args: MembershipHistoryArgs) {
  const first = pageSize(args.first, 50);
  if (!(await canSeeMemberOf(ctx, userId, group.id))) {
    throw new ForbiddenError("members.view", `group "${group.name}"`);
  }
  const after = args.after != null ? decodeKeyset(args.after, ["string", "number"]) : null;
  const page = await historyPagesByPair(ctx)({ limit: first + 1, after }).load({ groupId: group.id, userId });
  const { nodes, pageInfo } = toPage(page.rows, first, (row) => [row.fromKey, Number(row.id)]);
  return { nodes, pageInfo, totalCount: page.totalCount };
}
