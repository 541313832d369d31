import { Arg, Ctx, Directive, ID, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../shared/context";
import { PUBLIC } from "../shared/federation-directives";
import { eraseUser } from "./erasure.service";

/**
 * `eraseUser`: its own folder because it writes events (events depends on users, so users cannot
 * depend on events) and ends memberships and leaderships of every domain.
 */
@Resolver()
export class ErasureResolver {
  @Mutation(() => Boolean, {
    description: `Global admin, or the user themselves: clears name and email, ends current memberships and
leaderships (with their events), keeps history under the same id; that sub's tokens are refused.`,
  })
  @Directive(PUBLIC)
  eraseUser(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<boolean> {
    return eraseUser(ctx, id);
  }
}
