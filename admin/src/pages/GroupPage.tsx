import { useCallback, useState } from "react";
import { loadGroupAccess } from "../access";
import { gql } from "../api";
import { Link, navigate } from "../router";
import { ConfirmDialog, ErrorBanner, plural, useAction, useAsync, When } from "../ui";
import { AccessRequestsSection, JoinSection } from "./AccessRequestsSection";
import { EventsSection } from "./EventsSection";
import { GroupDetails } from "./GroupDetails";
import { GROUP_FIELDS, type GroupFields, GroupForm } from "./GroupForm";
import { HierarchySection } from "./HierarchySection";
import { InitiativesSection } from "./InitiativesSection";
import { InvitationsSection } from "./InvitationsSection";
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
 * reloads when an event of this group arrives (made here or elsewhere), so the page stays current;
 * what the user may do here is asked again with it, and only those controls are offered.
 */
export function GroupPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useAsync(
    () => Promise.all([gql<{ group: GroupDetail | null }>(GROUP, { id }), loadGroupAccess(id)]),
    [id, version],
  );
  const bump = useCallback(() => setVersion((v) => v + 1), []);

  if (!data && loading) return <p>Loading…</p>;
  if (error && !data) return <ErrorBanner error={error} />;
  const group = data?.[0].group;
  const access = data?.[1];
  if (!group || !access) {
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
      <p className="muted" data-testid="group-summary">
        {plural(group.memberCount, "member")} · {plural(group.leaderCount, "leader")} ·{" "}
        {plural(group.initiativeCount, "initiative")} · created <When value={group.createdAt} withTime />
        {group.createdBy ? ` by ${group.createdBy.name ?? group.createdBy.id}` : ""} · updated{" "}
        <When value={group.updatedAt} withTime />
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
            {access.can("groups.update") ? (
              <GroupForm
                initial={group}
                isNew={false}
                save={save}
                submitLabel="Save changes"
                seesEveryGroup={access.isGlobalAdmin}
              />
            ) : (
              <GroupDetails group={group} seesEveryGroup={access.isGlobalAdmin} />
            )}
          </section>
          {access.userId && (
            <JoinSection groupId={id} joinPolicy={group.joinPolicy} userId={access.userId} onChange={bump} />
          )}
          <MembersSection groupId={id} version={version} onChange={bump} access={access} />
          <AccessRequestsSection groupId={id} version={version} onChange={bump} access={access} />
          <InvitationsSection groupId={id} onChange={bump} access={access} />
          <LeadersSection groupId={id} version={version} onChange={bump} access={access} />
          <InitiativesSection groupId={id} version={version} onChange={bump} access={access} />
          {access.can("groups.delete") && <DeleteGroup id={id} name={group.name} />}
        </div>
        <div>
          <HierarchySection groupId={id} version={version} seesEveryGroup={access.isGlobalAdmin} />
          <EventsSection groupId={id} onEvent={bump} allowed={access.can("events.view")} />
        </div>
      </div>
    </>
  );
}

/** Deleting for good, behind a confirmation: memberships, leaderships and parent links go with it. */
function DeleteGroup({ id, name }: { id: string; name: string }) {
  const [asking, setAsking] = useState(false);
  const action = useAction();
  const remove = async () => {
    setAsking(false);
    const done = await action.run(() => gql(`mutation AdminDeleteGroup($id: ID!) { deleteGroup(id: $id) }`, { id }));
    if (done !== undefined) navigate("/");
  };
  return (
    <section aria-labelledby="delete-h">
      <h2 id="delete-h">Delete</h2>
      <p className="muted">Archiving (uncheck Active above) keeps the group and its history; deleting does not.</p>
      <button type="button" className="danger" onClick={() => setAsking(true)} disabled={action.busy}>
        Delete group…
      </button>
      <ErrorBanner error={action.error} />
      <ConfirmDialog
        open={asking}
        title={`Delete “${name}” for good?`}
        confirmLabel="Delete group"
        onConfirm={() => void remove()}
        onCancel={() => setAsking(false)}
      >
        <p>
          Its memberships, leaderships and parent links are deleted; its members lose access at once. Its subgroups
          stay, without this parent. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
