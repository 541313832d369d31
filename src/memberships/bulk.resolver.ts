import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../shared/context";
import { PUBLIC, UNPAGED_LIST } from "../shared/federation-directives";
import { BulkMemberInput } from "./bulk.inputs";
import { addMembers, inviteByEmail, removeMembers } from "./bulk.service";
import { Membership } from "./membership.entity";

@Resolver()
export class BulkMembershipResolver {
  @Mutation(() => Membership, {
    description: `members.add: a PENDING invitation bound to an email; when a token with that email first arrives
(email claim present, email_verified not false), the user is provisioned and sees it under
me { memberships(includeInactive: true) }.`,
  })
  @Directive(PUBLIC)
  inviteByEmail(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: AppContext,
    @Arg("role", () => String, { nullable: true, defaultValue: "member" }) role?: string | null,
    @Arg("expiresAt", () => Date, { nullable: true }) expiresAt?: Date | null,
  ): Promise<Membership> {
    return inviteByEmail(ctx, groupId, email, role, expiresAt);
  }

  @Mutation(() => [Membership], {
    description: "members.add; 1..500 items, all or nothing; errors per item in extensions.details (index -> messages)",
  })
  @Directive(PUBLIC)
  // Up to 500 come back; priced as any unpaged list (the cost limits weigh the query, not the input).
  @Directive(UNPAGED_LIST)
  addMembers(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("members", () => [BulkMemberInput]) members: BulkMemberInput[],
    @Ctx() ctx: AppContext,
  ): Promise<Membership[]> {
    return addMembers(ctx, groupId, members);
  }

  @Mutation(() => Int, {
    description:
      "members.remove; 1..500 ids, all or nothing (a non-member id is an item error); answers how many were removed",
  })
  @Directive(PUBLIC)
  removeMembers(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userIds", () => [ID]) userIds: string[],
    @Ctx() ctx: AppContext,
  ): Promise<number> {
    return removeMembers(ctx, groupId, userIds);
  }
}
