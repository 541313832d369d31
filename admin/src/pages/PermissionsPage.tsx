import { type FormEvent, useEffect, useState } from "react";
import { gql } from "../api";
import { Link } from "../router";
import { ErrorBanner, Field, plural, TableScroll, useAction, useAsync, UserPicker } from "../ui";
import { ReachForm } from "./ReachForm";

interface Permission {
  key: string;
  label: string;
  description: string | null;
  isActive: boolean;
  isDeprecated: boolean;
}

interface Data {
  permissionModules: {
    key: string;
    label: string;
    description: string | null;
    parent: { key: string } | null;
    permissions: Permission[];
  }[];
  roles: { name: string; label: string; rank: number; permissions: string[] }[];
  permissionHealth: {
    status: string;
    definedCount: number;
    storedCount: number;
    orphanedKeys: string[];
    missingKeys: string[];
  };
}

const REGISTRY = `
  query AdminRegistry {
    permissionModules {
      key label description parent { key }
      permissions { key label description isActive isDeprecated }
    }
    roles { name label rank permissions }
    permissionHealth { status definedCount storedCount orphanedKeys missingKeys }
  }`;

/** The permission registry: modules, permissions, roles and what they grant, health; "why?" and "where?". */
export function PermissionsPage() {
  const { data, error } = useAsync(() => gql<Data>(REGISTRY), []);
  const roles = [...(data?.roles ?? [])].sort((a, b) => a.rank - b.rank);
  const health = data?.permissionHealth;
  const keys = (data?.permissionModules ?? []).flatMap((m) => m.permissions.map((p) => p.key));
  return (
    <>
      <h1>Permissions</h1>
      <ErrorBanner error={error} />
      {health && (
        <section aria-labelledby="health-h">
          <h2 id="health-h">Registry health</h2>
          <p data-testid="registry-health">
            <span className={`badge ${health.status === "healthy" ? "good" : "warn"}`}>{health.status}</span>{" "}
            {plural(health.definedCount, "permission")} defined in code, {health.storedCount} stored
            {health.orphanedKeys.length > 0 && ` · orphaned: ${health.orphanedKeys.join(", ")}`}
            {health.missingKeys.length > 0 && ` · not yet synced: ${health.missingKeys.join(", ")}`}
          </p>
        </section>
      )}
      <WhyForm permissions={keys} />
      <ReachForm permissions={keys} />
      {data && (
        <section aria-labelledby="matrix-h">
          <h2 id="matrix-h">Modules, permissions and roles</h2>
          <TableScroll label="Permissions by role">
            <table className="matrix">
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  {roles.map((r) => (
                    <th scope="col" key={r.name} className="num">
                      {r.label}
                      <br />
                      <small>rank {r.rank}</small>
                    </th>
                  ))}
                </tr>
              </thead>
              {data.permissionModules.map((m) => (
                <tbody key={m.key}>
                  <tr className="module">
                    <th scope="colgroup" colSpan={roles.length + 1}>
                      {m.label} <code>{m.key}</code>
                      {m.parent && <small> (in {m.parent.key})</small>}
                      {m.description && <small className="muted"> — {m.description}</small>}
                    </th>
                  </tr>
                  {m.permissions.map((p) => (
                    <tr key={p.key}>
                      <th scope="row">
                        <code>{p.key}</code> {p.label}
                        {p.isDeprecated && <span className="badge warn">deprecated</span>}
                        {!p.isActive && <span className="badge warn">inactive</span>}
                        {p.description && <small className="muted"> — {p.description}</small>}
                      </th>
                      {roles.map((r) => (
                        <td key={r.name} className="num">
                          {r.permissions.includes(p.key) ? (
                            <span aria-label={`${r.label} grants ${p.key}`}>✓</span>
                          ) : (
                            <span aria-label={`${r.label} does not grant ${p.key}`} className="muted">
                              ·
                            </span>
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </TableScroll>
        </section>
      )}
    </>
  );
}

interface Check {
  allowed: boolean;
  permission: string;
  globalAdmin: boolean;
  grants: {
    role: string;
    inherited: boolean;
    group: { id: string; name: string };
    path: { id: string; name: string }[];
  }[];
}

/** "Why can X do Y here?": checkPermission's answer with every grant and its path. */
function WhyForm({ permissions }: { permissions: string[] }) {
  const [userId, setUserId] = useState("");
  const [groupSearch, setGroupSearch] = useState("");
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);
  const [groupId, setGroupId] = useState("");
  const [permission, setPermission] = useState("groups.view");
  const [result, setResult] = useState<Check>();
  const action = useAction();

  useEffect(() => {
    const timer = setTimeout(() => {
      gql<{ groups: { nodes: { id: string; name: string }[] } }>(
        `query AdminWhyGroups($search: String) { groups(filter: { search: $search, isActive: null }, first: 20) { nodes { id name } } }`,
        { search: groupSearch.trim() || null },
      )
        .then((d) => {
          setGroups(d.groups.nodes);
          setGroupId(d.groups.nodes[0]?.id ?? "");
        })
        .catch(() => setGroups([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [groupSearch]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    const data = await action.run(() =>
      gql<{ checkPermission: Check }>(
        `query AdminWhy($userId: ID!, $groupId: ID!, $permission: String!) {
          checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {
            allowed permission globalAdmin
            grants { role inherited group { id name } path { id name } }
          }
        }`,
        { userId, groupId, permission },
      ),
    );
    if (data) setResult(data.checkPermission);
  };

  return (
    <section aria-labelledby="why-h">
      <h2 id="why-h">Why can this user do that here?</h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Check a permission">
        <UserPicker label="User" value={userId} onChange={setUserId} />
        <Field label="Group: search">
          {(p) => <input {...p} type="search" value={groupSearch} onChange={(e) => setGroupSearch(e.target.value)} />}
        </Field>
        <Field label="Group">
          {(p) => (
            <select {...p} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              {groups.length === 0 && <option value="">no match</option>}
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
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
        <button type="submit" disabled={!userId || !groupId || action.busy}>
          Check
        </button>
      </form>
      <ErrorBanner error={action.error} />
      {result && (
        <div className="why-result" data-testid="why-result" role="status">
          <p>
            <strong className={result.allowed ? "allowed" : "denied"}>{result.allowed ? "Allowed" : "Denied"}</strong>:{" "}
            <code>{result.permission}</code>
            {result.globalAdmin && " — the user is a global admin"}
            {!result.allowed && " — no role held here or cascaded from an ancestor grants it"}
          </p>
          {result.grants.length > 0 && (
            <ul>
              {result.grants.map((g, i) => (
                <li key={i}>
                  role <strong>{g.role}</strong> held in <Link to={`/groups/${g.group.id}`}>{g.group.name}</Link>
                  {g.inherited ? " (inherited)" : " (directly)"}
                  {g.path.length > 1 && <> · path: {g.path.map((p) => p.name).join(" → ")}</>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
