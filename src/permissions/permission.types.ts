import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({
  simpleResolvers: true,
  description: `A permission, key "<module>.<capability>". Defined in code (the registry) and
synced to the database; the database never holds a permission the code did not
define, except orphans awaiting \`--clean-orphans\`.`,
})
export class Permission {
  @Field(() => ID)
  key!: string;

  @Field()
  module!: string;

  @Field()
  capability!: string;

  @Field()
  label!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: "false = its key left the code (an orphan awaiting --clean-orphans)" })
  isActive!: boolean;

  @Field()
  isDeprecated!: boolean;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class PermissionModule {
  @Field(() => ID)
  key!: string;

  @Field()
  label!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  /** Resolved by PermissionResolver.parent through a loader; not a field itself. */
  parentKey!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "A role and the permissions it grants, as defined in the registry." })
export class Role {
  @Field(() => ID)
  name!: string;

  @Field()
  label!: string;

  @Field(() => [String])
  permissions!: string[];

  @Field(() => Int)
  rank!: number;
}

@ObjectType({ simpleResolvers: true })
export class PermissionHealth {
  @Field({ description: '"healthy" or "warning"' })
  status!: string;

  @Field(() => Int)
  definedCount!: number;

  @Field(() => Int)
  storedCount!: number;

  @Field(() => [String], { description: "in the database, not in code" })
  orphanedKeys!: string[];

  @Field(() => [String], { description: "in code, not yet synced" })
  missingKeys!: string[];
}
