import { IsOptional, Length, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { DateScalar } from "../shared/scalars";
import { HasNoNul, TrimmedNotBlank } from "../shared/validators";

@InputType()
export class CreateInitiativeInput {
  @Field()
  @Length(1, 255)
  @HasNoNul()
  @TrimmedNotBlank()
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  @HasNoNul()
  description?: string | null;

  @Field(() => DateScalar, { nullable: true })
  startDate?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "on or after startDate" })
  endDate?: string | null;
}

@InputType({ description: "Only the fields given change; null clears description, startDate or endDate." })
export class UpdateInitiativeInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  @HasNoNul()
  @TrimmedNotBlank()
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  @HasNoNul()
  description?: string | null;

  @Field(() => DateScalar, { nullable: true })
  startDate?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "on or after startDate (the stored one when not given)" })
  endDate?: string | null;
}

/** The arguments of Query.initiatives. */
export interface InitiativesArgs {
  search?: string | null;
  first?: number | null;
  after?: string | null;
}
