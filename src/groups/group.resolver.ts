import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  Info,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { AppContext } from "../shared/context";
import { pagedByFirst, PUBLIC, UNPAGED_LIST, WALKS_ROWS } from "../shared/federation-directives";
import { selectsPath } from "../shared/selection";
import { connectionOf } from "../shared/pagination";
import { User, usersById } from "../users";
import { Group, GroupRelative } from "./group.entity";
import { CreateGroupInput, GroupFilter, GroupOrder, UpdateGroupInput } from "./group.inputs";
import { ancestorsByGroupId, childrenByGroupId, parentsByGroupId } from "./group.loaders";
import { planGroupRelations } from "./group.plan";
import { findGroup, findGroupByName, listDescendants, listGroups } from "./group.queries";
import { createGroup, deleteGroup, updateGroup } from "./group.service";
import type { Row } from "../shared/row";

@ObjectType({ simpleResolvers: true })
export class GroupEdge {
  @Field()
  cursor!: string;

  @Field(() => Group)
  node!: Group;
}

@ObjectType({ simpleResolvers: true })
export class GroupConnection extends connectionOf(Group) {
  @Field(() => [GroupEdge])
  edges!: GroupEdge[];
}

@ObjectType({ simpleResolvers: true })
export class GroupRelativeConnection extends connectionOf(GroupRelative) {}

@Resolver(() => Group)
export class GroupResolver {
  @Query(() => Group, { nullable: true })
  @Directive(PUBLIC)
  group(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: AppContext,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<Group | null> {
    return findGroup(ctx, id, planGroupRelations(ctx, info, [[]]));
  }

  @Query(() => Group, { nullable: true, description: "exact, case-sensitive name match; with groupType when given" })
  @Directive(PUBLIC)
  groupByName(
    @Arg("name") name: string,
    @Ctx() ctx: AppContext,
    @Arg("groupType", () => String, { nullable: true }) groupType?: string,
  ): Promise<Group | null> {
    return findGroupByName(ctx, name, groupType);
  }

  @Query(() => GroupConnection, {
    description: "Groups the caller may see. first <= 500; offset is an alternative to after.",
  })
  @Directive(PUBLIC)
  @Directive(pagedByFirst(["edges", "nodes"]))
  groups(
    @Ctx() ctx: AppContext,
    @Arg("filter", () => GroupFilter, { nullable: true }) filter?: GroupFilter,
    @Arg("orderBy", () => GroupOrder, { nullable: true }) orderBy?: GroupOrder,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("offset", () => Int, { nullable: true }) offset?: number,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<GroupConnection> {
    return listGroups(ctx, {
      filter,
      orderBy,
      first,
      after,
      offset,
      withTotal: !info || selectsPath(info, ["totalCount"]),
      plan: planGroupRelations(ctx, info, [["nodes"], ["edges", "node"]]),
    });
  }

  @Mutation(() => Group, {
    description: "The caller becomes its owner. Each parent needs groups.create_subgroup there.",
  })
  @Directive(PUBLIC)
  createGroup(@Arg("input", () => CreateGroupInput) input: CreateGroupInput, @Ctx() ctx: AppContext): Promise<Group> {
    return createGroup(ctx, input);
  }

  @Mutation(() => Group)
  @Directive(PUBLIC)
  updateGroup(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateGroupInput) input: UpdateGroupInput,
    @Ctx() ctx: AppContext,
  ): Promise<Group> {
    return updateGroup(ctx, id, input);
  }

  @Mutation(() => Boolean, {
    description: "Hard delete: memberships, leaderships and parent links go; children stay, losing this parent.",
  })
  @Directive(PUBLIC)
  deleteGroup(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<boolean> {
    return deleteGroup(ctx, id);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<User | null> | null {
    return group.createdById ? usersById(ctx).load(group.createdById) : null;
  }

  @FieldResolver(() => [Group])
  @Directive(UNPAGED_LIST)
  parents(@Root() group: Row<Group>, @Ctx() ctx: AppContext): Promise<Group[]> {
    return parentsByGroupId(ctx).load(group.id);
  }

  @FieldResolver(() => [Group])
  @Directive(UNPAGED_LIST)
  children(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("includeInactive", () => Boolean, { nullable: true, defaultValue: false }) includeInactive?: boolean,
  ): Promise<Group[]> {
    return childrenByGroupId(ctx)(includeInactive ?? false).load(group.id);
  }

  @FieldResolver(() => [GroupRelative], {
    description: "Every ancestor, nearest first, each once, with its shortest distance (1 = parent).",
  })
  @Directive(UNPAGED_LIST)
  ancestors(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("maxDepth", () => Int, { nullable: true }) maxDepth?: number,
  ): Promise<GroupRelative[]> {
    return ancestorsByGroupId(ctx)(maxDepth ?? null).load(group.id);
  }

  @FieldResolver(() => GroupRelativeConnection, {
    description: "Every descendant, nearest first, each once, with its shortest distance (1 = child).",
  })
  @Directive(pagedByFirst())
  // The whole subtree is walked (and counted) whatever the page: see descendantsPageSql.
  @Directive(WALKS_ROWS)
  descendants(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("maxDepth", () => Int, { nullable: true }) maxDepth?: number,
    @Arg("groupType", () => String, { nullable: true }) groupType?: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 100 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<GroupRelativeConnection> {
    return listDescendants(ctx, group.id, { maxDepth, groupType, first, after });
  }
}
