import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";

/** The fields named `name` in a selection set, through inline fragments and fragment spreads. */
function fieldsNamed(
  info: Pick<GraphQLResolveInfo, "fragments">,
  set: SelectionSetNode | undefined,
  name: string,
  seen = new Set<string>(),
) {
  const found: FieldNode[] = [];
  for (const selection of set?.selections ?? []) {
    if (selection.kind === "Field") {
      if (selection.name.value === name) found.push(selection);
    } else if (selection.kind === "InlineFragment") {
      found.push(...fieldsNamed(info, selection.selectionSet, name, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      found.push(...fieldsNamed(info, info.fragments[selection.name.value]?.selectionSet, name, seen));
    }
  }
  return found;
}

/**
 * Whether the field being resolved selects the path of field names below it (through fragments
 * too), e.g. ["totalCount"] or ["nodes", "memberCount"]: lets a list skip work nobody asked for, or
 * fetch in its own statement what would otherwise cost one more.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let level: (FieldNode | { selectionSet?: SelectionSetNode })[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => fieldsNamed(info, node.selectionSet, name));
    if (!level.length) return false;
  }
  return true;
}

/**
 * The fields selected on the object(s) at the end of `path` below the field being resolved (`[]`:
 * its own selection; `["nodes"]`: the nodes of a connection), in document order, through inline
 * fragments and fragment spreads. Aliases stay separate field nodes (each with its own arguments).
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  return selectedFieldsBelow(info, info.fieldNodes, path);
}

/** `selectedFields` below the given field nodes (one response key's nodes) instead of the field being resolved. */
export function selectedFieldsBelow(
  info: Pick<GraphQLResolveInfo, "fragments">,
  nodes: readonly FieldNode[],
  path: readonly string[],
): FieldNode[] {
  let level: readonly FieldNode[] = nodes;
  for (const name of path) level = level.flatMap((node) => fieldsNamed(info, node.selectionSet, name));
  const found: FieldNode[] = [];
  const collect = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === "Field") found.push(selection);
      else if (selection.kind === "InlineFragment") collect(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        collect(info.fragments[selection.name.value]?.selectionSet, seen);
      }
    }
  };
  for (const node of level) collect(node.selectionSet, new Set());
  return found;
}
