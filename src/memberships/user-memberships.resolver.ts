import { Arg, Ctx, Directive, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { User } from "../users";
import { Membership } from "./membership.entity";
import { groupsByUserId, membershipsByUserId } from "./membership.loaders";
import { groupsAtByUserId, membershipsAtByUserId } from "./membership-history.loaders";
import { userPermissions } from "./membership.queries";
import type { Row } from "../shared/row";
import { UNPAGED_LIST, WALKS_ROWS } from "../shared/federation-directives";

/** The membership fields of User (User itself belongs to users/). */
@Resolver(() => User)
export class UserMembershipsResolver {
  @FieldResolver(() => [Membership], {
    description: `Direct memberships. ACTIVE only unless includeInactive (then PENDING and INACTIVE too).
asOf: as they were at that instant.`,
  })
  @Directive(UNPAGED_LIST)
  memberships(
    @Root() user: Row<User>,
    @Ctx() ctx: AppContext,
    @Arg("includeInactive", () => Boolean, { nullable: true, defaultValue: false }) includeInactive?: boolean,
    @Arg("role", () => String, { nullable: true }) role?: string,
    @Arg("asOf", () => Date, {
      nullable: true,
      description: "as they were at this instant, roles and statuses of then",
    })
    asOf?: Date | null,
  ): Promise<Membership[]> {
    const o = { includeInactive: includeInactive ?? false, role: role ?? null };
    return asOf ? membershipsAtByUserId(ctx)({ ...o, asOf }).load(user.id) : membershipsByUserId(ctx)(o).load(user.id);
  }

  @FieldResolver(() => [Group], {
    description: `Groups with an ACTIVE membership of this user. transitive: also every ancestor
of those groups (a member of Backend Team is inside Engineering and Acme Corp).`,
  })
  @Directive(UNPAGED_LIST)
  groups(
    @Root() user: Row<User>,
    @Ctx() ctx: AppContext,
    // Its @cost is added in src/federation/schema.ts (TypeGraphQL drops directives here).
    @Arg("transitive", () => Boolean, { nullable: true, defaultValue: false }) transitive?: boolean,
    @Arg("groupType", () => String, { nullable: true }) groupType?: string,
    @Arg("asOf", () => Date, {
      nullable: true,
      description: "the groups of then (transitive: their ancestors in today's hierarchy)",
    })
    asOf?: Date | null,
  ): Promise<Group[]> {
    const o = { transitive: transitive ?? false, groupType: groupType ?? null };
    return asOf ? groupsAtByUserId(ctx)({ ...o, asOf }).load(user.id) : groupsByUserId(ctx)(o).load(user.id);
  }

  @FieldResolver(() => [String], {
    description: "Effective permission keys of this user in that group (direct role plus cascade).",
  })
  // The role held here and in every ancestor the grants cascade from.
  @Directive(WALKS_ROWS)
  permissions(
    @Root() user: Row<User>,
    @Arg("groupId", () => ID) groupId: string,
    @Ctx() ctx: AppContext,
  ): Promise<string[]> {
    return userPermissions(ctx, user.id, groupId);
  }
}
