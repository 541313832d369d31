import { useState } from "react";
import { gql } from "../api";
import { Link } from "../router";
import { ErrorBanner, Field, plural, TableScroll, useAsync, useDebounced } from "../ui";

interface GroupRow {
  id: string;
  name: string;
  shortName: string | null;
  groupType: string;
  campus: string | null;
  knowledgeArea: string | null;
  visibility: string;
  isActive: boolean;
  memberCount: number;
  leaderCount: number;
  initiativeCount: number;
}

const GROUPS = `
  query AdminGroups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $offset: Int) {
    groups(filter: $filter, orderBy: $orderBy, first: $first, offset: $offset) {
      totalCount
      nodes {
        id name shortName groupType campus knowledgeArea visibility isActive
        memberCount leaderCount initiativeCount
      }
    }
  }`;

interface Filters {
  search: string;
  groupType: string;
  campus: string;
  knowledgeArea: string;
  active: "true" | "false" | "any";
  visibility: "" | "PUBLIC" | "PRIVATE";
}

const EMPTY: Filters = { search: "", groupType: "", campus: "", knowledgeArea: "", active: "true", visibility: "" };

export function GroupsList() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [order, setOrder] = useState({ field: "NAME", direction: "ASC" });
  const [pageSize, setPageSize] = useState(25);
  const [offset, setOffset] = useState(0);

  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setOffset(0);
  };

  const query = useDebounced(filters);
  const { data, error, loading } = useAsync(() => {
    const filter: Record<string, unknown> = { isActive: query.active === "any" ? null : query.active === "true" };
    for (const key of ["search", "groupType", "campus", "knowledgeArea"] as const) {
      if (query[key].trim()) filter[key] = query[key].trim();
    }
    if (query.visibility) filter.visibility = query.visibility;
    return gql<{ groups: { totalCount: number; nodes: GroupRow[] } }>(GROUPS, {
      filter,
      orderBy: order,
      first: pageSize,
      offset,
    });
  }, [query, order, pageSize, offset]);

  const total = data?.groups.totalCount ?? 0;
  return (
    <>
      <div className="page-head">
        <h1>Groups</h1>
        <Link to="/groups/new" className="button">
          New group
        </Link>
      </div>
      <form className="filters" role="search" aria-label="Filter groups" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search name or short name">
          {(p) => (
            <input {...p} type="search" value={filters.search} onChange={(e) => set({ search: e.target.value })} />
          )}
        </Field>
        <Field label="Type">
          {(p) => <input {...p} value={filters.groupType} onChange={(e) => set({ groupType: e.target.value })} />}
        </Field>
        <Field label="Campus">
          {(p) => <input {...p} value={filters.campus} onChange={(e) => set({ campus: e.target.value })} />}
        </Field>
        <Field label="Knowledge area">
          {(p) => (
            <input {...p} value={filters.knowledgeArea} onChange={(e) => set({ knowledgeArea: e.target.value })} />
          )}
        </Field>
        <Field label="Active">
          {(p) => (
            <select
              {...p}
              value={filters.active}
              onChange={(e) => set({ active: e.target.value as Filters["active"] })}
            >
              <option value="true">active</option>
              <option value="false">archived</option>
              <option value="any">both</option>
            </select>
          )}
        </Field>
        <Field label="Visibility">
          {(p) => (
            <select
              {...p}
              value={filters.visibility}
              onChange={(e) => set({ visibility: e.target.value as Filters["visibility"] })}
            >
              <option value="">any</option>
              <option value="PUBLIC">public</option>
              <option value="PRIVATE">private</option>
            </select>
          )}
        </Field>
        <Field label="Order by">
          {(p) => (
            <select {...p} value={order.field} onChange={(e) => setOrder({ ...order, field: e.target.value })}>
              <option value="NAME">name</option>
              <option value="CREATED_AT">created</option>
              <option value="UPDATED_AT">updated</option>
            </select>
          )}
        </Field>
        <Field label="Direction">
          {(p) => (
            <select {...p} value={order.direction} onChange={(e) => setOrder({ ...order, direction: e.target.value })}>
              <option value="ASC">ascending</option>
              <option value="DESC">descending</option>
            </select>
          )}
        </Field>
        <button type="button" className="secondary" onClick={() => set(EMPTY)}>
          Clear filters
        </button>
      </form>
      <ErrorBanner error={error} />
      <p className="summary" aria-live="polite" data-testid="groups-summary">
        {loading ? "Loading…" : plural(total, "group")}
        {total > 0 && !loading && ` — showing ${offset + 1}–${Math.min(offset + pageSize, total)}`}
      </p>
      <TableScroll label="Groups">
        <table className="groups" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Short name</th>
              <th scope="col">Type</th>
              <th scope="col">Campus</th>
              <th scope="col">Knowledge area</th>
              <th scope="col">Visibility</th>
              <th scope="col">Active</th>
              <th scope="col" className="num">
                Members
              </th>
              <th scope="col" className="num">
                Leaders
              </th>
              <th scope="col" className="num">
                Initiatives
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.groups.nodes.map((g) => (
              <tr key={g.id} data-group-id={g.id}>
                <td>
                  <Link to={`/groups/${g.id}`}>{g.name}</Link>
                </td>
                <td>{g.shortName}</td>
                <td>{g.groupType}</td>
                <td>{g.campus}</td>
                <td>{g.knowledgeArea}</td>
                <td>{g.visibility.toLowerCase()}</td>
                <td>{g.isActive ? "yes" : "archived"}</td>
                <td className="num">{g.memberCount}</td>
                <td className="num">{g.leaderCount}</td>
                <td className="num">{g.initiativeCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
          Previous
        </button>
        <span>
          Page {Math.floor(offset / pageSize) + 1} of {Math.max(1, Math.ceil(total / pageSize))}
        </span>
        <button type="button" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)}>
          Next
        </button>
        <Field label="Per page">
          {(p) => (
            <select
              {...p}
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setOffset(0);
              }}
            >
              {[10, 25, 50, 100].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      </nav>
    </>
  );
}
