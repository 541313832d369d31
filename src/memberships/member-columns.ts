import type { FieldNode, GraphQLResolveInfo } from "graphql";
import { selectedFieldsBelow } from "../shared/selection";
import { userFieldsRead, type UserField } from "../users";
import {
  ALL_MEMBER_COLUMNS,
  type MemberColumns,
  MEMBERSHIP_FIELD_NAMES,
  type MembershipField,
} from "./membership.store";

/**
 * The columns a page of members (Group.members) reads, from what its selection asks for. A wide
 * membership row with its user, built as JSON in a planned statement, cost PostgreSQL twice what
 * the listed fields do (the benchmark's Q1: 10.4 → 5.5 ms for 50 groups of 10 members, 430 → 126 kB),
 * most of it formatting eight timestamps per member that nobody asked for.
 *
 * The columns are part of the page's loader key, so the planned statement (membership.plan.ts)
 * and the field resolver, each reading them off the same selection, meet on the same page; and a
 * page read for one selection never serves another.
 */

/** What each Membership field reads of the row besides id and userId (always read). */
const READS: Record<string, readonly MembershipField[]> = {
  __typename: [],
  id: [],
  joinedAt: ["joinedAt"],
  role: ["role"],
  expiresAt: ["expiresAt"],
  startsAt: ["startsAt"],
  status: ["storedStatus", "expiresAt"], // effectiveStatus
  isActive: ["storedStatus", "expiresAt"],
  group: ["groupId"],
  invitedBy: ["invitedById"],
  user: [], // its own columns: userFieldsRead
};

/** The cursor's last key (id) and the users' join (userId); the order's joinedAt the statements add. */
const ALWAYS: readonly MembershipField[] = ["id", "userId"];

/** The connection's own fields that need nothing of a row (totalCount is counted apart). */
const CONNECTION_FIELDS = new Set(["__typename", "nodes", "pageInfo", "totalCount"]);

/**
 * The columns for the members connection selected by `nodes` (one response key's field nodes):
 * every column when something below it is not listed here (a field of another domain may need the
 * whole row), so a new Membership field is never read from a partial row.
 */
export function memberColumnsRead(
  info: Pick<GraphQLResolveInfo, "fragments">,
  nodes: readonly FieldNode[],
): MemberColumns {
  const connection = selectedFieldsBelow(info, nodes, []);
  if (connection.some((field) => !CONNECTION_FIELDS.has(field.name.value))) return ALL_MEMBER_COLUMNS;
  const members = selectedFieldsBelow(info, nodes, ["nodes"]);
  const needed = new Set<MembershipField>(ALWAYS);
  const userNodes: FieldNode[] = [];
  for (const field of members) {
    const reads = READS[field.name.value];
    if (!reads) return ALL_MEMBER_COLUMNS;
    for (const column of reads) needed.add(column);
    if (field.name.value === "user") userNodes.push(field);
  }
  const user: UserField[] | null = userNodes.length === 0 ? [] : userFieldsRead(info, userNodes);
  return {
    membership: MEMBERSHIP_FIELD_NAMES.filter((field) => needed.has(field)),
    user,
    total: connection.some((field) => field.name.value === "totalCount"),
  };
}

const remembered = new WeakMap<readonly FieldNode[], MemberColumns>();

/**
 * memberColumnsRead for the field being resolved. graphql-js and graphql-jit hand every object of a
 * list the same field nodes, so the 50 groups of a page work it out once.
 */
export function memberColumnsOf(info: GraphQLResolveInfo): MemberColumns {
  let columns = remembered.get(info.fieldNodes);
  if (!columns) remembered.set(info.fieldNodes, (columns = memberColumnsRead(info, info.fieldNodes)));
  return columns;
}
