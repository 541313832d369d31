import type { DataSource, EntityManager } from "typeorm";
import { isRetryable, translateDbError } from "./errors";

/**
 * Runs `work` in one transaction: all of it commits or none of it does. Deadlocks and serialization
 * failures are retried (the work must be safe to repeat); database errors become contract errors.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt < attempts && isRetryable(error)) continue;
      throw translateDbError(error);
    }
  }
}

/**
 * One SQL statement through a DataSource or a transaction's EntityManager; always answers the rows
 * (TypeORM answers [rows, count] for UPDATE/DELETE), and translates database errors.
 */
export async function query<T = Record<string, unknown>>(
  runner: DataSource | EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  try {
    const result: unknown = await runner.query(sql, params);
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
      return result[0] as T[];
    }
    return (Array.isArray(result) ? result : []) as T[];
  } catch (error) {
    throw translateDbError(error);
  }
}
