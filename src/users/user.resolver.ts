import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../shared/context";
import { pagedByFirst, PUBLIC, WALKS_ROWS } from "../shared/federation-directives";
import { connectionOf } from "../shared/pagination";
import { User } from "./user.entity";
import { CreateUserInput, UpdateUserInput } from "./user.inputs";
import { erasedAtById } from "./user.loaders";
import { createUser, currentUser, findUser, listUsers, updateUser, visibleEmail } from "./user.service";
import type { Row } from "../shared/row";

@ObjectType({ simpleResolvers: true })
export class UserConnection extends connectionOf(User) {}

@Resolver(() => User)
export class UserResolver {
  @Query(() => User)
  @Directive(PUBLIC)
  me(@Ctx() ctx: AppContext): Promise<User> {
    return currentUser(ctx);
  }

  @Query(() => User, { nullable: true })
  @Directive(PUBLIC)
  user(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<User | null> {
    return findUser(ctx, id);
  }

  @Query(() => UserConnection)
  @Directive(PUBLIC)
  @Directive(pagedByFirst())
  users(
    @Ctx() ctx: AppContext,
    // A substring match on name or email: no index serves it.
    @Arg("search", () => String, { nullable: true }) @Directive(WALKS_ROWS) search?: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<UserConnection> {
    return listUsers(ctx, { search, first, after });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "null unless the caller is this user, a global admin, or holds members.view in a group where this user is a member",
  })
  email(@Root() user: Row<User>, @Ctx() ctx: AppContext): string | null | Promise<string | null> {
    return visibleEmail(ctx, user);
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: "when this user was erased (eraseUser); null otherwise",
  })
  erasedAt(@Root() user: Row<User>, @Ctx() ctx: AppContext): Promise<Date | null> {
    return erasedAtById(ctx).load(user.id);
  }

  @Mutation(() => User, { description: "global admin" })
  @Directive(PUBLIC)
  createUser(@Arg("input", () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: AppContext): Promise<User> {
    return createUser(ctx, input);
  }

  @Mutation(() => User, { description: "global admin or self" })
  @Directive(PUBLIC)
  updateUser(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() ctx: AppContext,
  ): Promise<User> {
    return updateUser(ctx, id, input);
  }
}
