import { raw, type Sql, sql } from "../db";
import { INITIATIVE_COLUMNS } from "./initiative.store";

/**
 * The initiatives of Group as a scalar subquery correlated with a group id, for the root
 * statements groups plans (groups/group.plan.ts; the planner is in initiative.plan.ts): exactly the
 * rows initiativesOfGroups reads for that one group, as JSON; pinned by
 * test/golden/planned.store.test.ts.
 */

/** The initiatives linked to the group, by name: a JSON array of Initiative rows. */
export function plannedInitiativesSql(groupId: Sql): Sql {
  return sql`(SELECT coalesce(json_agg(x ORDER BY i.name, i.id), '[]'::json)
      FROM group_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id
      CROSS JOIN LATERAL (SELECT ${raw(INITIATIVE_COLUMNS)}) x
      WHERE gi.group_id = ${groupId})`;
}
