import { type Client, createClient } from "graphql-ws";

/** One GraphQL error as the service sends it (contract: extensions.code, details for BAD_USER_INPUT). */
export interface ApiErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; details?: Record<string, string[]>; permission?: string };
}

/** A failed operation: its errors, with the first one's code and the field messages of all of them. */
export class ApiError extends Error {
  readonly code: string;
  readonly details: Record<string, string[]>;

  constructor(readonly errors: ApiErrorItem[]) {
    super(errors.map((e) => e.message).join("; ") || "Request failed");
    this.name = "ApiError";
    this.code = errors[0]?.extensions?.code ?? "ERROR";
    this.details = {};
    for (const error of errors) {
      for (const [field, messages] of Object.entries(error.extensions?.details ?? {})) {
        // "input.url" and "url" both name the url field of the form.
        const key = field.replace(/^input\./, "");
        this.details[key] = [...(this.details[key] ?? []), ...messages];
      }
    }
  }
}

/** A sentence for people: the code in words, then the service's message. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const label: Record<string, string> = {
      FORBIDDEN: "Not allowed",
      UNAUTHENTICATED: "Not signed in",
      NOT_FOUND: "Not found",
      BAD_USER_INPUT: "Invalid input",
      CONFLICT: "Conflict",
      RATE_LIMITED: "Too many requests",
    };
    return `${label[error.code] ?? "Error"}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Where the API lives: the service serving this console, same origin. */
export const GRAPHQL_PATH = "/graphql";

const TOKEN_KEY = "groups-admin.token";

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** POSTs one operation with the signed-in user's token; throws ApiError on any GraphQL error. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = tokenStore.get();
  const res = await fetch(GRAPHQL_PATH, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: ApiErrorItem[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError([{ message: `The service answered ${res.status} without JSON` }]);
  }
  if (body.errors?.length) throw new ApiError(body.errors);
  if (!body.data) throw new ApiError([{ message: `The service answered ${res.status} without data` }]);
  return body.data;
}

let wsClient: { token: string; client: Client } | undefined;

/** The graphql-ws client of the signed-in user (one socket, shared by every subscription). */
export function subscriptions(): Client {
  const token = tokenStore.get() ?? "";
  if (wsClient?.token === token) return wsClient.client;
  void wsClient?.client.dispose();
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${GRAPHQL_PATH}`;
  const client = createClient({
    url,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 5,
  });
  wsClient = { token, client };
  return client;
}

export function closeSubscriptions(): void {
  void wsClient?.client.dispose();
  wsClient = undefined;
}
