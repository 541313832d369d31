import DataLoader from "dataloader";
import { countsByKey, query, rowsById } from "../db";
import { GROUP_COLUMNS, type Group } from "../groups";
import { COUNTING_MEMBERSHIP, heldCondition, visibleGroupsCondition } from "../permissions";
import { byKey, groupedByKey, groupedByKeyColumn, loaderFamily, perRequest, requireViewer } from "../shared/context";
import { isUuid } from "../shared/ids";
import { primeUsers, userColumnsAs } from "../users";
import { MEMBERSHIP_COLUMNS, type Membership } from "./membership.entity";

/** Direct ACTIVE, unexpired members per group. */
export const memberCountByGroupId = perRequest((ctx) =>
  countsByKey(
    ctx,
    `SELECT a.group_id AS key, count(*)::int AS n FROM memberships a
     WHERE a.group_id = ANY($1::uuid[]) AND ${COUNTING_MEMBERSHIP} GROUP BY a.group_id`,
  ),
);

/**
 * Memberships by id that the caller may read (their own, or members.view in the group), the rule
 * in the same statement: `_entities` costs one statement for any number of them.
 */
export const readableMembershipsById = perRequest((ctx) => {
  const params: unknown[] = [null, requireViewer(ctx).id]; // $1 is the ids (rowsById)
  const held = heldCondition(ctx, "members.view", "a.group_id", params);
  return rowsById<Membership>(
    ctx,
    `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships a WHERE a.id = ANY($1::uuid[]) AND (a.user_id = $2::uuid OR ${held})`,
    params.slice(1),
  );
});

export interface MemberKey {
  groupId: string;
  userId: string;
}

/** The membership of a user in a group, any status; callers decide visibility. */
export const membershipOf = perRequest(
  (ctx) =>
    new DataLoader<MemberKey, Membership | null, string>(
      async (keys) => {
        const valid = keys.filter((k) => isUuid(k.groupId) && isUuid(k.userId));
        if (valid.length === 0) return keys.map(() => null);
        const rows = await query<Membership>(
          ctx.db,
          `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships a
           WHERE (a.group_id, a.user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
          [valid.map((k) => k.groupId), valid.map((k) => k.userId)],
        );
        return byKey(
          keys.map((k) => `${k.groupId}/${k.userId}`),
          rows,
          (row) => `${row.groupId}/${row.userId}`,
        );
      },
      { cacheKeyFn: (k) => `${k.groupId}/${k.userId}` },
    ),
);

/** What the members listing needs to page: its rows with the sort key as text. */
export type MemberRow = Membership & { depth: number; joinedKey: string };

export interface MemberPage {
  rows: MemberRow[];
  totalCount: number;
}

export interface MemberListOptions {
  role: string | null;
  includeInactive: boolean;
  transitive: boolean;
  limit: number;
  after: [number, string, string] | null;
}

/**
 * A page of members for each group, with totalCount, in one statement for any number of groups.
 * transitive: the members of every descendant too, each user once at their nearest membership,
 * counting only the descendants where the caller holds members.view (the group itself is checked
 * by the caller of this loader).
 */
export const memberPagesByGroupId = loaderFamily(
  (ctx, o: MemberListOptions) =>
    new DataLoader<string, MemberPage, string>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const conditions: string[] = [];
      if (!o.includeInactive) conditions.push(COUNTING_MEMBERSHIP);
      if (o.role !== null) {
        params.push(o.role);
        conditions.push(`a.role = $${params.length}`);
      }
      if (o.transitive) conditions.push(`(s.depth = 0 OR ${heldCondition(ctx, "members.view", "a.group_id", params)})`);
      let keyset = "";
      if (o.after) {
        params.push(...o.after);
        const n = params.length;
        keyset = `AND (f.depth, f."joinedAt", f.id) > ($${n - 2}::int, $${n - 1}::timestamptz, $${n}::uuid)`;
      }
      params.push(o.limit);
      const descend = o.transitive
        ? `UNION SELECT down.root, gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id`
        : "";
      // Direct members need no walk and no de-duplication (one membership per user and group).
      const filtered = o.transitive
        ? `WITH RECURSIVE down(root, id, depth) AS (
             SELECT r, r, 0 FROM unnest($1::uuid[]) AS r ${descend}
           ), scope AS (
             SELECT root, id, min(depth) AS depth FROM down GROUP BY root, id
           ), filtered AS (
             SELECT DISTINCT ON (s.root, a.user_id) s.root, s.depth, ${MEMBERSHIP_COLUMNS}, a.joined_at::text AS "joinedKey"
             FROM scope s JOIN memberships a ON a.group_id = s.id
             ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""}
             ORDER BY s.root, a.user_id, s.depth, a.joined_at, a.id
           )`
        : `WITH filtered AS (
             SELECT a.group_id AS root, 0 AS depth, ${MEMBERSHIP_COLUMNS}, a.joined_at::text AS "joinedKey"
             FROM memberships a WHERE a.group_id = ANY($1::uuid[])
             ${conditions.length ? `AND ${conditions.join(" AND ")}` : ""}
           )`;
      // Each group's total and first rows by window functions: one pass over the matches, where
      // a lateral page per group rescanned all of them once per group.
      const rows = await query<MemberRow & { key: string; totalCount: number }>(
        ctx.db,
        `${filtered}, counted AS (
           SELECT root, count(*)::int AS n FROM filtered GROUP BY root
         ), paged AS (
           SELECT * FROM (
             SELECT f.*, row_number() OVER (PARTITION BY f.root ORDER BY f.depth, f."joinedAt", f.id) AS rn
             FROM filtered f WHERE TRUE ${keyset}
           ) x WHERE x.rn <= $${params.length}
         )
         SELECT r.root AS key, coalesce(c.n, 0) AS "totalCount", p.*, ${userColumnsAs("user.")}
         FROM unnest($1::uuid[]) AS r(root)
         LEFT JOIN counted c ON c.root = r.root
         LEFT JOIN paged p ON p.root = r.root
         LEFT JOIN users u ON u.id = p."userId"
         ORDER BY r.root, p.depth, p."joinedAt", p.id`,
        params,
      );
      // Each member's user came along: Membership.user costs no statement of its own.
      primeUsers(ctx, rows as unknown as Record<string, unknown>[], "user.");
      // Rows go out as they came (key, totals and the user columns ride along unread): copying
      // hundreds of rows to drop a few columns showed in profiles of member lists.
      const byGroup = new Map<string, MemberPage>();
      for (const row of rows) {
        let page = byGroup.get(row.key);
        if (!page) byGroup.set(row.key, (page = { rows: [], totalCount: row.totalCount }));
        if (row.id !== null) page.rows.push(row);
      }
      return ids.map((id) => byGroup.get(id) ?? { rows: [], totalCount: 0 });
    }),
);

/**
 * Direct memberships of each user: all of the caller's own; someone else's only in groups where
 * the caller holds members.view. ACTIVE (unexpired) only unless includeInactive.
 */
export const membershipsByUserId = loaderFamily(
  (ctx, o: { includeInactive: boolean; role: string | null }) =>
    new DataLoader<string, Membership[], string>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid), ctx.viewer?.id ?? null];
      const conditions = [`(a.user_id = $2::uuid OR ${heldCondition(ctx, "members.view", "a.group_id", params)})`];
      if (!o.includeInactive) conditions.push(COUNTING_MEMBERSHIP);
      if (o.role !== null) {
        params.push(o.role);
        conditions.push(`a.role = $${params.length}`);
      }
      const rows = await query<Membership>(
        ctx.db,
        `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships a
         WHERE a.user_id = ANY($1::uuid[]) AND ${conditions.join(" AND ")}
         ORDER BY a.joined_at, a.id`,
        params,
      );
      return groupedByKey(ids, rows, (row) => row.userId);
    }),
);

/**
 * Groups where each user has an ACTIVE (unexpired) membership, visible to the caller, by name;
 * transitive adds every ancestor of those groups, each once. One statement per batch.
 */
export const groupsByUserId = loaderFamily(
  (ctx, o: { transitive: boolean; groupType: string | null }) =>
    new DataLoader<string, Group[], string>(async (ids) => {
      const params: unknown[] = [ids.filter(isUuid)];
      const conditions = [visibleGroupsCondition(ctx, "g", params)];
      if (o.groupType !== null) {
        params.push(o.groupType);
        conditions.push(`g.group_type = $${params.length}`);
      }
      const ascend = o.transitive
        ? `UNION SELECT mine.user_id, gp.parent_id FROM mine JOIN group_parents gp ON gp.child_id = mine.id`
        : "";
      const rows = await query<Group & { key: string }>(
        ctx.db,
        `WITH RECURSIVE mine(user_id, id) AS (
           SELECT a.user_id, a.group_id FROM memberships a WHERE a.user_id = ANY($1::uuid[]) AND ${COUNTING_MEMBERSHIP}
           ${ascend}
         )
         SELECT mine.user_id AS key, ${GROUP_COLUMNS}
         FROM mine JOIN groups g ON g.id = mine.id
         WHERE ${conditions.join(" AND ")}
         ORDER BY g.name, g.id`,
        params,
      );
      return groupedByKeyColumn<string, Group>(ids, rows);
    }),
);
