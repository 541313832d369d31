import { Field, ID, InputType } from "type-graphql";
import { DateScalar } from "../shared/scalars";

@InputType()
export class AddLeaderInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => DateScalar, { nullable: true, description: "defaults to today (UTC)" })
  startDate?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "records a closed period directly (on or after startDate, as removeLeader allows); null = open",
  })
  endDate?: string | null;
}

@InputType()
export class RemoveLeaderInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => DateScalar, { nullable: true, description: "defaults to today (UTC)" })
  endDate?: string | null;
}
