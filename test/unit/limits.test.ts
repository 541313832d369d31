import {
  buildSchema,
  type DocumentNode,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { costLimitError, depthLimitRule, operationCost } from "../../src/shared/limits";

const schema = buildSchema(`
  scalar _Any

  type Query {
    node: Node
    "a list with a default page size"
    list(first: Int = 5): [Node!]!
    "a list without a first argument"
    plain: [Node!]!
    _entities(representations: [_Any!]!): [_Entity]!
    page(first: Int = 50): NodeConnection!
  }

  type NodeConnection {
    nodes: [Node!]!
    edges: [NodeEdge!]!
    totalCount: Int!
  }

  type NodeEdge {
    node: Node!
  }

  type Mutation {
    make(first: Int): [Node!]!
  }

  type Node {
    id: ID!
    name: String
    child: Node
    items(first: Int): [Node!]!
  }

  type Other {
    id: ID!
  }

  union _Entity = Node | Other
`);

/** Depth errors only (other rules would mask what this rule does, e.g. for fragment cycles). */
function depthErrors(source: string, maxDepth: number, withStandardRules = true): readonly GraphQLError[] {
  const rules = withStandardRules ? [...specifiedRules, depthLimitRule(maxDepth)] : [depthLimitRule(maxDepth)];
  return validate(schema, parse(source), rules).filter((e) => /levels deep/.test(e.message));
}

/** `child { ... }` nested `levels` times around `inner`. */
const nestChild = (levels: number, inner = "id") =>
  Array.from({ length: levels }).reduce<string>((acc) => `child { ${acc} }`, inner);

function operation(document: DocumentNode, name?: string): OperationDefinitionNode {
  const op = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (name === undefined || d.name?.value === name),
  );
  if (!op) throw new Error(`no operation ${name ?? ""}`);
  return op;
}

function cost(source: string, variables: Record<string, unknown> = {}, operationName?: string): number {
  const document = parse(source);
  expect(validate(schema, document)).toEqual([]); // the cost of a valid operation only
  return operationCost(schema, document, operation(document, operationName), variables);
}

describe("depthLimitRule", () => {
  it("counts a top-level field as level 1", () => {
    expect(depthErrors("{ node { id } }", 2)).toEqual([]);
    expect(depthErrors("{ node { id } }", 1)).toHaveLength(1);
    expect(depthErrors("{ plain { id } }", 1)).toHaveLength(1);
  });

  it("accepts exactly the limit and refuses one more", () => {
    // node(1) child x3 (2..4) id(5)
    expect(depthErrors(`{ node { ${nestChild(3)} } }`, 5)).toEqual([]);
    // node(1) child x4 (2..5) id(6)
    const errors = depthErrors(`{ node { ${nestChild(4)} } }`, 5);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe("Operation is nested 6 levels deep; the limit is 5");
    expect(errors[0]!.extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("points at the operation", () => {
    const [error] = depthErrors(`query Deep { node { ${nestChild(4)} } }`, 3);
    expect(error!.nodes?.[0]?.kind).toBe(Kind.OPERATION_DEFINITION);
    expect(error!.locations).toEqual([{ line: 1, column: 1 }]);
  });

  it("measures the deepest branch, not the first or the sum", () => {
    const query = `{ node { id child { id } } list { ${nestChild(3)} } plain { id } }`;
    // deepest: list(1) child x3 (2..4) id(5)
    expect(depthErrors(query, 5)).toEqual([]);
    expect(depthErrors(query, 4)).toHaveLength(1);
    expect(depthErrors(query, 4)[0]!.message).toMatch(/nested 5 levels deep/);
  });

  it("follows named fragments, also nested ones", () => {
    const query = `
      { node { ...A } }
      fragment A on Node { child { ...B } }
      fragment B on Node { child { child { id } } }
    `;
    // node(1) child(2) child(3) child(4) id(5)
    expect(depthErrors(query, 5)).toEqual([]);
    expect(depthErrors(query, 4)[0]!.message).toMatch(/nested 5 levels deep/);
  });

  it("follows inline fragments without counting them as a level", () => {
    const query = `{ node { ... on Node { child { ... { id } } } } }`;
    // node(1) child(2) id(3)
    expect(depthErrors(query, 3)).toEqual([]);
    expect(depthErrors(query, 2)).toHaveLength(1);
  });

  it("does not count introspection", () => {
    const introspection = `{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }`;
    expect(depthErrors(introspection, 1)).toEqual([]);
    expect(depthErrors(`{ __type(name: "Node") { fields { type { ofType { name } } } } }`, 1)).toEqual([]);
    // ... but still counts the rest of the operation beside it
    expect(depthErrors(`{ __schema { types { name } } node { child { id } } }`, 2)).toHaveLength(1);
  });

  it("checks each operation of a document on its own", () => {
    const document = `
      query Shallow { node { id } }
      query Deep { node { ${nestChild(3)} } }
    `;
    const errors = depthErrors(document, 3);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.locations).toEqual([{ line: 3, column: 7 }]);
  });

  it("terminates on fragment cycles (which other rules reject)", () => {
    const cyclic = `
      { node { ...A } }
      fragment A on Node { child { ...B } }
      fragment B on Node { child { ...A } }
    `;
    // No infinite recursion; depth counted until the cycle: node(1) child(2) child(3) child(4)... stops.
    expect(() => depthErrors(cyclic, 100, false)).not.toThrow();
    expect(depthErrors(cyclic, 100, false)).toEqual([]);
    expect(depthErrors(cyclic, 2, false)).toHaveLength(1);
  });

  it("ignores spreads of undefined fragments (other rules report those)", () => {
    expect(() => depthErrors("{ node { ...Missing } }", 5, false)).not.toThrow();
    expect(depthErrors("{ node { ...Missing } }", 5, false)).toEqual([]);
  });
});

describe("operationCost", () => {
  it("costs 1 per field", () => {
    expect(cost("{ node { id name } }")).toBe(3);
    expect(cost("{ node { id child { id } } }")).toBe(4);
  });

  it("multiplies what is under a list by its first", () => {
    // list(1) + 3 * id(1)
    expect(cost("{ list(first: 3) { id } }")).toBe(4);
    expect(cost("{ list(first: 3) { id name } }")).toBe(7);
  });

  it("uses the argument's default when first is not given", () => {
    expect(cost("{ list { id } }")).toBe(1 + 5 * 1);
  });

  it("multiplies a list without a first argument by 10", () => {
    expect(cost("{ plain { id } }")).toBe(1 + 10 * 1);
  });

  it("multiplies nested lists", () => {
    // list(1) + 3 * (items(1) + 4 * id(1))
    expect(cost("{ list(first: 3) { items(first: 4) { id } } }")).toBe(1 + 3 * (1 + 4 * 1));
    expect(cost("{ list(first: 100) { items(first: 100) { id } } }")).toBe(1 + 100 * (1 + 100 * 1));
  });

  it("reads first from variables", () => {
    const query = "query Q($n: Int) { list(first: $n) { id } }";
    expect(cost(query, { n: 7 })).toBe(1 + 7);
    expect(cost(query, { n: 70 })).toBe(1 + 70);
  });

  it("costs first: null, or a $first variable left out, as the default page (what the resolver serves)", () => {
    expect(cost("{ list(first: null) { id } }")).toBe(1 + 5 * 1);
    expect(cost("query Q($n: Int) { list(first: $n) { id } }", {})).toBe(1 + 5 * 1);
    expect(cost("query Q($n: Int) { list(first: $n) { id } }", { n: null })).toBe(1 + 5 * 1);
  });

  it("counts first: 0 as 1, not as free", () => {
    expect(cost("{ list(first: 0) { id name } }")).toBe(1 + 1 * 2);
  });

  it("follows named fragments, and costs them like the same fields written inline", () => {
    const inline = cost("{ list(first: 3) { id child { id } } }");
    const spread = cost("{ list(first: 3) { ...F } } fragment F on Node { id child { id } }");
    expect(spread).toBe(inline);
    expect(spread).toBe(1 + 3 * (1 + 2));
  });

  it("counts a fragment once per spread", () => {
    expect(cost("{ a: node { ...F } b: node { ...F } } fragment F on Node { id name }")).toBe(2 * (1 + 2));
  });

  it("follows inline fragments", () => {
    expect(cost("{ list(first: 2) { ... on Node { id name } } }")).toBe(1 + 2 * 2);
  });

  it("does not count introspection or __typename", () => {
    expect(cost("{ __schema { types { name fields { name } } } node { id } }")).toBe(2);
    expect(cost('{ __type(name: "Node") { name } }')).toBe(0);
    expect(cost("{ node { __typename id } }")).toBe(2);
  });

  it("multiplies _entities by its number of representations", () => {
    const query = "query E($r: [_Any!]!) { _entities(representations: $r) { ... on Node { id name } } }";
    expect(cost(query, { r: [{}, {}, {}] })).toBe(1 + 3 * 2);
    expect(cost(query, { r: Array.from({ length: 40 }, () => ({})) })).toBe(1 + 40 * 2);
  });

  it("costs the operation asked for, with the mutation type for a mutation", () => {
    const document = "query Cheap { node { id } } mutation Big { make(first: 20) { id name } }";
    expect(cost(document, {}, "Cheap")).toBe(2);
    expect(cost(document, {}, "Big")).toBe(1 + 20 * 2);
  });
});

describe("operationCost on a document seen again (computed once per operation node)", () => {
  it("answers each request's variables, not the first request's", () => {
    const document = parse("query Q($n: Int, $m: Int) { list(first: $n) { id items(first: $m) { id } } plain { id } }");
    const op = operation(document);
    expect(operationCost(schema, document, op, { n: 2, m: 3 })).toBe(1 + 2 * (1 + 1 + 3 * 1) + (1 + 10 * 1));
    expect(operationCost(schema, document, op, { n: 400, m: 400 })).toBe(1 + 400 * (1 + 1 + 400) + (1 + 10 * 1));
    // Both left out: list serves its default page (5), items has no default, so it costs as a plain list (10).
    expect(operationCost(schema, document, op, {})).toBe(1 + 5 * (1 + 1 + 10 * 1) + (1 + 10 * 1));
    expect(operationCost(schema, document, op, { n: 2, m: 3 })).toBe(1 + 2 * (1 + 1 + 3 * 1) + (1 + 10 * 1));
  });

  it("re-reads a variable under a literal multiplier, and a varying number of representations", () => {
    const nested = parse("query Q($m: Int) { list(first: 3) { items(first: $m) { id } } }");
    expect(operationCost(schema, nested, operation(nested), { m: 1 })).toBe(1 + 3 * (1 + 1));
    expect(operationCost(schema, nested, operation(nested), { m: 100 })).toBe(1 + 3 * (1 + 100));
    const entities = parse("query E($r: [_Any!]!) { _entities(representations: $r) { ... on Node { id } } }");
    expect(operationCost(schema, entities, operation(entities), { r: [{}] })).toBe(1 + 1);
    expect(operationCost(schema, entities, operation(entities), { r: [{}, {}, {}, {}] })).toBe(1 + 4);
  });

  it("gives the same cost from the cache as from a fresh parse", () => {
    const source = "{ list(first: 3) { ...F } page(first: 7) { nodes { id } } } fragment F on Node { id child { id } }";
    const document = parse(source);
    const first = operationCost(schema, document, operation(document), {});
    expect(operationCost(schema, document, operation(document), {})).toBe(first);
    expect(cost(source)).toBe(first);
  });

  it("costs the same document against another schema by that schema", () => {
    const other = buildSchema("type Query { list(first: Int = 9): [Item!]! } type Item { id: ID! }");
    const document = parse("{ list { id } }");
    expect(operationCost(schema, document, operation(document), {})).toBe(1 + 5 * 1);
    expect(operationCost(other, document, operation(document), {})).toBe(1 + 9 * 1);
  });
});

describe("costLimitError", () => {
  it("is GRAPHQL_VALIDATION_FAILED with cost and budget", () => {
    const error = costLimitError(123, 100);
    expect(error.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: 123, budget: 100 });
    expect(error.message).toMatch(/123 exceeds the budget of 100/);
  });
});

describe("operationCost on connections", () => {
  it("counts a connection's nodes and edges once: its first already sized the page", () => {
    // page: 1 + 20 * (nodes: 1 + 1 * (id: 1)) = 41
    expect(cost("{ page(first: 20) { nodes { id } } }")).toBe(41);
    // edges and totalCount: 1 + 20 * ((1 + (1 + 1)) + 1) = 81
    expect(cost("{ page(first: 20) { edges { node { id } } totalCount } }")).toBe(81);
    // a list inside without first still multiplies by 10: 1 + 2 * (1 + (1 + 10 * 1)) = 25
    expect(cost("{ page(first: 2) { nodes { items { id } } } }")).toBe(25);
  });
});
