import path from "node:path";

/** Every setting of the service, parsed and validated once from the environment. */
export interface Config {
  /** HTTP port; 0 picks a free one. @default 4000 */
  port: number;
  /** Interface to bind. @default "0.0.0.0" */
  host: string;
  /** PostgreSQL connection string; unset = embedded PostgreSQL kept under `dataDir`. */
  databaseUrl: string | undefined;
  /** Where the embedded database and the generated JWT secret live. @default "./data" */
  dataDir: string;
  /** HS256 secret; unset (and no JWKS_URL) = a random one generated once under `dataDir`. */
  jwtSecret: string | undefined;
  /** Verify RS256/ES256 tokens against this JWKS endpoint instead of JWT_SECRET. */
  jwksUrl: string | undefined;
  /** Groups one (non-admin) user may have created at most. @default 100 */
  maxGroupsPerUser: number;
  /** When false, no group may be PUBLIC. @default true */
  allowPublicGroups: boolean;
  /** Apply pending migrations on start. @default true */
  migrateOnStart: boolean;
  /**
   * Sync the permission registry (code) into the permission tables on start, after migrations:
   * adds and updates keys and marks removed ones inactive (never force, never clean-orphans).
   * Replicas starting together take turns on an advisory lock. Turn off to sync only through
   * `npm run permissions:sync`. @default true
   */
  syncPermissionsOnStart: boolean;
  /** Deepest operation accepted (levels of selection sets). @default 12 */
  maxQueryDepth: number;
  /** Complexity budget; list fields multiply by their `first`. @default 50000 */
  maxQueryCost: number;
  /** Connections in the pool. @default 10 */
  dbPoolSize: number;
  /**
   * Connections of the read pipeline (the permission facts, `group(id)` and groups by id:
   * src/db/pipeline.ts), besides the pool; 0 sends those reads through the pool. @default 2
   */
  dbPipelineConnections: number;
  /** debug | info | warn | error | silent. @default "info" */
  logLevel: LogLevel;
  /** Adds `extensions.sqlStatements` to every response (tests and benchmarks). @default false */
  exposeSqlCount: boolean;
  /**
   * `group` and `groups` read the relations their selection asks for (members, memberCount,
   * parents, children, ancestors, leaders, initiatives) in their own statement, one statement per
   * root field (src/groups/group.plan.ts). Off: each relation loads through its own statement, the
   * same answers. @default true
   */
  planQueries: boolean;
  /** How long graceful shutdown waits for in-flight work. @default 10000 */
  shutdownTimeoutMs: number;
  /**
   * After SIGTERM/SIGINT, /ready answers 503 at once and the service keeps serving this long before
   * it stops accepting connections and drains, so a load balancer sees it leave before new
   * connections are refused. @default 5000 when NODE_ENV=production, else 0
   */
  shutdownDelayMs: number;
  /**
   * Browser origins (`scheme://host[:port]`, exact) allowed to call /graphql across origins: their
   * preflights are answered and their responses carry the CORS headers. Empty: no CORS. @default []
   */
  corsOrigins: string[];
  /**
   * Hosts (`host` or `host:port`) a router may name in a subscription's callback URL (Apollo
   * Router's HTTP callback protocol): the service POSTs each event there, so only listed hosts are
   * accepted. Empty: callback subscriptions are refused. @default []
   */
  subscriptionCallbackHosts: string[];
  /** The name this subgraph has in a supergraph. @default "groups" */
  subgraphName: string;
  /**
   * Events one subscription may have waiting for its client; beyond that the connection is closed
   * with 1013 and the client resumes with `after`. @default 1000
   */
  subscriptionBufferLimit: number;
  /** The event feed reads the log this often even without a notification (ms). @default 1000 */
  eventsPollIntervalMs: number;
  /**
   * The timer (src/timers/) looks for instants that passed this often (ms): a scheduled start, an
   * expiry or a leadership's start or end is written to the log within about this long of it.
   * @default 5000
   */
  timerIntervalMs: number;
  /**
   * Each replica writes its heartbeat (and reads erasures it may have missed) this often (ms); one
   * silent for five of them counts as gone, and eraseUser no longer waits for it. @default 1000
   */
  replicaHeartbeatMs: number;
  /** graphql-ws keep-alive: ping every this many ms; a client that does not pong is dropped. 0 = off. @default 12000 */
  wsKeepAliveMs: number;
  /**
   * Largest WebSocket message accepted, in bytes, before authentication as after: a larger frame
   * (or fragmented message) is refused from its header, never buffered, and the connection is
   * closed with 1009. The order of the HTTP body limit; ws's own default would be 100 MiB.
   * At least 1024 (a token must fit; ws would take 0 as "no limit"). @default 1048576 (1 MiB)
   */
  wsMaxPayloadBytes: number;
  /**
   * Subscriptions one graphql-ws connection may hold open at once; one more is refused with
   * BAD_USER_INPUT while the connection and its open subscriptions go on. Queries over the socket
   * are not counted. @default 100
   */
  maxSubscriptionsPerConnection: number;
  /**
   * Requests (HTTP operations and subscriptions) a minute per caller, token bucket; `_service`
   * and the health endpoints are exempt. 0 = off. @default 1200
   */
  rateLimitPerMinute: number;
  /**
   * Prometheus metrics at `/metrics` (see README "Observability"). Off: no hook is registered and
   * `/metrics` is 404. @default false, true when `metricsPort` is set
   */
  metricsEnabled: boolean;
  /**
   * Serve `/metrics` on its own HTTP server on this port (0 = a free one) instead of the service's
   * port, so it can stay on an internal interface. Unset: on the service's port. @default undefined
   */
  metricsPort: number | undefined;
  /** Interface the metrics port binds (only with `metricsPort`). @default "127.0.0.1" */
  metricsHost: string;
  /** Introspection on; defaults to on except when NODE_ENV=production (`_service` always answers). */
  allowIntrospection: boolean;
  /** "production" turns introspection off (stack traces never reach clients in any mode). */
  nodeEnv: string;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** A comma-separated list of exact origins, each checked to be one (no path, no wildcard). */
/** A comma-separated list of hosts (`router.internal`, `10.0.0.5:4000`): no scheme, path or wildcard. */
function hosts(env: NodeJS.ProcessEnv, name: string): string[] {
  const list = (str(env, name) ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
  for (const item of list) {
    let host: string | undefined;
    try {
      host = new URL(`http://${item}`).host;
    } catch {
      // reported below
    }
    if (host !== item) {
      throw new ConfigError(
        `${name} must list hosts like router.internal or 10.0.0.5:4000 (no scheme, path or wildcard), got "${item}"`,
      );
    }
  }
  return list;
}

function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const list = (str(env, name) ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of list) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      // reported below
    }
    if (origin !== item) {
      throw new ConfigError(
        `${name} must list exact origins like https://app.example.org or http://localhost:5173 ` +
          `(no path, no trailing slash, no wildcard), got "${item}"`,
      );
    }
  }
  return list;
}

function optionalInt(env: NodeJS.ProcessEnv, name: string, min = 0): number | undefined {
  return str(env, name) === undefined ? undefined : int(env, name, 0, min);
}

function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? undefined : raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const logLevel = (str(env, "LOG_LEVEL") ?? (env.NODE_ENV === "test" ? "silent" : "info")) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const nodeEnv = str(env, "NODE_ENV") ?? "development";
  const jwksUrl = str(env, "JWKS_URL");
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl)) {
    throw new ConfigError(`JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  }
  const metricsPort = optionalInt(env, "METRICS_PORT");
  if (metricsPort !== undefined && metricsPort > 65535) {
    throw new ConfigError(`METRICS_PORT must be a port number (0..65535), got "${metricsPort}"`);
  }
  return {
    port: int(env, "PORT", 4000),
    host: str(env, "HOST") ?? "0.0.0.0",
    databaseUrl: str(env, "DATABASE_URL"),
    dataDir: path.resolve(str(env, "DATA_DIR") ?? "data"),
    jwtSecret: str(env, "JWT_SECRET"),
    jwksUrl,
    maxGroupsPerUser: int(env, "MAX_GROUPS_PER_USER", 100),
    allowPublicGroups: bool(env, "ALLOW_PUBLIC_GROUPS", true),
    migrateOnStart: bool(env, "MIGRATE_ON_START", true),
    syncPermissionsOnStart: bool(env, "SYNC_PERMISSIONS_ON_START", true),
    maxQueryDepth: int(env, "MAX_QUERY_DEPTH", 12, 1),
    maxQueryCost: int(env, "MAX_QUERY_COST", 50000, 1),
    dbPoolSize: int(env, "DB_POOL_SIZE", 10, 1),
    dbPipelineConnections: int(env, "DB_PIPELINE_CONNECTIONS", 2, 0),
    logLevel,
    exposeSqlCount: bool(env, "EXPOSE_SQL_COUNT", false),
    planQueries: bool(env, "PLAN_QUERIES", true),
    shutdownTimeoutMs: int(env, "SHUTDOWN_TIMEOUT_MS", 10000, 1),
    shutdownDelayMs: int(env, "SHUTDOWN_DELAY_MS", nodeEnv === "production" ? 5000 : 0),
    corsOrigins: origins(env, "CORS_ORIGINS"),
    subscriptionCallbackHosts: hosts(env, "SUBSCRIPTION_CALLBACK_HOSTS"),
    subgraphName: str(env, "SUBGRAPH_NAME") ?? "groups",
    subscriptionBufferLimit: int(env, "SUBSCRIPTION_BUFFER_LIMIT", 1000, 1),
    eventsPollIntervalMs: int(env, "EVENTS_POLL_INTERVAL_MS", 1000, 10),
    timerIntervalMs: int(env, "TIMER_INTERVAL_MS", 5000, 50),
    replicaHeartbeatMs: int(env, "REPLICA_HEARTBEAT_MS", 1000, 50),
    wsKeepAliveMs: int(env, "WS_KEEPALIVE_MS", 12000, 0),
    wsMaxPayloadBytes: int(env, "WS_MAX_PAYLOAD_BYTES", 1024 * 1024, 1024),
    maxSubscriptionsPerConnection: int(env, "MAX_SUBSCRIPTIONS_PER_CONNECTION", 100, 1),
    rateLimitPerMinute: int(env, "RATE_LIMIT_PER_MINUTE", 1200, 0),
    metricsEnabled: bool(env, "METRICS_ENABLED", metricsPort !== undefined),
    metricsPort,
    metricsHost: str(env, "METRICS_HOST") ?? "127.0.0.1",
    allowIntrospection: bool(env, "ALLOW_INTROSPECTION", nodeEnv !== "production"),
    nodeEnv,
    ...overrides,
  };
}

/**
 * What production must be given rather than fall back on: DATABASE_URL (the embedded PostgreSQL
 * is for local use, one per data folder) and JWT_SECRET or JWKS_URL (a generated secret differs on
 * every replica, so a token from one is refused by the others). Throws one line naming what is missing.
 */
export function requireProductionSettings(config: Config): void {
  if (config.nodeEnv !== "production") return;
  const missing: string[] = [];
  if (!config.databaseUrl) missing.push("DATABASE_URL (the embedded PostgreSQL is for local use only)");
  if (!config.jwtSecret && !config.jwksUrl) {
    missing.push("JWT_SECRET or JWKS_URL (each replica would generate its own secret)");
  }
  if (missing.length) {
    throw new ConfigError(`NODE_ENV=production refuses to start without ${missing.join(" and without ")}`);
  }
}
