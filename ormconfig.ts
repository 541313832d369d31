import "reflect-metadata";
import { DataSource } from "typeorm";
import { migrations } from "./migrations";
import { StatementCountingLogger } from "./src/db/statement-counter";
import { GroupEvent } from "./src/events/event.entity";
import { Group } from "./src/groups/group.entity";
import { Initiative } from "./src/initiatives/initiative.entity";
import { Leadership } from "./src/leadership/leadership.entity";
import { Membership } from "./src/memberships/membership.entity";
import { User } from "./src/users/user.entity";

import pg from "pg";

// DATE columns stay "YYYY-MM-DD" strings: a Date object would shift them with the time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export const entities = [User, Group, Membership, Leadership, Initiative, GroupEvent];

export interface DataSourceOptions {
  /** Connections in the pool. @default 10 */
  poolSize?: number;
  /** Application name shown in pg_stat_activity. @default "groups-subgraph" */
  applicationName?: string;
}

/**
 * The one DataSource factory used by the service, the CLI and the tests: PostgreSQL through `pg`,
 * migrations from migrations/ (never synchronize), every statement counted per request.
 */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities,
    migrations,
    migrationsTableName: "migrations",
    migrationsTransactionMode: "each",
    synchronize: false,
    logging: false,
    logger: new StatementCountingLogger(),
    applicationName: options.applicationName ?? "groups-subgraph",
    poolSize: options.poolSize ?? 10,
    extra: {
      // Fail fast instead of hanging when the database is away.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: 30000,
    },
  });
}
