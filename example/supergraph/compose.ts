import fs from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { ACCOUNTS_SDL } from "./accounts";
import { COURSES_SDL } from "./courses";

/** One subgraph to compose: its name in the supergraph, where the gateway reaches it, its SDL. */
export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** A composition hint: a non-blocking remark of the composer. */
export interface Hint {
  /** e.g. "OVERRIDDEN_FIELD_CAN_BE_REMOVED". */
  code: string;
  message: string;
  /** The schema coordinate it is about, when it is about one. */
  coordinate?: string;
}

/** The outcome of a composition: a supergraph SDL, or the errors that prevented it. */
export interface Composition {
  /** Undefined when there are errors. */
  supergraphSdl?: string;
  /** Each composition error, as "[CODE] message". */
  errors: string[];
  hints: Hint[];
}

/** The subgraph name of the groups service; the identity subgraph's `@override(from: "groups")` names it. */
export const GROUPS = "groups";

/**
 * Composes subgraphs into a supergraph with @apollo/composition (what `rover supergraph compose`
 * does), Federation 2 rules and satisfiability included.
 */
export function composeSupergraph(subgraphs: SubgraphSource[]): Composition {
  let result: ReturnType<typeof composeServices>;
  try {
    result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  } catch (error) {
    // A subgraph SDL that does not even parse.
    return { errors: [String((error as Error).message)], hints: [] };
  }
  if (result.errors) {
    return {
      errors: result.errors.map((e) => `[${String(e.extensions.code ?? "ERROR")}] ${e.message}`),
      hints: [],
    };
  }
  return {
    supergraphSdl: result.supergraphSdl,
    errors: [],
    hints: result.hints.map((h) => ({ code: h.definition.code, message: h.message, coordinate: h.coordinate })),
  };
}

/** The example subgraphs at these URLs: accounts (the identity subgraph) and courses. */
export function exampleSubgraphs(urls: { accounts: string; courses: string }): SubgraphSource[] {
  return [
    { name: "accounts", url: urls.accounts, sdl: ACCOUNTS_SDL },
    { name: "courses", url: urls.courses, sdl: COURSES_SDL },
  ];
}

/** The repository root (the folder with package.json), from src or from dist alike. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The groups subgraph SDL from the committed schema.graphql: the file is a do-not-edit comment
 * header followed by exactly what `_service { sdl }` answers.
 */
export function readGroupsSchemaFile(file = path.join(repoRoot(), "schema.graphql")): string {
  return stripHeader(fs.readFileSync(file, "utf8"));
}

/** The text without its leading comment lines (and the blank line after them) and final newline. */
export function stripHeader(text: string): string {
  return text.replace(/^(#[^\n]*\n)+\n?/, "").replace(/\n$/, "");
}

/** Reads a running subgraph's SDL the way routers do: `{ _service { sdl } }`, with no token. */
export async function fetchSubgraphSdl(url: string): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = (await res.json()) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] };
  const sdl = body.data?._service?.sdl;
  if (!sdl) throw new Error(`${url} did not answer _service { sdl }: ${JSON.stringify(body.errors ?? body)}`);
  return sdl;
}
