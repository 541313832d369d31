import fs from "node:fs";
import { type AccountStore, startAccounts } from "../example/supergraph/accounts";
import { verifierFor } from "../example/supergraph/auth";
import { checkSchema, contractPath } from "../example/supergraph/check";
import {
  type Composition,
  composeSupergraph,
  exampleSubgraphs,
  fetchSubgraphSdl,
  GROUPS,
  readGroupsSchemaFile,
} from "../example/supergraph/compose";
import { type CourseStore, startCourses } from "../example/supergraph/courses";
import { startGateway } from "../example/supergraph/gateway";
import type { RunningGraphQL } from "../example/supergraph/serve";
import { addMember, createGroup, provision } from "./utils/builders";
import { codes, type GraphQLResponse, TEST_SECRET, TestService, type TestUser } from "./utils/service";

/**
 * The groups subgraph in a supergraph: composed with the example accounts (identity) and courses
 * subgraphs, queried through @apollo/gateway. Everything runs in this process on port 0: the
 * groups service on its own database, the two example subgraphs, the gateway.
 */

/** One subgraph fetch the gateway made, as seen by its data source. */
interface SubgraphCall {
  subgraph: string;
  query: string;
  variables: Record<string, unknown>;
  sqlStatements?: number;
}

/** The hints composing groups + accounts + courses gives; a new one must be looked at (and documented). */
const EXPECTED_HINTS = [
  {
    code: "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
    coordinate: "User.name",
    message: 'Field "User.name" on subgraph "groups" is overridden. Consider removing it.',
  },
  {
    code: "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
    coordinate: "User.email",
    message: 'Field "User.email" on subgraph "groups" is overridden. Consider removing it.',
  },
];

const CreateCourse = `mutation CreateCourse($groupId: ID!, $title: String!, $inviteeIds: [ID!]) {
  createCourse(groupId: $groupId, title: $title, inviteeIds: $inviteeIds) {
    id
    title
    createdBy { id handle }
    group { id name }
  }
}`;

describe("supergraph: groups + accounts + courses through a gateway", () => {
  let svc: TestService;
  let accounts: RunningGraphQL & { store: AccountStore };
  let courses: RunningGraphQL & { store: CourseStore };
  let gateway: RunningGraphQL;
  let groupsSdl: string;
  let composition: Composition;
  const calls: SubgraphCall[] = [];

  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let openLab: string;
  let secretLab: string;

  /** POSTs to the gateway as `as` (a TestUser, a raw Authorization value, or nobody). */
  async function viaGateway<T>(
    query: string,
    variables: Record<string, unknown> = {},
    as?: TestUser | { authorization: string },
  ): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (as) headers.authorization = "authorization" in as ? as.authorization : `Bearer ${as.token}`;
    const res = await fetch(gateway.url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GraphQLResponse<T>;
  }

  /** Like viaGateway, but fails the test on any error. */
  async function okViaGateway<T>(query: string, variables: Record<string, unknown>, as: TestUser): Promise<T> {
    const res = await viaGateway<T>(query, variables, as);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as T;
  }

  beforeAll(async () => {
    svc = await TestService.start();
    const verify = verifierFor(TEST_SECRET);
    accounts = await startAccounts({ port: 0, verify });
    courses = await startCourses({ port: 0, verify });
    groupsSdl = await fetchSubgraphSdl(svc.url);
    composition = composeSupergraph([
      { name: GROUPS, url: svc.url, sdl: groupsSdl },
      ...exampleSubgraphs({ accounts: accounts.url, courses: courses.url }),
    ]);
    if (!composition.supergraphSdl) throw new Error(`composition failed: ${composition.errors.join("\n")}`);
    gateway = await startGateway({
      supergraphSdl: composition.supergraphSdl,
      port: 0,
      onSubgraphResponse: (subgraph, request, response) =>
        calls.push({
          subgraph,
          query: request.query ?? "",
          variables: request.variables ?? {},
          sqlStatements: response.extensions?.sqlStatements as number | undefined,
        }),
    });

    // groups keeps the names of the tokens; accounts (the identity subgraph) has its own.
    owner = await svc.user({ name: "Olive Owner", email: "olive@groups.example" });
    member = await svc.user({ name: "Mia Member" });
    outsider = await svc.user({ name: "Otto Outsider" });
    await provision(svc, owner, member, outsider);
    accounts.store.put({ id: owner.id, handle: "olive", name: "Olive Oyl", email: "olive@accounts.example" });
    accounts.store.put({ id: member.id, handle: "mia", name: "Mia Mendel" });
    accounts.store.put({ id: outsider.id, handle: "otto", name: "Otto Outis" });
    openLab = await createGroup(svc, owner, { name: "Open Lab", visibility: "PUBLIC" });
    secretLab = await createGroup(svc, owner, { name: "Secret Lab", visibility: "PRIVATE" });
    await addMember(svc, owner, secretLab, member);
  });

  afterAll(async () => {
    // Gateway first (it holds connections to the subgraphs), groups and its database last.
    for (const server of [gateway, courses, accounts]) await server?.stop();
    await svc?.stop();
  });

  beforeEach(() => {
    calls.length = 0;
  });

  describe("composition", () => {
    it("composes groups, accounts and courses with no error and exactly the known hints", () => {
      expect(composition.errors).toEqual([]);
      expect(composition.hints).toEqual(EXPECTED_HINTS);
      // The identity subgraph owns name and email in the supergraph.
      expect(composition.supergraphSdl).toMatch(/name: String @join__field\(graph: ACCOUNTS, override: "groups"\)/);
      expect(composition.supergraphSdl).toMatch(/email: String @join__field\(graph: ACCOUNTS, override: "groups"\)/);
    });

    it("composes from the live groups SDL, which is the committed schema.graphql", () => {
      expect(groupsSdl).toBe(readGroupsSchemaFile());
    });

    it("also composes without the identity subgraph (groups + courses), with no hint", () => {
      const standalone = composeSupergraph([
        { name: GROUPS, url: svc.url, sdl: groupsSdl },
        exampleSubgraphs({ accounts: accounts.url, courses: courses.url })[1],
      ]);
      expect(standalone.errors).toEqual([]);
      expect(standalone.hints).toEqual([]);
      expect(standalone.supergraphSdl).toMatch(/name: String\n/);
    });
  });

  describe("queries across subgraphs", () => {
    let courseId: string;

    beforeAll(async () => {
      const { createCourse } = await okViaGateway<{ createCourse: { id: string } }>(
        CreateCourse,
        { groupId: secretLab, title: "Cryptography" },
        owner,
      );
      courseId = createCourse.id;
    });

    it("creates a course through the gateway: courses sees the caller, groups and accounts fill in the rest", async () => {
      const { createCourse } = await okViaGateway<{ createCourse: unknown }>(
        CreateCourse,
        { groupId: openLab, title: "Soldering" },
        owner,
      );
      expect(createCourse).toEqual({
        id: expect.any(String),
        title: "Soldering",
        createdBy: { id: owner.id, handle: "olive" },
        group: { id: openLab, name: "Open Lab" },
      });
      expect(calls.map((c) => c.subgraph).sort()).toEqual(["accounts", "courses", "groups"]);
    });

    it("goes accounts -> groups (User.groups, User.memberships) -> courses (Group.courses) -> groups and accounts", async () => {
      const data = await okViaGateway<{ myAccount: unknown }>(
        `{
          myAccount {
            id handle name email
            groups { name courses { title group { name visibility } createdBy { name } } }
          }
        }`,
        {},
        owner,
      );
      expect(data.myAccount).toEqual({
        id: owner.id,
        handle: "olive",
        name: "Olive Oyl",
        email: "olive@accounts.example",
        groups: [
          {
            name: "Open Lab",
            courses: [{ title: "Soldering", group: expect.anything(), createdBy: expect.anything() }],
          },
          {
            name: "Secret Lab",
            courses: [
              {
                title: "Cryptography",
                group: { name: "Secret Lab", visibility: "PRIVATE" },
                createdBy: { name: "Olive Oyl" },
              },
            ],
          },
        ],
      });

      const { myAccount } = await okViaGateway<{ myAccount: unknown }>(
        `{ myAccount { handle memberships { role group { name courses { id } } } } }`,
        {},
        member,
      );
      expect(myAccount).toEqual({
        handle: "mia",
        memberships: [{ role: "member", group: { name: "Secret Lab", courses: [{ id: courseId }] } }],
      });
    });

    it("@override: User.name and User.email come from accounts, not from the groups database", async () => {
      const [stored] = (await svc.db.query(`SELECT name, email FROM users WHERE id = $1`, [owner.id])) as {
        name: string;
        email: string;
      }[];
      expect(stored).toEqual({ name: "Olive Owner", email: "olive@groups.example" });

      // Starting from groups' own root field: the gateway still asks accounts for name and email.
      const data = await okViaGateway<{ me: unknown; group: unknown }>(
        `query ($id: ID!) {
          me { id name email isGlobalAdmin }
          group(id: $id) { members { nodes { role user { handle name } } } }
        }`,
        { id: secretLab },
        owner,
      );
      expect(data).toEqual({
        me: { id: owner.id, name: "Olive Oyl", email: "olive@accounts.example", isGlobalAdmin: false },
        group: {
          members: {
            nodes: [
              { role: "owner", user: { handle: "olive", name: "Olive Oyl" } },
              { role: "member", user: { handle: "mia", name: "Mia Mendel" } },
            ],
          },
        },
      });
      const groupsQueries = calls.filter((c) => c.subgraph === "groups").map((c) => c.query);
      expect(groupsQueries.length).toBeGreaterThan(0);
      for (const q of groupsQueries) expect(q).not.toMatch(/\b(name|email)\b/);
    });

    it("a user without an account has a null name: accounts answers for it, groups' copy is not used", async () => {
      const stranger = await svc.user({ name: "Sam Stranger" });
      const { me } = await okViaGateway<{ me: unknown }>(`{ me { id name handle isGlobalAdmin } }`, {}, stranger);
      expect(me).toEqual({ id: stranger.id, name: null, handle: null, isGlobalAdmin: false });
    });

    describe("authorization, decided by groups, holds through the gateway", () => {
      it("an outsider gets null for a PRIVATE group and its members; a member gets them", async () => {
        const query = `query ($id: ID!) { group(id: $id) { name members { totalCount } courses { title } } }`;
        expect(await viaGateway(query, { id: secretLab }, outsider)).toEqual({ data: { group: null } });
        expect((await okViaGateway(query, { id: secretLab }, member)) as unknown).toEqual({
          group: { name: "Secret Lab", members: { totalCount: 2 }, courses: [{ title: "Cryptography" }] },
        });
      });

      it("Course.group of a PRIVATE group is null for an outsider, while the course itself is courses' to show", async () => {
        const query = `query ($id: ID!) {
          course(id: $id) { title group { id name } audience { __typename ... on Group { name } } }
        }`;
        const res = await viaGateway(query, { id: courseId }, outsider);
        expect(res.errors).toBeUndefined();
        expect(res.data).toEqual({ course: { title: "Cryptography", group: null, audience: [null] } });
        // groups answered null for the entity; the gateway says where it nulled the object (no error).
        expect((res.extensions?.valueCompletion as { path: unknown[] }[]).map((v) => v.path)).toEqual([
          ["course", "group", "name"],
          ["course", "audience", 0, "name"],
        ]);
        expect((await okViaGateway(query, { id: courseId }, member)) as unknown).toEqual({
          course: {
            title: "Cryptography",
            group: { id: secretLab, name: "Secret Lab" },
            audience: [{ __typename: "Group", name: "Secret Lab" }],
          },
        });
      });

      it("without a token, the groups subgraph's UNAUTHENTICATED error reaches the client", async () => {
        const res = await viaGateway(`{ me { id } }`);
        expect(res.data).toBeNull();
        expect(res.errors).toEqual([
          {
            message: "A valid bearer token is required",
            extensions: { code: "UNAUTHENTICATED", subgraph: "groups" },
          },
        ]);
        const forged = await viaGateway(`{ me { id } }`, {}, { authorization: "Bearer not-a-jwt" });
        expect(codes(forged)).toEqual(["UNAUTHENTICATED"]);
        expect(forged.errors?.[0].message).toBe("Invalid bearer token: the token is invalid");
      });

      it("the example subgraphs refuse requests without a token too, except _service", async () => {
        const courseList = await viaGateway(`{ courses { title } }`);
        expect(courseList.errors?.map((e) => [e.extensions?.code, e.extensions?.subgraph])).toEqual([
          ["UNAUTHENTICATED", "courses"],
        ]);
        for (const url of [accounts.url, courses.url]) {
          const direct = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: `{ _entities(representations: []) { __typename } }` }),
          });
          expect(direct.status).toBe(401);
          expect(await fetchSubgraphSdl(url)).toContain("@key");
        }
      });
    });
  });

  describe("SQL statements", () => {
    it("100 representations of two types in one _entities fetch cost groups two statements", async () => {
      // 50 groups (every other one PRIVATE, which the outsider may not see) and 50 users, straight
      // into the tables: what is measured is reading them, visibility included.
      const groupIds = (
        (await svc.db.query(
          `INSERT INTO groups (name, visibility, created_by)
           SELECT 'Course group ' || lpad(i::text, 2, '0'), CASE WHEN i % 2 = 0 THEN 'PRIVATE' ELSE 'PUBLIC' END, $1
           FROM generate_series(1, 50) i ORDER BY i RETURNING id`,
          [owner.id],
        )) as { id: string }[]
      ).map((r) => r.id);
      const userIds = (
        (await svc.db.query(
          `INSERT INTO users (name) SELECT 'Student ' || i FROM generate_series(1, 50) i RETURNING id`,
        )) as {
          id: string;
        }[]
      ).map((r) => r.id);
      groupIds.forEach((groupId, i) =>
        courses.store.add({ groupId, title: `Course ${i}`, createdBy: owner.id, inviteeIds: [userIds[i]] }),
      );
      const query = `query ($ids: [ID!]) {
        courses(groupIds: $ids) {
          title
          audience { __typename ... on Group { id visibility } ... on User { id isGlobalAdmin createdAt } }
        }
      }`;

      for (const n of [50, 10]) {
        calls.length = 0;
        const { courses: list } = await okViaGateway<{
          courses: { audience: ({ __typename: string; id: string } | null)[] }[];
        }>(query, { ids: groupIds.slice(0, n) }, outsider);
        expect(list.map((c) => c.audience.map((a) => (a ? `${a.__typename}:${a.id}` : null)))).toEqual(
          groupIds.slice(0, n).map((g, i) => [i % 2 === 1 ? null : `Group:${g}`, `User:${userIds[i]}`]),
        );
        const toGroups = calls.filter((c) => c.subgraph === "groups");
        expect(toGroups).toHaveLength(1);
        expect(toGroups[0].query).toMatch(/_entities\(representations:/);
        const representations = toGroups[0].variables.representations as { __typename: string }[];
        expect(representations).toHaveLength(2 * n);
        expect(representations.filter((r) => r.__typename === "Group")).toHaveLength(n);
        expect(representations.filter((r) => r.__typename === "User")).toHaveLength(n);
        expect(toGroups[0].sqlStatements).toBe(2);
      }
    });

    it("_entities on groups: key order, null for unknown and invisible ids, one statement per type", async () => {
      const hidden = await createGroup(svc, owner, { name: "Hidden Lab", visibility: "PRIVATE" });
      const hiddenMembership = await addMember(svc, owner, hidden, await svc.user());
      const memberMembership = (
        (await svc.db.query(`SELECT id FROM memberships WHERE user_id = $1 AND group_id = $2`, [
          member.id,
          secretLab,
        ])) as {
          id: string;
        }[]
      )[0].id;
      const leadership = async (groupId: string, user: TestUser) =>
        (
          await svc.ok<{ addLeader: { id: string } }, unknown>(
            `mutation ($input: AddLeaderInput!) { addLeader(input: $input) { id } }`,
            { input: { groupId, userId: user.id } },
            owner,
          )
        ).addLeader.id;
      const visibleLeadership = await leadership(secretLab, member);
      const hiddenLeadership = await leadership(hidden, owner);
      const initiative = (
        await svc.ok<{ createInitiative: { id: string } }, unknown>(
          `mutation { createInitiative(input: { name: "Moonshot" }) { id } }`,
          {},
          owner,
        )
      ).createInitiative.id;
      const unknown = "00000000-0000-4000-8000-00000000dead";
      const r = [
        { __typename: "Membership", id: memberMembership },
        { __typename: "Group", id: hidden },
        { __typename: "User", id: owner.id },
        { __typename: "Leadership", id: hiddenLeadership },
        { __typename: "Initiative", id: unknown },
        { __typename: "Group", id: secretLab },
        { __typename: "Membership", id: hiddenMembership },
        { __typename: "User", id: unknown },
        { __typename: "Leadership", id: visibleLeadership },
        { __typename: "Group", id: unknown },
        { __typename: "Initiative", id: initiative },
        { __typename: "Group", id: openLab },
        { __typename: "Membership", id: unknown },
      ];
      const entities = `query ($r: [_Any!]!) {
        _entities(representations: $r) {
          __typename
          ... on Group { id name }
          ... on User { id }
          ... on Membership { id role }
          ... on Leadership { id }
          ... on Initiative { id name }
        }
      }`;
      const { data, count } = await svc.statements<{ _entities: unknown[] }, unknown>(entities, { r }, member);
      expect(data._entities).toEqual([
        { __typename: "Membership", id: memberMembership, role: "member" },
        null,
        { __typename: "User", id: owner.id },
        null,
        null,
        { __typename: "Group", id: secretLab, name: "Secret Lab" },
        null,
        null,
        { __typename: "Leadership", id: visibleLeadership },
        null,
        { __typename: "Initiative", id: initiative, name: "Moonshot" },
        { __typename: "Group", id: openLab, name: "Open Lab" },
        null,
      ]);
      // One statement per entity type: each reads its rows with the visibility rule in the same SQL.
      expect(count).toBe(5);

      // A global admin sees every known id; no standing to read, so one statement per type.
      const admin = await svc.user({ admin: true });
      await provision(svc, admin);
      const asAdmin = await svc.statements<{ _entities: ({ id: string } | null)[] }, unknown>(entities, { r }, admin);
      expect(asAdmin.data._entities.map((e) => e?.id ?? null)).toEqual(r.map((x) => (x.id === unknown ? null : x.id)));
      expect(asAdmin.count).toBe(5);
    });
  });

  describe("_entities with malformed representations", () => {
    it("answers each bad representation with its own BAD_USER_INPUT and resolves the valid ones beside it", async () => {
      const entities = `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Group { id name } } }`;
      const bad: unknown[] = [
        { __typename: "Group" },
        { __typename: "Group", id: null },
        { __typename: "Nope", id: openLab },
        "bare",
        { id: openLab },
        { __typename: "Query", id: openLab },
      ];
      for (const representation of bad) {
        const res = await svc.gql<{ _entities: unknown[] }, unknown>(
          entities,
          { r: [{ __typename: "Group", id: openLab }, representation, { __typename: "Group", id: secretLab }] },
          member,
        );
        const context = JSON.stringify(representation);
        expect({ context, data: res.data }).toEqual({
          context,
          data: {
            _entities: [
              { __typename: "Group", id: openLab, name: "Open Lab" },
              null,
              { __typename: "Group", id: secretLab, name: "Secret Lab" },
            ],
          },
        });
        expect({ context, errors: res.errors!.map((e) => [e.extensions!.code, e.path]) }).toEqual({
          context,
          errors: [["BAD_USER_INPUT", ["_entities", 1]]],
        });
      }
    });
  });

  describe("npm run schema:check", () => {
    const contractSdl = () => fs.readFileSync(contractPath(), "utf8");

    it("passes for the committed schema.graphql, in both deployments", () => {
      const result = checkSchema({ schemaSdl: readGroupsSchemaFile(), contractSdl: contractSdl() });
      expect(result).toEqual({
        ok: true,
        compositionErrors: [],
        breakingChanges: [],
        deployments: [
          {
            name: "supergraph (groups + accounts + courses)",
            subgraphs: ["groups", "accounts", "courses"],
            hints: EXPECTED_HINTS,
          },
          { name: "standalone (groups + courses)", subgraphs: ["groups", "courses"], hints: [] },
        ],
      });
    });

    it("fails on a dropped contract field, naming it, though the schema still composes", () => {
      const schemaSdl = readGroupsSchemaFile();
      const dropped = schemaSdl.replace(/(\ntype Group\n[^}]*?)\n {2}campus: String\n/, "$1\n");
      expect(dropped.length).toBe(schemaSdl.length - "  campus: String\n".length);
      const result = checkSchema({ schemaSdl: dropped, contractSdl: contractSdl() });
      expect(result.ok).toBe(false);
      expect(result.compositionErrors).toEqual([]);
      expect(result.breakingChanges).toEqual(["missing field Group.campus"]);
    });

    it("fails with composition errors when Group loses its @key", () => {
      const schemaSdl = readGroupsSchemaFile().replace(/type Group\n {2}@key\(fields: "id"\)\n/, "type Group\n");
      const result = checkSchema({ schemaSdl, contractSdl: contractSdl() });
      expect(result.ok).toBe(false);
      // courses declares Group as an entity; without the key, groups' Group.id becomes a plain field.
      expect(result.compositionErrors).toEqual([
        expect.stringMatching(/^supergraph \(.*\[INVALID_FIELD_SHARING\] Non-shareable field "Group\.id"/),
        expect.stringMatching(/^standalone \(.*\[INVALID_FIELD_SHARING\] Non-shareable field "Group\.id"/),
      ]);
      expect(result.breakingChanges).toEqual(['Group lacks @key(fields: "id")']);
    });

    it("reads the contract from CONTRACT_PATH when set", () => {
      expect(contractPath({ CONTRACT_PATH: "/somewhere/contract.graphql" })).toBe("/somewhere/contract.graphql");
      expect(contractPath({})).toMatch(/docs\/contract\/contract\.graphql$/);
    });
  });
});
