import path from "node:path";
import { ensureDatabase } from "../../src/db";
import { startEmbeddedPostgres } from "../../src/db";

/** The database the benchmark seeds and measures: never the service's own data. */
export interface BenchDatabase {
  /** URL of the bench database (`groups_bench` unless BENCH_DATABASE says otherwise). */
  url: string;
  /** Where it lives, for the report: "embedded" or the server's host:port. */
  where: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const BENCH_DATABASE = process.env.BENCH_DATABASE || "groups_bench";

/**
 * DATABASE_URL set: the bench database on that server (created when missing; the database named
 * in the URL is only used to create it). Unset: an embedded PostgreSQL kept under data/bench, apart
 * from the service's own embedded data.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    await ensureDatabase(serverUrl, BENCH_DATABASE);
    const url = new URL(serverUrl);
    url.pathname = `/${encodeURIComponent(BENCH_DATABASE)}`;
    return { url: url.toString(), where: `${url.hostname}:${url.port || 5432}`, embedded: false, stop: async () => {} };
  }
  const dataDir = path.resolve(process.env.BENCH_DATA_DIR || "data/bench");
  const embedded = await startEmbeddedPostgres(dataDir);
  await ensureDatabase(embedded.adminUrl, BENCH_DATABASE);
  return {
    url: embedded.databaseUrlFor(BENCH_DATABASE),
    where: "embedded",
    embedded: true,
    stop: () => embedded.stop(),
  };
}
