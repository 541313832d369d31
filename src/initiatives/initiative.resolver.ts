import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import type { AppContext } from "../shared/context";
import { connectionOf } from "../shared/pagination";
import { Initiative } from "./initiative.entity";
import { CreateInitiativeInput, UpdateInitiativeInput } from "./initiative.inputs";
import { groupsByInitiativeId } from "./initiative.loaders";
import { findInitiative, listInitiatives } from "./initiative.queries";
import {
  createInitiative,
  deleteInitiative,
  linkInitiative,
  unlinkInitiative,
  updateInitiative,
} from "./initiative.service";
import type { Row } from "../shared/row";
import { pagedByFirst, PUBLIC, UNPAGED_LIST, WALKS_ROWS } from "../shared/federation-directives";

@ObjectType({ simpleResolvers: true })
export class InitiativeConnection extends connectionOf(Initiative) {}

@Resolver(() => Initiative)
export class InitiativeResolver {
  @Query(() => Initiative, { nullable: true })
  @Directive(PUBLIC)
  initiative(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<Initiative | null> {
    return findInitiative(ctx, id);
  }

  @Query(() => InitiativeConnection, {
    description: "By name. search: a case-insensitive substring of the name; first <= 500.",
  })
  @Directive(PUBLIC)
  @Directive(pagedByFirst())
  initiatives(
    @Ctx() ctx: AppContext,
    // A substring match on the name: no index serves it.
    @Arg("search", () => String, { nullable: true }) @Directive(WALKS_ROWS) search?: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<InitiativeConnection> {
    return listInitiatives(ctx, { search, first, after });
  }

  @Mutation(() => Initiative, { description: "Any authenticated user; the caller may then update or delete it." })
  @Directive(PUBLIC)
  createInitiative(
    @Arg("input", () => CreateInitiativeInput) input: CreateInitiativeInput,
    @Ctx() ctx: AppContext,
  ): Promise<Initiative> {
    return createInitiative(ctx, input);
  }

  @Mutation(() => Initiative, { description: "Its creator or a global admin." })
  @Directive(PUBLIC)
  updateInitiative(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateInitiativeInput) input: UpdateInitiativeInput,
    @Ctx() ctx: AppContext,
  ): Promise<Initiative> {
    return updateInitiative(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: "Its creator or a global admin. Its links to groups go with it." })
  @Directive(PUBLIC)
  deleteInitiative(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<boolean> {
    return deleteInitiative(ctx, id);
  }

  @Mutation(() => Group, { description: "Needs initiatives.manage in the group. Linking twice changes nothing." })
  @Directive(PUBLIC)
  linkInitiative(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("initiativeId", () => ID) initiativeId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Group> {
    return linkInitiative(ctx, groupId, initiativeId);
  }

  @Mutation(() => Group, {
    description: "Needs initiatives.manage in the group. Unlinking what is not linked changes nothing.",
  })
  @Directive(PUBLIC)
  unlinkInitiative(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("initiativeId", () => ID) initiativeId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Group> {
    return unlinkInitiative(ctx, groupId, initiativeId);
  }

  @FieldResolver(() => [Group], { description: "The linked groups the caller can see, by name." })
  @Directive(UNPAGED_LIST)
  groups(@Root() initiative: Row<Initiative>, @Ctx() ctx: AppContext): Promise<Group[]> {
    return groupsByInitiativeId(ctx).load(initiative.id);
  }
}
