import crypto from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { Client } from "pg";
import { mintToken } from "../../src/auth";
import { type Service, type StartOptions, startService } from "../../src/bootstrap";
import type { Config } from "../../src/config";

export const TEST_SECRET = "test-secret-that-is-long-enough-for-hs256";

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: { sqlStatements?: number } & Record<string, unknown>;
}

export interface TestUser {
  id: string;
  token: string;
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_URL;
  if (!url) throw new Error("TEST_ADMIN_URL is not set: run the tests through jest (test/utils/global-setup.ts)");
  return url;
}

/** A new, empty database on the test server; its URL. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `t_${crypto.randomBytes(6).toString("hex")}`;
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const admin = new Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The service running in-process on its own fresh database, with a GraphQL client. */
export class TestService {
  private constructor(
    readonly service: Service,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  /**
   * `options.tracing`: spans to an exporter of the test's (test/tracing.test.ts); off by default.
   * `overrides.databaseUrl`: a second replica on that database (another TestService's `databaseUrl`),
   * which is then neither created nor dropped by this one.
   */
  static async start(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<TestService> {
    const database = overrides.databaseUrl
      ? { url: overrides.databaseUrl, drop: async () => undefined }
      : await createTestDatabase();
    const settings: Partial<Config> = {
      databaseUrl: database.url,
      port: 0,
      host: "127.0.0.1",
      jwtSecret: TEST_SECRET,
      exposeSqlCount: true,
      logLevel: "silent",
      // Suites fire thousands of requests as one user; test/limits.test.ts turns the limiter on.
      rateLimitPerMinute: 0,
      ...overrides,
    };
    const service = await startService(settings, options);
    return new TestService(service, database.drop);
  }

  get url(): string {
    return this.service.url;
  }

  get db() {
    return this.service.db;
  }

  /** The database this service runs on (for a second replica: `TestService.start({ databaseUrl })`). */
  get databaseUrl(): string {
    return this.service.config.databaseUrl!;
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await this.dropDatabase();
  }

  /** A token for a new (or given) user id; the user is provisioned on first request. */
  async user(
    options: { admin?: boolean; name?: string; email?: string; emailVerified?: boolean; id?: string } = {},
  ): Promise<TestUser> {
    const id = options.id ?? crypto.randomUUID();
    const token = await mintToken(TEST_SECRET, {
      sub: id,
      admin: options.admin,
      name: options.name ?? `User ${id.slice(0, 8)}`,
      email: options.email,
      emailVerified: options.emailVerified,
    });
    return { id, token };
  }

  /** POSTs one operation; `as` is the caller (a TestUser or a raw Authorization value), none = anonymous. */
  async gql<TData, TVars>(
    document: TypedDocumentNode<TData, TVars> | string,
    variables?: TVars,
    as?: TestUser | { authorization: string },
  ): Promise<GraphQLResponse<TData>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (as) headers.authorization = "authorization" in as ? as.authorization : `Bearer ${as.token}`;
    const res = await fetch(this.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: typeof document === "string" ? document : print(document), variables }),
    });
    return (await res.json()) as GraphQLResponse<TData>;
  }

  /** Like gql, but fails the test on any error and returns data. */
  async ok<TData, TVars>(
    document: TypedDocumentNode<TData, TVars> | string,
    variables: TVars,
    as: TestUser,
  ): Promise<TData> {
    const res = await this.gql(document, variables, as);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as TData;
  }

  /** Runs `fn`'s request(s) and answers the SQL statement count the last response reported. */
  async statements<TData, TVars>(document: TypedDocumentNode<TData, TVars> | string, variables: TVars, as: TestUser) {
    const res = await this.gql(document, variables, as);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return { data: res.data as TData, count: res.extensions?.sqlStatements ?? NaN };
  }
}

/** The error codes of a response, in order. */
export function codes(res: GraphQLResponse<unknown>): string[] {
  return (res.errors ?? []).map((e) => String(e.extensions?.code));
}

/**
 * The codes a client may see for its own mistakes or rights (the contract's, plus Apollo's parse
 * and validation codes); INTERNAL_SERVER_ERROR is not among them.
 */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "RATE_LIMITED",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
]);
