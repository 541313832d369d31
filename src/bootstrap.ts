import "reflect-metadata";
import type { DataSource } from "typeorm";
import { createDataSource } from "../ormconfig";
import { createVerifier, mintToken, resolveJwtSecret } from "./auth";
import { type Config, loadConfig, requireProductionSettings } from "./config";
import {
  type EmbeddedDatabase,
  ensureDatabase,
  type ReadPipeline,
  startEmbeddedPostgres,
  startReadPipeline,
} from "./db";
import { EventFeed, EventHub } from "./events";
import { buildGroupsSubgraph } from "./federation";
import { Metrics } from "./metrics";
import { applySync, registry, summarize } from "./permissions";
import { startServer } from "./server";
import { logger } from "./shared/logger";
import { runTimerTick, TimerDuty } from "./timers";
import { startTracing, type Tracing, type TracingOptions } from "./tracing";
import { ErasureWatch } from "./users";

export interface Service {
  config: Config;
  db: DataSource;
  url: string;
  port: number;
  /** The HS256 secret in use (undefined with JWKS_URL). */
  secret: string | undefined;
  /** True when the secret was generated under ./data (local mode: print an admin token). */
  generatedSecret: boolean;
  /** The live event hub: subscriptions and their buffers. */
  events: EventHub;
  /** Where Prometheus scrapes `/metrics`, when metrics are on (METRICS_ENABLED / METRICS_PORT). */
  metricsUrl: string | undefined;
  /** OpenTelemetry tracing, when on (OTEL_EXPORTER_OTLP_ENDPOINT, or an exporter given to startService). */
  tracing: Tracing | undefined;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = "groups";

/** What startService takes besides settings: things a test hands in rather than the environment. */
export interface StartOptions {
  /** Tracing with this exporter (tests: an in-memory one), whatever OTEL_* says. */
  tracing?: TracingOptions;
}

/**
 * The database URL to use: DATABASE_URL, or the embedded server under DATA_DIR. A `command` (a CLI
 * run) uses the server of the service running on that folder when there is one, else starts one
 * for the run; `embedded.stop()` then stops only a server it started. A `service` holds the folder
 * and refuses (DataDirInUseError) when another live service does.
 */
export async function resolveDatabase(
  config: Config,
  role: "service" | "command" = "command",
): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres(config.dataDir, { role });
  try {
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: embedded.databaseUrlFor(EMBEDDED_DATABASE), embedded };
}

/**
 * The composition root: config -> database (embedded or DATABASE_URL) -> migrations -> schema ->
 * HTTP/WebSocket server. `stop()` undoes it in reverse order.
 */
export async function startService(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<Service> {
  const config = loadConfig(process.env, overrides);
  requireProductionSettings(config);
  logger.setLevel(config.logLevel);
  const { url, embedded } = await resolveDatabase(config, "service");
  // Off (no OTLP endpoint): undefined, and nothing below adds a hook for it.
  const tracing = startTracing(process.env, options.tracing);
  const db = createDataSource(url, { poolSize: config.dbPoolSize });
  let feed: EventFeed | undefined;
  let timer: TimerDuty | undefined;
  let erasures: ErasureWatch | undefined;
  let metricsServer: { url: string; close(): Promise<void> } | undefined;
  let reads: ReadPipeline | undefined;
  try {
    await db.initialize();
    tracing?.instrumentPool(db);
    reads =
      config.dbPipelineConnections > 0
        ? startReadPipeline(db, {
            connections: config.dbPipelineConnections,
            onClient: tracing ? (client) => tracing.traceClient(client) : undefined,
          })
        : undefined;
    if (config.migrateOnStart) {
      const applied = await db.runMigrations({ transaction: "each" });
      if (applied.length) logger.info("migrations applied", { migrations: applied.map((m) => m.name) });
    }
    if (config.syncPermissionsOnStart) {
      // One read when nothing changed; each change is logged by applySync itself.
      const sync = await applySync(db, registry.definitions, { dataDir: config.dataDir });
      if (sync.applied) {
        logger.info("permission registry synced", { changes: summarize(sync.plan.changes), backup: sync.backupPath });
      }
    }
    const { secret, generated } = config.jwksUrl ? { secret: undefined, generated: false } : resolveJwtSecret(config);
    const { schema } = await buildGroupsSubgraph();
    // A batch never exceeds a subscriber's buffer: a reader that keeps up is never closed by one burst.
    feed = new EventFeed(db, {
      databaseUrl: url,
      pollIntervalMs: config.eventsPollIntervalMs,
      batchSize: Math.min(500, config.subscriptionBufferLimit),
    });
    await feed.start();
    // Before serving: the erased users this replica refuses are loaded (see erasure-watch.ts).
    erasures = new ErasureWatch(db, { databaseUrl: url, heartbeatMs: config.replicaHeartbeatMs });
    await erasures.start();
    const eventHub = new EventHub(feed, { db, config });
    eventHub.start();
    // Time-driven events (scheduled starts, expiries, leadership dates): one replica holds the duty.
    timer = new TimerDuty({ databaseUrl: url, intervalMs: config.timerIntervalMs, tick: () => runTimerTick(db) });
    timer.start();
    const metrics = config.metricsEnabled ? new Metrics({ db, hub: eventHub, feed }) : undefined;
    if (metrics && config.metricsPort !== undefined) {
      metricsServer = await metrics.listen(config.metricsPort, config.metricsHost);
    }
    const devToken =
      generated && secret && config.nodeEnv !== "production" ? () => mintLocalAdminToken(secret) : undefined;
    const server = await startServer({
      config,
      db,
      schema,
      verify: createVerifier(config, secret),
      eventHub,
      devToken,
      metrics,
      tracing,
    });
    embedded?.recordHttpUrl(server.url);
    let stopping: Promise<void> | undefined;
    return {
      config,
      db,
      url: server.url,
      port: server.port,
      secret,
      generatedSecret: generated,
      events: eventHub,
      metricsUrl: metrics ? (metricsServer?.url ?? new URL("/metrics", server.url).toString()) : undefined,
      tracing,
      stop: () =>
        (stopping ??= (async () => {
          await server.stop();
          await timer!.stop();
          await metricsServer?.close();
          await eventHub.stop();
          await feed!.stop();
          await erasures!.stop();
          await reads?.close();
          await db.destroy();
          await embedded?.stop();
          // Last: the spans of the drain are exported too.
          await tracing?.shutdown();
        })()),
    };
  } catch (error) {
    await timer?.stop();
    await metricsServer?.close();
    await feed?.stop();
    await erasures?.stop();
    await reads?.close();
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
    await tracing?.shutdown();
    throw error;
  }
}

/** A global-admin token for local use, printed at start-up when the secret was generated. */
export async function localAdminToken(service: Service): Promise<string | undefined> {
  if (!service.generatedSecret || !service.secret) return undefined;
  return mintLocalAdminToken(service.secret);
}

function mintLocalAdminToken(secret: string): Promise<string> {
  return mintToken(secret, {
    sub: "00000000-0000-4000-8000-000000000001",
    admin: true,
    name: "Local Admin",
    email: "admin@localhost",
  });
}
