import { type FieldNode, getArgumentValues, type GraphQLResolveInfo, isObjectType } from "graphql";
import { join, raw, type Sql, sql } from "../db";
import { type AppContext, requireViewer } from "../shared/context";
import { reviveDates } from "../shared/json-rows";
import { selectedFields } from "../shared/selection";
import { GROUP_TIMESTAMPS } from "./group.columns";
import type { Group, GroupRelative } from "./group.entity";
import { ancestorsByGroupId, childrenByGroupId, parentsByGroupId } from "./group.loaders";
import { PLANNED_ROW, plannedAncestorsSql, plannedRelativesSql } from "./group.plan.store";

/**
 * Root fields planned from their selection: `group` and `groups` read the relations their Group
 * objects select (members, parents, leaders, ...) in their own statement, as extra columns, and
 * prime the per-request loaders the field resolvers load through. The field resolvers are
 * unchanged: a primed loader answers without a statement, and anything not planned (another alias
 * with other arguments, a relation without a planner, arguments a planner declines) loads as
 * before. Correctness never depends on the plan: a planned value is exactly what the loader would
 * have answered (test/planned-statements.test.ts compares every answer with planning on and off),
 * and the resolvers still make their own permission checks before they read it.
 *
 * Relations belong to the domains that own them, and those depend on groups, never the other way
 * round: each registers its planners here at module load (registerGroupRelation).
 */

/** One relation of a group, planned for one root statement. */
export interface PlannedRelation {
  /**
   * What it loads (a loader and its options): relations with the same key (leaders and
   * leadershipHistory share one loader) are selected once.
   */
  key: string;
  /** A scalar subquery correlated with the group id fragment the planner was given. */
  column: Sql;
  /** Primes the loader the field resolver reads with that subquery's value for one group. */
  prime(ctx: AppContext, groupId: string, value: unknown): void;
}

/**
 * Plans one relation field of Group from its arguments (resolved with the variables and the
 * defaults, as the resolver receives them) and the SQL of the group's id; null to leave it to its
 * loader (arguments it does not plan, or that the resolver will refuse).
 */
export type RelationPlanner = (
  ctx: AppContext,
  args: Record<string, unknown>,
  groupId: Sql,
  field: PlannedField,
) => PlannedRelation | null;

/**
 * The field being planned as its resolver will see it: every node of its response key (a field
 * selected twice, or through fragments, is merged), so a planner can read what is selected below it.
 */
export interface PlannedField {
  info: GraphQLResolveInfo;
  nodes: readonly FieldNode[];
}

const planners = new Map<string, RelationPlanner>();

/** Declares how Group.`fieldName` is read inside a root statement. */
export function registerGroupRelation(fieldName: string, planner: RelationPlanner): void {
  if (planners.has(fieldName)) throw new Error(`Group.${fieldName} already has a planner`);
  planners.set(fieldName, planner);
}

/** The planned relations of a root field's groups. */
export interface GroupRelationsPlan {
  /** `json_build_array(subquery, ...)`: every planned relation of the row's group, as one column. */
  column: Sql;
  /** Primes each planned relation's loader from that column's value for one group. */
  prime(ctx: AppContext, groupId: string, planned: unknown): void;
}

/**
 * The planned subqueries correlate with the id of the root statement's row (alias PLANNED_ROW, which
 * no store statement uses, so none shadows it).
 */
const ROW_GROUP_ID = raw(`${PLANNED_ROW}.id`);

/**
 * The relations to read with the root statement, from the Group objects at `paths` below the
 * field being resolved (`[[]]` for `group`, `[["nodes"], ["edges", "node"]]` for `groups`),
 * through fragments. Only the first occurrence of each field name is planned (other aliases load
 * through their loaders; the same arguments hit the primed cache). Null when nothing is planned or
 * planning is off (PLAN_QUERIES=false).
 */
export function planGroupRelations(
  ctx: AppContext,
  info: GraphQLResolveInfo | undefined,
  paths: readonly (readonly string[])[],
): GroupRelationsPlan | null {
  if (!info || !ctx.config.planQueries || planners.size === 0) return null;
  const groupType = info.schema.getType("Group");
  if (!isObjectType(groupType)) return null;
  const definitions = groupType.getFields();
  const seen = new Set<string>();
  const relations = new Map<string, PlannedRelation>();
  const selected = paths.flatMap((path) => selectedFields(info, path));
  for (const node of selected) {
    const name = node.name.value;
    const planner = planners.get(name);
    const definition = definitions[name];
    if (!planner || !definition || seen.has(name)) continue;
    seen.add(name);
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(definition, node, info.variableValues);
    } catch {
      continue; // the resolver reports it
    }
    const key = responseKey(node);
    const nodes = selected.filter((other) => other.name.value === name && responseKey(other) === key);
    const relation = planner(ctx, args, ROW_GROUP_ID, { info, nodes });
    if (relation && !relations.has(relation.key)) relations.set(relation.key, relation);
  }
  if (relations.size === 0) return null;
  const planned = [...relations.values()];
  return {
    column: sql`json_build_array(${join(
      planned.map((relation) => relation.column),
      ", ",
    )})`,
    prime(c, groupId, values) {
      const list = values as unknown[];
      planned.forEach((relation, i) => relation.prime(c, groupId, list[i]));
    },
  };
}

function responseKey(node: FieldNode): string {
  return node.alias?.value ?? node.name.value;
}

/* ------------------------------------------------------------------------------------------------
 * The relations groups owns
 * --------------------------------------------------------------------------------------------- */

function groupsFromJson(value: unknown): Group[] {
  return reviveDates<Group>(value, GROUP_TIMESTAMPS);
}

registerGroupRelation("parents", (ctx, _args, groupId) => ({
  key: "parents",
  column: plannedRelativesSql(requireViewer(ctx), groupId, { up: true, includeInactive: true }),
  prime: (c, id, value) => parentsByGroupId(c).prime(id, groupsFromJson(value)),
}));

registerGroupRelation("children", (ctx, args, groupId) => {
  const includeInactive = (args.includeInactive as boolean | null | undefined) ?? false;
  return {
    key: `children:${includeInactive}`,
    column: plannedRelativesSql(requireViewer(ctx), groupId, { up: false, includeInactive }),
    prime: (c, id, value) => childrenByGroupId(c)(includeInactive).prime(id, groupsFromJson(value)),
  };
});

registerGroupRelation("ancestors", (ctx, args, groupId) => {
  const maxDepth = (args.maxDepth as number | null | undefined) ?? null;
  return {
    key: `ancestors:${maxDepth}`,
    column: plannedAncestorsSql(requireViewer(ctx), groupId, maxDepth),
    prime: (c, id, value) =>
      ancestorsByGroupId(c)(maxDepth).prime(
        id,
        reviveDates<Group & { depth: number }>(value, GROUP_TIMESTAMPS).map(({ depth, ...group }): GroupRelative => ({
          group,
          depth,
        })),
      ),
  };
});
