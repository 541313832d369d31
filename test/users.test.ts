import { graphql } from "./generated";
import type { UsersQuery } from "./generated/graphql";
import { codes, TestService, type TestUser } from "./utils/service";

const Me = graphql(`
  query Me {
    me {
      id
      name
      email
      isGlobalAdmin
      createdAt
    }
  }
`);

const CreateUser = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      name
      email
      isGlobalAdmin
    }
  }
`);

const UpdateUser = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
      name
      email
    }
  }
`);

const Users = graphql(`
  query Users($search: String, $first: Int, $after: String) {
    users(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
      }
    }
  }
`);

const UserById = graphql(`
  query UserById($id: ID!) {
    user(id: $id) {
      id
      name
    }
  }
`);

describe("people", () => {
  let svc: TestService;
  let admin: TestUser;

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true, name: "Ada Admin", email: "ada@example.org" });
  });
  afterAll(() => svc.stop());

  it("provisions the caller from the token's claims on first use", async () => {
    const data = await svc.ok(Me, {}, admin);
    expect(data.me).toMatchObject({ id: admin.id, name: "Ada Admin", email: "ada@example.org", isGlobalAdmin: true });
  });

  it("makes isGlobalAdmin follow the caller's latest token", async () => {
    const plain = await svc.user({ id: admin.id, admin: false });
    expect((await svc.ok(Me, {}, plain)).me.isGlobalAdmin).toBe(false);
    expect((await svc.ok(Me, {}, admin)).me.isGlobalAdmin).toBe(true);
  });

  it("lets only a global admin create users, and refuses a taken email (any case) with CONFLICT", async () => {
    const plain = await svc.user();
    const denied = await svc.gql(CreateUser, { input: { name: "X", email: "x@example.org" } }, plain);
    expect(codes(denied)).toEqual(["FORBIDDEN"]);

    const created = await svc.ok(CreateUser, { input: { name: "Grace", email: "grace@example.org" } }, admin);
    expect(created.createUser).toMatchObject({ name: "Grace", email: "grace@example.org", isGlobalAdmin: false });

    const dup = await svc.gql(CreateUser, { input: { name: "Other", email: "GRACE@example.org" } }, admin);
    expect(codes(dup)).toEqual(["CONFLICT"]);
    expect(dup.errors![0]!.extensions!.field).toBe("email");
  });

  it("validates user input with field details", async () => {
    const res = await svc.gql(CreateUser, { input: { name: "", email: "not-an-email" } }, admin);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(Object.keys(res.errors![0]!.extensions!.details as object).sort()).toEqual(["email", "name"]);
  });

  it("lets users update themselves but not others; admins update anyone", async () => {
    const alice = await svc.user();
    const bob = await svc.user();
    await svc.ok(Me, {}, bob);
    const self = await svc.ok(UpdateUser, { id: alice.id, input: { name: "Alice A." } }, alice);
    expect(self.updateUser.name).toBe("Alice A.");
    expect(codes(await svc.gql(UpdateUser, { id: bob.id, input: { name: "Hacked" } }, alice))).toEqual(["FORBIDDEN"]);
    const byAdmin = await svc.ok(UpdateUser, { id: bob.id, input: { email: "bob@example.org" } }, admin);
    expect(byAdmin.updateUser.email).toBe("bob@example.org");
    expect(codes(await svc.gql(UpdateUser, { id: "nope", input: { name: "x" } }, admin))).toEqual(["NOT_FOUND"]);
  });

  it("answers null for an unknown or malformed user id", async () => {
    expect((await svc.ok(UserById, { id: "00000000-0000-4000-8000-00000000dead" }, admin)).user).toBeNull();
    expect((await svc.ok(UserById, { id: "not-a-uuid" }, admin)).user).toBeNull();
  });

  it("searches and paginates users without gaps or duplicates", async () => {
    const tag = `zz${Date.now()}`;
    for (let i = 0; i < 7; i++)
      await svc.ok(CreateUser, { input: { name: `${tag} ${i}`, email: `${tag}${i}@example.org` } }, admin);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: UsersQuery = await svc.ok(Users, { search: tag, first: 3, after }, admin);
      expect(page.users.totalCount).toBe(7);
      seen.push(...page.users.nodes.map((n) => n.name!));
      if (!page.users.pageInfo.hasNextPage) break;
      after = page.users.pageInfo.endCursor;
    }
    expect(seen).toEqual([...Array(7).keys()].map((i) => `${tag} ${i}`));
  });
});
