import type { FieldNode, GraphQLResolveInfo } from "graphql";
import { reviveDates } from "../shared/json-rows";
import { selectedFieldsBelow } from "../shared/selection";
import type { User } from "./user.entity";
import { USER_FIELD_NAMES } from "./user.store";

/**
 * Users read with only the columns a selection asks for (a page of members' users: see
 * memberships/member-columns.ts). Such a partial user never enters usersById, whose users are
 * whole: it rides on the row that brought it (embedUsers), and only that row's `user` field answers
 * with it, for exactly the selection it was read for.
 */

export type UserField = keyof User;

/** What each field of User reads of the row besides `id` (always read). */
const READS: Record<string, readonly UserField[]> = {
  __typename: [],
  id: [],
  name: ["name"],
  email: ["email"], // visibleEmail: the address, and the id for the rule
  isGlobalAdmin: ["isGlobalAdmin"],
  createdAt: ["createdAt"],
  updatedAt: ["updatedAt"],
  erasedAt: [], // its own loader, by id
};

/**
 * The User row fields the selections of `nodes` (User-typed fields) read, `id` always, in
 * column-map order; null when one of them is not listed in READS (a relation of another domain
 * may need more than the id: the whole row is read).
 */
export function userFieldsRead(
  info: Pick<GraphQLResolveInfo, "fragments">,
  nodes: readonly FieldNode[],
): UserField[] | null {
  const needed = new Set<UserField>(["id"]);
  for (const node of selectedFieldsBelow(info, nodes, [])) {
    const reads = READS[node.name.value];
    if (!reads) return null;
    for (const field of reads) needed.add(field);
  }
  return USER_FIELD_NAMES.filter((field) => needed.has(field));
}

const EMBEDDED = Symbol("user");
const TIMESTAMPS: readonly UserField[] = ["createdAt", "updatedAt"];

/**
 * Sets each row's partial user from its prefixed columns (`fields` of them but the id, read with
 * userColumnsPrefixed(prefix, fields) or userJsonPairs), its id from `idKey` (a membership's
 * `userId`: the id is not sent twice); a row without a user id gets none.
 * `fromJson`: the row was built as JSON by PostgreSQL, so its timestamps are text and become Dates.
 */
export function embedUsers(
  rows: readonly Record<string | symbol, unknown>[],
  prefix: string,
  fields: readonly UserField[],
  fromJson: boolean,
  idKey: string,
): void {
  const keys = fields.filter((field) => field !== "id").map((field) => [field, prefix + field] as const);
  if (fromJson)
    reviveDates(
      rows,
      TIMESTAMPS.filter((f) => fields.includes(f)).map((f) => prefix + f),
    );
  for (const row of rows) {
    const id = row[idKey];
    if (typeof id !== "string") continue;
    const user: Record<string, unknown> = { id };
    for (const [field, key] of keys) user[field] = row[key];
    row[EMBEDDED] = user;
  }
}

/** The partial user embedUsers set on this row, if any. */
export function embeddedUser(row: object): User | undefined {
  return (row as Record<symbol, User | undefined>)[EMBEDDED];
}
