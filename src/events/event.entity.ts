import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

export enum EventType {
  GROUP_CREATED = "GROUP_CREATED",
  GROUP_UPDATED = "GROUP_UPDATED",
  GROUP_DELETED = "GROUP_DELETED",
  MEMBER_ADDED = "MEMBER_ADDED",
  MEMBER_REMOVED = "MEMBER_REMOVED",
  MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED",
  MEMBER_STATUS_CHANGED = "MEMBER_STATUS_CHANGED",
  LEADER_ADDED = "LEADER_ADDED",
  LEADER_REMOVED = "LEADER_REMOVED",
  INITIATIVE_LINKED = "INITIATIVE_LINKED",
  INITIATIVE_UNLINKED = "INITIATIVE_UNLINKED",
  /** In the parent (groupId) when a group is attached under it; payload { childId }. */
  CHILD_ADDED = "CHILD_ADDED",
  /** In the parent (groupId) when a group is detached from it or deleted; payload { childId }. */
  CHILD_REMOVED = "CHILD_REMOVED",
  /** Time-driven (src/timers/): the member's expiresAt passed; payload { role, expiresAt }. */
  MEMBER_EXPIRED = "MEMBER_EXPIRED",
  /** Time-driven: a scheduled membership's startsAt came; payload { role, startsAt }. */
  MEMBER_STARTED = "MEMBER_STARTED",
  /** setMemberExpiry; payload { oldExpiresAt, newExpiresAt } (null: none). */
  MEMBER_EXPIRY_CHANGED = "MEMBER_EXPIRY_CHANGED",
  /** Time-driven: a leadership period's startDate came (00:00 UTC); payload { leadershipId, startDate, endDate }. */
  LEADER_STARTED = "LEADER_STARTED",
  /** Time-driven: a leadership period's endDate came (00:00 UTC); payload { leadershipId, startDate, endDate }. */
  LEADER_ENDED = "LEADER_ENDED",
  /** requestToJoin; userId = the requester; payload { accessRequestId }. */
  ACCESS_REQUESTED = "ACCESS_REQUESTED",
  /** approveAccessRequest (MEMBER_ADDED beside it); userId = the requester; payload { accessRequestId, role }. */
  ACCESS_APPROVED = "ACCESS_APPROVED",
  /** denyAccessRequest; userId = the requester; payload { accessRequestId } (the reason is on the request). */
  ACCESS_DENIED = "ACCESS_DENIED",
  /** withdrawAccessRequest, or the requester's erasure; payload { accessRequestId, reason: null | "erased" }. */
  ACCESS_WITHDRAWN = "ACCESS_WITHDRAWN",
}
registerEnumType(EventType, { name: "EventType" });

@Entity({ name: "domain_events" })
@ObjectType({
  simpleResolvers: true,
  description: `A domain event, written in the same transaction as the change it reports, so
none is lost. id grows monotonically and is the resume cursor of subscriptions.
payload carries the event's fields: e.g. MEMBER_ROLE_CHANGED {oldRole, newRole},
GROUP_UPDATED {fieldsChanged: [...], before: {field: old}, after: {field: new}} (parent changes as
sorted parentIds), GROUP_CREATED {name, groupType, createdBy, parentIds}, CHILD_ADDED and
CHILD_REMOVED {childId} in the parent.`,
})
export class GroupEvent {
  @PrimaryGeneratedColumn({ type: "bigint" })
  @Field(() => ID)
  id!: string;

  @Column({ type: "varchar", length: 40 })
  @Field(() => EventType)
  type!: EventType;

  @Column({ name: "group_id", type: "uuid" })
  @Field(() => ID)
  groupId!: string;

  @Column({ name: "user_id", type: "uuid", nullable: true })
  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Column({ name: "actor_id", type: "uuid", nullable: true })
  @Field(() => ID, { nullable: true })
  actorId!: string | null;

  @Column({ name: "occurred_at", type: "timestamptz" })
  @Field()
  occurredAt!: Date;

  @Column({ type: "jsonb" })
  @Field(() => GraphQLJSONObject)
  payload!: Record<string, unknown>;
}

/** An event to write (see event.writer.ts); id and occurredAt are the database's. */
export interface NewEvent {
  type: EventType;
  groupId: string;
  userId?: string | null;
  actorId: string | null;
  payload?: Record<string, unknown>;
  /** For an event whose group goes away in the same transaction: who may still receive it live. */
  reach?: EventReach;
}

/** Who could read a group's events, and its ancestors, when it was deleted (never shown to clients). */
export interface EventReach {
  readers: string[];
  ancestors: string[];
}
