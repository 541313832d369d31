import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLField,
  GraphQLList,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  valueFromAST,
  visit,
  BREAK,
} from "graphql";
import { BadUserInputError } from "./errors";

const VALIDATION_FAILED = { code: "GRAPHQL_VALIDATION_FAILED" };

function isIntrospection(field: FieldNode): boolean {
  return field.name.value === "__schema" || field.name.value === "__type";
}

/**
 * Depth of a selection set: a top-level field is level 1. Introspection is not counted, so tools
 * can read the schema; fragments are followed (with a guard against fragment cycles, which the
 * standard rules reject anyway).
 */
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string> = new Set(),
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (isIntrospection(sel)) continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      max = Math.max(max, depthOf(fragment.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/** Validation rule: operations nested deeper than `maxDepth` levels are refused before execution. */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    }
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Operation is nested ${depth} levels deep; the limit is ${maxDepth}`, {
              nodes: [node],
              extensions: VALIDATION_FAILED,
            }),
          );
        }
      },
    };
  };
}

/** Multiplier assumed for a list field without `first` (e.g. parents, children). */
const DEFAULT_LIST_SIZE = 10;

/** The schema default of a field's `first` argument: the page its resolver serves when first is null or missing. */
function defaultFirst(def: GraphQLField<unknown, unknown>): number | undefined {
  const fallback = def.args.find((a) => a.name === "first")?.defaultValue;
  return typeof fallback === "number" ? fallback : undefined;
}

function isConnectionPage(typeName: string, fieldName: string): boolean {
  return typeName.endsWith("Connection") && (fieldName === "nodes" || fieldName === "edges");
}

/** A cost known from the document alone, or one that depends on the request's variables. */
type Cost = number | ((variables: Record<string, unknown>) => number);

const valueOf = (cost: Cost, variables: Record<string, unknown>) => (typeof cost === "number" ? cost : cost(variables));

function usesVariables(node: FieldNode["arguments"]): boolean {
  let found = false;
  if (node) {
    for (const argument of node) {
      visit(argument.value, {
        Variable() {
          found = true;
          return BREAK;
        },
      });
    }
  }
  return found;
}

/**
 * An operation's cost as a number when no multiplier reads a variable (the usual case: literal
 * `first` values), else as a function of the variables that re-evaluates only the multipliers that
 * read them. Built once per operation node: Apollo Server keeps each parsed, validated document
 * and hands the same node to every request for it.
 */
function compileCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Cost {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  }
  const rootType =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) return 0;

  const fieldDef = (typeName: string, name: string): GraphQLField<unknown, unknown> | undefined => {
    const type = schema.getType(typeName);
    return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
  };

  const argValue = (
    field: FieldNode,
    def: GraphQLField<unknown, unknown>,
    name: string,
    variables: Record<string, unknown>,
  ): unknown => {
    const argDef = def.args.find((a) => a.name === name);
    const node = field.arguments?.find((a) => a.name.value === name);
    if (!argDef) return undefined;
    if (!node) return argDef.defaultValue;
    return valueFromAST(node.value, argDef.type, variables);
  };

  const multiplierOf = (
    sel: FieldNode,
    def: GraphQLField<unknown, unknown>,
    typeName: string,
    variables: Record<string, unknown>,
  ): number => {
    const first = argValue(sel, def, "first", variables);
    if (typeof first === "number") return Math.max(first, 1);
    // `first: null` or a `$first` left out: the resolver serves its default page (the schema
    // default, which every resolver uses as its fallback), so that is what it costs.
    if (typeof defaultFirst(def) === "number") return Math.max(defaultFirst(def)!, 1);
    if (sel.name.value === "_entities") {
      const reps = argValue(sel, def, "representations", variables);
      return Array.isArray(reps) ? Math.max(reps.length, 1) : DEFAULT_LIST_SIZE;
    }
    // A connection's nodes/edges are the page its `first` already paid for.
    if (getNullableType(def.type) instanceof GraphQLList && !isConnectionPage(typeName, sel.name.value)) {
      return DEFAULT_LIST_SIZE;
    }
    return 1;
  };

  const costOf = (set: SelectionSetNode | undefined, typeName: string, seen: Set<string>): Cost => {
    if (!set) return 0;
    let fixed = 0;
    const varying: ((variables: Record<string, unknown>) => number)[] = [];
    const add = (cost: Cost) => (typeof cost === "number" ? (fixed += cost) : varying.push(cost));
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith("__")) continue;
        const def = fieldDef(typeName, sel.name.value);
        if (!def) {
          fixed += 1;
          continue;
        }
        const named = getNamedType(def.type);
        const childCost = isCompositeType(named) ? costOf(sel.selectionSet, named.name, seen) : 0;
        if (!usesVariables(sel.arguments)) {
          const multiplier = multiplierOf(sel, def, typeName, {});
          add(typeof childCost === "number" ? 1 + multiplier * childCost : (v) => 1 + multiplier * childCost(v));
        } else {
          add((v) => 1 + multiplierOf(sel, def, typeName, v) * valueOf(childCost, v));
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        add(costOf(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, seen));
      } else {
        const name = sel.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue;
        add(costOf(fragment.selectionSet, fragment.typeCondition.name.value, new Set([...seen, name])));
      }
    }
    if (!varying.length) return fixed;
    return (variables) => varying.reduce((total, cost) => total + cost(variables), fixed);
  };
  return costOf(operation.selectionSet, rootType.name, new Set());
}

/** Compiled costs by operation node (each node belongs to one document), for the schema they were built against. */
const compiledCosts = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; cost: Cost }>();

/**
 * The cost of an operation: every field costs 1, and what is selected under a list field is
 * multiplied by its `first` argument (its default when not given), or by DEFAULT_LIST_SIZE for
 * lists without one (a connection's nodes/edges count once: `first` already sized the page); `_entities` multiplies by its number of representations.
 * The walk over the document happens once per operation node (see compileCost); a request then
 * costs a lookup, plus re-reading the multipliers that come from its variables.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  let compiled = compiledCosts.get(operation);
  if (!compiled || compiled.schema !== schema) {
    compiled = { schema, cost: compileCost(schema, document, operation) };
    compiledCosts.set(operation, compiled);
  }
  return valueOf(compiled.cost, variables);
}

export function costLimitError(cost: number, budget: number): GraphQLError {
  return new GraphQLError(
    `Operation cost ${cost} exceeds the budget of ${budget}; ask for fewer items (lower first) or fewer nested lists`,
    { extensions: { ...VALIDATION_FAILED, cost, budget, http: { status: 400 } } },
  );
}

/**
 * Tokens a document may have: graphql-js stops parsing beyond it, so a megabyte of repeated fields
 * never reaches validation (whose overlapping-fields check grows with the square of the fields).
 */
export const MAX_DOCUMENT_TOKENS = 10_000;

/** Aliased fields an operation may have (each alias can re-run a resolver). */
export const MAX_ALIASES = 100;

/**
 * Validation rule: more than MAX_ALIASES aliased fields in one document are refused.
 *
 * An aliased `_entities` at the root is not counted: that is how a router batches the entity
 * fetches of one plan step into one request (Hive Gateway sends `_v0__entities: _entities(...)`,
 * `_v1__entities: ...`, one per distinct selection), so a client operation with 99 aliases of its
 * own could become a fetch with more than 100. Each `_entities` is still priced by the cost rule
 * (by its representations), and the document's size by MAX_DOCUMENT_TOKENS.
 */
export function aliasLimitRule(context: ValidationContext): ASTVisitor {
  let aliases = 0;
  return {
    Field(node) {
      if (!node.alias) return;
      if (node.name.value === "_entities" && context.getParentType() === context.getSchema().getQueryType()) return;
      if (++aliases === MAX_ALIASES + 1) {
        context.reportError(
          new GraphQLError(`Too many aliases: at most ${MAX_ALIASES} aliased fields per operation`, {
            nodes: [node],
            extensions: VALIDATION_FAILED,
          }),
        );
      }
    },
  };
}

/**
 * The subscriptions one graphql-ws connection holds, capped (MAX_SUBSCRIPTIONS_PER_CONNECTION):
 * each one is a buffer and a per-event authorization check, and 1,100 on one socket made 20
 * updates take 30-50 s to arrive. graphql-ws keeps the id of every open operation in its context's
 * `subscriptions` and drops it however the operation ends (completed by the client or the server,
 * failed, socket closed), so it decides when a slot is free; this only remembers which of those
 * ids are subscriptions (a query over the socket holds no slot).
 *
 * BAD_USER_INPUT, not RATE_LIMITED: waiting does not help (RATE_LIMITED promises a retry after
 * `retryAfter` seconds), the client has to complete a subscription or ask for less (one
 * `groupEvents` with `includeDescendants` or `groupId: null` covers many groups), as with
 * MAX_GROUPS_PER_USER.
 */
export class SubscriptionSlots {
  private readonly held = new Set<string>();

  constructor(private readonly max: number) {}

  /**
   * Admits operation `id` (just subscribed, already among graphql-ws's `open` ids): a refusal when
   * it is a subscription and every slot is taken by a subscription still open, else undefined.
   */
  admit(id: string, isSubscription: boolean, open: Readonly<Record<string, unknown>>): GraphQLError | undefined {
    // An id is unique among open operations only: a client may reuse a finished one.
    this.held.delete(id);
    if (!isSubscription) return undefined;
    for (const heldId of this.held) if (!(heldId in open)) this.held.delete(heldId);
    if (this.held.size >= this.max) {
      return new BadUserInputError(
        `This connection already holds ${this.held.size} subscriptions, the most one connection may ` +
          `(MAX_SUBSCRIPTIONS_PER_CONNECTION=${this.max}); complete one first, or subscribe to more at ` +
          `once (groupEvents with includeDescendants or groupId: null)`,
      );
    }
    this.held.add(id);
    return undefined;
  }
}
