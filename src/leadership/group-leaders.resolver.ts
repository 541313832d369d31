import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { DateScalar, todayUtc } from "../shared/scalars";
import { Leadership } from "./leadership.entity";
import { leaderCountByGroupId, leadershipsOf } from "./leadership.loaders";
import type { Row } from "../shared/row";
import { UNPAGED_LIST } from "../shared/federation-directives";

/** Findings that do not block anything but deserve a look. */
export const NO_CURRENT_LEADER = "no current leader";

/** The leadership fields of Group (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupLeadersResolver {
  @FieldResolver(() => [Leadership], {
    description: "Leaders at a date (default today): those whose startDate <= asOf and (endDate null or > asOf).",
  })
  @Directive(UNPAGED_LIST)
  leaders(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("asOf", () => DateScalar, { nullable: true }) asOf?: string,
  ): Promise<Leadership[]> {
    return leadershipsOf(ctx, group.id, asOf ?? todayUtc());
  }

  @FieldResolver(() => [Leadership], { description: "Every leadership ever, oldest startDate first." })
  @Directive(UNPAGED_LIST)
  leadershipHistory(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<Leadership[]> {
    return leadershipsOf(ctx, group.id, null);
  }

  @FieldResolver(() => Int, { description: "current leaders" })
  leaderCount(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<number> {
    return leaderCountByGroupId(ctx).load(group.id);
  }

  @FieldResolver(() => [String], { description: 'Non-blocking findings, e.g. "no current leader"; empty when none.' })
  async warnings(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<string[]> {
    return (await leaderCountByGroupId(ctx).load(group.id)) === 0 ? [NO_CURRENT_LEADER] : [];
  }
}
