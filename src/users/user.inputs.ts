import { IsEmail, IsOptional, Length, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { TrimmedNotBlank } from "../shared/validators";

@InputType()
export class CreateUserInput {
  @Field()
  @Length(1, 255)
  @TrimmedNotBlank()
  name!: string;

  @Field()
  @IsEmail({}, { message: "must be an email address" })
  @MaxLength(320)
  email!: string;
}

@InputType()
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  @TrimmedNotBlank()
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: "must be an email address" })
  @MaxLength(320)
  email?: string | null;
}
