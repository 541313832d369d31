import fs from "node:fs";
import path from "node:path";
import { parse } from "graphql";
import { buildGroupsSubgraph, contractProblems, SCHEMA_FILE_HEADER } from "../src/federation";

const CONTRACT = path.resolve(__dirname, "../../shared/design/contract.graphql");
const SCHEMA_FILE = path.resolve(__dirname, "../schema.graphql");

describe("schema.graphql", () => {
  let sdl: string;
  beforeAll(async () => {
    sdl = (await buildGroupsSubgraph()).sdl;
  });

  it("is exactly what the code generates (run `npm run schema` after changing the code)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(SCHEMA_FILE_HEADER + sdl + "\n");
  });

  it("covers every type, field, argument and default of the contract", () => {
    expect(contractProblems(parse(fs.readFileSync(CONTRACT, "utf8")), parse(sdl))).toEqual([]);
  });

  it("detects a dropped field, a changed default and a missing argument (the checker itself works)", () => {
    const contract = parse(`type Query { a(x: Int = 1): Int, b: String } type Group @key(fields: "id") { id: ID! }`);
    const broken = parse(`type Query { a(x: Int = 2): Int } type Group { id: ID! }`);
    const problems = contractProblems(contract, broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        "missing field Query.b",
        "Query.a(x) default 2, contract 1",
        'Group lacks @key(fields: "id")',
      ]),
    );
  });
});
