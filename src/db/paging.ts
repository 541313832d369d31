/**
 * One statement for a page and the size of the whole filtered set. `ctes` must define a CTE named
 * `filtered`; the page is read from it with `where` (a keyset condition or ""), `order` (column
 * names of `filtered`, no alias) and `limit` (LIMIT/OFFSET). The count row always exists, so an
 * empty page still answers its totalCount: its page columns are then null (see `splitTotal`).
 */
export function pageWithTotalSql(ctes: string, page: { where: string; order: string; limit: string }): string {
  return `${ctes}
    SELECT t."totalCount", p.*
    FROM (SELECT count(*)::int AS "totalCount" FROM filtered) t
    LEFT JOIN LATERAL (
      SELECT * FROM filtered ${page.where} ORDER BY ${page.order} ${page.limit}
    ) p ON TRUE
    ORDER BY ${page.order}`;
}

/** Separates the rows of `pageWithTotalSql` into the page's rows and the total. */
export function splitTotal<T extends { id: string | null }>(
  rows: (T & { totalCount: number })[],
): { rows: T[]; totalCount: number } {
  return {
    rows: rows.filter((row) => row.id !== null).map(({ totalCount: _total, ...row }) => row as unknown as T),
    totalCount: rows[0]?.totalCount ?? 0,
  };
}

/** Escapes LIKE wildcards so a search is a plain substring match. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
