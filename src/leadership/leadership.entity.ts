import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import { DateScalar } from "../shared/scalars";

@Entity({ name: "leaderships" })
@Directive('@key(fields: "id")')
@ObjectType({
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

/** The columns of a leadership row (alias l), aliased to the entity's properties; dates as YYYY-MM-DD. */
export const LEADERSHIP_COLUMNS = `l.id, l.group_id AS "groupId", l.user_id AS "userId",
  to_char(l.start_date, 'YYYY-MM-DD') AS "startDate", to_char(l.end_date, 'YYYY-MM-DD') AS "endDate",
  l.created_at AS "createdAt", l.updated_at AS "updatedAt"`;

/** SQL: period `l` covers the date parameter `p` (start included, end excluded). */
export const covers = (p: string) => `(l.start_date <= ${p}::date AND (l.end_date IS NULL OR l.end_date > ${p}::date))`;
