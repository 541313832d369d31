import "reflect-metadata";
import { DataSource } from "typeorm";
import { migrations } from "./migrations";
import { StatementCountingLogger } from "./src/db/statement-counter";
import { GroupEvent } from "./src/events/event.entity";
import { Group } from "./src/groups/group.entity";
import { Initiative } from "./src/initiatives/initiative.entity";
import { Leadership } from "./src/leadership/leadership.entity";
import { AccessRequest } from "./src/memberships/access-request.entity";
import { Membership } from "./src/memberships/membership.entity";
import { User } from "./src/users/user.entity";

import pg from "pg";

// DATE columns stay "YYYY-MM-DD" strings: a Date object would shift them with the time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

const parseTimestamptzFully = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text") as (value: string) => Date;

/**
 * timestamptz as a UTC session prints it ("2026-11-23 15:16:18.123456+00") read by slicing, where
 * pg's parser runs a regular expression per value: list pages carry thousands of timestamps, and
 * the regular expression showed up in profiles. Anything else (another session time zone, BC
 * dates, infinity) goes to pg's parser.
 */
export function parseTimestamptz(value: string): Date {
  const n = value.length;
  // Years before 1000 go to pg's parser too: Date.UTC reads 0-99 as 1900-1999.
  if (n >= 22 && n <= 29 && value[0] !== "0" && value[10] === " " && value.endsWith("+00")) {
    const ms = value[19] === "." ? Number(value.slice(20, Math.min(23, n - 3)).padEnd(3, "0")) : 0;
    const time = Date.UTC(
      Number(value.slice(0, 4)),
      Number(value.slice(5, 7)) - 1,
      Number(value.slice(8, 10)),
      Number(value.slice(11, 13)),
      Number(value.slice(14, 16)),
      Number(value.slice(17, 19)),
      ms,
    );
    if (!Number.isNaN(time) && value[4] === "-" && value[13] === ":") return new Date(time);
  }
  return parseTimestamptzFully(value);
}
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamptz);

export const entities = [User, Group, Membership, Leadership, Initiative, GroupEvent, AccessRequest];

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
      // No JIT compilation: the service's statements are short, and on tables not analyzed yet (a
      // fresh database) the planner's guesses put the facts statement over jit_above_cost, so
      // PostgreSQL spent ~0.6 s compiling it on each request. Per connection, not the server's.
      // plan_cache_mode stays PostgreSQL's default: forcing generic plans spared the reverse
      // lookups' holders page 1.3 ms of planning per run, but made groupsWithPermission's generic
      // plan scan every group (R1 22 ms of PostgreSQL per request against 11-16 ms).
      options: "-c jit=off",
    },
  });
}
