import { type FormEvent, useState } from "react";
import { gql } from "../api";
import { Link } from "../router";
import { ErrorBanner, Field, plural, useAction, UserPicker } from "../ui";

interface Reach {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string; name: string; groupType: string; isActive: boolean }[];
}

const PAGE = 25;

const REACH = `query AdminReach($userId: ID!, $permission: String!, $groupType: String, $first: Int, $after: String) {
  user(id: $userId) {
    name
    groupsWithPermission(permission: $permission, groupType: $groupType, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id name groupType isActive }
    }
  }
}`;

/**
 * "What can this user do, and where?": every group where the user holds a permission (held there or
 * cascaded from an ancestor), as User.groupsWithPermission lists them: the groups you may see, and
 * about someone else only those where you may list members.
 */
export function ReachForm({ permissions }: { permissions: string[] }) {
  const [userId, setUserId] = useState("");
  const [permission, setPermission] = useState("groups.update");
  const [groupType, setGroupType] = useState("");
  const [result, setResult] = useState<{ name: string | null; permission: string; page: Reach }>();
  const action = useAction();

  const load = (after: string | null) =>
    action.run(() =>
      gql<{ user: { name: string | null; groupsWithPermission: Reach } | null }>(REACH, {
        userId,
        permission,
        groupType: groupType.trim() || null,
        first: PAGE,
        after,
      }),
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    const data = await load(null);
    if (data?.user) setResult({ name: data.user.name, permission, page: data.user.groupsWithPermission });
  };

  const more = async () => {
    if (!result?.page.pageInfo.endCursor) return;
    const data = await load(result.page.pageInfo.endCursor);
    const next = data?.user?.groupsWithPermission;
    if (next) setResult({ ...result, page: { ...next, nodes: [...result.page.nodes, ...next.nodes] } });
  };

  return (
    <section aria-labelledby="reach-h">
      <h2 id="reach-h">Where can this user do that?</h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="List where a user holds a permission">
        <UserPicker label="User" value={userId} onChange={setUserId} />
        <Field label="Permission">
          {(p) => (
            <select {...p} value={permission} onChange={(e) => setPermission(e.target.value)}>
              {(permissions.length ? permissions : [permission]).map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Group type (optional)">
          {(p) => <input {...p} value={groupType} onChange={(e) => setGroupType(e.target.value)} placeholder="any" />}
        </Field>
        <button type="submit" disabled={!userId || action.busy}>
          List groups
        </button>
      </form>
      <ErrorBanner error={action.error} />
      {result && (
        <div className="why-result" data-testid="reach-result" role="status">
          <p>
            {result.name ?? "This user"} holds <code>{result.permission}</code> in{" "}
            {plural(result.page.totalCount, "group")} you may see
            {result.page.totalCount === 0 && " (a global admin's flag is no role: it lists nothing by itself)"}
          </p>
          {result.page.nodes.length > 0 && (
            <ul>
              {result.page.nodes.map((g) => (
                <li key={g.id}>
                  <Link to={`/groups/${g.id}`}>{g.name}</Link> <small className="muted">{g.groupType}</small>
                  {!g.isActive && <span className="badge archived">archived</span>}
                </li>
              ))}
            </ul>
          )}
          {result.page.pageInfo.hasNextPage && (
            <button type="button" onClick={() => void more()} disabled={action.busy}>
              Show more ({result.page.totalCount - result.page.nodes.length} left)
            </button>
          )}
        </div>
      )}
    </section>
  );
}
