import DataLoader from "dataloader";
import { pageWithTotalSql, query, splitTotal } from "../db";
import { heldCondition } from "../permissions";
import { type AppContext, loaderFamily, requireViewer } from "../shared/context";
import { BadUserInputError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { pageSize } from "../shared/pagination";
import { EVENT_COLUMNS, type EventType, type GroupEvent } from "./event.entity";

/** A page of the audit log. The cursor of an event is its id: the same value subscriptions resume `after`. */
export interface EventPage {
  nodes: GroupEvent[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface EventFilterArgs {
  groupId?: string | null;
  userId?: string | null;
  types?: EventType[] | null;
  since?: Date | null;
}

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
  requireViewer(ctx);
  const first = pageSize(args.first, 50);
  const after = parseEventId(args.after, "after");
  const params: unknown[] = [];
  const conditions = [heldCondition(ctx, "events.view", "e.group_id", params)];
  for (const [field, column] of [
    ["groupId", "group_id"],
    ["userId", "user_id"],
  ] as const) {
    const value = filter?.[field];
    if (value == null) continue;
    conditions.push(isUuid(value) ? `e.${column} = $${params.push(value)}::uuid` : "FALSE");
  }
  if (filter?.types) conditions.push(`e.type = ANY($${params.push(filter.types)}::text[])`);
  if (filter?.since) conditions.push(`e.occurred_at >= $${params.push(filter.since)}::timestamptz`);
  // Ordered by the numeric id (`seq`): EVENT_COLUMNS answers id as text.
  const keyset = after === null ? "" : `WHERE seq > $${params.push(after.toString())}::bigint`;
  params.push(first + 1);
  const result = await query<GroupEvent & { totalCount: number }>(
    ctx.db,
    pageWithTotalSql(
      `WITH filtered AS (SELECT ${EVENT_COLUMNS}, e.id AS seq FROM domain_events e WHERE ${conditions.join(" AND ")})`,
      { where: keyset, order: "seq", limit: `LIMIT $${params.length}` },
    ),
    params,
  );
  const { rows, totalCount } = splitTotal(result);
  return toEventPage(
    rows.map(({ seq: _seq, ...row }: GroupEvent & { seq?: unknown }) => row as GroupEvent),
    first,
    totalCount,
  );
}

export interface GroupEventsOptions {
  types: EventType[] | null;
  first: number;
  after: string | null;
}

/**
 * Group.events pages for many groups in one statement (the caller checks events.view per group).
 */
export const eventPagesByGroupId = loaderFamily(
  (ctx, o: GroupEventsOptions) =>
    new DataLoader<string, EventPage, string>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const conditions = ["e.group_id = r.id"];
      if (o.types) conditions.push(`e.type = ANY($${params.push(o.types)}::text[])`);
      const count = `SELECT count(*)::int AS n FROM domain_events e WHERE ${conditions.join(" AND ")}`;
      if (o.after !== null) conditions.push(`e.id > $${params.push(o.after)}::bigint`);
      params.push(o.first + 1);
      const rows = await query<GroupEvent & { key: string; totalCount: number }>(
        ctx.db,
        `SELECT r.id AS key, t.n AS "totalCount", p.*
         FROM unnest($1::uuid[]) AS r(id)
         CROSS JOIN LATERAL (${count}) t
         LEFT JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM domain_events e WHERE ${conditions.join(" AND ")}
           ORDER BY e.id LIMIT $${params.length}
         ) p ON TRUE
         ORDER BY r.id, p.id::bigint`,
        params,
      );
      const byGroup = new Map<string, { rows: GroupEvent[]; totalCount: number }>();
      for (const { key, totalCount, ...row } of rows) {
        const entry = byGroup.get(key) ?? { rows: [], totalCount };
        if (row.id !== null) entry.rows.push(row as GroupEvent);
        byGroup.set(key, entry);
      }
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
