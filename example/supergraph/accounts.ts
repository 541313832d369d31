import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { parse } from "graphql";
import type { TokenVerifier } from "../../src/auth";
import { callerOf, contextFrom, type ExampleContext, requireTokenPlugin } from "./auth";
import { type ListenOptions, type RunningGraphQL, serveGraphQL } from "./serve";

/**
 * The accounts subgraph: a small identity service. It owns handles and avatars, and it is the
 * "identity subgraph" of the contract: it takes over `User.name` and `User.email` from groups with
 * `@override(from: "groups")`, so the supergraph reads a person's name and email from here, never
 * from the groups database (whose copies, provisioned from token claims, go unused).
 *
 * A user without an account resolves to null here: such a user's `name`, `email`, `handle` and
 * `avatarUrl` are null in the supergraph, while everything groups knows about them still resolves.
 */
export const ACCOUNTS_SDL = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])

type Query {
  """The caller's own account; null when they have none."""
  myAccount: User
  accountByHandle(handle: String!): User
}

# A person, as the identity service knows them. (No description: the groups subgraph's describes User.)
type User @key(fields: "id") {
  id: ID!
  """Unique, lower-case."""
  handle: String
  avatarUrl: String
  name: String @override(from: "groups")
  email: String @override(from: "groups")
}
`;

/** One account. */
export interface Account {
  /** The user id (the tokens' `sub`), shared with the groups subgraph. */
  id: string;
  handle: string;
  name: string;
  email?: string | null;
  avatarUrl?: string | null;
}

/** The accounts, in memory, by id. */
export class AccountStore {
  private readonly byId = new Map<string, Account>();

  constructor(accounts: Account[] = []) {
    for (const account of accounts) this.put(account);
  }

  /** Adds or replaces an account. */
  put(account: Account): Account {
    this.byId.set(account.id, account);
    return account;
  }

  get(id: string): Account | null {
    return this.byId.get(id) ?? null;
  }

  byHandle(handle: string): Account | null {
    for (const account of this.byId.values()) if (account.handle === handle) return account;
    return null;
  }
}

/** The executable accounts subgraph schema over `store`. */
export function buildAccountsSchema(store: AccountStore) {
  const resolvers: GraphQLResolverMap<ExampleContext> = {
    Query: {
      myAccount: (_root, _args, ctx: ExampleContext) => store.get(callerOf(ctx).id),
      accountByHandle: (_root, args: { handle: string }) => store.byHandle(args.handle),
    },
    User: {
      __resolveReference: (ref: { id: string }) => store.get(ref.id),
      avatarUrl: (account: Account) => account.avatarUrl ?? `https://avatars.example.org/${account.handle}.png`,
      email: (account: Account) => account.email ?? null,
    },
  };
  return buildSubgraphSchema({ typeDefs: parse(ACCOUNTS_SDL), resolvers: resolvers as never });
}

/** Options of {@link startAccounts}. */
export interface AccountsOptions extends ListenOptions {
  /** Verifies the forwarded bearer tokens (see auth.ts). */
  verify: TokenVerifier;
  /** The initial accounts. @default [] */
  accounts?: Account[];
}

/** Starts the accounts subgraph; `store` holds its data (tests add accounts to it). */
export async function startAccounts(options: AccountsOptions): Promise<RunningGraphQL & { store: AccountStore }> {
  const store = new AccountStore(options.accounts);
  const server = await serveGraphQL<ExampleContext>(
    { schema: buildAccountsSchema(store), plugins: [requireTokenPlugin(), ApolloServerPluginInlineTraceDisabled()] },
    options,
    contextFrom(options.verify),
  );
  return { ...server, store };
}
