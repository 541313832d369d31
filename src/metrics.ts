import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import { type GraphQLError, getOperationAST } from "graphql";
import type { Pool } from "pg";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DataSource } from "typeorm";
import { poolOf } from "./db";
import type { CompiledExecutor } from "./executor";
import { type EventFeed, type EventHub, newestEventId } from "./events";
import type { AppContext } from "./shared/context";
import { logger, requestScope } from "./shared/logger";
import type { RateLimiter } from "./shared/rate-limit";

/** Distinct operation names kept as label values; the rest are counted as "other" (names come from clients). */
const MAX_OPERATION_NAMES = 200;
/** A scrape waits this long for the feed-lag read; a starved pool answers NaN instead of a hung scrape. */
const LAG_READ_TIMEOUT_MS = 2000;

export interface MetricsDeps {
  db: DataSource;
  hub: EventHub;
  feed: EventFeed;
}

/**
 * The service's Prometheus metrics (prom-client), in a registry of its own so two services in one
 * process (tests) never share a series. Request-path hooks exist only on an instance: with metrics
 * off none is created and nothing is registered (see README "Observability"). Gauges that describe
 * state (pool, subscriptions, feed lag) are read at scrape time, not kept up to date per request.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly latency = new Histogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL operations from receipt to response (HTTP) or to the result or event stream (graphql-ws), by operation name and type.",
    labelNames: ["operation", "type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "graphql_errors_total",
    help: "GraphQL errors answered, by extensions.code (INTERNAL_SERVER_ERROR when it has none).",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  private readonly statements = new Histogram({
    name: "graphql_sql_statements_per_operation",
    help: "SQL statements one HTTP operation ran; observed only while statements are counted (EXPOSE_SQL_COUNT or LOG_LEVEL=debug).",
    labelNames: ["type"] as const,
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: "rate_limited_total",
    help: "Operations refused by the per-caller rate limit (HTTP and graphql-ws).",
    registers: [this.registry],
  });

  constructor(deps: MetricsDeps) {
    const pool = poolOf(deps.db);
    const poolGauge = (name: string, help: string, read: (pool: Pool) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pool ? read(pool) : NaN);
        },
      });
    poolGauge("db_pool_connections", "Connections open in the PostgreSQL pool.", (p) => p.totalCount);
    poolGauge("db_pool_connections_idle", "Pool connections open and idle.", (p) => p.idleCount);
    poolGauge("db_pool_connections_in_use", "Pool connections checked out.", (p) => p.totalCount - p.idleCount);
    poolGauge("db_pool_waiting", "Queries waiting for a pool connection.", (p) => p.waitingCount);
    new Gauge({
      name: "subscriptions_open",
      help: "Subscriptions open on this replica (the event hub's subscribers).",
      registers: [this.registry],
      collect() {
        this.set(deps.hub.stats().subscribers);
      },
    });
    new Gauge({
      name: "event_feed_lag",
      help: "The newest event id stored minus the feed's delivered position (ids, not a count: ids can have gaps). NaN when the read failed.",
      registers: [this.registry],
      async collect() {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("timed out")), LAG_READ_TIMEOUT_MS);
          });
          const newest = await Promise.race([newestEventId(deps.db), timeout]);
          const lag = newest - deps.feed.position;
          this.set(Number(lag > 0n ? lag : 0n));
        } catch (error) {
          logger.warn("metrics: the feed lag could not be read", { reason: (error as Error).message });
          this.set(NaN);
        } finally {
          clearTimeout(timer);
        }
      },
    });
  }

  /** The label of an operation name: as given while fewer than MAX_OPERATION_NAMES are known, else "other". */
  private operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return "other";
    this.names.add(name);
    return name;
  }

  /** Counts each error by its code (graphql-ws answers; Apollo's go through the plugin). */
  countErrors(errors: readonly GraphQLError[]): void {
    for (const error of errors) this.errors.inc({ code: String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
  }

  /** Makes `limiter` count its refusals (one limiter serves HTTP and graphql-ws). */
  countRefusals(limiter: RateLimiter): void {
    const take = limiter.take.bind(limiter);
    limiter.take = (key: string) => {
      const wait = take(key);
      if (wait > 0) this.rateLimited.inc();
      return wait;
    };
  }

  /** Apollo Server's hooks (HTTP): latency by operation, errors by code, statements when counted. */
  plugin(): ApolloServerPlugin<AppContext> {
    return {
      requestDidStart: async ({ request }) => {
        const started = process.hrtime.bigint();
        let type = "unknown";
        let name = request.operationName;
        const listener: GraphQLRequestListener<AppContext> = {
          didResolveOperation: async ({ operation }) => {
            if (!operation) return;
            type = operation.operation;
            name = operation.name?.value ?? name;
          },
          didEncounterErrors: async ({ errors }) => this.countErrors(errors),
          willSendResponse: async () => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            this.latency.observe({ operation: this.operationLabel(name), type }, seconds);
            const scope = requestScope.getStore();
            if (scope) this.statements.observe({ type }, scope.sqlStatements);
          },
        };
        return listener;
      },
    };
  }

  /** `executor` timing each graphql-ws operation, up to its result (or, for a subscription, its stream). */
  timed(executor: CompiledExecutor): CompiledExecutor {
    const time = async <T>(args: Parameters<CompiledExecutor["execute"]>[0], run: () => Promise<T>): Promise<T> => {
      const started = process.hrtime.bigint();
      try {
        return await run();
      } finally {
        const operation = getOperationAST(args.document, args.operationName);
        const labels = {
          operation: this.operationLabel(operation?.name?.value ?? args.operationName),
          type: operation?.operation ?? "unknown",
        };
        this.latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
    return {
      execute: (args) => time(args, () => executor.execute(args)),
      subscribe: (args) => time(args, () => executor.subscribe(args)),
      stats: () => executor.stats(),
    };
  }

  /** The text exposition, for an Express route or the metrics port. */
  readonly serve = async (_req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(body);
    } catch (error) {
      logger.error("metrics: the scrape failed", { error });
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("metrics unavailable\n");
    }
  };

  /** `/metrics` on its own HTTP server (METRICS_PORT); anything else there is 404. */
  async listen(port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
      if (req.method === "GET" && req.url?.split("?")[0] === "/metrics") void this.serve(req, res);
      else res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
    const url = `http://${shown}:${address.port}/metrics`;
    logger.info("metrics listening", { url });
    return {
      url,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }
}
