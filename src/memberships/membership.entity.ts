import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export enum MembershipStatus {
  ACTIVE = "ACTIVE",
  PENDING = "PENDING",
  INACTIVE = "INACTIVE",
  /** Added with a startsAt still ahead: grants nothing until the timer starts it (src/timers/). */
  SCHEDULED = "SCHEDULED",
}
registerEnumType(MembershipStatus, { name: "MembershipStatus" });

@Entity({ name: "memberships" })
@Directive('@key(fields: "id")')
@ObjectType({ simpleResolvers: true })
export class Membership {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ name: "group_id", type: "uuid" })
  groupId!: string;

  @Column({ name: "user_id", type: "uuid" })
  userId!: string;

  @Column({ type: "varchar", length: 50 })
  @Field({ description: "one of the roles in Query.roles" })
  role!: string;

  /** As stored; `status` (the GraphQL field) reports an expired membership as INACTIVE. */
  @Column({ name: "status", type: "varchar", length: 10 })
  storedStatus!: MembershipStatus;

  @Column({ name: "invited_by", type: "uuid", nullable: true })
  invitedById!: string | null;

  @CreateDateColumn({ name: "joined_at", type: "timestamptz" })
  @Field()
  joinedAt!: Date;

  @Column({ name: "expires_at", type: "timestamptz", nullable: true })
  @Field(() => Date, { nullable: true, description: "after it, the membership counts as INACTIVE" })
  expiresAt!: Date | null;

  @Column({ name: "starts_at", type: "timestamptz", nullable: true })
  @Field(() => Date, {
    nullable: true,
    description: "when a membership added with a start began (or begins: status SCHEDULED until then); null otherwise",
  })
  startsAt!: Date | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}

/**
 * The status a reader sees: an expired membership counts as INACTIVE, computed at read time (the
 * timer stores it within TIMER_INTERVAL_MS). SCHEDULED is stored, not computed: it lasts until the
 * timer starts the membership, so the status always agrees with what the membership grants.
 */
export function effectiveStatus(m: Pick<Membership, "storedStatus" | "expiresAt">, now = new Date()): MembershipStatus {
  if (m.expiresAt && m.expiresAt.getTime() <= now.getTime()) return MembershipStatus.INACTIVE;
  return m.storedStatus;
}
