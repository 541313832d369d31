/** Separates the rows of a page statement that also counts every match (a row per page row plus one for the total, `id` null when the page is empty) into the page and the total. */
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
