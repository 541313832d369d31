import { type Client, createClient } from "graphql-ws";

/** One GraphQL error as the service sends it (contract: extensions.code, details for BAD_USER_INPUT). */
export interface ApiErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; details?: Record<string, string[]>; permission?: string; field?: string };
}

/**
 * The field a GraphQL variable error names, and what is wrong with it, from graphql-js's wording
 * (`Variable "$input" got invalid value …; Field "name" of required type "String!" was not
 * provided.`). Such errors carry no details: this maps them under the field like the service's own.
 */
function variableFieldError(message: string): { field: string; message: string } | undefined {
  if (!message.startsWith('Variable "$')) return undefined;
  const missing = /Field "(\w+)" of required type "[^"]+" was not provided/.exec(message);
  if (missing) return { field: missing[1], message: "is required" };
  const at = /at "(?:\w+\.)?(\w+)"/.exec(message);
  if (!at) return undefined;
  if (/not to be null/.test(message)) return { field: at[1], message: "is required" };
  return { field: at[1], message: "has a value of the wrong kind" };
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
    const add = (field: string, messages: string[]) => {
      // "input.url" and "url" both name the url field of the form.
      const key = field.replace(/^input\./, "");
      this.details[key] = [...(this.details[key] ?? []), ...messages];
    };
    for (const error of errors) {
      for (const [field, messages] of Object.entries(error.extensions?.details ?? {})) add(field, messages);
      // A value already taken (shortName on a campus) belongs under its field too.
      if (error.extensions?.code === "CONFLICT" && error.extensions.field) add(error.extensions.field, [error.message]);
      const variable = variableFieldError(error.message);
      if (variable) add(variable.field, [variable.message]);
    }
  }
}

const LABELS: Record<string, string> = {
  FORBIDDEN: "Not allowed",
  UNAUTHENTICATED: "Not signed in",
  NOT_FOUND: "Not found",
  BAD_USER_INPUT: "Invalid input",
  CONFLICT: "Conflict",
  RATE_LIMITED: "Too many requests",
};

/**
 * A sentence for people: the code in words, then the service's message; the service's own
 * "Invalid input: …" is not prefixed twice, and a variable error reads as its field's message.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const label = LABELS[error.code] ?? "Error";
    const text =
      error.errors
        .map((e) => {
          const variable = variableFieldError(e.message);
          return variable ? `${variable.field} ${variable.message}` : e.message;
        })
        .join("; ") || error.message;
    return text.toLowerCase().startsWith(`${label.toLowerCase()}:`) ? text : `${label}: ${text}`;
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
