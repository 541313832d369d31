import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { Group } from "../groups";
import { type AppContext, required } from "../shared/context";
import { connectionOf } from "../shared/pagination";
import { embeddedUser, User, usersById } from "../users";
import { effectiveStatus, Membership, MembershipStatus } from "./membership.entity";
import { AddMemberInput } from "./membership.inputs";
import { findMembership, relatedGroup } from "./membership.queries";
import {
  addMember,
  removeMember,
  respondToInvitation,
  setMemberExpiry,
  setMemberStatus,
  updateMemberRole,
} from "./membership.service";
import type { Row } from "../shared/row";
import { PUBLIC } from "../shared/federation-directives";

@ObjectType({ simpleResolvers: true })
export class MembershipConnection extends connectionOf(Membership) {}

@Resolver(() => Membership)
export class MembershipResolver {
  @Query(() => Membership, { nullable: true })
  @Directive(PUBLIC)
  membership(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userId", () => ID) userId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Membership | null> {
    return findMembership(ctx, groupId, userId);
  }

  @Mutation(() => Membership)
  @Directive(PUBLIC)
  addMember(@Arg("input", () => AddMemberInput) input: AddMemberInput, @Ctx() ctx: AppContext): Promise<Membership> {
    return addMember(ctx, input);
  }

  @Mutation(() => Membership)
  @Directive(PUBLIC)
  updateMemberRole(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userId", () => ID) userId: string,
    @Arg("role") role: string,
    @Ctx() ctx: AppContext,
  ): Promise<Membership> {
    return updateMemberRole(ctx, groupId, userId, role);
  }

  @Mutation(() => Membership)
  @Directive(PUBLIC)
  setMemberStatus(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userId", () => ID) userId: string,
    @Arg("status", () => MembershipStatus) status: MembershipStatus,
    @Ctx() ctx: AppContext,
  ): Promise<Membership> {
    return setMemberStatus(ctx, groupId, userId, status);
  }

  @Mutation(() => Membership, {
    description: "null clears it; needs members.change_role; writes MEMBER_EXPIRY_CHANGED",
  })
  @Directive(PUBLIC)
  setMemberExpiry(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userId", () => ID) userId: string,
    @Arg("expiresAt", () => Date, { nullable: true }) expiresAt: Date | null,
    @Ctx() ctx: AppContext,
  ): Promise<Membership> {
    return setMemberExpiry(ctx, groupId, userId, expiresAt ?? null);
  }

  @Mutation(() => Membership, {
    nullable: true,
    description: "The caller accepts (-> ACTIVE, returned) or declines (-> removed, null) its own PENDING invitation.",
  })
  @Directive(PUBLIC)
  respondToInvitation(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("accept") accept: boolean,
    @Ctx() ctx: AppContext,
  ): Promise<Membership | null> {
    return respondToInvitation(ctx, groupId, accept);
  }

  @Mutation(() => Boolean, { description: "false when the user was not a member." })
  @Directive(PUBLIC)
  removeMember(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("userId", () => ID) userId: string,
    @Ctx() ctx: AppContext,
  ): Promise<boolean> {
    return removeMember(ctx, groupId, userId);
  }

  // A membership read as of an instant (membership-history.store.ts) carries it: its expiry is judged then.
  @FieldResolver(() => MembershipStatus, { description: "PENDING = invited, not yet accepted" })
  status(@Root() m: Row<Membership & { asOf?: Date }>): MembershipStatus {
    return effectiveStatus(m, m.asOf);
  }

  @FieldResolver(() => Boolean, { description: "status == ACTIVE" })
  isActive(@Root() m: Row<Membership & { asOf?: Date }>): boolean {
    return effectiveStatus(m, m.asOf) === MembershipStatus.ACTIVE;
  }

  /** The member always gets it; anyone else (members.view there) as Group reads do (relatedGroup). */
  @FieldResolver(() => Group)
  group(@Root() m: Row<Membership>, @Ctx() ctx: AppContext): Promise<Group> {
    return relatedGroup(ctx, m.groupId, m.userId);
  }

  @FieldResolver(() => User)
  user(@Root() m: Row<Membership>, @Ctx() ctx: AppContext): User | Promise<User> {
    // A page of members may have brought the user's selected columns along (member-columns.ts).
    return embeddedUser(m) ?? required(usersById(ctx).load(m.userId), `user of membership ${m.id}`);
  }

  @FieldResolver(() => User, { nullable: true })
  invitedBy(@Root() m: Row<Membership>, @Ctx() ctx: AppContext): Promise<User | null> | null {
    return m.invitedById ? usersById(ctx).load(m.invitedById) : null;
  }
}
