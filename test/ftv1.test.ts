import { ApolloServer, HeaderMap } from "@apollo/server";
import { Trace } from "@apollo/usage-reporting-protobuf";
import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { requestFor, type ShapeName, type Targets } from "../bench/lib/shapes";
import { compiledExecutor, compiledGateway, type CompiledExecutor } from "../src/executor";
import { FTV1_HEADER, inlineTracePlugin } from "../src/ftv1";
import { addMember, createGroup, provision } from "./utils/builders";
import { type GraphQLResponse, TestService, type TestUser } from "./utils/service";

/*
 * Federated traces: a request carrying `apollo-federation-include-trace: ftv1` gets its trace in
 * `extensions.ftv1` (a base64 Trace protobuf with a node and timing per field), errors in it
 * masked as the client's are; a request without the header gets exactly the answer it got before,
 * from the compiled executor, and neither costs a statement more.
 */

type Body = GraphQLResponse<Record<string, unknown>> & { extensions?: { ftv1?: string; sqlStatements?: number } };

let svc: TestService;
let admin: TestUser;
let owner: TestUser;
let outsider: TestUser;
const ids: Record<string, string> = {};

async function post(query: string, variables: Record<string, unknown>, as: TestUser, traced: boolean): Promise<Body> {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${as.token}` };
  if (traced) headers[FTV1_HEADER] = "ftv1";
  const res = await fetch(svc.url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as Body;
}

function decode(ftv1: string | undefined): Trace {
  expect(typeof ftv1).toBe("string");
  return Trace.decode(Buffer.from(ftv1!, "base64"));
}

/** Every node of the tree below `node`, depth first. */
function nodesOf(node: Trace.INode): Trace.INode[] {
  return (node.child ?? []).flatMap((child) => [child, ...nodesOf(child)]);
}

const num = (value: unknown) => Number(value ?? 0);

function targets(): Targets {
  return {
    adminId: admin.id,
    deepGroupId: ids.deep!,
    chainUserId: owner.id,
    chainGroupId: ids.deep!,
    detailGroupId: ids.team1!,
    m1GroupId: ids.team1!,
    spareUserIds: [admin.id],
    m2ParentId: ids.org!,
  };
}

/** A read shape as the benchmark asks it. */
function shape(name: ShapeName): { query: string; variables: Record<string, unknown> } {
  return JSON.parse(requestFor("service", name, targets()).body) as {
    query: string;
    variables: Record<string, unknown>;
  };
}

beforeAll(async () => {
  svc = await TestService.start();
  admin = await svc.user({ admin: true, name: "Admin" });
  owner = await svc.user({ name: "Owner" });
  outsider = await svc.user({ name: "Outsider" });
  await provision(svc, admin, owner, outsider);
  ids.org = await createGroup(svc, owner, { name: "Org", visibility: "PRIVATE" });
  ids.team1 = await createGroup(svc, owner, { name: "Team 1", groupType: "team", parentIds: [ids.org] });
  ids.team2 = await createGroup(svc, owner, { name: "Team 2", groupType: "team", parentIds: [ids.org] });
  ids.deep = await createGroup(svc, owner, { name: "Deep", parentIds: [ids.team1, ids.team2] });
  for (let i = 0; i < 3; i++) await addMember(svc, owner, ids.team1, await svc.user({ name: `Person ${i}` }));
});

afterAll(() => svc.stop());

describe("a request asking for ftv1", () => {
  it("gets extensions.ftv1: a Trace with the root field, its children and their timings", async () => {
    const { query, variables } = shape("Q1");
    const body = await post(query, variables, admin, true);
    expect(body.errors).toBeUndefined();
    const trace = decode(body.extensions?.ftv1);
    expect(num(trace.durationNs)).toBeGreaterThan(0);
    expect(num(trace.startTime?.seconds)).toBeGreaterThan(0);
    expect(num(trace.endTime?.seconds)).toBeGreaterThanOrEqual(num(trace.startTime?.seconds));

    const [groups, ...others] = trace.root!.child!;
    expect(others).toEqual([]);
    expect(groups).toMatchObject({ responseName: "groups", parentType: "Query" });
    expect(groups!.type).toMatch(/^GroupConnection/);
    expect(num(groups!.endTime)).toBeGreaterThanOrEqual(num(groups!.startTime));
    expect(num(groups!.endTime)).toBeLessThanOrEqual(num(trace.durationNs));

    // Below it: the page, each listed group (a node per index) and its fields, each timed.
    const below = nodesOf(groups!);
    const names = new Set(below.map((n) => n.responseName).filter(Boolean));
    for (const field of ["nodes", "id", "name", "memberCount", "parents", "members", "role", "user"]) {
      expect(names).toContain(field);
    }
    const teams = (body.data!.groups as { nodes: unknown[] }).nodes.length;
    expect(teams).toBe(2);
    expect(below.filter((n) => n.responseName === "memberCount")).toHaveLength(teams);
    for (const node of below.filter((n) => n.responseName)) {
      expect(node.parentType).toBeTruthy();
      expect(num(node.endTime)).toBeGreaterThanOrEqual(num(node.startTime));
    }
  });

  it.each(["Q1", "Q2", "Q3", "Q4"] as const)(
    "%s: the same answer and the same statements as without it, with one trace node per root field",
    async (name) => {
      const { query, variables } = shape(name);
      const plain = await post(query, variables, admin, false);
      const traced = await post(query, variables, admin, true);
      expect(plain.errors).toBeUndefined();
      expect(plain.extensions?.ftv1).toBeUndefined();
      expect(traced.data).toEqual(plain.data);
      expect(traced.extensions!.sqlStatements).toBe(plain.extensions!.sqlStatements);
      // The planned statements hold with the trace on: one statement for these shapes.
      expect(traced.extensions!.sqlStatements).toBe(1);
      const trace = decode(traced.extensions!.ftv1);
      expect(trace.root!.child!.map((n) => n.responseName)).toEqual(Object.keys(plain.data!));
    },
  );

  it("a router's entity fetch: the same entities, each one a node under _entities", async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name } ... on User { id userName: name } } }`;
    const variables = {
      r: [
        { __typename: "Group", id: ids.team1 },
        { __typename: "User", id: owner.id },
      ],
    };
    const plain = await post(query, variables, admin, false);
    const traced = await post(query, variables, admin, true);
    expect(plain.errors).toBeUndefined();
    expect(plain.data).toEqual({
      _entities: [
        { id: ids.team1, name: "Team 1" },
        { id: owner.id, userName: "Owner" },
      ],
    });
    expect(traced.data).toEqual(plain.data);
    const [entities] = decode(traced.extensions!.ftv1).root!.child!;
    expect(entities).toMatchObject({ responseName: "_entities", parentType: "Query" });
    // A list item's node is made when its first field resolves: in whichever order the entities load.
    const items = [...entities!.child!].sort((a, b) => a.index! - b.index!);
    expect(items.map((n) => n.index)).toEqual([0, 1]);
    expect(items.map((n) => n.child!.map((f) => [f.responseName, f.parentType]))).toEqual([
      [
        ["id", "Group"],
        ["name", "Group"],
      ],
      [
        ["id", "User"],
        ["userName", "User"],
      ],
    ]);
  });

  it("a header asking for anything but ftv1 gets no trace", async () => {
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}`, [FTV1_HEADER]: "ftv2" },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    const body = (await res.json()) as Body;
    expect(body.data).toEqual({ me: { id: admin.id } });
    expect(body.extensions?.ftv1).toBeUndefined();
  });

  it("records a client's error as the client sees it, on the field's node", async () => {
    // Org is PRIVATE: an outsider may not ask who may do what there.
    const query = `query ($user: ID!, $group: ID!) { checkPermission(userId: $user, groupId: $group, permission: "members.add") { allowed } }`;
    const variables = { user: owner.id, group: ids.org };
    const plain = await post(query, variables, outsider, false);
    const traced = await post(query, variables, outsider, true);
    expect(plain.errors).toHaveLength(1);
    expect(traced.errors).toEqual(plain.errors);
    const [error] = plain.errors!;
    const trace = decode(traced.extensions!.ftv1);
    const node = trace.root!.child!.find((n) => n.responseName === "checkPermission");
    expect(node?.error).toHaveLength(1);
    expect(node!.error![0]!.message).toBe(error!.message);
    expect(JSON.parse(node!.error![0]!.json!)).toMatchObject({
      message: error!.message,
      path: ["checkPermission"],
      extensions: { code: error!.extensions!.code },
    });
  });

  it("masks an unexpected failure: no SQL, driver text or stack in the trace", async () => {
    const query = `{ groups(first: 1) { totalCount } }`;
    // A real database failure: the table is gone for the length of one request.
    await svc.db.query(`ALTER TABLE groups RENAME TO groups_gone`);
    let plain: Body;
    let traced: Body;
    try {
      plain = await post(query, {}, admin, false);
      traced = await post(query, {}, admin, true);
    } finally {
      await svc.db.query(`ALTER TABLE groups_gone RENAME TO groups`);
    }
    expect(plain.errors!.map((e) => e.extensions!.code)).toEqual(["INTERNAL_SERVER_ERROR"]);
    expect(traced.errors!.map((e) => e.extensions!.code)).toEqual(["INTERNAL_SERVER_ERROR"]);
    const trace = decode(traced.extensions!.ftv1);
    const errors = [trace.root!, ...nodesOf(trace.root!)].flatMap((n) => n.error ?? []);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe("<masked>");
    expect(JSON.parse(errors[0]!.json!)).toEqual({
      message: "<masked>",
      path: ["groups"],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: "INTERNAL_SERVER_ERROR", maskedBy: "ApolloServerPluginInlineTrace" },
    });
    const text = Buffer.from(traced.extensions!.ftv1!, "base64").toString("latin1");
    expect(text).not.toMatch(/groups_gone|does not exist|relation|SELECT|FROM|\.ts:\d+|at \w+ \(/);
    // The service answers again once the table is back.
    expect((await post(query, {}, admin, false)).errors).toBeUndefined();
  });
});

describe("the compiled gateway and the trace plugin", () => {
  /** The compiled executor, its calls counted (it runs as it would in the service). */
  function counted(schema: GraphQLSchema): CompiledExecutor & { calls: number } {
    const executor = compiledExecutor(schema);
    const wrapper = {
      calls: 0,
      execute: (args: Parameters<CompiledExecutor["execute"]>[0]) => {
        wrapper.calls++;
        return executor.execute(args);
      },
      subscribe: executor.subscribe,
      stats: executor.stats,
    };
    return wrapper;
  }

  it("traces on a copy of the schema: untraced requests stay compiled and the schema's resolvers untouched", async () => {
    const schema = buildSchema(`type Query { hello(name: String!): Greeting! } type Greeting { text: String! }`);
    const hello = schema.getQueryType()!.getFields().hello!;
    const resolve = (_: unknown, { name }: { name: string }) => Promise.resolve({ text: `hi ${name}` });
    hello.resolve = resolve;
    const text = (schema.getType("Greeting") as GraphQLObjectType).getFields().text!;
    const executor = counted(schema);
    const apollo = new ApolloServer({ gateway: compiledGateway(schema, executor), plugins: [inlineTracePlugin()] });
    await apollo.start();
    try {
      const ask = async (traced: boolean) => {
        const headers = new HeaderMap();
        if (traced) headers.set(FTV1_HEADER, "ftv1");
        const response = await apollo.executeOperation({
          query: `{ hello(name: "ada") { text } }`,
          http: { method: "POST", headers, search: "", body: {} },
        });
        if (response.body.kind !== "single") throw new Error("expected a single result");
        return response.body.singleResult;
      };
      const plain = await ask(false);
      expect(plain).toEqual({ data: { hello: { text: "hi ada" } } });
      expect(executor.calls).toBe(1);

      const traced = await ask(true);
      expect(traced.data).toEqual(plain.data);
      expect(executor.calls).toBe(1); // graphql-js on the traceable copy answered it
      const trace = decode(traced.extensions?.ftv1 as string);
      expect(nodesOf(trace.root!).map((n) => n.responseName)).toEqual(["hello", "text"]);

      // Apollo instrumented its copy, not the schema the compiled executor and graphql-ws use.
      expect(hello.resolve).toBe(resolve);
      expect(text.resolve).toBeUndefined();
      expect(await ask(false)).toEqual(plain);
      expect(executor.calls).toBe(2);
      expect(executor.stats()).toEqual({ compiled: 1, fallbacks: 0 });
    } finally {
      await apollo.stop();
    }
  });
});
