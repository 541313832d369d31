import { Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { Initiative } from "./initiative.entity";
import { initiativeCountByGroupId, initiativesByGroupId } from "./initiative.loaders";
import type { Row } from "../shared/row";
import { UNPAGED_LIST } from "../shared/federation-directives";

/** The initiative fields of Group (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupInitiativesResolver {
  @FieldResolver(() => [Initiative], { description: "Linked initiatives, by name." })
  @Directive(UNPAGED_LIST)
  initiatives(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<Initiative[]> {
    return initiativesByGroupId(ctx).load(group.id);
  }

  @FieldResolver(() => Int)
  initiativeCount(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<number> {
    return initiativeCountByGroupId(ctx).load(group.id);
  }
}
