import { dropInvitationsOfMembersSql, moveProvisionalUserSql } from "../../src/memberships/claim.store";

// The claim's statements on memberships (the invitations of a provisional user handed to the user
// who signed in with its address), pinned: a change to a statement's text shows here first. The
// text depends only on the statement's shape (never on values), so each keeps one prepared statement.

const FROM = "00000000-0000-4000-8000-00000000000f";
const TO = "00000000-0000-4000-8000-00000000000a";

describe("claim store SQL", () => {
  it("drops the invitations to groups where the claimant has a membership already, answering them", () => {
    const statement = dropInvitationsOfMembersSql(FROM, TO);
    expect(statement.text).toBe(`DELETE FROM memberships a WHERE a.user_id = $1::uuid
      AND EXISTS (SELECT 1 FROM memberships b WHERE b.group_id = a.group_id AND b.user_id = $2::uuid)
      RETURNING a.group_id AS "groupId", a.role`);
    expect(statement.values).toEqual([FROM, TO]);
  });

  it("moves the memberships, and outside the claimant's groups the periods and events, in one statement", () => {
    const statement = moveProvisionalUserSql(FROM, TO);
    // The claimant's groups (inside) and the outside groups' instants (since) are each worked out
    // once, materialized, and not looked up again for every period and event row.
    expect(statement.text).toBe(`WITH inside AS MATERIALIZED (
        SELECT b.group_id FROM memberships b WHERE b.user_id = $1::uuid
      ), moved AS (
        UPDATE memberships a SET user_id = $2::uuid, updated_at = now() WHERE a.user_id = $3::uuid RETURNING a.id
      ), since AS MATERIALIZED (
        SELECT g.group_id, (SELECT max(coalesce(c.valid_to, c.valid_from)) FROM membership_periods c
          WHERE c.group_id = g.group_id AND c.user_id = $4::uuid) AS instant
        FROM (SELECT DISTINCT mp.group_id FROM membership_periods mp WHERE mp.user_id = $5::uuid) g
        WHERE NOT EXISTS (SELECT 1 FROM inside i WHERE i.group_id = g.group_id)
      ), periods AS (
        UPDATE membership_periods mp SET user_id = $6::uuid,
          valid_from = greatest(mp.valid_from, s.instant),
          valid_to = CASE WHEN mp.valid_to IS NULL THEN NULL ELSE greatest(mp.valid_to, s.instant) END
        FROM since s
        WHERE mp.user_id = $7::uuid AND s.group_id = mp.group_id
        RETURNING mp.id
      ), events AS (
        UPDATE domain_events e SET user_id = $8::uuid
        WHERE e.user_id = $9::uuid AND NOT EXISTS (SELECT 1 FROM inside i WHERE i.group_id = e.group_id)
        RETURNING e.id
      )
      SELECT (SELECT count(*) FROM moved)::int AS n, (SELECT count(*) FROM periods) AS p, (SELECT count(*) FROM events) AS e`);
    expect(statement.values).toEqual([TO, TO, FROM, TO, FROM, TO, FROM, TO, FROM]);
  });

  it("the text depends on the shape only, never on the values", () => {
    expect(moveProvisionalUserSql(TO, FROM).text).toBe(moveProvisionalUserSql(FROM, TO).text);
    expect(dropInvitationsOfMembersSql(TO, FROM).text).toBe(dropInvitationsOfMembersSql(FROM, TO).text);
  });
});
