import type { Logger as TypeOrmLogger } from "typeorm";
import { logger, requestScope } from "../shared/logger";

/**
 * TypeORM logger that counts every SQL statement against the current request (AsyncLocalStorage):
 * the statement count is how tests prove there is no N+1, and how the benchmark reports cost.
 */
export class StatementCountingLogger implements TypeOrmLogger {
  logQuery(query: string): void {
    const scope = requestScope.getStore();
    if (scope) scope.sqlStatements++;
    logger.debug("sql", { query });
  }
  logQueryError(error: string | Error, query: string): void {
    logger.debug("sql failed", { query, error: String(error) });
  }
  logQuerySlow(time: number, query: string): void {
    logger.warn("slow sql", { ms: time, query: query.slice(0, 500) });
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    logger.info("migration", { message });
  }
  log(level: "log" | "info" | "warn", message: unknown): void {
    if (level === "warn") logger.warn(String(message));
    else logger.debug(String(message));
  }
}
