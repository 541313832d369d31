import { registerGroupRelation } from "../groups";
import { reviveDates } from "../shared/json-rows";
import { pageSize } from "../shared/pagination";
import type { Membership } from "./membership.entity";
import type { MembersArgs } from "./membership.inputs";
import { memberCountByGroupId, memberPagesByGroupId, takeMemberUsers } from "./membership.loaders";
import { memberColumnsRead } from "./member-columns";
import { plannedMemberCountSql, plannedMemberPageSql } from "./membership.plan.store";
import { memberListOptions } from "./membership.queries";
import type { MemberListOptions, MemberRow } from "./membership.store";

/**
 * How groups' root statements read Group.memberCount and Group.members (see groups/group.plan.ts):
 * the planned values prime the same loaders, under the same keys, the field resolvers load from.
 */

/** The Date fields of a Membership row. */
const MEMBERSHIP_TIMESTAMPS = [
  "joinedAt",
  "expiresAt",
  "startsAt",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof Membership)[];

// With asOf, both decline: the past loads through the history's loaders (membership-history.loaders.ts).
registerGroupRelation("memberCount", (_ctx, args, groupId) =>
  args.asOf != null
    ? null
    : {
        key: "memberCount",
        column: plannedMemberCountSql(groupId),
        prime: (ctx, id, value) => memberCountByGroupId(ctx).prime(id, value as number),
      },
);

registerGroupRelation("members", (_ctx, args, groupId, field) => {
  if (args.transitive || args.asOf != null) return null;
  let o: MemberListOptions;
  try {
    o = memberListOptions(
      args as MembersArgs,
      pageSize(args.first as number | null | undefined, 50),
      memberColumnsRead(field.info, field.nodes),
    );
  } catch {
    return null; // the resolver refuses these arguments itself
  }
  return {
    key: `members:${JSON.stringify(o)}`,
    column: plannedMemberPageSql(groupId, o),
    prime: (ctx, id, value) => {
      // Without the total asked for, none was counted: the page's key says so and nothing reads it.
      const page = value as { totalCount?: number; rows: Record<string, unknown>[] };
      const rows = reviveDates<MemberRow>(page.rows, MEMBERSHIP_TIMESTAMPS);
      takeMemberUsers(ctx, page.rows, o.columns.user, true);
      memberPagesByGroupId(ctx)(o).prime(id, { rows, totalCount: page.totalCount ?? 0 });
    },
  };
});
