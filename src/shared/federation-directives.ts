/**
 * Federation directives the resolvers put on their fields, arguments and types with TypeGraphQL's
 * `@Directive(...)` (the @link in src/federation/schema.ts imports them): one spelling each, so a
 * new field copies a name, not a string. README "Composing into a supergraph" explains them.
 */

/**
 * The public surface, for contract variants (`--include-tag public`). Put on every Query, Mutation
 * and Subscription field of the contract; src/federation/schema.ts then tags each type those fields
 * reach (a tagged object type makes all its fields public, so a field that must stay out of the
 * contract belongs on a type no public field reaches, or gets a tag the contract excludes).
 */
export const PUBLIC = '@tag(name: "public")';

/**
 * How many items the service's own cost model (src/shared/limits.ts) assumes a list without
 * `first` holds; test/federation-directives.test.ts checks that limits.ts still counts this.
 */
export const ASSUMED_LIST_SIZE = 10;

/**
 * @listSize of a connection paged by `first`: its `sizedFields` lists hold `first` items (the
 * argument's default when left out), as limits.ts counts them: a connection's `nodes`/`edges` cost
 * once under the `first` that sized the page.
 */
export function pagedByFirst(sizedFields: readonly ("nodes" | "edges")[] = ["nodes"]): string {
  const fields = sizedFields.map((f) => `"${f}"`).join(", ");
  return `@listSize(slicingArguments: ["first"], sizedFields: [${fields}], requireOneSlicingArgument: false)`;
}

/** @listSize of a list of objects without `first`: ASSUMED_LIST_SIZE items, as limits.ts counts it. */
export const UNPAGED_LIST = `@listSize(assumedSize: ${ASSUMED_LIST_SIZE})`;

/**
 * @cost of a field (or argument, input field) whose resolution walks the group hierarchy or scans
 * a table beyond what it returns: priced as one unpaged list of ASSUMED_LIST_SIZE objects, the
 * cost model's measure of "a number of rows it cannot know". Only a router's estimate reads it:
 * limits.ts prices these fields by their selection alone.
 */
export const WALKS_ROWS = `@cost(weight: ${ASSUMED_LIST_SIZE})`;
