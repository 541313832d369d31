import crypto from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
import { codes, type GraphQLResponse, TEST_SECRET, TestService } from "./utils/service";

const ME = "{ me { id } }";

interface MeData {
  me: { id: string };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * An HS256 token built by hand, so each test below differs from a good token by one defect only.
 * Defaults: sub = a fresh UUID, issued now, expiring in an hour, signed with TEST_SECRET.
 */
async function sign(claims: JWTPayload = {}, options: { secret?: string; noSub?: boolean } = {}): Promise<string> {
  const payload: JWTPayload = { roles: [], iat: nowSeconds(), exp: nowSeconds() + 3600, ...claims };
  if (!options.noSub && payload.sub === undefined) payload.sub = crypto.randomUUID();
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Refused before execution: exactly one UNAUTHENTICATED error and no data. */
function expectUnauthenticated(res: GraphQLResponse<unknown>): void {
  expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  expect(res.data ?? null).toBeNull();
  expect(res.errors![0]!.extensions!.stacktrace).toBeUndefined();
}

describe("authentication", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
  });
  afterAll(() => svc.stop());

  describe("control: a well-formed token", () => {
    it("is accepted when built by hand the same way as the refused tokens below", async () => {
      const id = crypto.randomUUID();
      const res = await svc.gql<MeData, never>(ME, undefined, bearer(await sign({ sub: id })));
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.id).toBe(id);
    });

    it("is accepted whatever the case of the Bearer scheme", async () => {
      const id = crypto.randomUUID();
      const res = await svc.gql<MeData, never>(ME, undefined, { authorization: `bearer ${await sign({ sub: id })}` });
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.id).toBe(id);
    });
  });

  describe("without a token", () => {
    it("refuses { me } with UNAUTHENTICATED", async () => {
      expectUnauthenticated(await svc.gql(ME));
    });

    it("refuses introspection with UNAUTHENTICATED (only _service is open)", async () => {
      expectUnauthenticated(await svc.gql("{ __schema { queryType { name } } }"));
    });

    it("answers { _service { sdl } } (routers compose without a token)", async () => {
      const res = await svc.gql<{ _service: { sdl: string } }, never>("{ _service { sdl } }");
      expect(res.errors).toBeUndefined();
      expect(res.data!._service.sdl).toMatch(/type Group\b/);
      expect(res.data!._service.sdl).toMatch(/type User\b/);
    });

    it("answers _service with __typename beside it", async () => {
      const res = await svc.gql<{ _service: { sdl: string }; __typename: string }, never>(
        "{ __typename _service { sdl } }",
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.__typename).toBe("Query");
    });

    it("refuses an operation that asks for _service and anything else", async () => {
      expectUnauthenticated(await svc.gql("{ _service { sdl } me { id } }"));
    });

    it("is not fooled by an alias named _service", async () => {
      expectUnauthenticated(await svc.gql("{ _service: me { id } }"));
    });

    it("is not fooled by a fragment on Query", async () => {
      expectUnauthenticated(await svc.gql("{ ...Q } fragment Q on Query { me { id } }"));
    });

    it("refuses a mutation before it runs", async () => {
      const name = `anon-${crypto.randomUUID()}`;
      const res = await svc.gql(`mutation { createGroup(input: { name: "${name}" }) { id } }`);
      expectUnauthenticated(res);
      const admin = await svc.user({ admin: true });
      const after = await svc.ok<{ groups: { totalCount: number } }, Record<string, never>>(
        `{ groups(filter: { search: "${name}", isActive: null }) { totalCount } }`,
        {},
        admin,
      );
      expect(after.groups.totalCount).toBe(0);

      // Control: the same lookup finds the group once it is created with a token.
      await svc.ok(`mutation { createGroup(input: { name: "${name}" }) { id } }`, {}, admin);
      const created = await svc.ok<{ groups: { totalCount: number } }, Record<string, never>>(
        `{ groups(filter: { search: "${name}", isActive: null }) { totalCount } }`,
        {},
        admin,
      );
      expect(created.groups.totalCount).toBe(1);
    });
  });

  describe("a malformed Authorization header", () => {
    it.each([
      ["another scheme", "Basic dXNlcjpwYXNz"],
      ["an unknown scheme", "Token abc.def.ghi"],
      ["Bearer without a token", "Bearer"],
      ["Bearer with two tokens", "Bearer abc def"],
      ["a bare token", "abc.def.ghi"],
      ["Bearer with a string that is not a JWT", "Bearer not-a-jwt"],
    ])("is UNAUTHENTICATED: %s", async (_label, authorization) => {
      expectUnauthenticated(await svc.gql(ME, undefined, { authorization }));
    });
  });

  describe("a token that must be refused", () => {
    it("signed with another secret is UNAUTHENTICATED", async () => {
      const token = await sign({}, { secret: "another-secret-that-is-also-long-enough-for-hs256" });
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(token)));
    });

    it("that has expired is UNAUTHENTICATED and says so", async () => {
      const token = await sign({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
      const res = await svc.gql(ME, undefined, bearer(token));
      expectUnauthenticated(res);
      expect(res.errors![0]!.message).toMatch(/expired/i);
    });

    it('with alg "none" (unsigned) is UNAUTHENTICATED', async () => {
      const payload = { sub: crypto.randomUUID(), roles: ["admin"], iat: nowSeconds(), exp: nowSeconds() + 3600 };
      const unsigned = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(unsigned)));
    });

    it("whose signature was kept but whose payload was changed is UNAUTHENTICATED", async () => {
      const [header, , signature] = (await sign()).split(".");
      const forged = `${header}.${b64url({ sub: crypto.randomUUID(), roles: ["admin"], exp: nowSeconds() + 3600 })}.${signature}`;
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(forged)));
    });

    it.each(["HS384", "HS512"])(
      "signed with the right secret but %s (only HS256 is accepted) is UNAUTHENTICATED",
      async (alg) => {
        const token = await new SignJWT({ sub: crypto.randomUUID(), roles: ["admin"], exp: nowSeconds() + 3600 })
          .setProtectedHeader({ alg, typ: "JWT" })
          .sign(new TextEncoder().encode(TEST_SECRET));
        expectUnauthenticated(await svc.gql(ME, undefined, bearer(token)));
      },
    );

    it("claiming RS256 over an HS256 signature (algorithm confusion) is UNAUTHENTICATED", async () => {
      const [, payload, signature] = (await sign({ roles: ["admin"] })).split(".");
      const confused = `${b64url({ alg: "RS256", typ: "JWT" })}.${payload}.${signature}`;
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(confused)));
    });

    it("not valid yet (nbf in the future) is UNAUTHENTICATED", async () => {
      const token = await sign({ nbf: nowSeconds() + 3600 });
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(token)));
    });

    it("of 10 KB is UNAUTHENTICATED; over Node's 16 KB header limit the request is refused with 431", async () => {
      const other = "another-secret-that-is-also-long-enough-for-hs256";
      const large = await sign({ padding: "x".repeat(10_000) }, { secret: other });
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(large)));
      const huge = await sign({ padding: "x".repeat(100_000) }, { secret: other });
      const res = await fetch(svc.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(huge) },
        body: JSON.stringify({ query: ME }),
      });
      expect(res.status).toBe(431);
    });

    it("without a sub is UNAUTHENTICATED", async () => {
      const token = await sign({}, { noSub: true });
      expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString())).not.toHaveProperty("sub");
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(token)));
    });

    it.each([
      ["a user name", "alice"],
      ["a number-like string", "12345"],
      ["a UUID with extra text", `${crypto.randomUUID()}x`],
      ["an empty string", ""],
    ])("whose sub is not a UUID (%s) is UNAUTHENTICATED", async (_label, sub) => {
      const token = await sign({ sub });
      expectUnauthenticated(await svc.gql(ME, undefined, bearer(token)));
    });
  });

  describe("health endpoints", () => {
    const base = () => svc.url.replace(/\/graphql$/, "");

    it("derives the base URL from the GraphQL URL", () => {
      expect(svc.url).toMatch(/\/graphql$/);
      expect(base()).toMatch(/^http:\/\/[^/]+$/);
    });

    it("GET /health answers 200 without a token", async () => {
      const res = await fetch(`${base()}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    });

    it("GET /ready answers 200 without a token while the database answers", async () => {
      const res = await fetch(`${base()}/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ready" });
    });

    it("GET /ready answers 503 while the database is unreachable, /health stays 200, and /ready recovers", async () => {
      await svc.db.destroy();
      try {
        const down = await fetch(`${base()}/ready`);
        expect(down.status).toBe(503);
        expect(JSON.stringify(await down.json())).not.toMatch(/SELECT/i);
        expect((await fetch(`${base()}/health`)).status).toBe(200);
      } finally {
        await svc.db.initialize();
      }
      expect((await fetch(`${base()}/ready`)).status).toBe(200);
    });
  });
});

describe("tokens in logs", () => {
  it("never appear, in full or as their signature, even at debug level", async () => {
    const svc = await TestService.start({ logLevel: "debug" });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const good = await sign();
    const bad = await sign({}, { secret: "another-secret-that-is-also-long-enough-for-hs256" });
    const expired = await sign({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    }) as typeof process.stdout.write;
    try {
      await svc.gql(ME, undefined, bearer(good));
      await svc.gql(ME, undefined, bearer(bad));
      await svc.gql(ME, undefined, bearer(expired));
      await svc.gql(`mutation { createGroup(input: { name: "" }) { id } }`, undefined, bearer(good));
      await svc.gql(`mutation { deleteGroup(id: "${crypto.randomUUID()}") }`, undefined, bearer(good));
    } finally {
      process.stdout.write = write;
      await svc.stop();
    }
    const log = lines.join("");
    expect(log).toContain('"msg":"graphql"'); // the capture saw the debug log
    for (const token of [good, bad, expired]) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split(".")[2]!);
    }
  });
});
