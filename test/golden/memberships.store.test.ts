import { raw, type Sql } from "../../src/db";
import { EventType } from "../../src/events/event.entity";
import { MembershipStatus } from "../../src/memberships/membership.entity";
import {
  addMembershipSql,
  ALL_MEMBER_COLUMNS,
  MEMBERSHIP_COLUMNS,
  memberCountsSql,
  memberFactsSql,
  removeMembershipSql,
  memberPagesSql,
  membershipsOfUsersSql,
} from "../../src/memberships/membership.store";
import { heldBy } from "../../src/permissions";
import { userColumnsAs } from "../../src/users";

// The SQL of the memberships store, pinned: a change to a statement's text shows here first. The
// text depends only on the statement's shape (never on values), so each keeps one prepared statement.

const GROUP = "00000000-0000-4000-8000-00000000000a";
const OTHER = "00000000-0000-4000-8000-00000000000b";
const admin = { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true };
const viewer = { id: "00000000-0000-4000-8000-000000000002", isGlobalAdmin: false };

const COLUMNS =
  `a.id, a.group_id AS "groupId", a.user_id AS "userId", a.role, a.status AS "storedStatus", ` +
  `a.invited_by AS "invitedById", a.joined_at AS "joinedAt", a.expires_at AS "expiresAt", ` +
  `a.starts_at AS "startsAt", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;
const COUNTING = `a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())`;

/** visibility.ts's fragment as it reads after `offset` parameters of the enclosing statement. */
function spliced(fragment: Sql, offset: number): string {
  return fragment.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

describe("memberships store SQL", () => {
  it("derives the column list from the one field map", () => {
    expect(MEMBERSHIP_COLUMNS).toBe(COLUMNS);
  });

  it("a group's member page, direct ACTIVE members: the page, the total and the users in one statement", () => {
    const statement = memberPagesSql(admin, [GROUP, OTHER], {
      role: null,
      includeInactive: false,
      transitive: false,
      limit: 51,
      after: null,
      columns: ALL_MEMBER_COLUMNS,
    });
    expect(statement.text).toBe(`WITH filtered AS (
      SELECT a.group_id AS root, 0 AS depth, ${COLUMNS}, a.joined_at::text AS "joinedKey"
      FROM memberships a WHERE a.group_id = ANY($1::uuid[]) AND ${COUNTING}
    ), counted AS (
      SELECT "root", count(*)::int AS n FROM filtered GROUP BY "root"
    ), paged AS (
      SELECT * FROM (
        SELECT f.*, row_number() OVER (PARTITION BY f."root" ORDER BY f."depth", f."joinedAt", f."id") AS rn
        FROM filtered f
      ) x WHERE x.rn <= $2
    )
    SELECT k."root" AS "key", coalesce(c.n, 0) AS "totalCount", p.*, ${userColumnsAs("user.")}
    FROM unnest($3::uuid[]) AS k("root")
    LEFT JOIN counted c ON c."root" = k."root"
    LEFT JOIN paged p ON p."root" = k."root"
    LEFT JOIN users u ON u.id = p."userId"
    ORDER BY k."root", p."depth", p."joinedAt", p."id"`);
    expect(statement.values).toEqual([[GROUP, OTHER], 51, [GROUP, OTHER]]);
  });

  it("a group's member page, transitive, by role, after a cursor: descendants only where members.view is held", () => {
    const after = [1, "2024-05-01 10:00:00+00", OTHER] as const;
    const statement = memberPagesSql(viewer, [GROUP], {
      role: "admin",
      includeInactive: true,
      transitive: true,
      limit: 3,
      after,
      columns: ALL_MEMBER_COLUMNS,
    });
    const held = heldBy(viewer, "members.view", raw("a.group_id"));
    const n = 2 + held.values.length; // the ids and the role come before the rule's parameters
    expect(statement.text).toBe(`WITH RECURSIVE down(root, id, depth) AS (
      SELECT r, r, 0 FROM unnest($1::uuid[]) AS r
      UNION SELECT down.root, gp.child_id, down.depth + 1 FROM down JOIN group_parents gp ON gp.parent_id = down.id
    ), scope AS (
      SELECT root, id, min(depth) AS depth FROM down GROUP BY root, id
    ), filtered AS (
      SELECT DISTINCT ON (s.root, a.user_id) s.root, s.depth, ${COLUMNS}, a.joined_at::text AS "joinedKey"
      FROM scope s JOIN memberships a ON a.group_id = s.id
      WHERE a.role = $2 AND (s.depth = 0 OR ${spliced(held, 2)})
      ORDER BY s.root, a.user_id, s.depth, a.joined_at, a.id
    ), counted AS (
      SELECT "root", count(*)::int AS n FROM filtered GROUP BY "root"
    ), paged AS (
      SELECT * FROM (
        SELECT f.*, row_number() OVER (PARTITION BY f."root" ORDER BY f."depth", f."joinedAt", f."id") AS rn
        FROM filtered f WHERE (f."depth", f."joinedAt", f."id") > ($${n + 1}::int, $${n + 2}::timestamptz, $${n + 3}::uuid)
      ) x WHERE x.rn <= $${n + 4}
    )
    SELECT k."root" AS "key", coalesce(c.n, 0) AS "totalCount", p.*, ${userColumnsAs("user.")}
    FROM unnest($${n + 5}::uuid[]) AS k("root")
    LEFT JOIN counted c ON c."root" = k."root"
    LEFT JOIN paged p ON p."root" = k."root"
    LEFT JOIN users u ON u.id = p."userId"
    ORDER BY k."root", p."depth", p."joinedAt", p."id"`);
    expect(statement.values).toEqual([[GROUP], "admin", ...held.values, ...after, 3, [GROUP]]);
  });

  it("a page's text depends on its shape, never on its values", () => {
    const options = {
      role: null,
      includeInactive: false,
      transitive: true,
      limit: 11,
      after: null,
      columns: ALL_MEMBER_COLUMNS,
    };
    const one = memberPagesSql(viewer, [GROUP], options);
    const other = memberPagesSql({ ...viewer, id: OTHER }, [GROUP, OTHER], { ...options, limit: 501 });
    expect(other.text).toBe(one.text);
    expect(memberPagesSql(viewer, [GROUP], { ...options, role: "member" }).text).not.toBe(one.text);
  });

  it("a user's memberships, as a global admin: every membership, ACTIVE only by default", () => {
    const statement = membershipsOfUsersSql(admin, [viewer.id], { includeInactive: false, role: null });
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM memberships a
    WHERE a.user_id = ANY($1::uuid[]) AND TRUE AND ${COUNTING}
    ORDER BY a.joined_at, a.id`);
    expect(statement.values).toEqual([[viewer.id]]);
  });

  it("a user's memberships, as anyone else: their own, or where the caller holds members.view", () => {
    const statement = membershipsOfUsersSql(viewer, [viewer.id, OTHER], { includeInactive: true, role: "owner" });
    const held = heldBy(viewer, "members.view", raw("a.group_id"));
    expect(statement.text).toBe(`SELECT ${COLUMNS} FROM memberships a
    WHERE a.user_id = ANY($1::uuid[]) AND (a.user_id = $2::uuid OR ${spliced(held, 2)}) AND a.role = $${3 + held.values.length}
    ORDER BY a.joined_at, a.id`);
    expect(statement.values).toEqual([[viewer.id, OTHER], viewer.id, ...held.values, "owner"]);
  });

  it("memberCount: direct ACTIVE, unexpired members per group in one statement", () => {
    const statement = memberCountsSql([GROUP, OTHER]);
    expect(statement.text).toBe(`SELECT a.group_id AS key, count(*)::int AS n FROM memberships a
    WHERE a.group_id = ANY($1::uuid[]) AND ${COUNTING}
    GROUP BY a.group_id`);
    expect(statement.values).toEqual([[GROUP, OTHER]]);
  });

  describe("writes in one statement, guarded by the facts they relied on", () => {
    const caller = { userId: viewer.id, grants: [{ groupId: OTHER, role: "admin" }] };
    const event = { type: EventType.MEMBER_ADDED, groupId: GROUP, userId: admin.id, actorId: viewer.id };

    it("the facts of a change to one member: the group, the membership, which users exist", () => {
      expect(memberFactsSql(GROUP, admin.id, [admin.id]).text).toMatchInlineSnapshot(`
       "SELECT g.id, g.name, g.group_type AS "groupType", g.description, g.short_name AS "shortName", g.url, g.knowledge_area AS "knowledgeArea", g.campus, g.visibility, g.join_policy AS "joinPolicy", g.is_active AS "isActive", g.permission_cascade_enabled AS "permissionCascadeEnabled", g.metadata, g.created_at AS "createdAt", g.updated_at AS "updatedAt", g.created_by AS "createdById", a.id AS "member.id", a.group_id AS "member.groupId", a.user_id AS "member.userId", a.role AS "member.role", a.status AS "member.storedStatus", a.invited_by AS "member.invitedById", a.joined_at AS "member.joinedAt", a.expires_at AS "member.expiresAt", a.starts_at AS "member.startsAt", a.created_at AS "member.createdAt", a.updated_at AS "member.updatedAt",
             ARRAY(SELECT u.id::text FROM users u WHERE u.id = ANY($1::uuid[]) AND u.erased_at IS NULL) AS "knownUserIds"
           FROM groups g LEFT JOIN memberships a ON a.group_id = g.id AND a.user_id = $2::uuid
           WHERE g.id = $3::uuid"
      `);
    });

    it("addMember: the insert and its events only while the caller's grants still count (share-locked)", () => {
      const member = {
        groupId: GROUP,
        userId: admin.id,
        role: "member",
        storedStatus: MembershipStatus.ACTIVE,
        invitedById: viewer.id,
        expiresAt: null,
        startsAt: null,
        changedById: viewer.id,
      };
      const statement = addMembershipSql({ member, events: [event], caller });
      expect(statement.text).toMatchInlineSnapshot(`
       "WITH caller AS (SELECT a.group_id FROM memberships a
             WHERE a.user_id = $1::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())
               AND (a.group_id, a.role) IN (
                 SELECT * FROM unnest($2::uuid[], $3::text[])
               )
             FOR SHARE OF a), m AS (
             INSERT INTO memberships AS a (group_id, user_id, role, status, invited_by, expires_at, starts_at, changed_by)
             SELECT $4,$5,$6,$7,$8,$9,$10,$11 WHERE (SELECT count(*) FROM caller) = $12::int
             RETURNING a.id, a.group_id AS "groupId", a.user_id AS "userId", a.role, a.status AS "storedStatus", a.invited_by AS "invitedById", a.joined_at AS "joinedAt", a.expires_at AS "expiresAt", a.starts_at AS "startsAt", a.created_at AS "createdAt", a.updated_at AS "updatedAt"
           ), events AS (INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach) SELECT * FROM unnest($13::text[], $14::uuid[], $15::uuid[], $16::uuid[], $17::jsonb[], $18::jsonb[]) WHERE EXISTS (SELECT 1 FROM m))
           SELECT * FROM m"
      `);
      expect(statement.values.slice(0, 3)).toEqual([viewer.id, [OTHER], ["admin"]]);
      // A global admin's: no guard.
      expect(addMembershipSql({ member, events: [event], caller: null }).text).not.toContain("FOR SHARE");
    });

    it("removeMember: the member as read (locked), the caller's grants and another lasting owner (share-locked)", () => {
      const removal = { groupId: GROUP, id: OTHER, role: "owner", lastingOwner: true, events: [event], caller };
      expect(removeMembershipSql(removal).text).toMatchInlineSnapshot(`
       "WITH caller AS (SELECT a.group_id FROM memberships a
             WHERE a.user_id = $1::uuid AND a.status = 'ACTIVE' AND (a.expires_at IS NULL OR a.expires_at > now())
               AND (a.group_id, a.role) IN (
                 SELECT * FROM unnest($2::uuid[], $3::text[])
               )
             FOR SHARE OF a), owners AS (
               SELECT a.id FROM memberships a
               WHERE a.group_id = $4::uuid AND a.id <> $5::uuid
                 AND a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL
               FOR SHARE OF a
             ), target AS (
             SELECT a.id FROM memberships a
             WHERE a.id = $6::uuid AND a.role = $7
               AND (a.role = 'owner' AND a.status = 'ACTIVE' AND a.expires_at IS NULL) = $8::boolean
             FOR UPDATE OF a
           ), facts AS (
             SELECT (SELECT count(*) FROM caller) = $9::int AS "callerHolds", EXISTS (SELECT 1 FROM target) AS "asRead", (SELECT count(*) FROM owners)::int AS "otherOwners"
           ), m AS (
             DELETE FROM memberships a USING facts f
             WHERE a.id = $10::uuid AND f."callerHolds" AND f."asRead" AND f."otherOwners" > 0
             RETURNING a.id
           ), events AS (INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach) SELECT * FROM unnest($11::text[], $12::uuid[], $13::uuid[], $14::uuid[], $15::jsonb[], $16::jsonb[]) WHERE EXISTS (SELECT 1 FROM m))
           SELECT f.*, EXISTS (SELECT 1 FROM m) AS removed FROM facts f"
      `);
      // Neither the values nor the member's id change the text.
      expect(removeMembershipSql({ ...removal, id: GROUP, role: "admin" }).text).toBe(
        removeMembershipSql(removal).text,
      );
    });
  });
});
