import type { Pool, PoolClient, QueryConfig, QueryResult } from "pg";
import type { DataSource, EntityManager } from "typeorm";
import { logger, requestScope } from "../shared/logger";
import type { Sql } from "./sql";
import { isRetryable, translateDbError } from "./errors";
import { readPipelineOf } from "./pipeline";
import { poolOf } from "./pool";

/** How inTransaction runs `work` again. */
export interface TransactionOptions {
  /** Most runs of `work` in all, whatever made each earlier one fail (default 3). */
  attempts?: number;
  /**
   * Whether a failure other than a deadlock or serialization failure is worth another run, given
   * the error as the caller would see it (translated: a unique violation is a ConflictError). For
   * work whose reads can miss a row a writer committed meanwhile without taking a lock the work
   * waits on: the next run reads it. Shares the one `attempts` budget, so one loop bounds both.
   */
  retryOn?: (error: unknown) => boolean;
}

/**
 * Runs `work` in one transaction: all of it commits or none of it does. Deadlocks and serialization
 * failures are retried, and so are the failures `retryOn` accepts (the work must be safe to repeat),
 * at most `attempts` runs in all; database errors become contract errors.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
  { attempts = 3, retryOn }: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt < attempts && isRetryable(error)) continue;
      const translated = translateDbError(error);
      if (attempt < attempts && retryOn?.(translated)) continue;
      throw translated;
    }
  }
}

/**
 * Runs `work` again on a deadlock or serialization failure (at most `attempts` times in all): for
 * a write made of single autocommitted statements, which reads its facts again on each attempt.
 * Other errors, and the last attempt's, are thrown translated to contract errors.
 */
export async function retrying<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt < attempts && isRetryable(error)) continue;
      throw translateDbError(error);
    }
  }
}

/**
 * Statement names by SQL text. A named statement is parsed and planned once per connection and
 * then only bound and executed: for the short, recursive statements of this service planning cost
 * as much as running them. The texts come from this code (values are always parameters), so they
 * are few; past MAX_NAMED new texts run unnamed rather than fill every connection's cache.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED = 5000;

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED) {
    name = `s${statementNames.size.toString(36)}`;
    statementNames.set(sql, name);
  }
  return name;
}

const SLOW_MS = 1000;

/** Where a statement runs: the pool (a DataSource), or the EntityManager of an open transaction. */
export type Runner = DataSource | EntityManager;

/** The pg pool behind a DataSource, or the connection a transaction's EntityManager holds. */
function pgRunnerOf(runner: DataSource | EntityManager): Pool | PoolClient | undefined {
  const manager = runner as Partial<EntityManager>;
  // A transaction's runner holds its connection once the transaction began (undefined before).
  if (manager.queryRunner)
    return (manager.queryRunner as unknown as { databaseConnection?: PoolClient }).databaseConnection;
  return poolOf((manager.connection ?? runner) as DataSource);
}

/**
 * One SQL statement through a DataSource (the pool) or a transaction's EntityManager (its
 * connection), as a prepared statement; answers the rows, counts the statement against the request
 * (the no-N+1 tests and the benchmark read the count), and translates database errors. `pipelined`:
 * a short autocommitted read, sent through the DataSource's read pipeline when it has one
 * (src/db/pipeline.ts); in a transaction it runs on the transaction's connection as any other.
 */
export async function query<T = Record<string, unknown>>(
  runner: DataSource | EntityManager,
  statement: string | Sql,
  params: unknown[] = [],
  options: { pipelined?: boolean } = {},
): Promise<T[]> {
  const [text, values] = typeof statement === "string" ? [statement, params] : [statement.text, statement.values];
  try {
    const pg = pgRunnerOf(runner);
    if (!pg) return typeOrmQuery<T>(runner, text, values);
    const scope = requestScope.getStore();
    if (scope) scope.sqlStatements++;
    if (logger.enabled("debug")) logger.debug("sql", { query: text });
    const started = Date.now();
    const config = { name: statementName(text), text, values };
    // Only the pool has a pipeline: a transaction's statements stay on its connection.
    const pipeline = options.pipelined ? readPipelineOf(pg) : undefined;
    const result: QueryResult = await (pipeline ? pipeline.query(config) : pg.query(config));
    const ms = Date.now() - started;
    if (ms > SLOW_MS) logger.warn("slow sql", { ms, query: text.slice(0, 500) });
    return result.rows as T[];
  } catch (error) {
    throw translateDbError(error);
  }
}

/** pg 8.23's pipeline mode, switched on for one use of a pool's connection (a Client option otherwise). */
type PipelinedClient = PoolClient & { pipeline: boolean };

/**
 * `statements` as one transaction in one round trip: BEGIN, each statement and COMMIT are written to
 * one connection at once (pg's pipeline mode, each message with its own Sync) and PostgreSQL runs
 * them in order. For a write whose rule needs a lock held across statements (a count taken after an
 * advisory lock must be a later statement than the lock, to see what the lock's previous holder
 * committed). After a failing statement the rest fail and COMMIT rolls back. Answers each
 * statement's rows; throws the first error, translated; a deadlock or serialization failure is
 * retried (the statements must be safe to repeat). Every statement counts against the request.
 */
export async function inPipelinedTransaction(
  db: DataSource,
  statements: readonly Sql[],
  attempts = 3,
): Promise<unknown[][]> {
  const pool = pgRunnerOf(db) as Pool;
  return retrying(async () => {
    const client = (await pool.connect()) as PipelinedClient;
    let broken: Error | undefined;
    try {
      const scope = requestScope.getStore();
      if (scope) scope.sqlStatements += statements.length + 2;
      const messages: QueryConfig[] = [
        { text: "BEGIN" },
        ...statements.map((s) => ({ name: statementName(s.text), text: s.text, values: s.values })),
        { text: "COMMIT" },
      ];
      client.pipeline = true;
      const results = await Promise.allSettled(messages.map((m) => client.query(m)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) {
        // A statement's error leaves the connection usable (COMMIT ended the transaction); a lost one does not.
        // (A server's error carries a severity; a network error does not.)
        if (!(failed.reason as { severity?: unknown })?.severity || client.getTransactionStatus() !== "I") {
          broken = failed.reason as Error;
        }
        throw failed.reason;
      }
      return results.slice(1, -1).map((r) => (r as PromiseFulfilledResult<QueryResult>).value.rows);
    } finally {
      client.pipeline = false;
      client.release(broken);
    }
  }, attempts);
}

/** Through TypeORM (a transaction whose connection is not open yet). */
async function typeOrmQuery<T>(runner: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await runner.query(sql, params);
  // TypeORM answers [rows, count] for UPDATE/DELETE.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
    return result[0] as T[];
  }
  return (Array.isArray(result) ? result : []) as T[];
}
