import fs from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "../../src/db";

/**
 * One PostgreSQL server for the whole run: DATABASE_URL's server when set (CI uses the machine's),
 * otherwise an embedded one started here in a fresh folder. Each suite creates its own database
 * on it (test/utils/service.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = path.resolve("data", `test-run-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const embedded = await startEmbeddedPostgres(dataDir);
  process.env.TEST_ADMIN_URL = embedded.adminUrl;
  (globalThis as { __embedded?: typeof embedded }).__embedded = embedded;
}
