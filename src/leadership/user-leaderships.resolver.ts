import { Arg, Ctx, Directive, FieldResolver, Resolver, Root } from "type-graphql";
import type { AppContext } from "../shared/context";
import { User } from "../users";
import { Leadership } from "./leadership.entity";
import { leadershipsByUserId } from "./leadership.loaders";
import type { Row } from "../shared/row";
import { UNPAGED_LIST } from "../shared/federation-directives";

/** The leadership field of User (User itself belongs to users/). */
@Resolver(() => User)
export class UserLeadershipsResolver {
  @FieldResolver(() => [Leadership], {
    description: "Leaderships of this user; current only unless includeHistorical. Only in groups the caller can see.",
  })
  @Directive(UNPAGED_LIST)
  leaderships(
    @Root() user: Row<User>,
    @Ctx() ctx: AppContext,
    @Arg("includeHistorical", () => Boolean, { nullable: true, defaultValue: false }) includeHistorical?: boolean,
  ): Promise<Leadership[]> {
    return leadershipsByUserId(ctx)(includeHistorical ?? false).load(user.id);
  }
}
