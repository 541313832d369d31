import { raw, type Sql, sql } from "../db";
import { userColumnsPrefixed } from "../users";
import { LEADER_PREFIX, LEADERSHIP_COLUMNS } from "./leadership.store";

/**
 * The leaderships of Group as a scalar subquery correlated with a group id, for the root
 * statements groups plans (groups/group.plan.ts; the planner is in leadership.plan.ts): exactly the
 * rows leadershipsOfGroupsSql reads for that one group, as JSON; pinned by
 * test/golden/planned.store.test.ts.
 */

/**
 * Every leadership of the group, oldest start first, each with its user's columns under
 * LEADER_PREFIX: a JSON array (the aggregate orders by the columns themselves, not their text).
 */
export function plannedLeadershipsSql(groupId: Sql): Sql {
  return sql`(SELECT coalesce(json_agg(x ORDER BY l.start_date, l.created_at, l.id), '[]'::json)
      FROM leaderships l JOIN users u ON u.id = l.user_id
      CROSS JOIN LATERAL (SELECT ${raw(LEADERSHIP_COLUMNS)}, ${userColumnsPrefixed(LEADER_PREFIX)}) x
      WHERE l.group_id = ${groupId})`;
}
