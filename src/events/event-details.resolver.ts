import { type ClassType, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { AppContext } from "../shared/context";
import type { Row } from "../shared/row";
import { User, usersById } from "../users";
import {
  AccessApprovedDetails,
  AccessDeniedDetails,
  AccessRequestedDetails,
  AccessWithdrawnDetails,
  GroupCreatedDetails,
  LeaderAddedDetails,
  LeaderEndedDetails,
  LeaderRemovedDetails,
  LeaderStartedDetails,
  MemberAddedDetails,
  MemberExpiredDetails,
  MemberExpiryChangedDetails,
  MemberRemovedDetails,
  MemberStartedDetails,
  MemberRoleChangedDetails,
  MemberStatusChangedDetails,
} from "./event-details";

/**
 * A `User` field on a details type, beside the raw id it resolves: through the request's usersById
 * (a page of events costs one statement for all the users it names); null once the user is gone.
 * Every user is visible to every signed-in caller; User.email then applies its own rule.
 */
export function userReference<T extends object>(
  type: ClassType<T>,
  field: string,
  idOf: (details: T) => string | null,
  description: string,
): ClassType {
  // The method is named as the field: TypeGraphQL matches a type's field resolvers by method name,
  // so two references on one type (member, invitedBy) need two names.
  @Resolver(() => type)
  class UserReference {
    @FieldResolver(() => User, { nullable: true, description })
    [field](@Root() details: Row<T>, @Ctx() ctx: AppContext): Promise<User | null> | null {
      const id = idOf(details);
      return id ? usersById(ctx).load(id) : null;
    }
  }
  return UserReference;
}

const MEMBER = "the member, while the user exists";
const LEADER = "the leader, while the user exists";
const REQUESTER = "the requester, while the user exists";

/** The user references of the details types in this folder (schema.ts registers them). */
export const EVENT_DETAILS_USER_RESOLVERS: readonly ClassType[] = [
  userReference(GroupCreatedDetails, "createdBy", (d) => d.createdById, "the creator, while the user exists"),
  userReference(MemberAddedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(MemberAddedDetails, "invitedBy", (d) => d.invitedById, "who invited them, while the user exists"),
  userReference(MemberRemovedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(MemberRoleChangedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(MemberStatusChangedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(LeaderAddedDetails, "leader", (d) => d.leaderId, LEADER),
  userReference(LeaderRemovedDetails, "leader", (d) => d.leaderId, LEADER),
  userReference(MemberExpiredDetails, "member", (d) => d.memberId, MEMBER),
  userReference(MemberStartedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(MemberExpiryChangedDetails, "member", (d) => d.memberId, MEMBER),
  userReference(LeaderStartedDetails, "leader", (d) => d.leaderId, LEADER),
  userReference(LeaderEndedDetails, "leader", (d) => d.leaderId, LEADER),
  userReference(AccessRequestedDetails, "requester", (d) => d.requesterId, REQUESTER),
  userReference(AccessApprovedDetails, "requester", (d) => d.requesterId, REQUESTER),
  userReference(AccessDeniedDetails, "requester", (d) => d.requesterId, REQUESTER),
  userReference(AccessWithdrawnDetails, "requester", (d) => d.requesterId, REQUESTER),
];
