import fs from "node:fs";
import path from "node:path";
import type { PermissionTables } from "./permission.tables";

/** The folder under DATA_DIR that holds the backups a sync writes before it changes anything. */
export function backupDir(dataDir: string): string {
  return path.join(dataDir, "permission-backups");
}

/**
 * Writes `tables` as `<dataDir>/permission-backups/permissions-<timestamp>.json` and answers its
 * path. Never overwrites: two syncs within one millisecond get distinct names.
 */
export function writeBackup(dataDir: string, tables: PermissionTables, now = new Date()): string {
  const dir = backupDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const body = JSON.stringify(tables, null, 2) + "\n";
  for (let n = 0; ; n++) {
    const file = path.join(dir, `permissions-${stamp}${n ? `-${n}` : ""}.json`);
    try {
      fs.writeFileSync(file, body, { flag: "wx" });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
