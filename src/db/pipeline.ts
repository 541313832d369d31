import type { Client, ClientConfig, Pool, PoolClient, QueryConfig, QueryResult } from "pg";
import type { DataSource } from "typeorm";
import { logger } from "../shared/logger";
import { isDatabaseUnavailable } from "./errors";
import { poolOf } from "./pool";

/**
 * Short autocommitted reads (the permission facts every check reads, `group(id)`'s planned
 * statement, groups by id and `_entities`' visible groups by id) through a few connections of
 * their own in pg's pipeline mode: the reads that start in one turn of the event loop go to one
 * connection and are written to its socket at once, without waiting for each other's answers.
 *
 * Why: a permission check is bound by the service's Node CPU, and a third of that was the kernel's
 * `writev` of the statement to PostgreSQL (on loopback TCP the sender also pays for delivering it
 * and waking the backend). Under load, a turn of the event loop handles several requests: their
 * reads now cost one write and one wake-up, not one each. A Q3 request went 326–343 → 241 µs of
 * Node CPU (PostgreSQL 174–199 → 108–110 µs) in alternating runs.
 *
 * pg's own pipeline mode does the protocol work (each statement with its own Sync, so a failing
 * one fails alone; named statements parsed once per connection); this class only chooses the
 * connection and corks its socket until the event loop's check phase (setImmediate), which runs
 * after every request the turn read. Only short statements belong here: a connection runs its
 * statements in order, so a slow one holds up those written with it (a later turn goes to the
 * least busy connection).
 *
 * A connection that fails (the backend terminated, the network gone) is replaced at a later turn,
 * at most once a second, and meanwhile reads go through the pool; a read that failed with it runs
 * once more through the pool. A statement's own error (a timeout, say) is the caller's, as
 * through the pool.
 */
export class ReadPipeline {
  private readonly lanes: (Lane | undefined)[];
  /** The connection this turn's reads go to, corked until the check phase. */
  private current: Lane | undefined;
  private closed = false;
  /** Reads sent, and the turns that sent them (one write each): for tests and for the curious. */
  readonly stats = { reads: 0, turns: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly options: ReadPipelineOptions,
  ) {
    this.lanes = new Array<Lane | undefined>(options.connections).fill(undefined);
  }

  async query(config: QueryConfig): Promise<QueryResult> {
    const lane = this.closed ? undefined : (this.current ?? this.turn());
    // Closed, or every connection failed less than a second ago: through the pool.
    if (!lane) return this.pool.query(config);
    this.stats.reads++;
    lane.inFlight++;
    try {
      return await lane.client.query(config);
    } catch (error) {
      // The connection failed, not the statement: once more through the pool. A terminated
      // backend's FATAL can reach the read in flight before the socket's end marks the lane.
      if (lane.broken || isDatabaseUnavailable(error)) {
        lane.fail(error as Error);
        return this.pool.query(config);
      }
      throw error;
    } finally {
      lane.inFlight--;
    }
  }

  /** Ends the connections (reads from now on go through the pool); before the pool is destroyed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.lanes.map((lane) => lane?.client.end().catch(() => undefined)));
  }

  /**
   * This turn's connection: the least busy one, corked until the check phase. A failed one is
   * replaced, at most once a second (no storm of connection attempts while the database is away);
   * none when every one has failed meanwhile.
   */
  private turn(): Lane | undefined {
    const now = Date.now();
    let chosen: Lane | undefined;
    for (let i = 0; i < this.lanes.length; i++) {
      let lane = this.lanes[i];
      if (!lane || (lane.broken && now - lane.openedAt >= RECONNECT_MS)) this.lanes[i] = lane = this.connect(now);
      if (lane.broken) continue;
      if (!chosen || lane.inFlight < chosen.inFlight) chosen = lane;
    }
    if (!chosen) return undefined;
    const lane = chosen;
    this.current = lane;
    lane.socket.cork();
    setImmediate(() => {
      this.current = undefined;
      this.stats.turns++;
      lane.socket.uncork();
    });
    return lane;
  }

  private connect(openedAt: number): Lane {
    // The pool's own settings (the same server, timeouts and session options), one client each.
    const { Client: PgClient, options } = this.pool as unknown as PoolInternals;
    const name = `${options.application_name ?? "groups-subgraph"} (reads)`;
    const client = new PgClient({ ...options, application_name: name, pipeline: true });
    const socket = (client as unknown as { connection: { stream: Corkable } }).connection.stream;
    const lane: Lane = {
      client,
      socket,
      inFlight: 0,
      broken: false,
      openedAt,
      fail: (error) => {
        if (lane.broken) return;
        lane.broken = true;
        if (!this.closed)
          logger.warn("a read connection failed; the next reads open another", { error: error?.message });
      },
    };
    client.on("error", lane.fail);
    client.on("end", () => lane.fail());
    client.connect().catch(lane.fail);
    this.options.onClient?.(client);
    return lane;
  }
}

export interface ReadPipelineOptions {
  /** Connections of the pipeline (each replica opens these besides its pool). */
  connections: number;
  /** Called with each connection it opens (tracing wraps its queries). */
  onClient?: (client: Client) => void;
}

interface Lane {
  client: Client;
  socket: Corkable;
  inFlight: number;
  broken: boolean;
  /** When its connection was opened (Date.now()). */
  openedAt: number;
  /** Marks it failed (once, with a warning): a later turn replaces it. */
  fail(error?: Error): void;
}

/** Least time between two connection attempts of one lane. */
const RECONNECT_MS = 1000;

interface Corkable {
  cork(): void;
  uncork(): void;
}

interface PoolInternals {
  Client: new (config: ClientConfig & { pipeline: boolean }) => Client;
  options: ClientConfig;
}

const pipelines = new WeakMap<Pool, ReadPipeline>();

/** Sends `query(..., { pipelined: true })` reads on `db` through a pipeline from now on; close it before `db.destroy()`. */
export function startReadPipeline(db: DataSource, options: ReadPipelineOptions): ReadPipeline {
  const pool = poolOf(db);
  if (!pool) throw new Error("startReadPipeline: the DataSource is not initialized");
  const pipeline = new ReadPipeline(pool, options);
  pipelines.set(pool, pipeline);
  return pipeline;
}

/** The pipeline started on this pool, if any (none for a transaction's connection). */
export function readPipelineOf(pool: Pool | PoolClient): ReadPipeline | undefined {
  return pipelines.get(pool as Pool);
}
