import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLSchema,
  isObjectType,
  parse,
  parseValue,
  visit,
} from "graphql";
import { buildSchema, createResolversMap } from "type-graphql";
import { EventResolver } from "../events";
import { GroupEventGroupResolver, GroupEventsResolver, GroupResolver, visibleGroupsById } from "../groups";
import { findInitiative, GroupInitiativesResolver, InitiativeResolver } from "../initiatives";
import { findLeadership, GroupLeadersResolver, LeadershipResolver, UserLeadershipsResolver } from "../leadership";
import {
  findMembershipById,
  GroupMembersResolver,
  MembershipResolver,
  PermissionCheckResolver,
  UserMembershipsResolver,
} from "../memberships";
import { PermissionResolver } from "../permissions";
import type { AppContext } from "../shared/context";
import { ErrorCode } from "../shared/errors";
import { DateScalar, DateTimeScalar, JSONObjectScalar } from "../shared/scalars";
import { usersById, UserResolver } from "../users";

/** Federation directives this subgraph imports (v2.7: @override with progressive labels is available). */
export const FEDERATION_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7",
        import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@tag", "@inaccessible"])
`;

const resolvers = [
  UserResolver,
  GroupResolver,
  GroupMembersResolver,
  PermissionResolver,
  MembershipResolver,
  UserMembershipsResolver,
  PermissionCheckResolver,
  LeadershipResolver,
  GroupLeadersResolver,
  UserLeadershipsResolver,
  InitiativeResolver,
  GroupInitiativesResolver,
  EventResolver,
  GroupEventsResolver,
  GroupEventGroupResolver,
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
  const typeDefs = addSdlDefaults(parse(FEDERATION_LINK + printSchemaWithDirectives(typeGraphQLSchema)));
  const resolverMap = createResolversMap(typeGraphQLSchema) as GraphQLResolverMap<AppContext>;
  for (const [typeName, fields] of Object.entries(referenceResolvers)) {
    resolverMap[typeName] = { ...(resolverMap[typeName] as object), ...(fields as object) } as never;
  }
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
