import { Arg, Ctx, Directive, FieldResolver, ID, Int, ObjectType, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { pagedByFirst, UNPAGED_LIST } from "../shared/federation-directives";
import { connectionOf } from "../shared/pagination";
import type { Row } from "../shared/row";
import { User, usersById } from "../users";
import { Membership } from "./membership.entity";
import { periodsByPair } from "./membership-history.loaders";
import { membershipHistory } from "./membership-history.queries";
import { MembershipPeriod } from "./membership-period.entity";

@ObjectType({ simpleResolvers: true })
export class MembershipPeriodConnection extends connectionOf(MembershipPeriod) {}

@Resolver(() => MembershipPeriod)
export class MembershipPeriodResolver {
  @FieldResolver(() => User, {
    nullable: true,
    description: "who made the change that opened this period (null for a time-driven change)",
  })
  changedBy(@Root() p: Row<MembershipPeriod>, @Ctx() ctx: AppContext): Promise<User | null> | null {
    return p.changedById ? usersById(ctx).load(p.changedById) : null;
  }
}

/** Membership.history (a past state read as of an instant has the same history: by group and user). */
@Resolver(() => Membership)
export class MembershipHistoryResolver {
  @FieldResolver(() => [MembershipPeriod], {
    description: "Every period of this user in this group, oldest first, including those before a removal and re-add.",
  })
  @Directive(UNPAGED_LIST)
  history(@Root() m: Row<Membership>, @Ctx() ctx: AppContext): Promise<MembershipPeriod[]> {
    return periodsByPair(ctx).load({ groupId: m.groupId, userId: m.userId });
  }
}

/** Group.membershipHistory (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupMembershipHistoryResolver {
  @FieldResolver(() => MembershipPeriodConnection, {
    description: `All periods of one user's membership here, oldest first, including removed ones.
Needs members.view here, or being that user.`,
  })
  @Directive(pagedByFirst())
  membershipHistory(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("userId", () => ID) userId: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<MembershipPeriodConnection> {
    return membershipHistory(ctx, group, userId, { first, after });
  }
}

/** The resolvers of the memberships' history, for the schema's list (src/federation/schema.ts). */
export const MEMBERSHIP_HISTORY_RESOLVERS = [
  MembershipPeriodResolver,
  MembershipHistoryResolver,
  GroupMembershipHistoryResolver,
] as const;
