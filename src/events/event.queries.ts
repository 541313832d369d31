import DataLoader from "dataloader";
import { type AppContext, loaderFamily, requireViewer } from "../shared/context";
import { BadUserInputError } from "../shared/errors";
import { pageSize } from "../shared/pagination";
import type { EventType, GroupEvent } from "./event.entity";
import { type AuditLogFilter, auditLogPage, groupEventPages, type GroupEventsOptions } from "./event.store";

/** A page of the audit log. The cursor of an event is its id: the same value subscriptions resume `after`. */
export interface EventPage {
  nodes: GroupEvent[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export type EventFilterArgs = AuditLogFilter;

/** Ids are bigint sequence values; anything else is refused naming the argument. */
export function parseEventId(value: string | null | undefined, field: string): bigint | null {
  if (value === null || value === undefined) return null;
  if (!/^\d{1,18}$/.test(value))
    throw BadUserInputError.field(field, "is not an event id (a cursor this API produced)");
  return BigInt(value);
}

function toEventPage(rows: GroupEvent[], first: number, totalCount: number): EventPage {
  const nodes = rows.slice(0, first);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > first, endCursor: nodes[nodes.length - 1]?.id ?? null },
    totalCount,
  };
}

/**
 * Query.events: the audit log, oldest first, of the groups where the caller holds events.view
 * (every group, deleted ones included, for a global admin). One statement.
 */
export async function listEvents(
  ctx: AppContext,
  filter: EventFilterArgs | null | undefined,
  args: { first?: number | null; after?: string | null },
): Promise<EventPage> {
  const viewer = requireViewer(ctx);
  const first = pageSize(args.first, 50);
  const after = parseEventId(args.after, "after");
  const { rows, totalCount } = await auditLogPage(ctx.db, viewer, filter, { first, after });
  return toEventPage(rows, first, totalCount);
}

/**
 * Group.events pages for many groups in one statement (the caller checks events.view per group).
 */
export const eventPagesByGroupId = loaderFamily(
  (ctx, o: GroupEventsOptions) =>
    new DataLoader<string, EventPage, string>(async (ids) => {
      const byGroup = await groupEventPages(ctx.db, ids, o);
      return ids.map((id) => {
        const entry = byGroup.get(id) ?? { rows: [], totalCount: 0 };
        return toEventPage(entry.rows, o.first, entry.totalCount);
      });
    }),
);

/** Group.events of one group: validated options, batched with the other groups of the request. */
export function groupEventPage(
  ctx: AppContext,
  groupId: string,
  args: { types?: EventType[] | null; first?: number | null; after?: string | null },
): Promise<EventPage> {
  const first = pageSize(args.first, 50);
  const after = parseEventId(args.after, "after");
  return eventPagesByGroupId(ctx)({ types: args.types ?? null, first, after: after?.toString() ?? null }).load(groupId);
}
