import fs from "node:fs";
import path from "node:path";
import {
  buildASTSchema,
  type DocumentNode,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  parse,
  print,
  type ValueNode,
} from "graphql";
import { buildGroupsSubgraph, SCHEMA_FILE_HEADER } from "../src/federation";

const CONTRACT = path.resolve(__dirname, "../../shared/design/contract.graphql");
const SCHEMA_FILE = path.resolve(__dirname, "../schema.graphql");

/**
 * Contract parts not built yet, each with the issue that builds it. This list only shrinks: a
 * name here that the schema already has fails the test, so it cannot go stale.
 */
const PENDING: Record<string, string> = {};

function buildLoose(document: DocumentNode) {
  return buildASTSchema(document, { assumeValidSDL: true, assumeValid: true });
}

function typeString(t: { toString(): string }): string {
  return t.toString();
}

function defaultOf(node: { defaultValue?: ValueNode } | undefined | null): string | undefined {
  return node?.defaultValue ? print(node.defaultValue) : undefined;
}

/** Every way in which `actual` fails to cover `expected`, skipping PENDING names. */
function coverageProblems(
  expectedDoc: DocumentNode,
  actualDoc: DocumentNode,
): { problems: string[]; pendingPresent: string[] } {
  const expected = buildLoose(expectedDoc);
  const actual = buildLoose(actualDoc);
  const problems: string[] = [];
  const pendingPresent: string[] = [];
  const pending = (name: string, present: boolean) => {
    if (!(name in PENDING)) return false;
    if (present) pendingPresent.push(name);
    return true;
  };
  for (const type of Object.values(expected.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith("__")) continue;
    const mine = actual.getType(type.name);
    if (pending(type.name, !!mine)) continue;
    if (!mine) {
      problems.push(`missing type ${type.name}`);
      continue;
    }
    if (mine.constructor !== type.constructor) problems.push(`${type.name} has another kind`);
    if (isScalarType(type)) continue;
    if (isEnumType(type) && isEnumType(mine)) {
      for (const v of type.getValues()) if (!mine.getValue(v.name)) problems.push(`enum ${type.name} lacks ${v.name}`);
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(mine) || isInterfaceType(mine))) {
      const myFields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        const myField = myFields[field.name];
        if (pending(name, !!myField)) continue;
        if (!myField) {
          problems.push(`missing field ${name}`);
          continue;
        }
        if (typeString(myField.type) !== typeString(field.type)) {
          problems.push(`${name} is ${typeString(myField.type)}, contract says ${typeString(field.type)}`);
        }
        for (const arg of field.args) {
          const myArg = myField.args.find((a) => a.name === arg.name);
          if (!myArg) problems.push(`missing argument ${name}(${arg.name})`);
          else {
            if (typeString(myArg.type) !== typeString(arg.type))
              problems.push(`${name}(${arg.name}) has type ${typeString(myArg.type)}`);
            if (defaultOf(myArg.astNode) !== defaultOf(arg.astNode)) {
              problems.push(
                `${name}(${arg.name}) default ${defaultOf(myArg.astNode)}, contract ${defaultOf(arg.astNode)}`,
              );
            }
          }
        }
        for (const myArg of myField.args) {
          if (
            !field.args.some((a) => a.name === myArg.name) &&
            myArg.type.toString().endsWith("!") &&
            myArg.defaultValue === undefined
          ) {
            problems.push(`${name}(${myArg.name}) is a new required argument`);
          }
        }
      }
      if (isObjectType(type) && isObjectType(mine)) {
        const keys = (t: typeof type) =>
          (t.astNode?.directives ?? []).filter((d) => d.name.value === "key").map((d) => print(d));
        for (const key of keys(type)) if (!keys(mine).includes(key)) problems.push(`${type.name} lacks ${key}`);
      }
    }
    if (isInputObjectType(type) && isInputObjectType(mine)) {
      const myFields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const myField = myFields[field.name];
        if (!myField) problems.push(`missing input field ${type.name}.${field.name}`);
        else {
          if (typeString(myField.type) !== typeString(field.type))
            problems.push(`${type.name}.${field.name} has type ${typeString(myField.type)}`);
          if (defaultOf(myField.astNode) !== defaultOf(field.astNode)) {
            problems.push(
              `${type.name}.${field.name} default ${defaultOf(myField.astNode)}, contract ${defaultOf(field.astNode)}`,
            );
          }
        }
      }
    }
  }
  return { problems, pendingPresent };
}

describe("schema.graphql", () => {
  let sdl: string;
  beforeAll(async () => {
    sdl = (await buildGroupsSubgraph()).sdl;
  });

  it("is exactly what the code generates (run `npm run schema` after changing the code)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(SCHEMA_FILE_HEADER + sdl + "\n");
  });

  it("covers every type, field, argument and default of the contract (minus the pending list)", () => {
    const { problems } = coverageProblems(parse(fs.readFileSync(CONTRACT, "utf8")), parse(sdl));
    expect(problems).toEqual([]);
  });

  it("has no stale entry in the pending list", () => {
    const { pendingPresent } = coverageProblems(parse(fs.readFileSync(CONTRACT, "utf8")), parse(sdl));
    expect(pendingPresent).toEqual([]);
  });

  it("detects a dropped field, a changed default and a missing argument (the checker itself works)", () => {
    const contract = parse(`type Query { a(x: Int = 1): Int, b: String } type Group @key(fields: "id") { id: ID! }`);
    const broken = parse(`type Query { a(x: Int = 2): Int } type Group { id: ID! }`);
    const { problems } = coverageProblems(contract, broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        "missing field Query.b",
        "Query.a(x) default 2, contract 1",
        'Group lacks @key(fields: "id")',
      ]),
    );
  });
});
