import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, Directive, Field, ID, Info, ObjectType, Query, Resolver } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { checkPermission, grantGroupsRead } from "./membership.queries";
import { PUBLIC, UNPAGED_LIST, WALKS_ROWS } from "../shared/federation-directives";

@ObjectType({ simpleResolvers: true })
export class PermissionGrant {
  @Field(() => Group, { description: "where the role is held" })
  group!: Group;

  @Field()
  role!: string;

  @Field({ description: "false = held in the target group itself" })
  inherited!: boolean;

  @Field(() => [Group], { description: "from the group holding the role down to the target group, both included" })
  @Directive(UNPAGED_LIST)
  path!: Group[];
}

@ObjectType({ simpleResolvers: true })
export class PermissionCheck {
  @Field()
  allowed!: boolean;

  @Field()
  permission!: string;

  @Field({ description: "allowed because the user is a global admin (grants may then be empty)" })
  globalAdmin!: boolean;

  @Field(() => [PermissionGrant], {
    description:
      "every grant that allows it; empty when denied. Grants through a group the caller cannot see are left out.",
  })
  @Directive(UNPAGED_LIST)
  grants!: PermissionGrant[];
}

/** checkPermission lives with memberships: a grant is a role held in a group, and it answers Groups. */
@Resolver()
export class PermissionCheckResolver {
  @Query(() => PermissionCheck, {
    description: `Whether userId holds permission in groupId: a role held directly in the group,
or in an ancestor A where every group on some path from A down to groupId,
groupId excluded, has permissionCascadeEnabled. Only ACTIVE, unexpired
memberships in active groups count. Global admins are allowed everything.`,
  })
  // Walks the target group's ancestry for the grants that cascade down to it.
  @Directive(PUBLIC)
  @Directive(WALKS_ROWS)
  checkPermission(
    @Arg("userId", () => ID) userId: string,
    @Arg("groupId", () => ID) groupId: string,
    @Arg("permission") permission: string,
    @Ctx() ctx: AppContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<PermissionCheck> {
    return checkPermission(ctx, userId, groupId, permission, grantGroupsRead(ctx, info, []));
  }
}
