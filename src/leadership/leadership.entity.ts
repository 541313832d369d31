import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import { DateScalar } from "../shared/scalars";

@Entity({ name: "leaderships" })
@Directive('@key(fields: "id")')
@ObjectType({
  simpleResolvers: true,
  description: `A period of leadership. Ending one keeps it: history is never deleted.
isActive == (endDate is null or endDate > today).`,
})
export class Leadership {
  @PrimaryGeneratedColumn("uuid")
  @Field(() => ID)
  id!: string;

  @Column({ name: "group_id", type: "uuid" })
  groupId!: string;

  @Column({ name: "user_id", type: "uuid" })
  userId!: string;

  @Column({ name: "start_date", type: "date" })
  @Field(() => DateScalar)
  startDate!: string;

  @Column({ name: "end_date", type: "date", nullable: true })
  @Field(() => DateScalar, { nullable: true })
  endDate!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  @Field()
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  @Field()
  updatedAt!: Date;
}

/** Active: not ended as of `today` (contract: endDate is null or endDate > today). Never stored, so never stale. */
export function isActiveLeadership(l: Pick<Leadership, "endDate">, today: string): boolean {
  return l.endDate === null || l.endDate > today;
}

/**
 * Period `l` covers `date`: its start included, its end excluded (dates are YYYY-MM-DD strings, so
 * they compare as text). The store's `covers` is the same rule in SQL.
 */
export function coversDate(l: Pick<Leadership, "startDate" | "endDate">, date: string): boolean {
  return l.startDate <= date && isActiveLeadership(l, date);
}
