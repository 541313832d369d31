import { GraphQLJSONObject } from "graphql-scalars";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export enum GroupVisibility {
  PUBLIC = "PUBLIC",
  PRIVATE = "PRIVATE",
}
registerEnumType(GroupVisibility, { name: "GroupVisibility" });

/** How a user who is not a member gets in (src/memberships/access-request.service.ts). */
export enum JoinPolicy {
  /** Only by being added or invited (the default). */
  INVITE_ONLY = "INVITE_ONLY",
  /** A user who can see the group may requestToJoin; holders of members.add approve or deny. */
  REQUEST = "REQUEST",
  /** A user who can see the group may joinGroup directly, as the lowest-ranked role. */
  OPEN = "OPEN",
}
registerEnumType(JoinPolicy, { name: "JoinPolicy" });

@Entity({ name: "groups" })
@Directive('@key(fields: "id")')
@ObjectType({
  simpleResolvers: true,
  description: `A group: organization, department, team, research group, project, channel ...
Hierarchy is a DAG: a group may have several parents; a cycle is refused.`,
})
export class Group {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ type: "varchar", length: 255 })
  @Field({ description: "1..255 characters" })
  name!: string;

  @Column({ name: "group_type", type: "varchar", length: 50, default: "organization" })
  @Field({ description: 'default "organization"; free text, 1..50, lower-case recommended' })
  groupType!: string;

  @Column({ type: "text", nullable: true })
  @Field(() => String, { nullable: true })
  description!: string | null;

  @Column({ name: "short_name", type: "varchar", length: 50, nullable: true })
  @Field(() => String, { nullable: true, description: "<= 50; (shortName, campus) unique when both set" })
  shortName!: string | null;

  @Column({ type: "text", nullable: true })
  @Field(() => String, { nullable: true, description: "http(s) only" })
  url!: string | null;

  @Column({ name: "knowledge_area", type: "varchar", length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  knowledgeArea!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  campus!: string | null;

  @Column({ type: "varchar", length: 10, default: GroupVisibility.PRIVATE })
  @Field(() => GroupVisibility, {
    description: "PRIVATE: seen only by those holding groups.view (direct or cascaded) and global admins",
  })
  visibility!: GroupVisibility;

  @Column({ name: "join_policy", type: "varchar", length: 12, default: JoinPolicy.INVITE_ONLY })
  @Field(() => JoinPolicy, {
    description: "INVITE_ONLY (default): added or invited only; REQUEST: requestToJoin; OPEN: joinGroup",
  })
  joinPolicy!: JoinPolicy;

  @Column({ name: "is_active", default: true })
  @Field({ description: "false = soft-deleted / archived" })
  isActive!: boolean;

  @Column({ name: "permission_cascade_enabled", default: true })
  @Field({ description: "whether grants held here flow to children" })
  permissionCascadeEnabled!: boolean;

  @Column({ type: "jsonb", default: {} })
  @Field(() => GraphQLJSONObject)
  metadata!: Record<string, string>;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  @Field()
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  @Field()
  updatedAt!: Date;

  @Column({ name: "created_by", type: "uuid", nullable: true })
  createdById!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class GroupRelative {
  @Field(() => Group)
  group!: Group;

  @Field(() => Int)
  depth!: number;
}
