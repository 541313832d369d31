import { escapeLike, pageWithTotalSql, query, splitTotal } from "../db";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { decodeCursor, pageSize, toPage } from "../shared/pagination";
import { INITIATIVE_COLUMNS, type Initiative } from "./initiative.entity";
import type { InitiativesArgs } from "./initiative.inputs";
import { initiativesById } from "./initiative.loaders";

/** Any authenticated caller may read any initiative; null for an unknown or malformed id. */
export async function findInitiative(ctx: AppContext, id: string): Promise<Initiative | null> {
  requireViewer(ctx);
  return initiativesById(ctx).load(id);
}

/** Query.initiatives: search is a case-insensitive substring of the name; keyset by (name, id); one statement. */
export async function listInitiatives(ctx: AppContext, args: InitiativesArgs) {
  requireViewer(ctx);
  const first = pageSize(args.first, 50);
  const params: unknown[] = [];
  let filtered = "";
  if (args.search) {
    params.push(`%${escapeLike(args.search)}%`);
    filtered = `WHERE i.name ILIKE $${params.length}`;
  }
  let keyset = "";
  if (args.after != null) {
    const [name, id] = decodeCursor(args.after, 2);
    if (typeof name !== "string" || !isUuid(id))
      throw BadUserInputError.field("after", "is not a cursor this list produced");
    params.push(name, id);
    keyset = `WHERE (name, id) > ($${params.length - 1}::text, $${params.length}::uuid)`;
  }
  params.push(first + 1);
  const result = await query<Initiative & { totalCount: number }>(
    ctx.db,
    pageWithTotalSql(`WITH filtered AS (SELECT ${INITIATIVE_COLUMNS} FROM initiatives i ${filtered})`, {
      where: keyset,
      order: "name, id",
      limit: `LIMIT $${params.length}`,
    }),
    params,
  );
  const { rows, totalCount } = splitTotal(result);
  return { ...toPage(rows, first, (row) => [row.name, row.id]), totalCount };
}
