import { Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { memberCountByGroupId } from "./membership.loaders";

/** The membership fields of Group (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupMembersResolver {
  @FieldResolver(() => Int, { description: "direct ACTIVE members" })
  memberCount(@Root() group: Group, @Ctx() ctx: AppContext): Promise<number> {
    return memberCountByGroupId(ctx).load(group.id);
  }
}
