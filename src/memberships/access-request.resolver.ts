import {
  Arg,
  type ClassType,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Resolver,
  Root,
} from "type-graphql";
import { AccessApprovedDetails, AccessDeniedDetails, AccessRequestedDetails, AccessWithdrawnDetails } from "../events";
import { Group } from "../groups";
import { type AppContext, required } from "../shared/context";
import { pagedByFirst, PUBLIC } from "../shared/federation-directives";
import { connectionOf } from "../shared/pagination";
import type { Row } from "../shared/row";
import { User, usersById } from "../users";
import { AccessRequest, AccessRequestStatus } from "./access-request.entity";
import { readableAccessRequestsById } from "./access-request.loaders";
import {
  approveAccessRequest,
  denyAccessRequest,
  joinGroup,
  listAccessRequests,
  requestToJoin,
  withdrawAccessRequest,
} from "./access-request.service";
import { Membership } from "./membership.entity";
import { relatedGroup } from "./membership.queries";

@ObjectType({ simpleResolvers: true })
export class AccessRequestConnection extends connectionOf(AccessRequest) {}

@Resolver(() => AccessRequest)
export class AccessRequestResolver {
  @Mutation(() => AccessRequest, {
    description: "REQUEST groups the caller can see; one PENDING request per user and group",
  })
  @Directive(PUBLIC)
  requestToJoin(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("message", () => String, { nullable: true, description: "at most 2000 characters" }) message: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<AccessRequest> {
    return requestToJoin(ctx, groupId, message);
  }

  @Mutation(() => AccessRequest, { description: "the requester only" })
  @Directive(PUBLIC)
  withdrawAccessRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext): Promise<AccessRequest> {
    return withdrawAccessRequest(ctx, id);
  }

  @Mutation(() => Membership, {
    description: "members.add in the group; role defaults to the lowest role; rank rules apply",
  })
  @Directive(PUBLIC)
  approveAccessRequest(
    @Arg("id", () => ID) id: string,
    @Arg("role", () => String, { nullable: true }) role: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<Membership> {
    return approveAccessRequest(ctx, id, role);
  }

  @Mutation(() => AccessRequest, { description: "members.add in the group; reason: at most 2000 characters" })
  @Directive(PUBLIC)
  denyAccessRequest(
    @Arg("id", () => ID) id: string,
    @Arg("reason", () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<AccessRequest> {
    return denyAccessRequest(ctx, id, reason);
  }

  @Mutation(() => Membership, { description: "OPEN groups the caller can see: joins as the lowest-ranked role" })
  @Directive(PUBLIC)
  joinGroup(@Arg("groupId", () => ID) groupId: string, @Ctx() ctx: AppContext): Promise<Membership> {
    return joinGroup(ctx, groupId);
  }

  /**
   * Only while the caller may see the group (relatedGroup): a requester who lost sight of a PRIVATE
   * group still reads their request's status and reason, not the group.
   */
  @FieldResolver(() => Group, { description: "NOT_FOUND, as a group that does not exist, once you cannot see it" })
  group(@Root() r: Row<AccessRequest>, @Ctx() ctx: AppContext): Promise<Group> {
    return relatedGroup(ctx, r.groupId);
  }

  @FieldResolver(() => User, { description: "the requester" })
  user(@Root() r: Row<AccessRequest>, @Ctx() ctx: AppContext): Promise<User> {
    return required(usersById(ctx).load(r.userId), `user of access request ${r.id}`);
  }

  @FieldResolver(() => User, { nullable: true, description: "who approved, denied or withdrew it" })
  decidedBy(@Root() r: Row<AccessRequest>, @Ctx() ctx: AppContext): Promise<User | null> | null {
    return r.decidedById ? usersById(ctx).load(r.decidedById) : null;
  }
}

/** Group.accessRequests (Group itself belongs to groups/). */
@Resolver(() => Group)
export class GroupAccessRequestsResolver {
  @FieldResolver(() => AccessRequestConnection, {
    description: "needs members.add here; oldest first",
  })
  @Directive(pagedByFirst())
  accessRequests(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("status", () => AccessRequestStatus, { nullable: true, defaultValue: AccessRequestStatus.PENDING })
    status?: AccessRequestStatus,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<AccessRequestConnection> {
    return listAccessRequests(ctx, group, { status, first, after });
  }
}

/** `accessRequest` on the ACCESS_* details types (events/ cannot import memberships). */
function requestReference(type: ClassType<{ accessRequestId: string }>): ClassType {
  @Resolver(() => type)
  class AccessRequestReference {
    @FieldResolver(() => AccessRequest, {
      nullable: true,
      description: "the request, for its requester and holders of members.add in the group (else null)",
    })
    accessRequest(@Root() details: Row<{ accessRequestId: string }>, @Ctx() ctx: AppContext) {
      return readableAccessRequestsById(ctx).load(details.accessRequestId);
    }
  }
  return AccessRequestReference;
}

/** Every resolver of the access requests (src/federation/schema.ts registers them). */
export const ACCESS_REQUEST_RESOLVERS: readonly ClassType[] = [
  AccessRequestResolver,
  GroupAccessRequestsResolver,
  requestReference(AccessRequestedDetails),
  requestReference(AccessApprovedDetails),
  requestReference(AccessDeniedDetails),
  requestReference(AccessWithdrawnDetails),
];
