import { IsOptional, Length, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { HasNoNul } from "../shared/validators";

/** One member of addMembers. Which of userId and email is given is checked per item (bulk.service.ts). */
@InputType({ description: "One member of a bulk add: exactly one of userId and email." })
export class BulkMemberInput {
  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: "an invitation (PENDING) to this address" })
  @IsOptional()
  @MaxLength(1000)
  @HasNoNul()
  email?: string | null;

  @Field(() => String, { nullable: true, defaultValue: "member" })
  @IsOptional()
  @Length(1, 50)
  @HasNoNul()
  role?: string | null;

  @Field(() => Date, { nullable: true, description: "must lie in the future" })
  expiresAt?: Date | null;
}
