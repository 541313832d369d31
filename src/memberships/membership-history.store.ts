import { type EntityManager, query, raw, type Runner, type Sql, sql, value } from "../db";
import type { MemberKey } from "./membership.store";
import type { MembershipPeriod } from "./membership-period.entity";

/**
 * Every statement on `membership_periods`, the memberships' history. The periods are written by a
 * trigger on `memberships` (migrations/1795000005000-MembershipHistory.ts), never by these: every
 * write of memberships keeps the history without a statement of its own. The alias of the periods
 * table is always `p`.
 */

/** Each MembershipPeriod property and its column in `membership_periods` (alias `p`). */
const PERIOD_FIELDS = {
  id: "p.id",
  membershipId: "p.membership_id",
  groupId: "p.group_id",
  userId: "p.user_id",
  role: "p.role",
  status: "p.status",
  from: "p.valid_from",
  to: "p.valid_to",
  changedById: "p.changed_by",
} as const satisfies Record<keyof MembershipPeriod, string>;

/** A period's columns (alias `p`) under the entity's property names. */
export const periodColumns: Sql = raw(
  Object.entries(PERIOD_FIELDS)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(", "),
);

/**
 * The instant at which the changes of the rest of this transaction open and close periods, instead
 * of the transaction's now(): for a change that happened at a known instant (an expiry recorded
 * when its time came). Transaction-local (set_config's third argument), so it cannot leak into
 * another transaction on the same connection.
 */
export function setPeriodInstantSql(instant: Date): Sql {
  return sql`SELECT set_config('groups.period_instant', ${instant.toISOString()}, true)`;
}

export async function setPeriodInstant(tx: EntityManager, instant: Date): Promise<void> {
  await query(tx, setPeriodInstantSql(instant));
}

/** Every period of each (group, user) pair, oldest first (callers decide visibility). */
export function periodsOfPairsSql(pairs: readonly MemberKey[]): Sql {
  return sql`SELECT ${periodColumns} FROM membership_periods p
    WHERE (p.group_id, p.user_id) IN (
      SELECT * FROM unnest(${value(pairs.map((k) => k.groupId))}::uuid[], ${value(pairs.map((k) => k.userId))}::uuid[])
    )
    ORDER BY p.valid_from, p.id`;
}

export function periodsOfPairs(runner: Runner, pairs: readonly MemberKey[]): Promise<MembershipPeriod[]> {
  return query<MembershipPeriod>(runner, periodsOfPairsSql(pairs));
}
