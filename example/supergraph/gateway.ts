import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { type ListenOptions, type RunningGraphQL, serveGraphQL } from "./serve";

/** A subgraph's response as the gateway receives it (body fields plus `http`). */
export type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/** The gateway's per-request context: what it forwards to the subgraphs. */
export interface GatewayContext {
  /** The incoming Authorization header, forwarded verbatim to every subgraph fetch. */
  authorization?: string;
}

/** Options of {@link startGateway}. */
export interface GatewayOptions extends ListenOptions {
  /** A composed supergraph (compose.ts): static, no polling, no schema registry. */
  supergraphSdl: string;
  /**
   * Called with every successful subgraph response (after the fetch, before the gateway merges
   * it): the subgraph name, the operation the gateway sent and the response body. Tests read the
   * groups subgraph's `extensions.sqlStatements` here.
   */
  onSubgraphResponse?: (
    subgraph: string,
    request: { query?: string; variables?: Record<string, unknown> },
    response: SubgraphResponse,
  ) => void;
}

/** A subgraph data source that forwards the caller's Authorization header on every fetch. */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly onResponse?: GatewayOptions["onSubgraphResponse"],
  ) {
    super({ url });
  }

  override willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["willSendRequest"]>>[0]) {
    // Only incoming operations carry a caller; health checks and schema loads have none.
    if (context.authorization) request.http?.headers.set("authorization", context.authorization);
  }

  /**
   * A subgraph that refuses a request with an HTTP error status (groups answers 401 without a
   * valid token) still sends a GraphQL body: surface its first error (message and code) instead of
   * the gateway's generic "401: Unauthorized", and without the subgraph's internal URL.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0]) {
    const generic = await super.errorFromResponse(response);
    const body = (generic.extensions.response as { body?: unknown } | undefined)?.body;
    const first = (body as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] } | undefined)
      ?.errors?.[0];
    if (typeof first?.message !== "string") return generic;
    return new GraphQLError(first.message, {
      extensions: { code: generic.extensions.code, ...first.extensions, subgraph: this.name },
    });
  }

  override didReceiveResponse({
    response,
    request,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0]) {
    this.onResponse?.(this.name, { query: request.query, variables: request.variables }, response);
    return response;
  }
}

/** Builds the gateway (not started): each subgraph fetch forwards the caller's Authorization header. */
export function createGateway(options: Pick<GatewayOptions, "supergraphSdl" | "onSubgraphResponse">): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new ForwardingDataSource(name, url!, options.onSubgraphResponse),
  });
}

/**
 * Starts the gateway: Apollo Server 5 in gateway mode over the static supergraph. Each incoming
 * request's Authorization header travels to every subgraph the query plan touches; the subgraphs
 * decide (groups: who may see what; accounts and courses: only that a valid token is present).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGraphQL> {
  return serveGraphQL<GatewayContext>({ gateway: createGateway(options) }, options, async (authorization) => ({
    authorization,
  }));
}
