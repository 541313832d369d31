import type { Pool } from "pg";
import type { DataSource } from "typeorm";

/** The pg pool behind a DataSource (TypeORM's postgres driver keeps it as `master`); none before initialize(). */
export function poolOf(db: DataSource): Pool | undefined {
  return (db.driver as unknown as { master?: Pool }).master;
}
