import crypto from "node:crypto";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { parse } from "graphql";
import type { TokenVerifier } from "../../src/auth";
import { BadUserInputError } from "../../src/shared/errors";
import { callerOf, contextFrom, type ExampleContext, requireTokenPlugin } from "./auth";
import { type ListenOptions, type RunningGraphQL, serveGraphQL } from "./serve";

/**
 * The courses subgraph: courses taught in a group. It references `Group` by its key and adds
 * `Group.courses`; it stores only group ids and never decides who may see a group: `Course.group`
 * is resolved by the groups subgraph, so it is null for a caller who may not see that group.
 * `User` is only referenced (`resolvable: false`): `Course.createdBy` is filled in by the
 * subgraphs that own User fields.
 */
export const COURSES_SDL = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Query {
  """Every course, oldest first; only those of these groups when groupIds is given."""
  courses(groupIds: [ID!]): [Course!]!
  course(id: ID!): Course
}

type Mutation {
  """A course in the group with that id (not checked here: the group is the groups subgraph's)."""
  createCourse(groupId: ID!, title: String!, inviteeIds: [ID!] = []): Course!
}

type Course @key(fields: "id") {
  id: ID!
  title: String!
  """
  Resolved by groups: null when the caller may not see the group (or it is gone) and selects any
  field of it but the id (the id alone is this subgraph's own data; groups is not asked).
  """
  group: Group
  createdBy: User
  """
  Who the course is for: its group, then the users invited individually; an entry is null when
  groups does not resolve it for the caller (as for Course.group). One list of two entity types:
  the gateway fetches both from groups in one _entities request.
  """
  audience: [CourseAudience]!
}

union CourseAudience = Group | User

type Group @key(fields: "id") {
  id: ID!
  """The group's courses, oldest first."""
  courses: [Course!]!
}

type User @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

/** One course. */
export interface Course {
  id: string;
  title: string;
  groupId: string;
  /** The user id of its creator. */
  createdBy: string;
  /** User ids invited individually. */
  inviteeIds: string[];
}

/** The courses, in memory, in creation order. */
export class CourseStore {
  private readonly courses: Course[] = [];

  /** Adds a course; answers it. */
  add(input: Omit<Course, "id" | "inviteeIds"> & { id?: string; inviteeIds?: string[] }): Course {
    const course = { ...input, id: input.id ?? crypto.randomUUID(), inviteeIds: input.inviteeIds ?? [] };
    this.courses.push(course);
    return course;
  }

  get(id: string): Course | null {
    return this.courses.find((c) => c.id === id) ?? null;
  }

  /** Every course, or those of these groups; in creation order. */
  list(groupIds?: readonly string[] | null): Course[] {
    if (groupIds == null) return [...this.courses];
    const wanted = new Set(groupIds);
    return this.courses.filter((c) => wanted.has(c.groupId));
  }
}

/** The executable courses subgraph schema over `store`. */
export function buildCoursesSchema(store: CourseStore) {
  const resolvers: GraphQLResolverMap<ExampleContext> = {
    Query: {
      courses: (_root, args: { groupIds?: string[] | null }) => store.list(args.groupIds),
      course: (_root, args: { id: string }) => store.get(args.id),
    },
    Mutation: {
      createCourse: (_root, args: { groupId: string; title: string; inviteeIds: string[] }, ctx: ExampleContext) => {
        const title = args.title.trim();
        if (title.length < 1 || title.length > 255) {
          throw BadUserInputError.field("title", "must be 1..255 characters");
        }
        return store.add({ groupId: args.groupId, title, createdBy: callerOf(ctx).id, inviteeIds: args.inviteeIds });
      },
    },
    Course: {
      __resolveReference: (ref: { id: string }) => store.get(ref.id),
      group: (course: Course) => ({ id: course.groupId }),
      createdBy: (course: Course) => ({ id: course.createdBy }),
      audience: (course: Course) => [
        { __typename: "Group", id: course.groupId },
        ...course.inviteeIds.map((id) => ({ __typename: "User", id })),
      ],
    },
    CourseAudience: {
      __resolveType: (ref: { __typename: string }) => ref.__typename,
    },
    Group: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      courses: (group: { id: string }) => store.list([group.id]),
    },
  };
  return buildSubgraphSchema({ typeDefs: parse(COURSES_SDL), resolvers: resolvers as never });
}

/** Options of {@link startCourses}. */
export interface CoursesOptions extends ListenOptions {
  /** Verifies the forwarded bearer tokens (see auth.ts). */
  verify: TokenVerifier;
  /** The initial courses. @default [] */
  courses?: Course[];
}

/** Starts the courses subgraph; `store` holds its data. */
export async function startCourses(options: CoursesOptions): Promise<RunningGraphQL & { store: CourseStore }> {
  const store = new CourseStore();
  for (const course of options.courses ?? []) store.add(course);
  const server = await serveGraphQL<ExampleContext>(
    { schema: buildCoursesSchema(store), plugins: [requireTokenPlugin(), ApolloServerPluginInlineTraceDisabled()] },
    options,
    contextFrom(options.verify),
  );
  return { ...server, store };
}
