import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Group, groupsById } from "../groups";
import type { AppContext } from "../shared/context";
import { todayUtc } from "../shared/scalars";
import { User, usersById } from "../users";
import { isActiveLeadership, Leadership } from "./leadership.entity";
import { AddLeaderInput, RemoveLeaderInput } from "./leadership.inputs";
import { addLeader, removeLeader } from "./leadership.service";

@Resolver(() => Leadership)
export class LeadershipResolver {
  @Mutation(() => Leadership)
  addLeader(@Arg("input", () => AddLeaderInput) input: AddLeaderInput, @Ctx() ctx: AppContext): Promise<Leadership> {
    return addLeader(ctx, input);
  }

  @Mutation(() => Leadership)
  removeLeader(
    @Arg("input", () => RemoveLeaderInput) input: RemoveLeaderInput,
    @Ctx() ctx: AppContext,
  ): Promise<Leadership> {
    return removeLeader(ctx, input);
  }

  @FieldResolver(() => Boolean)
  isActive(@Root() l: Leadership): boolean {
    return isActiveLeadership(l, todayUtc());
  }

  /** Leaderships are only handed out for groups the caller can see. */
  @FieldResolver(() => Group)
  async group(@Root() l: Leadership, @Ctx() ctx: AppContext): Promise<Group> {
    const group = await groupsById(ctx).load(l.groupId);
    if (!group) throw new Error(`leadership ${l.id} has no group`);
    return group;
  }

  @FieldResolver(() => User)
  async user(@Root() l: Leadership, @Ctx() ctx: AppContext): Promise<User> {
    const user = await usersById(ctx).load(l.userId);
    if (!user) throw new Error(`leadership ${l.id} has no user`);
    return user;
  }
}
