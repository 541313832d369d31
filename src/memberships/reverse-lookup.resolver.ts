import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, Directive, Field, FieldResolver, Info, Int, ObjectType, Resolver, Root } from "type-graphql";
import { Group, GroupConnection } from "../groups";
import type { AppContext } from "../shared/context";
import { pagedByFirst, UNPAGED_LIST, WALKS_ROWS } from "../shared/federation-directives";
import { connectionOf } from "../shared/pagination";
import type { Row } from "../shared/row";
import { User } from "../users";
import { grantGroupsRead } from "./membership.queries";
import { PermissionGrant } from "./permission-check.resolver";
import { listGroupsWithPermission, listUsersWithPermission } from "./reverse-lookup.queries";

@ObjectType({ simpleResolvers: true, description: "A user holding a permission in a group, and why." })
export class PermissionHolder {
  @Field(() => User)
  user!: User;

  @Field(() => [PermissionGrant], {
    description: `the grants that give it, as checkPermission explains them (those through a group
the caller cannot see are left out, so this may be empty)`,
  })
  @Directive(UNPAGED_LIST)
  grants!: PermissionGrant[];
}

@ObjectType({ simpleResolvers: true })
export class PermissionHolderConnection extends connectionOf(PermissionHolder) {}

/** User.groupsWithPermission (User belongs to users/; a grant is a role held in a group, as for checkPermission). */
@Resolver(() => User)
export class UserGroupsWithPermissionResolver {
  @FieldResolver(() => GroupConnection, {
    description: `Groups where this user holds the permission (directly or by cascade) that the caller may see.
Held through a role, as checkPermission's grants (a global admin's flag lists nothing by itself);
about someone else, only groups where the caller holds members.view. By name; totalCount exact.`,
  })
  @Directive(pagedByFirst(["nodes", "edges"]))
  // The user's holdings are walked down the hierarchy (and counted) whatever the page.
  @Directive(WALKS_ROWS)
  groupsWithPermission(
    @Root() user: Row<User>,
    @Ctx() ctx: AppContext,
    @Arg("permission") permission: string,
    @Arg("groupType", () => String, { nullable: true }) groupType?: string | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<GroupConnection> {
    return listGroupsWithPermission(ctx, user.id, { permission, groupType, first, after });
  }
}

/** Group.usersWithPermission (Group belongs to groups/). */
@Resolver(() => Group)
export class GroupUsersWithPermissionResolver {
  @FieldResolver(() => PermissionHolderConnection, {
    description: `Users holding the permission here, directly or by cascade, each with the grants that give it
(as checkPermission explains them). Needs members.view here. Global admins are listed only
when they also hold a granting role.`,
  })
  @Directive(pagedByFirst())
  // The group's ancestry is walked for the holders (and counted) whatever the page.
  @Directive(WALKS_ROWS)
  usersWithPermission(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("permission") permission: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<PermissionHolderConnection> {
    return listUsersWithPermission(
      ctx,
      group,
      { permission, first, after },
      grantGroupsRead(ctx, info, ["nodes"]),
    ) as Promise<PermissionHolderConnection>;
  }
}
