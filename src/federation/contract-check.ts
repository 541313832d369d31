import {
  buildASTSchema,
  type DocumentNode,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
  type ValueNode,
  visit,
} from "graphql";

/** Contract checking, shared by test/schema.test.ts and `npm run schema:check`. */

function buildLoose(document: DocumentNode) {
  return buildASTSchema(document, { assumeValidSDL: true, assumeValid: true });
}

function typeString(t: { toString(): string }): string {
  return t.toString();
}

function defaultOf(node: { defaultValue?: ValueNode } | undefined | null): string | undefined {
  return node?.defaultValue ? print(node.defaultValue) : undefined;
}

/**
 * Every way in which `actual` (a subgraph SDL) fails to cover `expected` (the contract): a type,
 * field, argument, enum value, input field or @key missing, a type changed, a default changed, or a
 * new required argument. Empty = a superset, which is what the contract allows.
 */
export function contractProblems(expectedDoc: DocumentNode, actualDoc: DocumentNode): string[] {
  const expected = buildLoose(expectedDoc);
  const actual = buildLoose(actualDoc);
  const problems: string[] = [];
  for (const type of Object.values(expected.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith("__")) continue;
    const mine = actual.getType(type.name);
    if (!mine) {
      problems.push(`missing type ${type.name}`);
      continue;
    }
    if (isStandIn(type)) continue; // any kind will do (see contractSoFar)
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
  return problems;
}

/**
 * The blocks of contract-next.graphql built so far, by their `# ==== <title>` heading. A block joins
 * this list when its work lands; from then on the schema must cover it like the contract itself.
 * `<title>: <part>` names one part of a block built ahead of the rest: the paragraph (up to the next
 * blank line) that opens with the comment `# <part>:`, or, where no paragraph opens so, the
 * definitions it names, comma-separated: `Type` for a whole definition, `Type.field` for one field
 * of a type or an extension.
 */
export const BUILT_NEXT_BLOCKS: readonly string[] = [
  "the newcomer defects",
  "time and history: Typed payloads",
  "time and history: MembershipPeriod, MembershipPeriodConnection, Membership.history, Group.membershipHistory",
  "time and history: MembershipStatus, AddMemberInput, Membership.startsAt, Mutation.setMemberExpiry",
  "time and history: Time-driven events, written once (however many replicas) within a few seconds of the instant",
  "time and history: User.erasedAt, Mutation.eraseUser",
  "access and reach: JoinPolicy, AccessRequestStatus, Group.joinPolicy, Group.accessRequests, CreateGroupInput, UpdateGroupInput, AccessRequest, AccessRequestConnection, Mutation.requestToJoin, Mutation.withdrawAccessRequest, Mutation.approveAccessRequest, Mutation.denyAccessRequest, Mutation.joinGroup, EventType",
  "access and reach: BulkMemberInput, Mutation.inviteByEmail, Mutation.addMembers, Mutation.removeMembers",
  "access and reach: Group.usersWithPermission, User.groupsWithPermission, PermissionHolder, PermissionHolderConnection",
];

const STAND_IN = "contractStandIn";

/** A type the contract names but spells out only in a comment (see contractSoFar). */
function isStandIn(type: GraphQLNamedType): boolean {
  return isScalarType(type) && (type.astNode?.directives ?? []).some((d) => d.name.value === STAND_IN);
}

/** One part of a block: its paragraph that opens with `# <part>:`. */
function blockPart(block: string, part: string): string | undefined {
  const lines = block.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`# ${part}:`));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/**
 * The definitions of a block that `names` lists (see BUILT_NEXT_BLOCKS), as SDL; undefined when one
 * of them is not in the block.
 */
function namedDefinitions(block: string, names: string): string | undefined {
  const definitions = parse(block).definitions;
  const picked: DocumentNode["definitions"][number][] = [];
  for (const name of names.split(",").map((n) => n.trim())) {
    const [type, field] = name.split(".") as [string, string | undefined];
    const found = definitions.flatMap((def) => {
      if (!("name" in def) || def.name?.value !== type) return [];
      if (field === undefined) return "operation" in def ? [] : [def];
      const fields = "fields" in def ? (def.fields ?? []) : [];
      const only = (fields as readonly { name: { value: string } }[]).filter((f) => f.name.value === field);
      return only.length ? [{ ...def, fields: only } as unknown as typeof def] : [];
    });
    if (found.length === 0) return undefined;
    picked.push(found[0]!);
  }
  return print({ kind: Kind.DOCUMENT, definitions: picked });
}

/** The named types the definitions use but do not define (nor the contract): each gets a stand-in. */
function standIns(definitions: DocumentNode["definitions"]): DocumentNode["definitions"] {
  const defined = new Set(["String", "Int", "Float", "Boolean", "ID"]);
  const used = new Set<string>();
  for (const def of definitions) if ("name" in def && def.name && !("operation" in def)) defined.add(def.name.value);
  visit({ kind: Kind.DOCUMENT, definitions }, { NamedType: (node) => void used.add(node.name.value) });
  return [...used]
    .filter((name) => !defined.has(name))
    .flatMap((name) => parse(`directive @${STAND_IN} on SCALAR\nscalar ${name} @${STAND_IN}`).definitions.slice(1));
}

/** contract-next.graphql split at its `# ===… <title>` headings: title -> SDL of that block. */
export function nextBlocks(nextSdl: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let title: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (title !== null) blocks.set(title, lines.join("\n"));
  };
  for (const line of nextSdl.split("\n")) {
    const heading = /^#\s*={4,}\s*(.+?)\s*$/.exec(line);
    if (heading) {
      flush();
      title = heading[1]!;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return blocks;
}

/**
 * The contract plus the built blocks of contract-next (their `extend` definitions applied), as one
 * document for contractProblems. An unknown block title is an error: the list above is stale.
 */
export function contractSoFar(
  contractSdl: string,
  nextSdl: string,
  built: readonly string[] = BUILT_NEXT_BLOCKS,
): DocumentNode {
  const blocks = nextBlocks(nextSdl);
  const contract = parse(contractSdl);
  const definitions = [...contract.definitions];
  for (const entry of built) {
    const [title, part] = entry.split(/: (.*)/s) as [string, string | undefined];
    const whole = blocks.get(title);
    if (whole === undefined) throw new Error(`contract-next.graphql has no block "${title}"`);
    const block = part === undefined ? whole : (blockPart(whole, part) ?? namedDefinitions(whole, part));
    if (block === undefined) throw new Error(`contract-next.graphql's block "${title}" has no part "${part}"`);
    const sdl = block
      .split("\n")
      .filter((line) => !/^\s*#/.test(line))
      .join("\n");
    if (sdl.trim() !== "") definitions.push(...parse(block).definitions);
  }
  // A type named in SDL but spelled out only in a comment (`details: GroupEventDetails`, a union
  // described as "one per EventType") must exist, of any kind; the tests of its work check its shape.
  return { ...contract, definitions: [...definitions, ...standIns(definitions)] };
}
