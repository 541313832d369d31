import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLSchema,
  isObjectType,
  isTypeDefinitionNode,
  Kind,
  parse,
  parseValue,
  print,
  type ScalarTypeDefinitionNode,
  type TypeDefinitionNode,
  type TypeNode,
  visit,
} from "graphql";
import { buildSchema, createResolversMap, getMetadataStorage } from "type-graphql";
import { ErasureResolver } from "../erasure";
import { EVENT_DETAILS_USER_RESOLVERS, EventResolver } from "../events";
import {
  GROUP_EVENT_DETAILS_RESOLVERS,
  GroupEventGroupResolver,
  GroupEventsResolver,
  GroupResolver,
  visibleGroupsById,
} from "../groups";
import { findInitiative, GroupInitiativesResolver, InitiativeResolver } from "../initiatives";
import { findLeadership, GroupLeadersResolver, LeadershipResolver, UserLeadershipsResolver } from "../leadership";
import {
  ACCESS_REQUEST_RESOLVERS,
  BulkMembershipResolver,
  findMembershipById,
  GroupMembersResolver,
  MEMBERSHIP_EVENT_DETAILS_RESOLVERS,
  MEMBERSHIP_HISTORY_RESOLVERS,
  MembershipResolver,
  PermissionCheckResolver,
  UserMembershipsResolver,
  UserGroupsWithPermissionResolver,
  GroupUsersWithPermissionResolver,
} from "../memberships";
import { PermissionResolver } from "../permissions";
import type { AppContext } from "../shared/context";
import { ErrorCode } from "../shared/errors";
import { PUBLIC, WALKS_ROWS } from "../shared/federation-directives";
import { DateScalar, DateTimeScalar, JSONObjectScalar } from "../shared/scalars";
import { usersById, UserResolver } from "../users";

/**
 * Federation directives this subgraph imports. v2.9 brings @cost and @listSize, which a router's
 * demand control reads (src/shared/federation-directives.ts); @override with progressive labels
 * came with v2.7.
 */
export const FEDERATION_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9",
        import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@tag", "@inaccessible",
                 "@cost", "@listSize"])
`;

const resolvers = [
  UserResolver,
  ErasureResolver,
  GroupResolver,
  GroupMembersResolver,
  ...MEMBERSHIP_HISTORY_RESOLVERS,
  PermissionResolver,
  MembershipResolver,
  BulkMembershipResolver,
  UserMembershipsResolver,
  PermissionCheckResolver,
  UserGroupsWithPermissionResolver,
  GroupUsersWithPermissionResolver,
  LeadershipResolver,
  GroupLeadersResolver,
  UserLeadershipsResolver,
  InitiativeResolver,
  GroupInitiativesResolver,
  EventResolver,
  GroupEventsResolver,
  GroupEventGroupResolver,
  // GroupEvent.details: the typed payloads and the objects their ids name.
  ...GROUP_EVENT_DETAILS_RESOLVERS,
  ...EVENT_DETAILS_USER_RESOLVERS,
  ...MEMBERSHIP_EVENT_DETAILS_RESOLVERS,
  // Access requests: joinPolicy REQUEST and OPEN (src/memberships/access-request.*).
  ...ACCESS_REQUEST_RESOLVERS,
] as const;

/**
 * TypeGraphQL insists on a PubSub once there are subscriptions, for `topics`; ours use `subscribe`
 * (events/hub.ts reads the event log), so nothing may publish through this one.
 */
const noTopics = {
  publish(): never {
    throw new Error("subscriptions read the event log; there are no topics to publish to");
  },
  subscribe(): never {
    throw new Error("subscriptions read the event log; there are no topics to subscribe to");
  },
};

/** Entity reference resolvers: through the per-request loaders, so _entities is one statement per type. */
const referenceResolvers: GraphQLResolverMap<AppContext> = {
  Group: {
    __resolveReference: (ref: { id: string }, ctx: AppContext) => visibleGroupsById(ctx).load(ref.id),
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: AppContext) => usersById(ctx).load(ref.id),
  },
  Membership: {
    __resolveReference: (ref: { id: string }, ctx: AppContext) => findMembershipById(ctx, ref.id),
  },
  Leadership: {
    __resolveReference: (ref: { id: string }, ctx: AppContext) => findLeadership(ctx, ref.id),
  },
  Initiative: {
    __resolveReference: (ref: { id: string }, ctx: AppContext) => findInitiative(ctx, ref.id),
  },
};

/** Why a representation cannot name an entity of this subgraph, or null when it can. */
function representationProblem(schema: GraphQLSchema, representation: unknown): string | null {
  if (representation === null || typeof representation !== "object" || Array.isArray(representation)) {
    return "a representation must be an object with __typename and its key fields";
  }
  const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
  if (typeof typename !== "string" || !(typename in referenceResolvers) || !isObjectType(schema.getType(typename))) {
    return `__typename must name an entity of this subgraph (${Object.keys(referenceResolvers).join(", ")})`;
  }
  if (typeof id !== "string") return `${typename} representation needs its key field id (a string)`;
  return null;
}

/**
 * @apollo/subgraph resolves `_entities` as one list: a representation it cannot resolve (no
 * __typename, an unknown one, a missing or null id, a bare string) threw for the whole list,
 * losing the valid entities beside it, and surfaced as an internal error. Each bad representation
 * now answers its own BAD_USER_INPUT error (its position is null); the rest resolve as before.
 */
function isolateBadRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = async (source, args: { representations?: unknown[] }, context, info) => {
    const representations = args.representations ?? [];
    const problems = representations.map((r) => representationProblem(schema, r));
    if (problems.every((p) => p === null)) return resolve(source, args, context, info);
    const valid = representations.filter((_, i) => problems[i] === null);
    const resolved = (await resolve(source, { ...args, representations: valid }, context, info)) as unknown[];
    let next = 0;
    return problems.map((problem) =>
      problem === null
        ? resolved[next++]
        : new GraphQLError(`Bad representation: ${problem}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } }),
    );
  };
}

/**
 * Object defaults of custom scalars (`metadata: JSONObject = {}`) that TypeGraphQL cannot declare
 * (graphql-js cannot print them from values); added to the SDL's AST instead.
 */
const SDL_DEFAULTS: { type: string; field: string; value: string }[] = [
  { type: "CreateGroupInput", field: "metadata", value: "{}" },
];

/**
 * Directives on arguments of field resolvers, written here because TypeGraphQL drops them there
 * (it files an argument's @Directive under the resolver class and looks for it under the object type).
 */
const ARGUMENT_DIRECTIVES: { type: string; field: string; argument: string; directive: string }[] = [
  // Both walk the hierarchy: every descendant's members, every ancestor of the user's groups.
  { type: "Group", field: "members", argument: "transitive", directive: WALKS_ROWS },
  { type: "User", field: "groups", argument: "transitive", directive: WALKS_ROWS },
];

function addArgumentDirectives(document: DocumentNode): DocumentNode {
  const missing = new Set(ARGUMENT_DIRECTIVES);
  const result = visit(document, {
    ObjectTypeDefinition(node) {
      const patches = ARGUMENT_DIRECTIVES.filter((d) => d.type === node.name.value);
      if (patches.length === 0) return undefined;
      return {
        ...node,
        fields: node.fields?.map((field) => ({
          ...field,
          arguments: field.arguments?.map((arg) => {
            const patch = patches.find((p) => p.field === field.name.value && p.argument === arg.name.value);
            if (!patch) return arg;
            missing.delete(patch);
            return { ...arg, directives: [...(arg.directives ?? []), directiveNode(patch.directive)] };
          }),
        })),
      };
    },
  });
  if (missing.size) throw new Error(`no such argument for ARGUMENT_DIRECTIVES: ${JSON.stringify([...missing])}`);
  return result;
}

/** The node of one directive application written as SDL (`@name(args)`). */
function directiveNode(sdl: string): ConstDirectiveNode {
  return (parse(`scalar S ${sdl}`).definitions[0] as ScalarTypeDefinitionNode).directives![0]!;
}

function addSdlDefaults(document: DocumentNode): DocumentNode {
  return visit(document, {
    InputObjectTypeDefinition(node) {
      const patches = SDL_DEFAULTS.filter((d) => d.type === node.name.value);
      if (patches.length === 0) return undefined;
      return {
        ...node,
        fields: node.fields?.map((field) => {
          const patch = patches.find((p) => p.field === field.name.value);
          return patch ? { ...field, defaultValue: parseValue(patch.value) } : field;
        }),
      };
    },
  });
}

const PUBLIC_TAG = directiveNode(PUBLIC);

const isPublic = (node: { directives?: readonly DirectiveNode[] }) =>
  node.directives?.some((d) => print(d) === PUBLIC) ?? false;

/**
 * Tags with PUBLIC every type the public root fields reach, through fields, arguments, input
 * fields, union members and interface implementations: GraphOS takes a tag on a type for a tag on
 * each of its fields, so a contract keeps a type whole or drops it, and a kept field never returns
 * a dropped type. Root fields are tagged where they are written (the resolvers' @Directive); the
 * types follow from them here, so a new public field cannot forget one.
 */
function tagPublicTypes(document: DocumentNode): DocumentNode {
  const definitions = new Map<string, TypeDefinitionNode>();
  for (const def of document.definitions) if (isTypeDefinitionNode(def)) definitions.set(def.name.value, def);
  const reached = new Set<string>();
  const reach = (type: TypeNode) => {
    const name = namedTypeName(type);
    const def = definitions.get(name);
    if (!def || reached.has(name)) return;
    reached.add(name);
    if ("fields" in def) {
      for (const field of def.fields ?? []) {
        reach(field.type);
        for (const arg of ("arguments" in field ? field.arguments : undefined) ?? []) reach(arg.type);
      }
    }
    if (def.kind === Kind.UNION_TYPE_DEFINITION) for (const member of def.types ?? []) reach(member);
    if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const other of definitions.values()) {
        if (other.kind === Kind.OBJECT_TYPE_DEFINITION && other.interfaces?.some((i) => i.name.value === name)) {
          reach({ kind: Kind.NAMED_TYPE, name: other.name });
        }
      }
    }
  };
  for (const root of ["Query", "Mutation", "Subscription"]) {
    const def = definitions.get(root);
    if (def?.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const field of def.fields ?? []) {
      if (!isPublic(field)) continue;
      reach(field.type);
      for (const arg of field.arguments ?? []) reach(arg.type);
    }
  }
  for (const root of ["Query", "Mutation", "Subscription"]) reached.delete(root);
  return {
    ...document,
    definitions: document.definitions.map((def) =>
      isTypeDefinitionNode(def) && reached.has(def.name.value) && !isPublic(def)
        ? { ...def, directives: [...(def.directives ?? []), PUBLIC_TAG] }
        : def,
    ),
  };
}

function namedTypeName(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
}

/**
 * A subscription field's method (`groupEvents(@Root() event, @Args() args)` in its domain folder)
 * runs for every event delivered to every subscriber. Through TypeGraphQL each call first rebuilt
 * the arguments (they serve at subscribe time only): with 1,000 subscribers that cost the fan-out
 * about 5 ms at p50 and doubled p99 (benchmark S1: p99 38–110 ms against 29–36 ms called directly).
 * So a method that takes only its root and its arguments is called directly with the event; one
 * that asks for anything else (context, info) keeps TypeGraphQL's resolver.
 */
function callSubscriptionMethodsDirectly(resolverMap: GraphQLResolverMap<AppContext>): void {
  const fields = resolverMap.Subscription as Record<string, { resolve?: (event: unknown) => unknown }> | undefined;
  if (!fields) return;
  for (const meta of getMetadataStorage().subscriptions) {
    const field = fields[meta.schemaName];
    if (!field || !(meta.params ?? []).every((p) => p.kind === "root" || p.kind === "args")) continue;
    const resolver = meta.target.prototype as Record<string, (event: unknown) => unknown>;
    const method = resolver[meta.methodName]!;
    field.resolve = (event) => method.call(resolver, event);
  }
}

type ParamMetadata = NonNullable<ReturnType<typeof getMetadataStorage>["fieldResolvers"][number]["params"]>[number];

/** What a parameter of a directly called field method receives; null when TypeGraphQL must build it. */
function directParam(param: ParamMetadata): ((root: unknown, ctx: AppContext, info: unknown) => unknown) | null {
  if (param.kind === "context" && !param.propertyName) return (_root, ctx) => ctx;
  if (param.kind === "info") return (_root, _ctx, info) => info;
  // A root typed as a class TypeGraphQL would copy into an instance of it; `Row<T>` (Object) it passes as is.
  if (param.kind === "root" && !param.propertyName && (!param.getType || param.getType() === Object)) {
    return (root) => root;
  }
  return null;
}

/**
 * A field method that reads only its parent row, the context and the info (most per-row fields:
 * `Membership.user`, `Membership.status`, `Group.parents`, ...) is called directly. Through
 * TypeGraphQL every call looked its resolver instance up, sorted its parameter list and built the
 * parameters (getParams and its helpers, ~4% of the Q1 profile, where 50 groups' 500 members each
 * resolve `user`). A method with arguments keeps TypeGraphQL's resolver (it converts and
 * validates them), and so does one with middlewares or roles. The resolver classes hold no state:
 * their prototype is `this`, as for subscriptions above.
 */
function callFieldMethodsDirectly(resolverMap: GraphQLResolverMap<AppContext>): void {
  const storage = getMetadataStorage();
  const typeNames = new Map(storage.objectTypes.map((type) => [type.target, type.name]));
  for (const meta of storage.fieldResolvers) {
    if (meta.kind !== "external" || meta.middlewares?.length || meta.roles) continue;
    const objectType = meta.getObjectType?.() ?? meta.resolverClassMetadata?.getObjectType();
    const typeName = objectType && typeNames.get(objectType);
    // createResolversMap gives an object type's field its resolver function itself.
    const fields = typeName ? (resolverMap[typeName] as Record<string, unknown> | undefined) : undefined;
    if (!fields || typeof fields[meta.schemaName] !== "function") continue;
    const params = [...(meta.params ?? [])].sort((a, b) => a.index - b.index).map(directParam);
    if (params.some((param) => param === null)) continue;
    const method = (meta.target.prototype as Record<string, (...args: unknown[]) => unknown>)[meta.methodName]!;
    const self = meta.target.prototype;
    const take = params as NonNullable<(typeof params)[number]>[];
    fields[meta.schemaName] = (root: unknown, _args: unknown, ctx: AppContext, info: unknown) =>
      method.apply(
        self,
        take.map((param) => param(root, ctx, info)),
      );
  }
}

export interface SubgraphSchema {
  schema: GraphQLSchema;
  /** The subgraph SDL, federation directives included: what `_service { sdl }` answers. */
  sdl: string;
}

/**
 * TypeGraphQL builds the executable types; their SDL (with @key directives) is prefixed with the
 * federation @link and handed to buildSubgraphSchema together with TypeGraphQL's resolvers.
 */
export async function buildGroupsSubgraph(): Promise<SubgraphSchema> {
  const typeGraphQLSchema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    orphanedTypes: [],
    pubSub: noTopics,
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
  });
  const printed = parse(FEDERATION_LINK + printSchemaWithDirectives(typeGraphQLSchema));
  const typeDefs = tagPublicTypes(addArgumentDirectives(addSdlDefaults(printed)));
  const resolverMap = createResolversMap(typeGraphQLSchema) as GraphQLResolverMap<AppContext>;
  for (const [typeName, fields] of Object.entries(referenceResolvers)) {
    resolverMap[typeName] = { ...(resolverMap[typeName] as object), ...(fields as object) } as never;
  }
  callSubscriptionMethodsDirectly(resolverMap);
  callFieldMethodsDirectly(resolverMap);
  resolverMap.Date = DateScalar;
  resolverMap.JSONObject = JSONObjectScalar;
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolverMap as never });
  isolateBadRepresentations(schema);
  // Exactly what routers read: the answer of `_service { sdl }`.
  const result = (await execute({ schema, document: parse("{ _service { sdl } }") })) as {
    data?: { _service: { sdl: string } };
  };
  return { schema, sdl: result.data!._service.sdl };
}

/** The committed schema.graphql: a do-not-edit header, then exactly the subgraph SDL. */
export const SCHEMA_FILE_HEADER =
  "# Generated from the TypeGraphQL code by `npm run schema`; do not edit. It equals `_service { sdl }`.\n\n";
