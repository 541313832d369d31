import { IsOptional, Length } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { HasNoNul } from "../shared/validators";
import { MembershipStatus } from "./membership.entity";

@InputType()
export class AddMemberInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => String, { nullable: true, defaultValue: "member" })
  @IsOptional()
  @Length(1, 50)
  @HasNoNul()
  role?: string | null;

  @Field(() => MembershipStatus, {
    nullable: true,
    defaultValue: MembershipStatus.ACTIVE,
    description: "PENDING makes it an invitation the user accepts or declines",
  })
  status?: MembershipStatus | null;

  @Field(() => ID, { nullable: true, description: "defaults to the caller" })
  invitedBy?: string | null;

  @Field(() => Date, { nullable: true, description: "must lie in the future" })
  expiresAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "the membership grants nothing before this instant (must lie in the future); status SCHEDULED until then",
  })
  startsAt?: Date | null;
}

/** The arguments of Group.members. */
export interface MembersArgs {
  role?: string | null;
  includeInactive?: boolean | null;
  transitive?: boolean | null;
  first?: number | null;
  after?: string | null;
  /** The answer as of this instant (membership-history.store.ts); the present when absent. */
  asOf?: Date | null;
}
