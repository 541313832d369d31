import { gql } from "../api";
import { Link } from "../router";
import { ErrorBanner, plural, useAsync } from "../ui";
import { NO_VISIBLE_PARENTS } from "./GroupForm";

interface Rel {
  depth: number;
  group: { id: string; name: string; groupType: string; isActive: boolean };
}

const HIERARCHY = `
  query AdminHierarchy($id: ID!) {
    group(id: $id) {
      id name
      parents { id name }
      children(includeInactive: true) { id name isActive }
      ancestors { depth group { id name groupType isActive } }
      descendants(first: 200) { totalCount nodes { depth group { id name groupType isActive } } }
    }
  }`;

interface Data {
  group: {
    id: string;
    name: string;
    parents: { id: string; name: string }[];
    children: { id: string; name: string; isActive: boolean }[];
    ancestors: Rel[];
    descendants: { totalCount: number; nodes: Rel[] };
  } | null;
}

/**
 * Parents and children, and the whole hierarchy around the group: ancestors above, descendants below.
 * The API lists only the relatives the user may see and does not count the others, so only a global
 * admin (`seesEveryGroup`) is told that a group without parents is a root group.
 */
export function HierarchySection({
  groupId,
  version,
  seesEveryGroup,
}: {
  groupId: string;
  version: number;
  seesEveryGroup: boolean;
}) {
  const { data, error } = useAsync(() => gql<Data>(HIERARCHY, { id: groupId }), [groupId, version]);
  const g = data?.group;
  const ancestorsByDepth = [...(g?.ancestors ?? [])].sort((a, b) => b.depth - a.depth);
  return (
    <section aria-labelledby="hierarchy-h">
      <h2 id="hierarchy-h">Hierarchy</h2>
      <ErrorBanner error={error} />
      {g && (
        <>
          <h3>Parents</h3>
          <ul className="plain" data-testid="parents">
            {g.parents.length === 0 && (
              <li className="muted">{seesEveryGroup ? "none: a root group" : NO_VISIBLE_PARENTS}</li>
            )}
            {g.parents.map((p) => (
              <li key={p.id}>
                <Link to={`/groups/${p.id}`}>{p.name}</Link>
              </li>
            ))}
          </ul>
          <h3>Children</h3>
          <ul className="plain" data-testid="children">
            {g.children.length === 0 && <li className="muted">{seesEveryGroup ? "none" : "none visible to you"}</li>}
            {g.children.map((c) => (
              <li key={c.id}>
                <Link to={`/groups/${c.id}`}>{c.name}</Link>
                {!c.isActive && " (archived)"}
              </li>
            ))}
          </ul>
          <h3>Tree</h3>
          <ol className="tree" aria-label="Ancestors, this group and descendants">
            {ancestorsByDepth.map((a) => (
              <li key={`a-${a.group.id}`} style={{ paddingLeft: 0 }}>
                <span className="depth">−{a.depth}</span> <Link to={`/groups/${a.group.id}`}>{a.group.name}</Link>{" "}
                <span className="muted">{a.group.groupType}</span>
              </li>
            ))}
            <li className="self" aria-current="page">
              <span className="depth">0</span> <strong>{g.name}</strong>
            </li>
            {g.descendants.nodes.map((d) => (
              <li key={`d-${d.group.id}`} style={{ paddingLeft: `${d.depth * 1.2}em` }}>
                <span className="depth">+{d.depth}</span> <Link to={`/groups/${d.group.id}`}>{d.group.name}</Link>{" "}
                <span className="muted">{d.group.groupType}</span>
                {!d.group.isActive && " (archived)"}
              </li>
            ))}
          </ol>
          {g.descendants.totalCount > g.descendants.nodes.length && (
            <p className="muted">
              {plural(g.descendants.totalCount - g.descendants.nodes.length, "more descendant")} not shown
            </p>
          )}
        </>
      )}
    </section>
  );
}
