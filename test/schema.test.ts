import fs from "node:fs";
import path from "node:path";
import { parse, visit } from "graphql";
import {
  buildGroupsSubgraph,
  contractProblems,
  contractSoFar,
  nextBlocks,
  SCHEMA_FILE_HEADER,
} from "../src/federation";

// The project's copies of the shared contract files (`npm run contract:check` compares them with the originals).
const CONTRACT = path.resolve(__dirname, "../docs/contract/contract.graphql");
const CONTRACT_NEXT = path.resolve(__dirname, "../docs/contract/contract-next.graphql");
const SCHEMA_FILE = path.resolve(__dirname, "../schema.graphql");

describe("schema.graphql", () => {
  let sdl: string;
  beforeAll(async () => {
    sdl = (await buildGroupsSubgraph()).sdl;
  });

  it("is exactly what the code generates (run `npm run schema` after changing the code)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(SCHEMA_FILE_HEADER + sdl + "\n");
  });

  it("covers every type, field, argument and default of the contract and of the contract-next blocks built so far", () => {
    const expected = contractSoFar(fs.readFileSync(CONTRACT, "utf8"), fs.readFileSync(CONTRACT_NEXT, "utf8"));
    expect(contractProblems(expected, parse(sdl))).toEqual([]);
  });

  it("reads the built contract-next blocks (a block's additions are required once it is listed)", () => {
    const next = fs.readFileSync(CONTRACT_NEXT, "utf8");
    expect([...nextBlocks(next).keys()]).toEqual([
      "the newcomer defects",
      "time and history",
      "access and reach",
      "the supergraph in production",
    ]);
    const expected = contractSoFar(fs.readFileSync(CONTRACT, "utf8"), next, ["the newcomer defects"]);
    expect(contractProblems(expected, parse(sdl))).toEqual([]);
    // The same schema without a field that only the built block asks for falls short of it.
    const withoutEndDate = visit(parse(sdl), {
      InputObjectTypeDefinition: (node) =>
        node.name.value === "AddLeaderInput"
          ? { ...node, fields: node.fields?.filter((f) => f.name.value !== "endDate") }
          : undefined,
    });
    expect(contractProblems(expected, withoutEndDate)).toEqual(["missing input field AddLeaderInput.endDate"]);
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
