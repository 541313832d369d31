import { useState } from "react";
import type { GroupAccess } from "../access";
import { gql } from "../api";
import { ErrorBanner, plural, TableScroll, useAction, useAsync, userLabel, type UserSummary, When } from "../ui";

interface AccessRequest {
  id: string;
  message: string | null;
  createdAt: string;
  user: UserSummary;
}

const QUEUE = `
  query AdminAccessRequests($id: ID!) {
    group(id: $id) {
      id joinPolicy
      accessRequests(status: PENDING, first: 100) { totalCount nodes { id message createdAt user { id name email } } }
    }
    roles { name label rank }
  }`;

const APPROVE = `mutation AdminApproveAccess($id: ID!, $role: String) { approveAccessRequest(id: $id, role: $role) { id } }`;
const DENY = `mutation AdminDenyAccess($id: ID!, $reason: String) { denyAccessRequest(id: $id, reason: $reason) { id } }`;

/**
 * The group's queue of pending access requests (Group.accessRequests, members.add): each approved
 * with a role (the lowest one by default) or denied with an optional reason. Shown only to those
 * who may decide; it reloads with the page on every event of the group (ACCESS_REQUESTED included).
 */
export function AccessRequestsSection({
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
  const { data, error } = useAsync(
    () =>
      gql<{
        group: {
          joinPolicy: string;
          accessRequests: { totalCount: number; nodes: AccessRequest[] };
        } | null;
        roles: { name: string; label: string; rank: number }[];
      }>(QUEUE, { id: groupId }),
    [groupId, version],
  );
  const action = useAction();
  const [roleOf, setRoleOf] = useState<Record<string, string>>({});
  const [reasonOf, setReasonOf] = useState<Record<string, string>>({});
  if (!access.can("members.add")) return null;

  const roles = [...(data?.roles ?? [])].sort((a, b) => a.rank - b.rank);
  const queue = data?.group?.accessRequests;
  const decide = async (document: string, variables: Record<string, unknown>) => {
    const done = await action.run(() => gql(document, variables).then(() => true));
    if (done) onChange();
  };

  return (
    <section aria-labelledby="requests-h">
      <h2 id="requests-h">
        Access requests {queue && <span className="count">· {plural(queue.totalCount, "pending request")}</span>}
      </h2>
      <ErrorBanner error={error} />
      {data?.group && data.group.joinPolicy !== "REQUEST" && (
        <p className="muted">
          This group does not take requests now (joining: {data.group.joinPolicy.toLowerCase().replace("_", " ")}).
        </p>
      )}
      <TableScroll label="Pending access requests">
        <table className="members">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Message</th>
              <th scope="col">Asked</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {queue?.nodes.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No pending requests
                </td>
              </tr>
            )}
            {queue?.nodes.map((r) => {
              const who = userLabel(r.user);
              const role = roleOf[r.id] ?? roles[0]?.name ?? "";
              return (
                <tr key={r.id} data-request={who}>
                  <td>{who}</td>
                  <td>{r.message ?? <span className="muted">none</span>}</td>
                  <td>
                    <When value={r.createdAt} withTime />
                  </td>
                  <td>
                    <div className="inline-form">
                      <select
                        aria-label={`Role for ${who}`}
                        value={role}
                        onChange={(e) => setRoleOf((m) => ({ ...m, [r.id]: e.target.value }))}
                      >
                        {roles.map((x) => (
                          <option key={x.name} value={x.name}>
                            {x.label}
                          </option>
                        ))}
                      </select>
                      <button
                        type="button"
                        aria-label={`Approve ${who}`}
                        disabled={action.busy}
                        onClick={() => void decide(APPROVE, { id: r.id, role: role || null })}
                      >
                        Approve
                      </button>
                      <input
                        aria-label={`Reason for denying ${who}`}
                        placeholder="reason (optional)"
                        maxLength={2000}
                        value={reasonOf[r.id] ?? ""}
                        onChange={(e) => setReasonOf((m) => ({ ...m, [r.id]: e.target.value }))}
                      />
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Deny ${who}`}
                        disabled={action.busy}
                        onClick={() => void decide(DENY, { id: r.id, reason: reasonOf[r.id]?.trim() || null })}
                      >
                        Deny
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      <ErrorBanner error={action.error} />
    </section>
  );
}

/**
 * For someone who sees the group but is not in it: "Ask to join" (joinPolicy REQUEST, with an
 * optional message) or "Join" (OPEN). Nothing for INVITE_ONLY, nor for members.
 */
export function JoinSection({
  groupId,
  joinPolicy,
  userId,
  onChange,
}: {
  groupId: string;
  joinPolicy: string;
  userId: string;
  onChange(): void;
}) {
  const { data } = useAsync(
    () =>
      gql<{ group: { membership: { status: string } | null } | null }>(
        `query AdminMyMembership($id: ID!, $me: ID!) { group(id: $id) { id membership(userId: $me) { status } } }`,
        { id: groupId, me: userId },
      ),
    [groupId, joinPolicy, userId],
  );
  const action = useAction();
  const [message, setMessage] = useState("");
  const [sent, setSent] = useState(false);
  if (joinPolicy === "INVITE_ONLY" || !data || data.group?.membership) return null;

  const send = async () => {
    const done = await action.run(() =>
      joinPolicy === "OPEN"
        ? gql(`mutation AdminJoin($id: ID!) { joinGroup(groupId: $id) { id } }`, { id: groupId }).then(() => true)
        : gql(`mutation AdminAsk($id: ID!, $m: String) { requestToJoin(groupId: $id, message: $m) { id } }`, {
            id: groupId,
            m: message.trim() || null,
          }).then(() => true),
    );
    if (done) {
      setSent(true);
      onChange();
    }
  };

  return (
    <section aria-labelledby="join-h">
      <h2 id="join-h">{joinPolicy === "OPEN" ? "Join" : "Ask to join"}</h2>
      {sent && joinPolicy === "REQUEST" ? (
        <p role="status">Your request was sent; the group's admins decide.</p>
      ) : (
        <div className="inline-form">
          {joinPolicy === "REQUEST" && (
            <input
              aria-label="Message to the group's admins"
              placeholder="why you would like to join (optional)"
              maxLength={2000}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
            />
          )}
          <button type="button" disabled={action.busy} onClick={() => void send()}>
            {joinPolicy === "OPEN" ? "Join this group" : "Send request"}
          </button>
        </div>
      )}
      <ErrorBanner error={action.error} />
    </section>
  );
}
