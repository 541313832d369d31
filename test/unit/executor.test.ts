import "reflect-metadata";
import { parse } from "graphql";
import { compiledExecutor } from "../../src/executor";
import { buildGroupsSubgraph } from "../../src/federation";

/**
 * The compiled executor (graphql-jit) on the real schema, without a database: documents are
 * compiled once and reused, and graphql-js answers what graphql-jit would answer differently.
 */
describe("compiledExecutor", () => {
  let executor: ReturnType<typeof compiledExecutor>;
  beforeAll(async () => {
    executor = compiledExecutor((await buildGroupsSubgraph()).schema);
  });

  const run = (query: string, variables?: Record<string, unknown>) =>
    executor.execute({
      document: parse(query),
      operationName: undefined,
      variables,
      contextValue: {},
      key: query,
    });

  it("compiles a document once and reuses it", async () => {
    const before = executor.stats().compiled;
    expect(await run("{ __typename }")).toEqual({ data: { __typename: "Query" } });
    expect(await run("{ __typename }")).toEqual({ data: { __typename: "Query" } });
    expect(executor.stats().compiled).toBe(before + 1);
  });

  it("answers _entities through graphql-js", async () => {
    const before = executor.stats();
    const result = await run(`{ _entities(representations: []) { __typename } }`);
    expect(result).toEqual({ data: { _entities: [] } });
    expect(executor.stats()).toEqual({ compiled: before.compiled, fallbacks: before.fallbacks + 1 });
  });

  it("words variable coercion errors as graphql-js does, with locations", async () => {
    const result = await run("query ($n: Int) { groups(first: $n) { totalCount } }", { n: "many" });
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toBe(
      'Variable "$n" got invalid value "many"; Int cannot represent non-integer value: "many"',
    );
    expect(result.errors![0]!.locations).toEqual([{ line: 1, column: 8 }]);
  });
});
