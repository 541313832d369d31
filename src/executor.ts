import type { GatewayExecutor, GatewayInterface } from "@apollo/server-gateway-interface";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  type DocumentNode,
  execute,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  createSourceEventStream,
  Kind,
  subscribe,
  visit,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import { isTraced, traceableSchema } from "./ftv1";

/**
 * Executes operations with graphql-jit: each document is compiled once into a JavaScript function
 * and cached; Apollo Server still parses, validates, caches documents and runs every plugin. The
 * seam is Apollo's gateway interface (the executor it hands a request to; Apollo Server 5 has no
 * other), so `gateway: compiledGateway(schema)` replaces `schema`.
 *
 * graphql-js answers what graphql-jit does not, or answers differently:
 * - a document graphql-jit cannot compile;
 * - `_entities` (its abstract list of representations is resolved the way @apollo/subgraph expects);
 * - a request whose variables fail coercion (graphql-jit's errors carry no locations): the compiled
 *   function answers errors without data, and graphql-js answers it again.
 */
export interface ExecuteArgs {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  contextValue: unknown;
  /** Cache key of the document (Apollo's query hash, or the query text); the operation name is added. */
  key: string;
}

export interface CompiledExecutor {
  execute(args: ExecuteArgs): Promise<ExecutionResult>;
  /** A subscription: its source stream from graphql-js, each event's selection run by the compiled function. */
  subscribe(args: ExecuteArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** Documents compiled so far, and how many went to graphql-js instead. */
  stats(): { compiled: number; fallbacks: number };
}

/** Compiled documents kept (least recently used dropped first). */
const CACHE_SIZE = 1000;

function readsEntities(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD]: (node) => {
      if (node.name.value === "_entities") found = true;
    },
  });
  return found;
}

/**
 * graphql-jit's errors are lightweight look-alikes (no own `extensions` unless the original error
 * had some, no toJSON of their own); Apollo Server and the error mask (format-error.ts) expect
 * graphql-js's, so each becomes one, with the same message, locations, path and original error.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const real = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
  if (error.locations) Object.defineProperty(real, "locations", { value: error.locations, enumerable: true });
  return real;
}

function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
}

/**
 * Each event of a source stream mapped to its result. return() goes straight to the source (an
 * async generator would queue it behind a pending next(), keeping a closed subscription
 * registered until its next event).
 */
function mapEvents(
  source: AsyncIterableIterator<unknown>,
  map: (event: unknown) => Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const item = await source.next();
      return item.done ? { value: undefined, done: true } : { value: await map(item.value), done: false };
    },
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    throw: async (error: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export function compiledExecutor(schema: GraphQLSchema): CompiledExecutor {
  const cache = new Map<string, CompiledQuery | null>();
  let fallbacks = 0;
  const compiledFor = (key: string, document: DocumentNode, operationName: string | undefined) => {
    let compiled = cache.get(key);
    if (compiled !== undefined) {
      // Refresh its place in the LRU order.
      cache.delete(key);
      cache.set(key, compiled);
      return compiled;
    }
    const result = readsEntities(document) ? null : compileQuery(schema, document, operationName);
    compiled = result && isCompiledQuery(result) ? result : null;
    if (!compiled) fallbacks++;
    cache.set(key, compiled);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return compiled;
  };
  const interpreted = (
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown> | null | undefined,
    contextValue: unknown,
  ) => execute({ schema, document, operationName, variableValues: variables, contextValue });

  return {
    async execute({ document, operationName, variables, contextValue, key }) {
      const name = operationName ?? undefined;
      const compiled = compiledFor(`${key}:${name ?? ""}`, document, name);
      if (!compiled) return interpreted(document, name, variables, contextValue);
      const result = await compiled.query(undefined, contextValue, variables ?? {});
      // Variables that failed coercion: graphql-js words those errors (with locations) as clients expect.
      if (result.errors?.length && result.data === undefined) {
        return interpreted(document, name, variables, contextValue);
      }
      return withGraphQLErrors(result);
    },
    async subscribe({ document, operationName, variables, contextValue, key }) {
      const name = operationName ?? undefined;
      const compiled = compiledFor(`${key}:${name ?? ""}`, document, name);
      if (!compiled) {
        return subscribe({ schema, document, operationName: name, variableValues: variables, contextValue });
      }
      // The source stream through graphql-js: graphql-jit 0.8 hands the subscribe function the
      // operation's variables instead of the field's arguments, so an inline argument
      // (`types: [GROUP_CREATED]`) was lost. Each event is then run by the compiled function.
      const source = await createSourceEventStream({
        schema,
        document,
        operationName: name,
        variableValues: variables,
        contextValue,
      });
      if (!(Symbol.asyncIterator in source)) return withGraphQLErrors(source);
      return mapEvents(source as AsyncIterableIterator<unknown>, async (event) =>
        withGraphQLErrors(await compiled.query(event, contextValue, variables ?? {})),
      );
    },
    stats: () => ({ compiled: [...cache.values()].filter(Boolean).length, fallbacks }),
  };
}

/**
 * Apollo Server's gateway seam serving one fixed schema through the compiled executor.
 *
 * Apollo validates against a copy of the schema (`traceableSchema`, src/ftv1.ts): a request whose
 * federated trace (ftv1) is being built runs on that copy with graphql-js, where Apollo's per-field
 * hook times every field; every other request takes the compiled path on `schema`, untouched.
 */
export function compiledGateway(schema: GraphQLSchema, executor = compiledExecutor(schema)): GatewayInterface {
  const traceable = traceableSchema(schema);
  const run: GatewayExecutor = (requestContext) =>
    (isTraced(requestContext.context)
      ? execute({
          schema: traceable,
          document: requestContext.document,
          operationName: requestContext.operationName,
          variableValues: requestContext.request.variables,
          contextValue: requestContext.context,
        })
      : executor.execute({
          document: requestContext.document,
          operationName: requestContext.operationName,
          variables: requestContext.request.variables,
          contextValue: requestContext.context,
          key: requestContext.queryHash,
        })) as ReturnType<GatewayExecutor>;
  return {
    load: async () => ({ executor: run }),
    onSchemaLoadOrUpdate(callback) {
      // printSchema throws on the JSONObject `{}` default; printSchemaWithDirectives does not.
      callback({ apiSchema: traceable, coreSupergraphSdl: printSchemaWithDirectives(schema) });
      return () => undefined;
    },
    stop: async () => undefined,
  };
}
