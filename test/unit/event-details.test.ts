import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import {
  getNamedType,
  type GraphQLSchema,
  isInputObjectType,
  isLeafType,
  isObjectType,
  isUnionType,
  parse,
  validate,
  visit,
} from "graphql";
import { detailsOf, detailsTypeOf, EventType } from "../../src/events";
import { BUILT_NEXT_BLOCKS, buildGroupsSubgraph, contractProblems, contractSoFar } from "../../src/federation";

/**
 * GroupEvent.details has one type per EventType, named by the rule, for every value of the enum
 * (read from the enum itself, so a new event type fails here until it has its details type).
 */

const pascal = (type: string) =>
  type
    .toLowerCase()
    .split("_")
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");

describe("event details types", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    ({ schema } = await buildGroupsSubgraph());
  });

  const union = () => {
    const type = schema.getType("GroupEventDetails");
    if (!isUnionType(type)) throw new Error("GroupEventDetails is not a union");
    return type;
  };

  it("has a details type for every EventType, named as the type in PascalCase plus Details, and no other", () => {
    const types = Object.values(EventType);
    expect(types.length).toBeGreaterThanOrEqual(13);
    const expected = types.map((type) => `${pascal(type)}Details`);
    expect(expected).toContain("MemberRoleChangedDetails");
    // The reader of each type exists and its details resolve to the type of that name.
    expect(types.map((type) => detailsTypeOf(type)?.name ?? `${type}: none`)).toEqual(expected);
    expect(types.map((type) => detailsOf({ type, userId: null }, {})?.eventType)).toEqual(types);
    expect(
      union()
        .getTypes()
        .map((t) => t.name)
        .sort(),
    ).toEqual([...expected].sort());
  });

  it("answers null for a type this release does not know (a newer replica's event)", () => {
    expect(detailsOf({ type: "SOMETHING_NEW" as EventType, userId: null }, { a: 1 })).toBeNull();
  });

  it("lets a client select every field of every details type in one operation (same name, same type)", () => {
    // Every leaf field; of an object field, its id (User, Group) or its own fields (GroupFieldValues).
    const selection = (typeName: string): string => {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      return Object.values(type.getFields())
        .map((field) => {
          const named = getNamedType(field.type);
          if (isLeafType(named)) return field.name;
          return `${field.name} { ${named.name === "User" || named.name === "Group" ? "id" : selection(named.name)} }`;
        })
        .join(" ");
    };
    const fragments = union()
      .getTypes()
      .map((t) => `... on ${t.name} { ${selection(t.name)} }`)
      .join("\n");
    const document = parse(`{ events(first: 1) { nodes { details { __typename ${fragments} } } } }`);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  });

  it("types the before/after values of every field an update may change", () => {
    const input = schema.getType("UpdateGroupInput");
    const values = schema.getType("GroupFieldValues");
    if (!isInputObjectType(input) || !isObjectType(values)) throw new Error("missing types");
    const missing = Object.keys(input.getFields()).filter((field) => !values.getFields()[field]);
    expect(missing).toEqual([]);
  });
});

describe("the contract's typed-payloads part", () => {
  const read = (name: string) => fs.readFileSync(path.resolve(__dirname, `../../docs/contract/${name}`), "utf8");
  const PART = "time and history: Typed payloads";

  it("is covered: GroupEvent.details of a type GroupEventDetails (built ahead of the rest of its block)", async () => {
    expect(BUILT_NEXT_BLOCKS).toContain(PART);
    const expected = contractSoFar(read("contract.graphql"), read("contract-next.graphql"), [PART]);
    const sdl = parse((await buildGroupsSubgraph()).sdl);
    expect(contractProblems(expected, sdl)).toEqual([]);
    // Without the field, or without the union, the schema falls short of the part.
    const withoutDetails = visit(sdl, {
      ObjectTypeDefinition: (node) =>
        node.name.value === "GroupEvent"
          ? { ...node, fields: node.fields?.filter((f) => f.name.value !== "details") }
          : undefined,
    });
    expect(contractProblems(expected, withoutDetails)).toEqual(["missing field GroupEvent.details"]);
    const withoutUnion = visit(withoutDetails, {
      UnionTypeDefinition: (node) => (node.name.value === "GroupEventDetails" ? null : undefined),
    });
    expect(contractProblems(expected, withoutUnion).sort()).toEqual([
      "missing field GroupEvent.details",
      "missing type GroupEventDetails",
    ]);
  });

  it("refuses a part its block does not have", () => {
    expect(() =>
      contractSoFar(read("contract.graphql"), read("contract-next.graphql"), ["time and history: No such part"]),
    ).toThrow('has no part "No such part"');
  });
});
