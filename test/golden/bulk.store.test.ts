import { EventType } from "../../src/events/event.entity";
import { addMembershipsSql, bulkFactsSql, removeMembershipsSql } from "../../src/memberships/bulk.store";

// The statements of members in bulk: one text whatever the number of members (every list is an
// array parameter, unnest), so 3 members and 300 send the same prepared statement; the parts that
// change the text are the statement's shape only (a caller to guard by, lasting owners among those
// removed).

const GROUP = "00000000-0000-4000-8000-00000000000a";
const CALLER = "00000000-0000-4000-8000-000000000001";
const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const caller = { userId: CALLER, grants: [{ groupId: GROUP, role: "owner" }] };

function addition(n: number, withCaller: boolean) {
  const users = ids(n);
  return addMembershipsSql({
    groupId: GROUP,
    invitedBy: CALLER,
    actorId: CALLER,
    members: users.map((userId) => ({ userId, role: "member", status: "ACTIVE", expiresAt: null })),
    provisional: { ids: users.slice(0, n / 3), emails: users.slice(0, n / 3).map((u) => `${u}@example.org`) },
    events: users.map((userId) => ({
      type: EventType.MEMBER_ADDED,
      groupId: GROUP,
      userId,
      actorId: CALLER,
      payload: {},
    })),
    caller: withCaller ? caller : null,
  });
}

function removal(n: number, lasting: boolean) {
  return removeMembershipsSql({
    groupId: GROUP,
    members: ids(n).map((id, i) => ({
      id,
      role: i === 0 && lasting ? "owner" : "member",
      lasting: i === 0 && lasting,
    })),
    events: [],
    caller,
  });
}

describe("bulk membership store SQL", () => {
  it("the facts: one statement for any number of ids and addresses", () => {
    const few = bulkFactsSql(GROUP, ids(3), ["a@example.org"]);
    const many = bulkFactsSql(
      GROUP,
      ids(300),
      ids(300).map((u) => `${u}@example.org`),
    );
    expect(many.text).toBe(few.text);
    expect(many.values.length).toBe(few.values.length);
    expect(few.text).toContain("lower(u.email) = ANY(");
  });

  it("addMemberships: the same text for 3 members as for 300, guarded by the caller or not", () => {
    expect(addition(300, true).text).toBe(addition(3, true).text);
    expect(addition(300, false).text).toBe(addition(3, false).text);
    expect(addition(3, true).text).toContain("FOR SHARE OF a");
    expect(addition(3, false).text).not.toContain("caller AS");
    // Arrays travel as single parameters: the number of placeholders does not grow with the list.
    expect(addition(300, true).values.length).toBe(addition(3, true).values.length);
  });

  it("removeMemberships: the same text for 3 as for 300; lasting owners add the lock on the other owners", () => {
    expect(removal(300, false).text).toBe(removal(3, false).text);
    expect(removal(300, true).text).toBe(removal(3, true).text);
    expect(removal(3, true).text).toContain("owners AS (");
    expect(removal(3, false).text).not.toContain("owners AS (");
    expect(removal(300, true).values.length).toBe(removal(3, true).values.length);
  });
});
