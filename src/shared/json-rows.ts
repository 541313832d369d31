/**
 * Rows PostgreSQL built as JSON (a planned relation's `json_agg`) carry their timestamps as ISO
 * text, where the driver would have given Dates: turns the named fields into Dates, in place, so a
 * planned row is the row its loader would have read. `date` columns (YYYY-MM-DD) are text either
 * way and stay so.
 */
export function reviveDates<T>(rows: unknown, fields: readonly string[]): T[] {
  const list = rows as Record<string, unknown>[];
  for (const row of list) {
    for (const field of fields) {
      const v = row[field];
      if (typeof v === "string") row[field] = new Date(v);
    }
  }
  return list as T[];
}
