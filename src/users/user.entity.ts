import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

@Entity({ name: "users" })
@Directive('@key(fields: "id")')
@ObjectType({
  simpleResolvers: true,
  description: 'A person. An identity subgraph may take over name/email with @override(from: "groups").',
})
export class User {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ type: "varchar", length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Column({ type: "varchar", length: 320, nullable: true })
  @Field(() => String, { nullable: true })
  email!: string | null;

  @Column({ name: "is_global_admin", default: false })
  @Field({ description: "from the roles claim of this user's latest token" })
  isGlobalAdmin!: boolean;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  @Field()
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  @Field()
  updatedAt!: Date;
}
