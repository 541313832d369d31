import type { FieldNode } from "graphql";
import { raw, type Sql } from "../db";
import { bringGroupRowsWithFacts, groupRowFromFacts } from "../permissions";
import type { AppContext } from "../shared/context";
import { reviveDates } from "../shared/json-rows";
import { GROUP_COLUMN, GROUP_TIMESTAMPS } from "./group.columns";
import type { Group } from "./group.entity";
import { groupsById } from "./group.loaders";

/**
 * Groups read with the permission facts, with only the properties a selection shows (the grants
 * of checkPermission and of Group.usersWithPermission, and their paths): the facts statement reads
 * every group on the target's ancestry anyway, so those groups cost no statement of their own, and
 * a whole row (sixteen columns) is read only when the selection needs one. Such a partial group
 * never enters groupsById, whose groups are whole: groupsFromFacts hands it to the answer it was
 * read for.
 */

export type GroupProperty = keyof Group;

/**
 * The Group fields that are a column of their own, answered from the row as it is (simpleResolvers):
 * every property of the column map but `createdById`, which is no field (`createdBy` reads it). Any
 * other field (a relation, `createdBy`, another domain's field) may need more: the whole row. A new
 * column whose field is not its plain value belongs beside `createdById` here.
 */
const NOT_FIELDS: ReadonlySet<string> = new Set<GroupProperty>(["createdById"]);
const PLAIN: ReadonlySet<string> = new Set(Object.keys(GROUP_COLUMN).filter((p) => !NOT_FIELDS.has(p)));

/** Always read: the id, and what visibility (canView) and error messages (the group's name) need. */
const ALWAYS: readonly GroupProperty[] = ["id", "name", "visibility"];

const ALL = Object.keys(GROUP_COLUMN) as GroupProperty[];

/**
 * The Group properties the given fields (selected on Group-typed fields) read, ALWAYS included, in
 * column-map order; every property when one of them is not a plain column (PLAIN), or for no
 * selection at all (null).
 */
export function groupPropertiesRead(fields: readonly FieldNode[] | null): GroupProperty[] {
  if (fields === null) return ALL;
  const needed = new Set<string>(ALWAYS);
  for (const field of fields) {
    const name = field.name.value;
    if (name === "__typename") continue;
    if (!PLAIN.has(name)) return ALL;
    needed.add(name);
  }
  return ALL.filter((property) => needed.has(property));
}

/** The pairs of each properties list (a selection's list is kept per compiled document: grantGroupsRead). */
const pairsOf = new WeakMap<readonly GroupProperty[], ReadonlyMap<string, Sql>>();

/**
 * Asks the request's next facts statements to bring each group's row with `properties` (see
 * bringGroupRowsWithFacts): call before the checks whose groups the answer shows.
 */
export function bringGroupsWithFacts(ctx: AppContext, properties: readonly GroupProperty[]): void {
  let pairs = pairsOf.get(properties);
  if (!pairs) {
    // Trusted text: property and column names come from the column map.
    pairs = new Map<string, Sql>(properties.map((p) => [p, raw(`'${p}', g.${GROUP_COLUMN[p]}`)]));
    pairsOf.set(properties, pairs);
  }
  bringGroupRowsWithFacts(ctx, pairs);
}

/**
 * Groups by id with at least `properties`, in key order (null for an unknown id): the rows a facts
 * statement brought where they carry them, the rest through groupsById (one statement for all of
 * them, whole rows).
 */
export async function groupsFromFacts(
  ctx: AppContext,
  ids: readonly string[],
  properties: readonly GroupProperty[],
): Promise<(Group | null)[]> {
  const found = new Map<string, Group>();
  const missing: string[] = [];
  for (const id of ids) {
    const row = groupRowFromFacts(ctx, id, properties);
    if (!row) missing.push(id);
    // The row came as JSON: its timestamps are text until revived (once: the row is kept as revived).
    else found.set(id, reviveDates<Group>([row], GROUP_TIMESTAMPS)[0]!);
  }
  if (missing.length > 0) {
    const loaded = await groupsById(ctx).loadMany(missing);
    missing.forEach((id, i) => {
      const group = loaded[i];
      if (group instanceof Error) throw group;
      if (group) found.set(id, group);
    });
  }
  return ids.map((id) => found.get(id) ?? null);
}
