import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export enum AccessRequestStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  DENIED = "DENIED",
  WITHDRAWN = "WITHDRAWN",
}
registerEnumType(AccessRequestStatus, { name: "AccessRequestStatus" });

/**
 * A user's request to join a group whose joinPolicy is REQUEST (migration 1795000008000). Kept after
 * its decision; at most one PENDING per user and group (a partial unique index).
 */
@Entity({ name: "access_requests" })
@ObjectType({
  simpleResolvers: true,
  description: `A request to join a group (joinPolicy REQUEST). Readable by its requester and by holders of
members.add in the group.`,
})
export class AccessRequest {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ name: "group_id", type: "uuid" })
  groupId!: string;

  @Column({ name: "user_id", type: "uuid" })
  userId!: string;

  @Column({ type: "text", nullable: true })
  @Field(() => String, {
    nullable: true,
    description: "the requester's words (<= 2000 characters); cleared when the requester is erased",
  })
  message!: string | null;

  @Column({ type: "varchar", length: 10 })
  @Field(() => AccessRequestStatus)
  status!: AccessRequestStatus;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  @Field()
  createdAt!: Date;

  @Column({ name: "decided_by", type: "uuid", nullable: true })
  decidedById!: string | null;

  @Column({ name: "decided_at", type: "timestamptz", nullable: true })
  @Field(() => Date, { nullable: true, description: "when it was approved, denied or withdrawn" })
  decidedAt!: Date | null;

  @Column({ type: "text", nullable: true })
  @Field(() => String, { nullable: true, description: "the decider's reason for a denial (<= 2000 characters)" })
  reason!: string | null;
}
