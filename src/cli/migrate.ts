import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { createDataSource } from "../../ormconfig";
import { resolveDatabase } from "../bootstrap";
import { loadConfig } from "../config";
import { logger } from "../shared/logger";

const USAGE = `Usage: npm run migrate | migration:revert | migration:generate -- <Name>
Works on DATABASE_URL, or on the embedded database under DATA_DIR when unset.`;

/**
 * A timestamped skeleton to fill in, not an entity diff. The schema is hand-written SQL (partial
 * unique indexes, check constraints, the cycle-guard trigger): TypeORM's diff cannot express them
 * and would propose dropping them. Needs no database.
 */
function generateSkeleton(name: string | undefined): void {
  if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`a PascalCase name is required\n${USAGE}`);
  const timestamp = Date.now();
  const file = path.resolve(__dirname, `../../../migrations/${timestamp}-${name}.ts`);
  fs.writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from "typeorm";\n\n` +
      `export class ${name}${timestamp} implements MigrationInterface {\n  name = "${name}${timestamp}";\n\n` +
      `  async up(q: QueryRunner): Promise<void> {\n    await q.query(\`\`);\n  }\n\n` +
      `  async down(q: QueryRunner): Promise<void> {\n    await q.query(\`\`);\n  }\n}\n`,
  );
  process.stdout.write(`wrote ${file}\nwrite its SQL, then add ${name}${timestamp} to migrations/index.ts\n`);
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command === "generate") return generateSkeleton(name);
  if (command !== "run" && command !== "revert") throw new Error(USAGE);
  const config = loadConfig();
  logger.setLevel(config.logLevel === "silent" ? "silent" : "info");
  const { url, embedded } = await resolveDatabase(config);
  const db = createDataSource(url);
  try {
    await db.initialize();
    if (command === "run") {
      const applied = await db.runMigrations({ transaction: "each" });
      process.stdout.write(
        applied.length ? `applied: ${applied.map((m) => m.name).join(", ")}\n` : "nothing to apply\n",
      );
    } else if (command === "revert") {
      await db.undoLastMigration({ transaction: "each" });
      process.stdout.write("reverted the last migration\n");
    } else {
      throw new Error(USAGE);
    }
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
