import { splitTotal } from "../db";
import { type AppContext, requireViewer } from "../shared/context";
import { decodeKeyset, pageSize, toPage } from "../shared/pagination";
import type { Initiative } from "./initiative.entity";
import type { InitiativesArgs } from "./initiative.inputs";
import { initiativesById } from "./initiative.loaders";
import { initiativesPage } from "./initiative.store";

/** Any authenticated caller may read any initiative; null for an unknown or malformed id. */
export async function findInitiative(ctx: AppContext, id: string): Promise<Initiative | null> {
  requireViewer(ctx);
  return initiativesById(ctx).load(id);
}

/** Query.initiatives: search is a case-insensitive substring of the name; keyset by (name, id); one statement. */
export async function listInitiatives(ctx: AppContext, args: InitiativesArgs) {
  requireViewer(ctx);
  const first = pageSize(args.first, 50);
  const after = args.after != null ? decodeKeyset(args.after, ["string", "uuid"]) : null;
  const { rows, totalCount } = splitTotal(
    await initiativesPage(ctx.db, { search: args.search || null, after, limit: first + 1 }),
  );
  return { ...toPage(rows, first, (row) => [row.name, row.id]), totalCount };
}
