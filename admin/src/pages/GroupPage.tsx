import { useCallback, useState } from "react";
import { gql } from "../api";
import { Link } from "../router";
import { ErrorBanner, formatTime, useAsync } from "../ui";
import { EventsSection } from "./EventsSection";
import { GROUP_FIELDS, type GroupFields, GroupForm } from "./GroupForm";
import { HierarchySection } from "./HierarchySection";
import { InitiativesSection } from "./InitiativesSection";
import { LeadersSection } from "./LeadersSection";
import { MembersSection } from "./MembersSection";

interface GroupDetail extends GroupFields {
  id: string;
  createdAt: string;
  updatedAt: string;
  createdBy: { id: string; name: string | null } | null;
  memberCount: number;
  leaderCount: number;
  initiativeCount: number;
  warnings: string[];
}

const GROUP = `
  query AdminGroup($id: ID!) {
    group(id: $id) {
      id ${GROUP_FIELDS}
      createdAt updatedAt createdBy { id name }
      memberCount leaderCount initiativeCount warnings
    }
  }`;

/**
 * One group: its fields, hierarchy, members, leaders, initiatives and audit trail. Every section
 * reloads when an event of this group arrives (made here or elsewhere), so the page stays current.
 */
export function GroupPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useAsync(() => gql<{ group: GroupDetail | null }>(GROUP, { id }), [id, version]);
  const bump = useCallback(() => setVersion((v) => v + 1), []);

  if (!data && loading) return <p>Loading…</p>;
  if (error && !data) return <ErrorBanner error={error} />;
  const group = data?.group;
  if (!group) {
    return (
      <>
        <h1>Group not found</h1>
        <p>
          It does not exist, or you may not see it. <Link to="/">Back to groups</Link>
        </p>
      </>
    );
  }
  const save = (input: Record<string, unknown>) =>
    gql(
      `mutation AdminUpdateGroup($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) { id } }`,
      {
        id,
        input,
      },
    ).then(bump);

  return (
    <>
      <p className="crumbs">
        <Link to="/">Groups</Link> / {group.name}
      </p>
      <div className="page-head">
        <h1>{group.name}</h1>
        <span className={`badge ${group.isActive ? "" : "archived"}`}>
          {group.isActive ? group.groupType : "archived"}
        </span>
        <span className="badge">{group.visibility.toLowerCase()}</span>
      </div>
      <p className="muted">
        {group.memberCount} members · {group.leaderCount} leaders · {group.initiativeCount} initiatives · created{" "}
        {formatTime(group.createdAt)}
        {group.createdBy ? ` by ${group.createdBy.name ?? group.createdBy.id}` : ""} · updated{" "}
        {formatTime(group.updatedAt)}
      </p>
      {group.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {group.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div className="columns">
        <div>
          <section aria-labelledby="fields-h">
            <h2 id="fields-h">Fields</h2>
            <GroupForm initial={group} isNew={false} save={save} submitLabel="Save changes" />
          </section>
          <MembersSection groupId={id} version={version} onChange={bump} />
          <LeadersSection groupId={id} version={version} onChange={bump} />
          <InitiativesSection groupId={id} version={version} onChange={bump} />
        </div>
        <div>
          <HierarchySection groupId={id} version={version} />
          <EventsSection groupId={id} onEvent={bump} />
        </div>
      </div>
    </>
  );
}
