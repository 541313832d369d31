import { type FormEvent, useState } from "react";
import type { GroupAccess } from "../access";
import { gql } from "../api";
import {
  ErrorBanner,
  Field,
  plural,
  TableScroll,
  useAction,
  useAsync,
  UserPicker,
  type UserSummary,
  userLabel,
  When,
} from "../ui";

interface Member {
  id: string;
  role: string;
  status: "ACTIVE" | "PENDING" | "INACTIVE";
  joinedAt: string;
  expiresAt: string | null;
  user: UserSummary;
  invitedBy: UserSummary | null;
}

// The list is asked for only with members.view; the roles label it and fill the role pickers.
const MEMBERS = `
  query AdminMembers($id: ID!, $list: Boolean!) {
    roles { name label rank }
    group(id: $id) @include(if: $list) {
      id
      members(includeInactive: true, first: 200) {
        totalCount
        nodes { id role status joinedAt expiresAt user { id name email } invitedBy { id name email } }
      }
    }
  }`;

interface Data {
  roles?: { name: string; label: string; rank: number }[];
  group?: { members: { totalCount: number; nodes: Member[] } } | null;
}

const STATUSES = ["ACTIVE", "PENDING", "INACTIVE"] as const;

/**
 * Members inline: add or invite (PENDING), change role, set status, remove; each control only for
 * those who hold its permission here (members.add, members.change_role, members.remove).
 */
export function MembersSection({
  groupId,
  version,
  onChange,
  access,
}: {
  groupId: string;
  version: number;
  onChange(): void;
  access: GroupAccess;
}) {
  const canView = access.can("members.view");
  const canAdd = access.can("members.add");
  const canChange = access.can("members.change_role");
  const canRemove = access.can("members.remove");
  const { data, error } = useAsync(
    () =>
      canView || canAdd || canChange ? gql<Data>(MEMBERS, { id: groupId, list: canView }) : Promise.resolve<Data>({}),
    [groupId, version, canView, canAdd, canChange],
  );
  const action = useAction();
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState("member");
  const [invite, setInvite] = useState(false);

  const roles = [...(data?.roles ?? [])].sort((a, b) => a.rank - b.rank);
  const members = data?.group?.members;

  const mutate = async (query: string, variables: Record<string, unknown>) => {
    const done = await action.run(() => gql(query, variables).then(() => true));
    if (done) onChange();
    return done;
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!userId) return;
    const done = await mutate(`mutation AdminAddMember($input: AddMemberInput!) { addMember(input: $input) { id } }`, {
      input: { groupId, userId, role, status: invite ? "PENDING" : "ACTIVE" },
    });
    if (done) setInvite(false);
  };

  const notActive = members?.nodes.filter((m) => m.status !== "ACTIVE").length ?? 0;
  const roleLabel = (name: string) => roles.find((r) => r.name === name)?.label ?? name;
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">
        Members{" "}
        {members && (
          <span className="count">
            · {plural(members.totalCount, "member")}
            {notActive > 0 && `, ${notActive} not active`}
          </span>
        )}
      </h2>
      <ErrorBanner error={error} />
      {!canView && <p className="muted">You may not see who the members are here (that needs members.view).</p>}
      {canView && (
        <TableScroll label="Members">
          <table className="members">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                {canRemove && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members?.nodes.length === 0 && (
                <tr>
                  <td colSpan={canRemove ? 5 : 4} className="muted">
                    No members
                  </td>
                </tr>
              )}
              {members?.nodes.map((m) => (
                <tr key={m.id} data-member={userLabel(m.user)}>
                  <td>
                    {userLabel(m.user)}
                    {m.invitedBy && m.invitedBy.id !== m.user.id && (
                      <small className="muted"> invited by {userLabel(m.invitedBy)}</small>
                    )}
                  </td>
                  <td>
                    {!canChange ? (
                      roleLabel(m.role)
                    ) : (
                      <select
                        aria-label={`Role of ${userLabel(m.user)}`}
                        value={m.role}
                        onChange={(e) =>
                          void mutate(
                            `mutation AdminMemberRole($groupId: ID!, $userId: ID!, $role: String!) { updateMemberRole(groupId: $groupId, userId: $userId, role: $role) { id } }`,
                            { groupId, userId: m.user.id, role: e.target.value },
                          )
                        }
                      >
                        {roles.map((r) => (
                          <option key={r.name} value={r.name}>
                            {r.label}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td>
                    {!canChange ? (
                      m.status.toLowerCase()
                    ) : (
                      <select
                        aria-label={`Status of ${userLabel(m.user)}`}
                        value={m.status}
                        onChange={(e) =>
                          void mutate(
                            `mutation AdminMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) { setMemberStatus(groupId: $groupId, userId: $userId, status: $status) { id } }`,
                            { groupId, userId: m.user.id, status: e.target.value },
                          )
                        }
                      >
                        {STATUSES.map((s) => (
                          <option key={s} value={s}>
                            {s.toLowerCase()}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td>
                    <When value={m.joinedAt} />
                    {m.expiresAt && (
                      <small className="muted">
                        {" "}
                        until <When value={m.expiresAt} />
                      </small>
                    )}
                  </td>
                  {canRemove && (
                    <td>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Remove ${userLabel(m.user)}`}
                        onClick={() =>
                          void mutate(
                            `mutation AdminRemoveMember($groupId: ID!, $userId: ID!) { removeMember(groupId: $groupId, userId: $userId) }`,
                            { groupId, userId: m.user.id },
                          )
                        }
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {members && members.totalCount > members.nodes.length && (
        <p className="muted">{plural(members.totalCount - members.nodes.length, "more member")} not shown</p>
      )}
      {canAdd && (
        <form className="inline-form" onSubmit={(e) => void add(e)} aria-label="Add a member">
          <UserPicker label="New member" value={userId} onChange={setUserId} />
          <Field label="Role">
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value)}>
                {roles.map((r) => (
                  <option key={r.name} value={r.name}>
                    {r.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={invite} onChange={(e) => setInvite(e.target.checked)} /> Invite (pending
            until accepted)
          </label>
          <button type="submit" disabled={!userId || action.busy}>
            {invite ? "Invite member" : "Add member"}
          </button>
        </form>
      )}
      <ErrorBanner error={action.error} />
    </section>
  );
}
