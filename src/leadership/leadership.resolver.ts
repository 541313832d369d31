import { Arg, Ctx, Directive, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Group, groupsById } from "../groups";
import { type AppContext, required } from "../shared/context";
import { todayUtc } from "../shared/scalars";
import { User, usersById } from "../users";
import { isActiveLeadership, Leadership } from "./leadership.entity";
import { AddLeaderInput, RemoveLeaderInput } from "./leadership.inputs";
import { addLeader, removeLeader } from "./leadership.service";
import type { Row } from "../shared/row";
import { PUBLIC } from "../shared/federation-directives";

@Resolver(() => Leadership)
export class LeadershipResolver {
  @Mutation(() => Leadership)
  @Directive(PUBLIC)
  addLeader(@Arg("input", () => AddLeaderInput) input: AddLeaderInput, @Ctx() ctx: AppContext): Promise<Leadership> {
    return addLeader(ctx, input);
  }

  @Mutation(() => Leadership)
  @Directive(PUBLIC)
  removeLeader(
    @Arg("input", () => RemoveLeaderInput) input: RemoveLeaderInput,
    @Ctx() ctx: AppContext,
  ): Promise<Leadership> {
    return removeLeader(ctx, input);
  }

  @FieldResolver(() => Boolean)
  isActive(@Root() l: Row<Leadership>): boolean {
    return isActiveLeadership(l, todayUtc());
  }

  /** Leaderships are only handed out for groups the caller can see. */
  @FieldResolver(() => Group)
  group(@Root() l: Row<Leadership>, @Ctx() ctx: AppContext): Promise<Group> {
    return required(groupsById(ctx).load(l.groupId), `group of leadership ${l.id}`);
  }

  @FieldResolver(() => User)
  user(@Root() l: Row<Leadership>, @Ctx() ctx: AppContext): Promise<User> {
    return required(usersById(ctx).load(l.userId), `user of leadership ${l.id}`);
  }
}
