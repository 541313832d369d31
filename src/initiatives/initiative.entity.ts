import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import { DateScalar } from "../shared/scalars";

/** An initiative (programme, project, campaign) that groups take part in; it exists on its own. */
@Entity({ name: "initiatives" })
@Directive('@key(fields: "id")')
@ObjectType({ simpleResolvers: true })
export class Initiative {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ type: "varchar", length: 255 })
  @Field()
  name!: string;

  @Column({ type: "text", nullable: true })
  @Field(() => String, { nullable: true })
  description!: string | null;

  @Column({ name: "start_date", type: "date", nullable: true })
  @Field(() => DateScalar, { nullable: true })
  startDate!: string | null;

  @Column({ name: "end_date", type: "date", nullable: true })
  @Field(() => DateScalar, { nullable: true, description: "on or after startDate" })
  endDate!: string | null;

  /** Who may update or delete it (with global admins); null once that user is deleted. */
  @Column({ name: "created_by", type: "uuid", nullable: true })
  createdById!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  @Field()
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  @Field()
  updatedAt!: Date;
}
