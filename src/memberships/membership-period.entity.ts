import { Field, ObjectType } from "type-graphql";
import { MembershipStatus } from "./membership.entity";

/**
 * One period of a membership: a constant role and stored status of one user in one group, from
 * `from` (included) to `to` (excluded; null = still current). Rows of `membership_periods`, written
 * only by the trigger on `memberships` (migrations/1795000005000-MembershipHistory.ts) and read
 * through membership-history.store.ts (no TypeORM repository: not in ormconfig's entities).
 */
@ObjectType({
  simpleResolvers: true,
  description: `One period of a membership: a constant role and status held from \`from\` until \`to\` (null = still
current). Adding opens one; a role or status change closes the current period and opens the next at the
same instant; a removal closes it and opens none; re-adding opens a new one.`,
})
export class MembershipPeriod {
  /** bigserial, as text (pg answers int8 as a string); the paging tiebreaker, not a GraphQL field. */
  id!: string;

  /** The membership (memberships.id) the period belongs to; that row may be gone (removed). */
  membershipId!: string;

  groupId!: string;

  userId!: string;

  @Field()
  role!: string;

  /** As stored: an expiresAt passing is not a period of its own (yet). */
  @Field(() => MembershipStatus)
  status!: MembershipStatus;

  @Field()
  from!: Date;

  @Field(() => Date, { nullable: true })
  to!: Date | null;

  /** Who made the change that opened the period (null: a time-driven change, or that user is gone). */
  changedById!: string | null;
}
