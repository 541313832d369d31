import { empty, join, raw, type Sql, sql, value } from "./sql";

/** Separates the rows of a page statement that also counts every match (a row per page row plus one for the total, `id` null when the page is empty) into the page and the total. */
export function splitTotal<T extends { id: string | null }>(
  rows: (T & { totalCount: number })[],
): { rows: T[]; totalCount: number } {
  return {
    rows: rows.filter((row) => row.id !== null).map(({ totalCount: _total, ...row }) => row as unknown as T),
    totalCount: rows[0]?.totalCount ?? 0,
  };
}

/** One key's page of a keyset pages statement: its rows and its total (every match, cursor or not). */
export interface KeyedPage<T> {
  rows: T[];
  totalCount: number;
}

/**
 * The rows of a keysetPages statement as one page per asked key, in the keys' order (DataLoader's
 * contract; a key the statement never answered, a malformed id left out, gets an empty page).
 * Each row carries its key's total; the row of an empty page (`id` null: keysetPages answers a key
 * without rows with one row of nulls beside its total) gives the total and no page row. `rowOf`
 * turns a row into a page row (the row itself when omitted: copying hundreds of rows to drop a few
 * columns showed in profiles of member lists); the rows keep the statement's order within a key.
 */
export function pagesByKey<K, R extends { id: unknown; totalCount: number }, T = R>(
  keys: readonly K[],
  rows: readonly R[],
  keyOf: (row: R) => K,
  rowOf: (row: R) => T = (row) => row as unknown as T,
): KeyedPage<T>[] {
  const pages = new Map<K, KeyedPage<T>>();
  for (const row of rows) {
    const key = keyOf(row);
    let page = pages.get(key);
    if (!page) pages.set(key, (page = { rows: [], totalCount: row.totalCount }));
    if (row.id !== null) page.rows.push(rowOf(row));
  }
  return keys.map((key) => pages.get(key) ?? { rows: [], totalCount: 0 });
}

/** Escapes LIKE wildcards so a search is a plain substring match. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A column the rows are paged per: each asked key gets its own page and total. */
export interface PageKey {
  /** The column of `filtered` (a uuid) holding the key. */
  column: string;
  /** The name the asked key is answered under: not the column's, which is null on an empty page. */
  as: string;
  /** The keys asked, one page each; the `ids` of several PageKeys are zipped into composite keys. */
  ids: readonly string[];
}

/** Where keyset pages of many keys come from, and how they are cut. */
export interface KeysetPagesOptions {
  /**
   * A `WITH` clause whose last CTE is `filtered`: every matching row of every asked key, with the
   * key and order columns under the names given here. It is read twice (the totals and the pages):
   * PostgreSQL materializes it once, unless it is written `filtered AS NOT MATERIALIZED`, which
   * suits a plain scan whose index should see the cursor condition.
   */
  filtered: Sql;
  key: readonly PageKey[];
  /**
   * The page order within a key: each column of `filtered` and the SQL type its cursor value is
   * cast to, in order (ascending). The last column must be unique within a key (an id), so that a
   * cursor names one row.
   */
  order: Readonly<Record<string, string>>;
  /** The cursor: the order columns' values of the last row seen (as many as `order` has), or null. */
  after: readonly unknown[] | null;
  /** Rows per key (the page size plus one, to tell whether more follow). */
  limit: number;
  /**
   * What each page row carries beside the columns of `filtered`: more columns (a select list), and
   * the LEFT JOINs they are read from, on the page row `p` (rows cut to the page first, so only the
   * page's rows are joined).
   */
  beside?: { columns: Sql; joins: Sql } | null;
}

/**
 * Keyset pages for many keys in one statement: for each asked key, its first `limit` rows of
 * `filtered` after the cursor in `order` (the rows sorted by key, then in that order), each row
 * answered with the key (`as`), the key's total (`totalCount`, counting every match, cursor or
 * not), the row's columns, its `row_number` within the page (`rn`) and the `beside` columns; a
 * key without a row on its page answers one row whose row columns are null. The totals and the first rows of every key come from
 * one pass over `filtered` (a group by and a window), where a lateral page per key would scan its
 * matches once per key. The text depends on the shape (the number of keys, the order, whether
 * there is a cursor), never on the values: one prepared statement per shape.
 */
export function keysetPages(o: KeysetPagesOptions): Sql {
  const keys = o.key.map((k) => k.column);
  const order = Object.keys(o.order);
  const besideColumns = o.beside ? sql`, ${o.beside.columns}` : empty;
  const besideJoins = o.beside ? sql`\n    ${o.beside.joins}` : empty;
  return sql`${o.filtered}, counted AS (
      SELECT ${columns(null, keys)}, count(*)::int AS n FROM filtered GROUP BY ${columns(null, keys)}
    ), paged AS (
      SELECT * FROM (
        SELECT f.*, row_number() OVER (PARTITION BY ${columns("f", keys)} ORDER BY ${columns("f", order)}) AS rn
        FROM filtered f${afterCursor(o)}
      ) x WHERE x.rn <= ${o.limit}
    )
    SELECT ${answeredKeys(o.key)}, coalesce(c.n, 0) AS "totalCount", p.*${besideColumns}
    FROM ${askedKeys(o.key)}
    LEFT JOIN counted c ON ${sameKey("c", keys)}
    LEFT JOIN paged p ON ${sameKey("p", keys)}${besideJoins}
    ORDER BY ${columns("k", keys)}, ${columns("p", order)}`;
}

/** The asked keys as the table `k`, its columns named as the key columns of `filtered`. */
function askedKeys(key: readonly PageKey[]): Sql {
  const ids = key.map((k) => sql`${value(k.ids)}::uuid[]`);
  const names = key.map((k) => k.column);
  return sql`unnest(${join(ids, ", ")}) AS k(${columns(null, names)})`;
}

/** The asked key of each row, under its answered names. */
function answeredKeys(key: readonly PageKey[]): Sql {
  return raw(key.map((k) => `k."${k.column}" AS "${k.as}"`).join(", "));
}

/**
 * Columns of this code (never input) of `alias` (null: unqualified), each quoted: a column may be
 * named in camel case or like a keyword ("from").
 */
function columns(alias: string | null, names: readonly string[]): Sql {
  return raw(names.map((name) => (alias === null ? `"${name}"` : `${alias}."${name}"`)).join(", "));
}

/** "`alias`'s row is the key's row of `k`". */
function sameKey(alias: string, keys: readonly string[]): Sql {
  return raw(keys.map((key) => `${alias}."${key}" = k."${key}"`).join(" AND "));
}

/** The cursor condition on `filtered f`: the rows after `o.after` in the page order (none without a cursor). */
function afterCursor(o: KeysetPagesOptions): Sql {
  if (o.after === null) return empty;
  const types = Object.values(o.order);
  if (o.after.length !== types.length) {
    throw new Error(`a cursor of ${o.after.length} values for a page order of ${types.length} columns`);
  }
  const values = o.after.map((v, i) => sql`${value(v)}::${raw(types[i]!)}`);
  return sql` WHERE (${columns("f", Object.keys(o.order))}) > (${join(values, ", ")})`;
}
