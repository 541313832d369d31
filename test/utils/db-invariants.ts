import type { DataSource, EntityManager } from "typeorm";

/**
 * What must hold in the database whatever clients send: each query lists the offenders, and a
 * violation names the rule and the first few of them. Empty = all hold.
 */
const RULES: { rule: string; sql: string }[] = [
  {
    rule: "no cycle in the hierarchy",
    sql: `WITH RECURSIVE walk(start, node, path) AS (
            SELECT child_id, parent_id, ARRAY[child_id] FROM group_parents
            UNION ALL
            SELECT w.start, gp.parent_id, w.path || w.node FROM walk w
            JOIN group_parents gp ON gp.child_id = w.node WHERE NOT w.node = ANY(w.path)
          ) SELECT DISTINCT start::text AS id FROM walk WHERE node = start`,
  },
  {
    // One that expires does not count: the group would be left ownerless when it does.
    rule: "every group has an ACTIVE owner without expiresAt",
    sql: `SELECT g.id::text AS id FROM groups g WHERE NOT EXISTS (
            SELECT 1 FROM memberships m WHERE m.group_id = g.id AND m.role = 'owner' AND m.status = 'ACTIVE'
            AND m.expires_at IS NULL)`,
  },
  {
    rule: "no overlapping leadership periods of one user in one group",
    sql: `SELECT a.id::text AS id FROM leaderships a JOIN leaderships b
            ON a.group_id = b.group_id AND a.user_id = b.user_id AND a.id < b.id
           AND daterange(a.start_date, a.end_date) && daterange(b.start_date, b.end_date)`,
  },
  {
    rule: "no overlapping membership periods of one user in one group",
    sql: `SELECT a.id::text AS id FROM membership_periods a JOIN membership_periods b
            ON a.group_id = b.group_id AND a.user_id = b.user_id AND a.id < b.id
           AND tstzrange(a.valid_from, a.valid_to, '[)') && tstzrange(b.valid_from, b.valid_to, '[)')`,
  },
  {
    rule: "at most one current membership period per user and group",
    sql: `SELECT min(p.id)::text AS id FROM membership_periods p WHERE p.valid_to IS NULL
           GROUP BY p.group_id, p.user_id HAVING count(*) > 1`,
  },
  {
    // The history's present is the memberships table: same pairs, same role and stored status.
    rule: "every membership, and only a membership, has a current period with its role and status",
    sql: `SELECT coalesce(m.id, p.membership_id)::text AS id
          FROM memberships m FULL JOIN (SELECT * FROM membership_periods WHERE valid_to IS NULL) p
            ON p.membership_id = m.id AND p.group_id = m.group_id AND p.user_id = m.user_id
           AND p.role = m.role AND p.status = m.status
          WHERE m.id IS NULL OR p.id IS NULL`,
  },
  {
    rule: "every group has its GROUP_CREATED event",
    sql: `SELECT g.id::text AS id FROM groups g WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.group_id = g.id AND e.type = 'GROUP_CREATED')`,
  },
  {
    rule: "every membership has its MEMBER_ADDED event",
    sql: `SELECT m.id::text AS id FROM memberships m WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e
            WHERE e.group_id = m.group_id AND e.user_id = m.user_id AND e.type = 'MEMBER_ADDED')`,
  },
  {
    rule: "an erased user has no name, no email, no membership and no leadership not yet ended",
    sql: `SELECT u.id::text AS id FROM users u WHERE u.erased_at IS NOT NULL AND (
            u.name IS NOT NULL OR u.email IS NOT NULL
            OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
            OR EXISTS (SELECT 1 FROM leaderships l WHERE l.user_id = u.id
                       AND (l.end_date IS NULL OR l.end_date > (u.erased_at AT TIME ZONE 'UTC')::date)))`,
  },
  {
    rule: "a SCHEDULED membership has its startsAt",
    sql: `SELECT m.id::text AS id FROM memberships m WHERE m.status = 'SCHEDULED' AND m.starts_at IS NULL`,
  },
  {
    // Exactly once (src/timers/): one event per member and instant, however many replicas ran.
    rule: "each time-driven event is written once",
    sql: `SELECT min(e.id)::text AS id FROM domain_events e
          WHERE e.type IN ('MEMBER_EXPIRED', 'MEMBER_STARTED', 'LEADER_STARTED', 'LEADER_ENDED')
          GROUP BY e.type, e.group_id, e.user_id, e.payload->>'expiresAt', e.payload->>'startsAt',
            e.payload->>'leadershipId'
          HAVING count(*) > 1`,
  },
  {
    rule: "every leadership has its LEADER_ADDED event",
    sql: `SELECT l.id::text AS id FROM leaderships l WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e
            WHERE e.type = 'LEADER_ADDED' AND e.payload->>'leadershipId' = l.id::text)`,
  },
  {
    // Access requests (src/memberships/access-request.*): each has its ACCESS_REQUESTED, and a decided
    // one the event of its decision, written with it.
    rule: "every access request has its ACCESS_REQUESTED event, and a decided one its decision's",
    sql: `SELECT r.id::text AS id FROM access_requests r WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.type = 'ACCESS_REQUESTED' AND e.payload->>'accessRequestId' = r.id::text)
          OR (r.status <> 'PENDING' AND NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.type = 'ACCESS_' || r.status AND e.payload->>'accessRequestId' = r.id::text))`,
  },
  {
    rule: "an approved access request's requester became a member then (MEMBER_ADDED naming the request)",
    sql: `SELECT r.id::text AS id FROM access_requests r WHERE r.status = 'APPROVED' AND NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.type = 'MEMBER_ADDED' AND e.user_id = r.user_id
            AND e.group_id = r.group_id AND e.payload->>'accessRequestId' = r.id::text)`,
  },
  {
    rule: "an erased user has no access request message and no PENDING access request",
    sql: `SELECT r.id::text AS id FROM access_requests r JOIN users u ON u.id = r.user_id
          WHERE u.erased_at IS NOT NULL AND (r.message IS NOT NULL OR r.status = 'PENDING')`,
  },
];

/** Every broken rule, with up to three offending ids each. */
export async function checkInvariants(db: DataSource | EntityManager): Promise<string[]> {
  const violations: string[] = [];
  for (const { rule, sql } of RULES) {
    const rows = (await db.query(sql)) as { id: string }[];
    if (rows.length)
      violations.push(
        `${rule}: ${rows
          .slice(0, 3)
          .map((r) => r.id)
          .join(", ")}`,
      );
  }
  return violations;
}
