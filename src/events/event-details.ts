import { GraphQLJSONObject } from "graphql-scalars";
import { type ClassType, createUnionType, Field, ID, ObjectType } from "type-graphql";
import { DateScalar } from "../shared/scalars";
import { EventType } from "./event.entity";

/**
 * GroupEvent.details: the event's payload as typed fields, one object type per EventType, named as
 * the type in PascalCase plus `Details`. Built from the payload as its reader may see it (group ids
 * the reader may not see already dropped or null: src/groups/event-payload.ts), so details and
 * payload always agree. Ids keep their raw field (`memberId`, `childId`, ...) and also resolve to
 * objects through field resolvers elsewhere, because events/ sits below the domains it reports on:
 * users in ./event-details.resolver.ts; groups, the `details` field itself and GroupVisibility in
 * src/groups/event-details.resolver.ts; MembershipStatus in src/memberships/event-details.resolver.ts.
 *
 * A payload key naming a user by id without an `Id` suffix (`createdBy`, `invitedBy`) becomes
 * `<key>Id: ID` plus `<key>: User`, as on Group.createdBy and Membership.invitedBy.
 */

type Payload = Record<string, unknown>;

/** What details are read from besides the payload: member and leader events name their user in userId. */
export interface DetailsSource {
  type: EventType;
  userId: string | null;
}

// Payload values, read defensively: rows written by older releases may lack a key (GROUP_UPDATED had
// no before/after, LEADER_ADDED no endDate), and a value of an unexpected kind reads as missing.
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const flag = (value: unknown): boolean | null => (typeof value === "boolean" ? value : null);
const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
const object = (value: unknown): Payload | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Payload) : null;
const instant = (value: unknown): Date | null => {
  if (typeof value !== "string") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/**
 * Every details object is an instance of its type's class, made by the reader of its event type, and
 * the union resolves its type by that class (TypeGraphQL's instanceof resolver). Not a `resolveType`
 * of our own: TypeGraphQL wraps one in an async function, and graphql-jit (the executor,
 * src/executor.ts) does not await type resolvers, so the union would never resolve; the instanceof
 * resolver is synchronous.
 */
export abstract class Details {
  /** The event type these details were read for (not a field: GroupEvent.type says it). */
  eventType!: EventType;
}

// An object type only so that its fields are inherited; no field returns it, so it is not in the schema.
@ObjectType()
abstract class MemberDetails extends Details {
  @Field(() => ID, { nullable: true, description: "the member: the event's userId (`member` is that user)" })
  memberId!: string | null;
}

// An object type only so that its fields are inherited; no field returns it, so it is not in the schema.
@ObjectType()
abstract class LeaderDetails extends Details {
  @Field(() => ID, { nullable: true, description: "the leader: the event's userId (`leader` is that user)" })
  leaderId!: string | null;

  @Field(() => ID, { description: "the leadership period (Leadership.id)" })
  leadershipId!: string;
}

// An object type only so that its fields are inherited; no field returns it, so it is not in the schema.
@ObjectType()
abstract class ChildDetails extends Details {
  @Field(() => ID, {
    nullable: true,
    description: "the child group; null when the reader may not see it (`child` is that group while it exists)",
  })
  childId!: string | null;
}

// An object type only so that its fields are inherited; no field returns it, so it is not in the schema.
@ObjectType()
abstract class AccessDetails extends Details {
  @Field(() => ID, {
    nullable: true,
    description: "the requester: the event's userId (`requester` is that user)",
  })
  requesterId!: string | null;

  @Field(() => ID, { description: "the request (`accessRequest` is it, for its requester and holders of members.add)" })
  accessRequestId!: string;
}

@ObjectType({ simpleResolvers: true, description: "GROUP_CREATED: the group was created." })
export class GroupCreatedDetails extends Details {
  @Field()
  name!: string;

  @Field()
  groupType!: string;

  @Field(() => ID, { nullable: true, description: "the creator (`createdBy` is that user)" })
  createdById!: string | null;

  @Field(() => [ID], {
    description: "the parents it was created under that the reader may see (`parents`: those that still exist)",
  })
  parentIds!: string[];
}

@ObjectType({
  simpleResolvers: true,
  description: `The values of a group's fields on one side of a GROUP_UPDATED: only the fields listed in
fieldsChanged are set; every other field is null (so is a field changed to or from null: fieldsChanged
tells the two apart). parentIds holds the parents the reader may see, sorted.`,
})
export class GroupFieldValues {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  groupType!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  shortName!: string | null;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => String, { nullable: true })
  knowledgeArea!: string | null;

  @Field(() => String, { nullable: true })
  campus!: string | null;

  /** GroupVisibility: typed in src/groups/event-details.resolver.ts (events/ cannot import groups). */
  visibility!: string | null;

  /** JoinPolicy: typed in src/groups/event-details.resolver.ts. */
  joinPolicy!: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  permissionCascadeEnabled!: boolean | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field(() => [ID], { nullable: true, description: "null unless the parents changed" })
  parentIds!: string[] | null;
}

function fieldValues(value: unknown): GroupFieldValues | null {
  const v = object(value);
  if (!v) return null;
  return {
    name: text(v.name),
    groupType: text(v.groupType),
    description: text(v.description),
    shortName: text(v.shortName),
    url: text(v.url),
    knowledgeArea: text(v.knowledgeArea),
    campus: text(v.campus),
    visibility: text(v.visibility),
    joinPolicy: text(v.joinPolicy),
    isActive: flag(v.isActive),
    permissionCascadeEnabled: flag(v.permissionCascadeEnabled),
    metadata: object(v.metadata),
    parentIds: Array.isArray(v.parentIds) ? ids(v.parentIds) : null,
  };
}

@ObjectType({
  simpleResolvers: true,
  description: "GROUP_UPDATED: the fields that changed, each with its value before and after.",
})
export class GroupUpdatedDetails extends Details {
  @Field(() => [String], { description: "UpdateGroupInput field names; a change of parents is parentIds" })
  fieldsChanged!: string[];

  @Field(() => GroupFieldValues, { nullable: true, description: "null on events written before values were kept" })
  before!: GroupFieldValues | null;

  @Field(() => GroupFieldValues, { nullable: true, description: "null on events written before values were kept" })
  after!: GroupFieldValues | null;
}

@ObjectType({ simpleResolvers: true, description: "GROUP_DELETED: the group was deleted; its name and type then." })
export class GroupDeletedDetails extends Details {
  @Field()
  name!: string;

  @Field()
  groupType!: string;
}

@ObjectType({ simpleResolvers: true, description: "MEMBER_ADDED: added (status ACTIVE) or invited (PENDING)." })
export class MemberAddedDetails extends MemberDetails {
  @Field()
  role!: string;

  /** MembershipStatus: typed in src/memberships/event-details.resolver.ts. */
  status!: string;

  @Field(() => ID, { nullable: true, description: "who invited them (`invitedBy` is that user)" })
  invitedById!: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "set when added with a start (status SCHEDULED until then)" })
  startsAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: "MEMBER_REMOVED: the membership ended." })
export class MemberRemovedDetails extends MemberDetails {
  @Field({ description: "the role held until then" })
  role!: string;

  // Nullable for the same reason as LeaderRemovedDetails.endDate (InitiativeUnlinkedDetails has a reason too).
  @Field(() => String, {
    nullable: true,
    description:
      "never null here: removed (by someone else), left (by themself), declined (an invitation), erased (eraseUser) or duplicate (an invitation by email, dropped when its address's user, already in the group, signed in with it)",
  })
  reason!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "MEMBER_ROLE_CHANGED: the member's role changed." })
export class MemberRoleChangedDetails extends MemberDetails {
  @Field()
  oldRole!: string;

  @Field()
  newRole!: string;
}

@ObjectType({ simpleResolvers: true, description: "MEMBER_STATUS_CHANGED: the member's status changed." })
export class MemberStatusChangedDetails extends MemberDetails {
  /** MembershipStatus: typed in src/memberships/event-details.resolver.ts. */
  oldStatus!: string;

  /** MembershipStatus: typed in src/memberships/event-details.resolver.ts. */
  newStatus!: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "MEMBER_EXPIRED (time-driven, actor null): the member's expiresAt passed; the membership is INACTIVE since then.",
})
export class MemberExpiredDetails extends MemberDetails {
  @Field({ description: "the role held until then" })
  role!: string;

  @Field(() => Date, { nullable: true, description: "the instant it expired (never null here)" })
  expiresAt!: Date | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "MEMBER_STARTED (time-driven, actor null): a scheduled membership's startsAt came; it is ACTIVE since then.",
})
export class MemberStartedDetails extends MemberDetails {
  @Field()
  role!: string;

  @Field(() => Date, { nullable: true, description: "the instant it started (never null here)" })
  startsAt!: Date | null;
}

@ObjectType({
  simpleResolvers: true,
  description: "MEMBER_EXPIRY_CHANGED (setMemberExpiry): the member's expiresAt was set, changed or cleared.",
})
export class MemberExpiryChangedDetails extends MemberDetails {
  @Field(() => Date, { nullable: true, description: "null: it had none" })
  oldExpiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "null: cleared" })
  newExpiresAt!: Date | null;
}

@ObjectType({
  simpleResolvers: true,
  description: "LEADER_STARTED (time-driven, actor null): a leadership period's startDate came (00:00 UTC).",
})
export class LeaderStartedDetails extends LeaderDetails {
  @Field(() => DateScalar)
  startDate!: string;

  @Field(() => DateScalar, { nullable: true, description: "null while the period is open-ended" })
  endDate!: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description: "LEADER_ENDED (time-driven, actor null): a leadership period's endDate came (00:00 UTC).",
})
export class LeaderEndedDetails extends LeaderDetails {
  @Field(() => DateScalar)
  startDate!: string;

  @Field(() => DateScalar, { nullable: true, description: "never null here" })
  endDate!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "LEADER_ADDED: a leadership period was recorded." })
export class LeaderAddedDetails extends LeaderDetails {
  @Field(() => DateScalar)
  startDate!: string;

  @Field(() => DateScalar, { nullable: true, description: "null unless a closed period was recorded" })
  endDate!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "LEADER_REMOVED: a leadership period was given its end." })
export class LeaderRemovedDetails extends LeaderDetails {
  @Field(() => DateScalar)
  startDate!: string;

  // Nullable although always set: a field of one name has one type across the union's members, so
  // a client can select it on several of them side by side (GraphQL refuses differing types there).
  @Field(() => DateScalar, { nullable: true, description: "never null here" })
  endDate!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "INITIATIVE_LINKED: an initiative was linked to the group." })
export class InitiativeLinkedDetails extends Details {
  @Field(() => ID)
  initiativeId!: string;

  @Field({ description: "the initiative's name then" })
  name!: string;
}

@ObjectType({ simpleResolvers: true, description: "INITIATIVE_UNLINKED: an initiative was unlinked from the group." })
export class InitiativeUnlinkedDetails extends Details {
  @Field(() => ID)
  initiativeId!: string;

  @Field({ description: "the initiative's name then" })
  name!: string;

  @Field(() => String, { nullable: true, description: "deleted when the initiative itself was deleted, else null" })
  reason!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "CHILD_ADDED (in the parent): a group was attached under it." })
export class ChildAddedDetails extends ChildDetails {}

@ObjectType({
  simpleResolvers: true,
  description: "CHILD_REMOVED (in the parent): a group was detached from it or deleted.",
})
export class ChildRemovedDetails extends ChildDetails {}

@ObjectType({
  simpleResolvers: true,
  description: "ACCESS_REQUESTED: a user asked to join the group (its joinPolicy is REQUEST).",
})
export class AccessRequestedDetails extends AccessDetails {}

@ObjectType({
  simpleResolvers: true,
  description: "ACCESS_APPROVED: the request was approved; the MEMBER_ADDED of the new membership is beside it.",
})
export class AccessApprovedDetails extends AccessDetails {
  @Field({ description: "the role the requester was given" })
  role!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "ACCESS_DENIED: the request was denied (the decider's reason is AccessRequest.reason).",
})
export class AccessDeniedDetails extends AccessDetails {}

@ObjectType({
  simpleResolvers: true,
  description: "ACCESS_WITHDRAWN: the requester withdrew the request (or was erased while it was pending).",
})
export class AccessWithdrawnDetails extends AccessDetails {
  @Field(() => String, { nullable: true, description: "null when withdrawn by the requester; erased (eraseUser)" })
  reason!: string | null;
}

/** How each event type's details are read. Typed by EventType: a new event type does not compile without one. */
const READERS: { [K in EventType]: { type: ClassType; read(event: DetailsSource, p: Payload): object } } = {
  [EventType.GROUP_CREATED]: {
    type: GroupCreatedDetails,
    read: (_e, p): Omit<GroupCreatedDetails, "eventType"> => ({
      name: text(p.name)!,
      groupType: text(p.groupType)!,
      createdById: text(p.createdBy),
      parentIds: ids(p.parentIds),
    }),
  },
  [EventType.GROUP_UPDATED]: {
    type: GroupUpdatedDetails,
    read: (_e, p): Omit<GroupUpdatedDetails, "eventType"> => ({
      fieldsChanged: ids(p.fieldsChanged),
      before: fieldValues(p.before),
      after: fieldValues(p.after),
    }),
  },
  [EventType.GROUP_DELETED]: {
    type: GroupDeletedDetails,
    read: (_e, p): Omit<GroupDeletedDetails, "eventType"> => ({ name: text(p.name)!, groupType: text(p.groupType)! }),
  },
  [EventType.MEMBER_ADDED]: {
    type: MemberAddedDetails,
    read: (e, p): Omit<MemberAddedDetails, "eventType"> => ({
      memberId: e.userId,
      role: text(p.role)!,
      status: text(p.status)!,
      invitedById: text(p.invitedBy),
      expiresAt: instant(p.expiresAt),
      startsAt: instant(p.startsAt),
    }),
  },
  [EventType.MEMBER_REMOVED]: {
    type: MemberRemovedDetails,
    read: (e, p): Omit<MemberRemovedDetails, "eventType"> => ({
      memberId: e.userId,
      role: text(p.role)!,
      reason: text(p.reason),
    }),
  },
  [EventType.MEMBER_ROLE_CHANGED]: {
    type: MemberRoleChangedDetails,
    read: (e, p): Omit<MemberRoleChangedDetails, "eventType"> => ({
      memberId: e.userId,
      oldRole: text(p.oldRole)!,
      newRole: text(p.newRole)!,
    }),
  },
  [EventType.MEMBER_STATUS_CHANGED]: {
    type: MemberStatusChangedDetails,
    read: (e, p): Omit<MemberStatusChangedDetails, "eventType"> => ({
      memberId: e.userId,
      oldStatus: text(p.oldStatus)!,
      newStatus: text(p.newStatus)!,
    }),
  },
  [EventType.LEADER_ADDED]: {
    type: LeaderAddedDetails,
    read: (e, p): Omit<LeaderAddedDetails, "eventType"> => ({
      leaderId: e.userId,
      leadershipId: text(p.leadershipId)!,
      startDate: text(p.startDate)!,
      endDate: text(p.endDate),
    }),
  },
  [EventType.LEADER_REMOVED]: {
    type: LeaderRemovedDetails,
    read: (e, p): Omit<LeaderRemovedDetails, "eventType"> => ({
      leaderId: e.userId,
      leadershipId: text(p.leadershipId)!,
      startDate: text(p.startDate)!,
      endDate: text(p.endDate),
    }),
  },
  [EventType.INITIATIVE_LINKED]: {
    type: InitiativeLinkedDetails,
    read: (_e, p): Omit<InitiativeLinkedDetails, "eventType"> => ({
      initiativeId: text(p.initiativeId)!,
      name: text(p.name)!,
    }),
  },
  [EventType.INITIATIVE_UNLINKED]: {
    type: InitiativeUnlinkedDetails,
    read: (_e, p): Omit<InitiativeUnlinkedDetails, "eventType"> => ({
      initiativeId: text(p.initiativeId)!,
      name: text(p.name)!,
      reason: text(p.reason),
    }),
  },
  [EventType.CHILD_ADDED]: {
    type: ChildAddedDetails,
    read: (_e, p): Omit<ChildAddedDetails, "eventType"> => ({ childId: text(p.childId) }),
  },
  [EventType.CHILD_REMOVED]: {
    type: ChildRemovedDetails,
    read: (_e, p): Omit<ChildRemovedDetails, "eventType"> => ({ childId: text(p.childId) }),
  },
  [EventType.MEMBER_EXPIRED]: {
    type: MemberExpiredDetails,
    read: (e, p): Omit<MemberExpiredDetails, "eventType"> => ({
      memberId: e.userId,
      role: text(p.role)!,
      expiresAt: instant(p.expiresAt),
    }),
  },
  [EventType.MEMBER_STARTED]: {
    type: MemberStartedDetails,
    read: (e, p): Omit<MemberStartedDetails, "eventType"> => ({
      memberId: e.userId,
      role: text(p.role)!,
      startsAt: instant(p.startsAt),
    }),
  },
  [EventType.MEMBER_EXPIRY_CHANGED]: {
    type: MemberExpiryChangedDetails,
    read: (e, p): Omit<MemberExpiryChangedDetails, "eventType"> => ({
      memberId: e.userId,
      oldExpiresAt: instant(p.oldExpiresAt),
      newExpiresAt: instant(p.newExpiresAt),
    }),
  },
  [EventType.LEADER_STARTED]: {
    type: LeaderStartedDetails,
    read: (e, p): Omit<LeaderStartedDetails, "eventType"> => ({
      leaderId: e.userId,
      leadershipId: text(p.leadershipId)!,
      startDate: text(p.startDate)!,
      endDate: text(p.endDate),
    }),
  },
  [EventType.LEADER_ENDED]: {
    type: LeaderEndedDetails,
    read: (e, p): Omit<LeaderEndedDetails, "eventType"> => ({
      leaderId: e.userId,
      leadershipId: text(p.leadershipId)!,
      startDate: text(p.startDate)!,
      endDate: text(p.endDate),
    }),
  },
  [EventType.ACCESS_REQUESTED]: {
    type: AccessRequestedDetails,
    read: (e, p): Omit<AccessRequestedDetails, "eventType"> => ({
      requesterId: e.userId,
      accessRequestId: text(p.accessRequestId)!,
    }),
  },
  [EventType.ACCESS_APPROVED]: {
    type: AccessApprovedDetails,
    read: (e, p): Omit<AccessApprovedDetails, "eventType"> => ({
      requesterId: e.userId,
      accessRequestId: text(p.accessRequestId)!,
      role: text(p.role)!,
    }),
  },
  [EventType.ACCESS_DENIED]: {
    type: AccessDeniedDetails,
    read: (e, p): Omit<AccessDeniedDetails, "eventType"> => ({
      requesterId: e.userId,
      accessRequestId: text(p.accessRequestId)!,
    }),
  },
  [EventType.ACCESS_WITHDRAWN]: {
    type: AccessWithdrawnDetails,
    read: (e, p): Omit<AccessWithdrawnDetails, "eventType"> => ({
      requesterId: e.userId,
      accessRequestId: text(p.accessRequestId)!,
      reason: text(p.reason),
    }),
  },
};

/** The details type of each event type (the union's members). */
export function detailsTypeOf(type: EventType): ClassType | null {
  return (READERS as Partial<Record<string, { type: ClassType }>>)[type]?.type ?? null;
}

/**
 * The details of an event, read from its payload as the reader may see it (payloadFor). null for a
 * type this release does not know (a row written by a newer replica during a rolling deploy).
 */
export function detailsOf(event: DetailsSource, visiblePayload: Payload): Details | null {
  const reader = (READERS as Partial<Record<string, (typeof READERS)[EventType]>>)[event.type];
  if (!reader) return null;
  return Object.assign(new (reader.type as ClassType<Details>)(), reader.read(event, visiblePayload), {
    eventType: event.type,
  });
}

export const GroupEventDetails = createUnionType({
  name: "GroupEventDetails",
  description: `The typed payload of a GroupEvent: one type per EventType, named as the type in PascalCase plus
Details. Ids keep their raw field and also resolve to objects (null once gone or when the reader may not
see them); group ids the reader may not see are null or left out, exactly as in payload.`,
  types: () => Object.values(READERS).map((r) => r.type) as [ClassType, ...ClassType[]],
});
