import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, Directive, FieldResolver, ID, Info, Int, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { memberColumnsOf } from "./member-columns";
import { Membership } from "./membership.entity";
import { memberCountByGroupId } from "./membership.loaders";
import { memberCountAtByGroupId } from "./membership-history.loaders";
import { findMembership, listMembers } from "./membership.queries";
import { MembershipConnection } from "./membership.resolver";
import type { Row } from "../shared/row";
import { pagedByFirst } from "../shared/federation-directives";

/** The membership fields of Group (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupMembersResolver {
  @FieldResolver(() => Int, { description: "direct ACTIVE members (asOf: as they were at that instant)" })
  memberCount(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("asOf", () => Date, { nullable: true, description: "count as of this instant (default: now)" })
    asOf?: Date | null,
  ): Promise<number> {
    // The past counts from the history; a planned root statement may have counted the present
    // (membership.plan.ts): then this costs none.
    return asOf ? memberCountAtByGroupId(ctx)(asOf).load(group.id) : memberCountByGroupId(ctx).load(group.id);
  }

  @FieldResolver(() => MembershipConnection, {
    description: `Members. Direct ACTIVE members unless told otherwise; transitive: also the
members of every descendant, each user once (their nearest membership). asOf: as they were then
(transitive over today's hierarchy).`,
  })
  @Directive(pagedByFirst())
  members(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    // What the page's rows must carry (member-columns.ts).
    @Info() info: GraphQLResolveInfo,
    @Arg("role", () => String, { nullable: true }) role?: string,
    @Arg("includeInactive", () => Boolean, { nullable: true, defaultValue: false }) includeInactive?: boolean,
    // Its @cost is added in src/federation/schema.ts (TypeGraphQL drops directives here).
    @Arg("transitive", () => Boolean, { nullable: true, defaultValue: false }) transitive?: boolean,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("asOf", () => Date, {
      nullable: true,
      description: "the members as they were at this instant, with the roles and statuses of then",
    })
    asOf?: Date | null,
  ): Promise<MembershipConnection> {
    return listMembers(ctx, group, { role, includeInactive, transitive, first, after, asOf }, memberColumnsOf(info));
  }

  @FieldResolver(() => Membership, {
    nullable: true,
    description: "The membership of one user, any status; null when none.",
  })
  membership(@Root() group: Row<Group>, @Arg("userId", () => ID) userId: string, @Ctx() ctx: AppContext) {
    return findMembership(ctx, group.id, userId);
  }
}
