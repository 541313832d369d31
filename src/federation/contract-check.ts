import {
  buildASTSchema,
  type DocumentNode,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  print,
  type ValueNode,
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
