import { ArrayMaxSize, IsOptional, IsUUID, Length, MaxLength } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Directive, Field, ID, InputType, registerEnumType } from "type-graphql";
import { WALKS_ROWS } from "../shared/federation-directives";
import { HasNoNul, IsHttpUrl, IsStringMap, TrimmedNotBlank } from "../shared/validators";
import { GroupVisibility, JoinPolicy } from "./group.entity";

export enum GroupOrderField {
  NAME = "NAME",
  CREATED_AT = "CREATED_AT",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(GroupOrderField, { name: "GroupOrderField" });

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(OrderDirection, { name: "OrderDirection" });

/** The most parents one group may have. */
export const MAX_PARENTS = 50;

/** The optional descriptive fields, alike in create and update (null clears them on update). */
@InputType()
abstract class GroupDescriptionFields {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  @HasNoNul()
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  @HasNoNul()
  @TrimmedNotBlank()
  shortName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsHttpUrl()
  url?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(255)
  @HasNoNul()
  knowledgeArea?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(255)
  @HasNoNul()
  campus?: string | null;
}

@InputType()
export class CreateGroupInput extends GroupDescriptionFields {
  @Field()
  @Length(1, 255)
  @HasNoNul()
  @TrimmedNotBlank()
  name!: string;

  @Field(() => String, { nullable: true, defaultValue: "organization" })
  @IsOptional()
  @Length(1, 50)
  @HasNoNul()
  @TrimmedNotBlank()
  groupType?: string | null;

  @Field(() => GroupVisibility, { nullable: true, defaultValue: GroupVisibility.PRIVATE })
  visibility?: GroupVisibility | null;

  @Field(() => JoinPolicy, { nullable: true, defaultValue: JoinPolicy.INVITE_ONLY })
  joinPolicy?: JoinPolicy | null;

  @Field(() => [ID], { nullable: true, defaultValue: [] })
  @IsOptional()
  @ArrayMaxSize(MAX_PARENTS)
  @IsUUID("all", { each: true, message: "each parent id must be a UUID" })
  parentIds?: string[] | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  permissionCascadeEnabled?: boolean | null;

  // The schema default `= {}` is added to the SDL by federation/schema.ts: graphql-js cannot turn an
  // object default of a custom scalar into AST, so TypeGraphQL cannot declare it.
  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;
}

@InputType({ description: "Only the fields given change. parentIds replaces the parent set." })
export class UpdateGroupInput extends GroupDescriptionFields {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  @HasNoNul()
  @TrimmedNotBlank()
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 50)
  @HasNoNul()
  @TrimmedNotBlank()
  groupType?: string | null;

  @Field(() => GroupVisibility, { nullable: true })
  visibility?: GroupVisibility | null;

  @Field(() => JoinPolicy, { nullable: true, description: "needs groups.update, as every field here" })
  joinPolicy?: JoinPolicy | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_PARENTS)
  @IsUUID("all", { each: true, message: "each parent id must be a UUID" })
  parentIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  permissionCascadeEnabled?: boolean | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;
}

@InputType()
export class GroupFilter {
  @Field(() => String, { nullable: true })
  groupType?: string | null;

  @Field(() => String, { nullable: true })
  campus?: string | null;

  @Field(() => String, { nullable: true })
  knowledgeArea?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "null = both" })
  isActive?: boolean | null;

  @Field(() => GroupVisibility, { nullable: true })
  visibility?: GroupVisibility | null;

  @Field(() => String, { nullable: true, description: "case-insensitive substring of name or shortName" })
  @Directive(WALKS_ROWS) // no index serves a substring match
  @IsOptional()
  @MaxLength(255)
  @HasNoNul()
  search?: string | null;

  @Field(() => ID, { nullable: true, description: "direct children of this group" })
  parentId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "groups without parents" })
  rootsOnly?: boolean | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "groups whose metadata contains all these key/value pairs",
  })
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;
}

@InputType()
export class GroupOrder {
  @Field(() => GroupOrderField, { defaultValue: GroupOrderField.NAME })
  field!: GroupOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction!: OrderDirection;
}
