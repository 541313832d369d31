/**
 * The SQL template tag of every statement: `sql-template-tag` (4.x). A fragment carries its own
 * values; composing fragments renumbers their placeholders, so nothing is hand-numbered and a
 * condition or a column list can live in one place and be reused. The text depends only on the
 * template's structure, never on the values, so each statement keeps one prepared-statement name
 * (src/db/transaction.ts). Chosen over pg-sql2 5 (PostGraphile's): that one declares Node >= 22,
 * and this one is a dependency-free CommonJS module of a hundred lines.
 *
 * - `sql\`... ${value} ...\``: a value becomes a parameter; a nested `Sql` is spliced in.
 * - `join(items, separator)`: values or fragments, joined ("," by default; an empty list throws).
 * - `raw(text)`: trusted SQL text (identifiers from this code, never input).
 * - `empty`: the empty fragment.
 */
import sql, { empty, join, raw, Sql } from "sql-template-tag";

export { sql, empty, join, raw, Sql };

/** Fragments joined with AND; TRUE when there are none. */
export function and(conditions: readonly Sql[]): Sql {
  return conditions.length === 0 ? sql`TRUE` : join([...conditions], " AND ");
}

/** Any value as one parameter (arrays included: `= ANY(${value(ids)}::uuid[])`). */
export function value(v: unknown): Sql {
  return new Sql(["", ""], [v as Parameters<typeof join>[0][number]]);
}
