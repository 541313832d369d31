import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import {
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isTypeDefinitionNode,
  isTypeExtensionNode,
  isUnionType,
  Kind,
  type ObjectTypeDefinitionNode,
  type OperationDefinitionNode,
  parse,
  print,
  type TypeDefinitionNode,
  type TypeNode,
  valueFromASTUntyped,
} from "graphql";
import { composeSupergraph, exampleSubgraphs, GROUPS } from "../example/supergraph/compose";
import { buildGroupsSubgraph, contractSoFar } from "../src/federation";
import { PUBLIC } from "../src/shared/federation-directives";
import { operationCost } from "../src/shared/limits";

/**
 * The Federation 2.9 directives of the subgraph SDL, read from the SDL itself: @listSize on every
 * list a router's demand control has to size, agreeing with the service's own cost model
 * (src/shared/limits.ts, measured here through operationCost), @cost in the same unit, and the
 * public surface tagged for contract variants.
 */

const CONTRACT = path.resolve(__dirname, "../docs/contract/contract.graphql");
const CONTRACT_NEXT = path.resolve(__dirname, "../docs/contract/contract-next.graphql");
const ROOTS = ["Query", "Mutation", "Subscription"];
const BUILT_IN_SCALARS = new Set(["String", "Int", "Float", "Boolean", "ID"]);
/** Fields @apollo/subgraph adds for routers; not part of the API a client sees. */
const FEDERATION_FIELDS = new Set(["Query._entities", "Query._service"]);

const namedTypeName = (type: TypeNode): string =>
  type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
const isListTypeNode = (type: TypeNode): boolean =>
  type.kind === Kind.LIST_TYPE || (type.kind === Kind.NON_NULL_TYPE && isListTypeNode(type.type));

function directive(node: { directives?: readonly ConstDirectiveNode[] }, name: string) {
  return node.directives?.find((d) => d.name.value === name);
}
function directiveArg(node: ConstDirectiveNode | undefined, name: string): unknown {
  const arg = node?.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value) : undefined;
}
const tagged = (node: { directives?: readonly ConstDirectiveNode[] }) =>
  node.directives?.some((d) => print(d) === PUBLIC) ?? false;

describe("Federation 2.9 directives in the subgraph SDL", () => {
  let sdl: string;
  let doc: DocumentNode;
  let schema: GraphQLSchema;
  let objects: ObjectTypeDefinitionNode[];
  let types: Map<string, TypeDefinitionNode>;

  /** Every field of the API (object types, root types included), with its type's name. */
  const apiFields = () =>
    objects
      .filter((o) => !o.name.value.startsWith("_"))
      .flatMap((o) => (o.fields ?? []).map((field) => ({ type: o.name.value, field })))
      .filter(({ type, field }) => !FEDERATION_FIELDS.has(`${type}.${field.name.value}`));

  const hasFirst = (field: FieldDefinitionNode) => field.arguments?.some((a) => a.name.value === "first") ?? false;

  /** The list fields of a type (what a connection's @listSize sizes). */
  const listFieldsOf = (typeName: string) => {
    const def = types.get(typeName);
    return def?.kind === Kind.OBJECT_TYPE_DEFINITION
      ? (def.fields ?? []).filter((f) => isListTypeNode(f.type)).map((f) => f.name.value)
      : [];
  };

  beforeAll(async () => {
    ({ sdl, schema } = await buildGroupsSubgraph());
    doc = parse(sdl);
    objects = doc.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);
    types = new Map(doc.definitions.filter(isTypeDefinitionNode).map((d) => [d.name.value, d]));
  });

  // ------------------------------------------------------------------ the service's own cost model

  /** A literal for a required argument, or null when none is easy to write (the path avoids it). */
  function literalFor(type: GraphQLInputType): string | null {
    // A list (addMembers' members): an empty one is a valid literal of any list type.
    if (isListType(isNonNullType(type) ? type.ofType : type)) return "[]";
    const named = getNamedType(type);
    if (isEnumType(named)) return named.getValues()[0]!.name;
    if (isInputObjectType(named)) return null;
    const scalar: Record<string, string> = { Int: "1", Float: "1", Boolean: "false", Date: '"2024-01-01"' };
    return scalar[named.name] ?? '"00000000-0000-4000-8000-000000000001"';
  }

  /** `name(required: literal, ...)`, or null when a required argument has no easy literal. */
  function call(typeName: string, fieldName: string, extra = ""): string | null {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) return null;
    const args: string[] = [];
    for (const arg of type.getFields()[fieldName]!.args) {
      if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
      const literal = literalFor(arg.type);
      if (literal === null) return null;
      args.push(`${arg.name}: ${literal}`);
    }
    if (extra) args.push(extra);
    return args.length ? `${fieldName}(${args.join(", ")})` : fieldName;
  }

  /** The selections leading from Query to a type (breadth first), e.g. ["group(id: ...)", "members"]. */
  function pathTo(target: string): string[] {
    const seen = new Set(["Query"]);
    const queue: { type: string; path: string[] }[] = [{ type: "Query", path: [] }];
    while (queue.length) {
      const { type, path: at } = queue.shift()!;
      if (type === target) return at;
      const def = schema.getType(type);
      if (!isObjectType(def)) continue;
      for (const field of Object.values(def.getFields())) {
        if (FEDERATION_FIELDS.has(`${type}.${field.name}`)) continue;
        const next = getNamedType(field.type);
        const step = call(type, field.name);
        if (step === null) continue;
        // A union's members are reached through an inline fragment (GroupEvent.details).
        if (isUnionType(next)) {
          for (const member of next.getTypes()) {
            if (seen.has(member.name)) continue;
            seen.add(member.name);
            queue.push({ type: member.name, path: [...at, `${step} { ... on ${member.name}`] });
          }
          continue;
        }
        if (!isObjectType(next) || seen.has(next.name)) continue;
        seen.add(next.name);
        queue.push({ type: next.name, path: [...at, step] });
      }
    }
    throw new Error(`no path from Query to ${target}`);
  }

  /**
   * `count` (1 or 2) leaf selections on `typeName`, aliased `a`, `b`. A type without a leaf field of
   * its own (PermissionHolder: user and grants) is reached through its first single object field
   * (`user { a: id }`), so that each extra leaf still costs exactly 1 per item.
   */
  const leaves = (typeName: string, count: 1 | 2): string => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    const fields = Object.values(type.getFields()).filter((f) => f.args.length === 0);
    const leaf = fields.find((f) => isLeafType(getNamedType(f.type)));
    if (leaf) return count === 1 ? `a: ${leaf.name}` : `a: ${leaf.name} b: ${leaf.name}`;
    const single = fields.find((f) => isObjectType(getNullableType(f.type)));
    if (!single) throw new Error(`${typeName} has no leaf field`);
    return `${single.name} { ${leaves(getNamedType(single.type).name, count)} }`;
  };

  /** What limits.ts charges for a query of `inner` selected at the end of `at`. */
  function costAt(at: string[], inner: string, root: "query" | "mutation" = "query"): number {
    const opened = at.join(" ").split("{").length - 1 + at.length; // a union's step opens its fragment too
    const query = parse(`${root} { ${at.map((s) => `${s} {`).join(" ")} ${inner} ${"}".repeat(opened)} }`);
    return operationCost(schema, query, query.definitions[0] as OperationDefinitionNode, {});
  }

  /**
   * How many times limits.ts counts what is selected under `selection` (a list field of `typeName`,
   * whose items are `itemType`): one more field selected under it, against one more field selected
   * beside it.
   */
  function serviceMultiplier(typeName: string, selection: string, itemType: string, under = ""): number {
    // A mutation's list (addMembers) is a root field of its own operation.
    const root = typeName === "Mutation" ? "mutation" : "query";
    const at = root === "mutation" ? [] : pathTo(typeName);
    const wrap = (fields: string) => (under ? `${selection} { ${under} { ${fields} } }` : `${selection} { ${fields} }`);
    const inside = costAt(at, wrap(leaves(itemType, 2)), root) - costAt(at, wrap(leaves(itemType, 1)), root);
    // A root field is counted once; any other is counted as often as the lists above it say.
    const beside = at.length ? costAt(at, leaves(typeName, 2)) - costAt(at, leaves(typeName, 1)) : 1;
    return inside / beside;
  }

  // ------------------------------------------------------------------ the link

  it("links Federation v2.9 and imports @cost, @listSize and @tag from it", () => {
    const links = doc.definitions
      .filter((d) => d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION)
      .flatMap((d) => d.directives ?? [])
      .filter((d) => d.name.value === "link" && String(directiveArg(d, "url")).includes("/federation/"));
    expect(links.map((l) => directiveArg(l, "url"))).toEqual(["https://specs.apollo.dev/federation/v2.9"]);
    expect(directiveArg(links[0], "import")).toEqual(expect.arrayContaining(["@cost", "@listSize", "@tag", "@key"]));
  });

  // ------------------------------------------------------------------ @listSize

  it("puts @listSize(slicingArguments: [first]) on every field with a `first` argument, sizing its lists", () => {
    const paged = apiFields().filter(({ field }) => hasFirst(field));
    expect(paged.length).toBeGreaterThanOrEqual(7);
    const wrong = paged.flatMap(({ type, field }) => {
      const listSize = directive(field, "listSize");
      const returned = namedTypeName(field.type);
      const actual = {
        slicingArguments: directiveArg(listSize, "slicingArguments"),
        sizedFields: directiveArg(listSize, "sizedFields"),
        requireOneSlicingArgument: directiveArg(listSize, "requireOneSlicingArgument"),
      };
      const expected = {
        slicingArguments: ["first"],
        // A connection: its list fields hold the page; a plain list would be sized itself.
        sizedFields: isListTypeNode(field.type) ? undefined : listFieldsOf(returned).sort(),
        // `first` has a default, so leaving it out is fine (the router then reads the default).
        requireOneSlicingArgument: false,
      };
      const sorted = { ...actual, sizedFields: (actual.sizedFields as string[] | undefined)?.slice().sort() };
      return JSON.stringify(sorted) === JSON.stringify(expected)
        ? []
        : [`${type}.${field.name.value}: ${print(field)}`];
    });
    expect(wrong).toEqual([]);
  });

  it("sizes a connection's lists by `first` exactly as the service's cost model counts them", () => {
    const probes = apiFields()
      .filter(({ field }) => hasFirst(field) && !isListTypeNode(field.type))
      .flatMap(({ type, field }) =>
        listFieldsOf(namedTypeName(field.type)).map((sized) => {
          const connection = schema.getType(namedTypeName(field.type));
          const itemType = isObjectType(connection) ? getNamedType(connection.getFields()[sized]!.type).name : "";
          const selection = call(type, field.name.value, "first: 7")!;
          return {
            coordinate: `${type}.${field.name.value} ${sized}`,
            multiplier: serviceMultiplier(type, selection, itemType, sized),
          };
        }),
      );
    expect(probes.length).toBeGreaterThanOrEqual(8);
    expect(probes.filter((p) => p.multiplier !== 7)).toEqual([]);
  });

  it("gives every other list of objects the assumedSize the service's cost model assumes for it", () => {
    const sizedByParent = new Set(
      apiFields()
        .filter(({ field }) => hasFirst(field) && !isListTypeNode(field.type))
        .flatMap(({ field }) =>
          listFieldsOf(namedTypeName(field.type)).map((f) => `${namedTypeName(field.type)}.${f}`),
        ),
    );
    const unpaged = apiFields().filter(
      ({ type, field }) =>
        isListTypeNode(field.type) &&
        !hasFirst(field) &&
        !sizedByParent.has(`${type}.${field.name.value}`) &&
        isObjectType(schema.getType(namedTypeName(field.type))),
    );
    expect(unpaged.length).toBeGreaterThanOrEqual(10);
    const mismatches = unpaged.flatMap(({ type, field }) => {
      const assumed = directiveArg(directive(field, "listSize"), "assumedSize");
      const counted = serviceMultiplier(type, call(type, field.name.value)!, namedTypeName(field.type));
      return assumed === counted
        ? []
        : [`${type}.${field.name.value}: assumedSize ${String(assumed)}, counted ${counted}`];
    });
    expect(mismatches).toEqual([]);
    // A connection's lists take their size from the field that returned it, never one of their own.
    const ownSize = [...sizedByParent].filter((coordinate) => {
      const [type, name] = coordinate.split(".");
      const def = types.get(type!) as ObjectTypeDefinitionNode;
      return directive(
        def.fields!.find((f) => f.name.value === name)!,
        "listSize",
      );
    });
    expect(ownSize).toEqual([]);
  });

  // ------------------------------------------------------------------ @cost

  it("weighs every @cost as one unpaged list of the service's cost model", () => {
    const listOfObjects = apiFields().find(
      ({ field }) =>
        isListTypeNode(field.type) && !hasFirst(field) && isObjectType(schema.getType(namedTypeName(field.type))),
    )!;
    const unpagedList = serviceMultiplier(
      listOfObjects.type,
      call(listOfObjects.type, listOfObjects.field.name.value)!,
      namedTypeName(listOfObjects.field.type),
    );
    const weights: { at: string; weight: unknown }[] = [];
    for (const def of doc.definitions) {
      if (!isTypeDefinitionNode(def) || def.name.value.startsWith("_")) continue;
      for (const field of ("fields" in def ? def.fields : undefined) ?? []) {
        const at = `${def.name.value}.${field.name.value}`;
        const cost = directive(field, "cost");
        if (cost) weights.push({ at, weight: directiveArg(cost, "weight") });
        for (const arg of ("arguments" in field ? field.arguments : undefined) ?? []) {
          const argCost = directive(arg, "cost");
          if (argCost) weights.push({ at: `${at}(${arg.name.value})`, weight: directiveArg(argCost, "weight") });
        }
      }
    }
    // The hierarchy walks and unindexed searches (README "Composing into a supergraph" lists them).
    expect(weights.map((w) => w.at)).toEqual(
      expect.arrayContaining([
        "Query.checkPermission",
        "Group.descendants",
        "User.groupsWithPermission",
        "Group.usersWithPermission",
        "Group.members(transitive)",
        "User.groups(transitive)",
        "GroupFilter.search",
      ]),
    );
    expect(weights.filter((w) => w.weight !== unpagedList)).toEqual([]);
  });

  // ------------------------------------------------------------------ @tag

  it('tags every root field and type of the contract (and its built next blocks) with @tag(name: "public")', () => {
    const contract = contractSoFar(fs.readFileSync(CONTRACT, "utf8"), fs.readFileSync(CONTRACT_NEXT, "utf8"));
    const untagged: string[] = [];
    let rootFields = 0;
    for (const def of contract.definitions) {
      if (!isTypeDefinitionNode(def) && !isTypeExtensionNode(def)) continue;
      const name = def.name.value;
      const mine = types.get(name);
      if (ROOTS.includes(name)) {
        for (const field of "fields" in def ? (def.fields ?? []) : []) {
          rootFields++;
          const own = (mine as ObjectTypeDefinitionNode).fields?.find((f) => f.name.value === field.name.value);
          if (!own || !tagged(own)) untagged.push(`${name}.${field.name.value}`);
        }
      } else if (!mine || !tagged(mine)) untagged.push(name);
    }
    expect(rootFields).toBeGreaterThanOrEqual(30);
    expect(untagged).toEqual([]);
  });

  it("keeps the public surface closed (a public field reaches only public types) and the rest out of it", () => {
    const publicType = (name: string) => BUILT_IN_SCALARS.has(name) || (types.has(name) && tagged(types.get(name)!));
    const leaks: string[] = [];
    const check = (at: string, type: TypeNode) => {
      if (!publicType(namedTypeName(type))) leaks.push(`${at} -> ${namedTypeName(type)}`);
    };
    for (const def of types.values()) {
      const isRoot = ROOTS.includes(def.name.value);
      if (!isRoot && !tagged(def)) continue;
      for (const field of ("fields" in def ? def.fields : undefined) ?? []) {
        if (isRoot && !tagged(field)) continue;
        check(`${def.name.value}.${field.name.value}`, field.type);
        for (const arg of ("arguments" in field ? field.arguments : undefined) ?? []) {
          check(`${def.name.value}.${field.name.value}(${arg.name.value})`, arg.type);
        }
      }
      if (def.kind === Kind.UNION_TYPE_DEFINITION) for (const m of def.types ?? []) check(def.name.value, m);
    }
    expect(leaks).toEqual([]);
    // A tag on a root type would make every root field public, new ones included; the router's own
    // fields and types stay out.
    const taggedInternals = [...types.values()]
      .filter((d) => ROOTS.includes(d.name.value) || d.name.value.startsWith("_") || d.name.value.includes("__"))
      .filter(tagged)
      .map((d) => d.name.value);
    const taggedFederationFields = objects
      .flatMap((o) => (o.fields ?? []).map((f) => ({ at: `${o.name.value}.${f.name.value}`, f })))
      .filter(({ at, f }) => FEDERATION_FIELDS.has(at) && tagged(f));
    expect(taggedInternals).toEqual([]);
    expect(taggedFederationFields).toEqual([]);
  });

  // ------------------------------------------------------------------ through composition

  it("reaches the supergraph a router reads: every @listSize, @cost and @tag of the subgraph is kept", () => {
    const placeholder = (name: string) => `http://${name}.invalid/graphql`;
    const composition = composeSupergraph([
      { name: GROUPS, url: placeholder(GROUPS), sdl },
      ...exampleSubgraphs({ accounts: placeholder("accounts"), courses: placeholder("courses") }),
    ]);
    expect(composition.errors).toEqual([]);
    const supergraph = parse(composition.supergraphSdl!);
    const KEPT = ["listSize", "cost", "tag"];
    const kept = (node: { directives?: readonly ConstDirectiveNode[] }) =>
      (node.directives ?? [])
        .filter((d) => KEPT.includes(d.name.value))
        .map((d) => print(d))
        .sort();
    const superTypes = new Map(supergraph.definitions.filter(isTypeDefinitionNode).map((d) => [d.name.value, d]));
    const lost: string[] = [];
    let compared = 0;
    for (const def of types.values()) {
      if (def.name.value.startsWith("_") || def.name.value.includes("__")) continue;
      const other = superTypes.get(def.name.value);
      if (!other) {
        lost.push(def.name.value);
        continue;
      }
      if (kept(def).some((d) => !kept(other).includes(d))) lost.push(`${def.name.value} ${kept(def).join(" ")}`);
      const otherFields = "fields" in other ? (other.fields ?? []) : [];
      for (const field of ("fields" in def ? def.fields : undefined) ?? []) {
        if (FEDERATION_FIELDS.has(`${def.name.value}.${field.name.value}`)) continue;
        const twin = (otherFields as readonly FieldDefinitionNode[]).find((f) => f.name.value === field.name.value);
        const mine = [
          ...kept(field),
          ...(("arguments" in field ? field.arguments : undefined) ?? []).flatMap((a) => kept(a)),
        ];
        const theirs = twin ? [...kept(twin), ...(twin.arguments ?? []).flatMap((a) => kept(a))] : [];
        compared += mine.length;
        if (mine.some((d) => !theirs.includes(d))) lost.push(`${def.name.value}.${field.name.value}`);
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(lost).toEqual([]);
  });
});
