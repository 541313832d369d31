export {
  startEmbeddedPostgres,
  freePort,
  DataDirInUseError,
  type EmbeddedDatabase,
  type EmbeddedOptions,
  type EmbeddedOwner,
} from "./embedded";
export { StatementCountingLogger } from "./statement-counter";
export { registerConstraints, translateDbError, isDatabaseUnavailable, type ConstraintRule } from "./errors";
export { inTransaction, inPipelinedTransaction, query, retrying, type Runner } from "./transaction";
export { sql, and, empty, join, raw, value, Sql } from "./sql";
export type { DataSource, EntityManager } from "typeorm";
export { splitTotal, escapeLike, keysetPages, type KeyedPage, pagesByKey } from "./paging";
export { ensureDatabase, pingDatabase } from "./health";
export { Listener, type ListenerOptions } from "./listener";
export { poolOf } from "./pool";
export { ReadPipeline, type ReadPipelineOptions, readPipelineOf, startReadPipeline } from "./pipeline";
