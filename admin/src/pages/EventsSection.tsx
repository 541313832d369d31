import { useEffect, useRef, useState } from "react";
import { ApiError, gql, subscriptions } from "../api";
import { ErrorBanner, formatDate, When } from "../ui";

/** A user or group an event names, while it exists and the reader may see it (else null). */
interface Ref {
  id: string;
  name: string | null;
}

/** GroupFieldValues: the changed fields' values on one side of a GROUP_UPDATED. */
type FieldValues = Record<string, unknown> & { parents?: Ref[] | null };

/** GroupEvent.details as this console asks for it (one __typename per event type). */
type Details = { __typename: string } & Partial<{
  name: string;
  groupType: string;
  createdBy: Ref | null;
  parents: Ref[];
  fieldsChanged: string[];
  before: FieldValues | null;
  after: FieldValues | null;
  memberId: string | null;
  member: Ref | null;
  role: string;
  status: string;
  expiresAt: string | null;
  reason: string | null;
  oldRole: string;
  newRole: string;
  oldStatus: string;
  newStatus: string;
  leaderId: string | null;
  leader: Ref | null;
  startDate: string;
  endDate: string | null;
  initiativeId: string;
  childId: string | null;
  child: Ref | null;
}>;

export interface GroupEvent {
  id: string;
  type: string;
  userId: string | null;
  actorId: string | null;
  occurredAt: string;
  details: Details | null;
}

const REF = "{ id name }";
const VALUES = `name groupType description shortName url knowledgeArea campus visibility isActive
  permissionCascadeEnabled metadata parentIds parents ${REF}`;
const EVENT_FIELDS = `id type userId actorId occurredAt
  details {
    __typename
    ... on GroupCreatedDetails { name groupType parents ${REF} }
    ... on GroupUpdatedDetails { fieldsChanged before { ${VALUES} } after { ${VALUES} } }
    ... on GroupDeletedDetails { name }
    ... on MemberAddedDetails { memberId member ${REF} role status expiresAt }
    ... on MemberRemovedDetails { memberId member ${REF} role reason }
    ... on MemberRoleChangedDetails { memberId member ${REF} oldRole newRole }
    ... on MemberStatusChangedDetails { memberId member ${REF} oldStatus newStatus }
    ... on LeaderAddedDetails { leaderId leader ${REF} startDate endDate }
    ... on LeaderRemovedDetails { leaderId leader ${REF} startDate endDate }
    ... on InitiativeLinkedDetails { name }
    ... on InitiativeUnlinkedDetails { name reason }
    ... on ChildAddedDetails { childId child ${REF} }
    ... on ChildRemovedDetails { childId child ${REF} }
  }`;

const EVENTS = `
  query AdminGroupEvents($id: ID!, $first: Int) {
    group(id: $id) { id events(first: $first) { totalCount nodes { ${EVENT_FIELDS} } } }
  }`;

const LIVE = `
  subscription AdminGroupEventsLive($groupId: ID, $after: ID) {
    groupEvents(groupId: $groupId, after: $after) { ${EVENT_FIELDS} }
  }`;

const quoted = (text: string | null | undefined) => {
  if (text == null || text === "") return "none";
  return `“${text.length > 40 ? `${text.slice(0, 39)}…` : text}”`;
};

/** One side of a changed field, for people: texts quoted, flags yes/no, parents by name. */
function fieldValue(field: string, values: FieldValues | null | undefined): string {
  const value = values?.[field];
  if (field === "parentIds") {
    const names = (values?.parents ?? []).map((p) => p.name ?? p.id.slice(0, 8));
    return names.length ? names.join(", ") : "none";
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (field === "visibility" && typeof value === "string") return value.toLowerCase();
  if (value !== null && typeof value === "object") return Object.keys(value).length ? JSON.stringify(value) : "none";
  return quoted(value == null ? null : String(value));
}

/**
 * A line for people: what happened, from the event's typed details (GroupEvent.details), whose ids
 * arrive resolved to users and groups; `who` names a user id the details could not resolve.
 */
export function describeEvent(e: GroupEvent, who: (id: string | null | undefined) => string): string {
  const d = e.details;
  const person = (ref: Ref | null | undefined, id: string | null | undefined) => ref?.name ?? who(id ?? ref?.id);
  if (!d) return e.type.toLowerCase().replace(/_/g, " ");
  const member = person(d.member, d.memberId ?? e.userId);
  const leader = person(d.leader, d.leaderId ?? e.userId);
  switch (d.__typename) {
    case "GroupCreatedDetails": {
      const under = d.parents?.length ? ` under ${d.parents.map((p) => quoted(p.name)).join(", ")}` : "";
      return `created ${quoted(d.name)} (${d.groupType ?? ""})${under}`;
    }
    case "GroupUpdatedDetails": {
      const fields = d.fieldsChanged ?? [];
      if (!d.before || !d.after) return `changed ${fields.join(", ")}`;
      const changes = fields.map((f) => `${f} (${fieldValue(f, d.before)} → ${fieldValue(f, d.after)})`);
      return `changed ${changes.join(", ")}`;
    }
    case "GroupDeletedDetails":
      return `deleted ${quoted(d.name)}`;
    case "MemberAddedDetails": {
      const until = d.expiresAt ? ` until ${formatDate(d.expiresAt)}` : "";
      return `${member} ${d.status === "PENDING" ? "invited" : "added"} as ${d.role ?? "member"}${until}`;
    }
    case "MemberRemovedDetails":
      if (d.reason === "left") return `${member} left (was ${d.role})`;
      if (d.reason === "declined") return `${member} declined the invitation (as ${d.role})`;
      return `${member} removed (was ${d.role})`;
    case "MemberRoleChangedDetails":
      return `${member}’s role changed from ${d.oldRole} to ${d.newRole}`;
    case "MemberStatusChangedDetails":
      return `${member}’s status changed from ${d.oldStatus?.toLowerCase()} to ${d.newStatus?.toLowerCase()}`;
    case "LeaderAddedDetails":
      return `${leader} leads from ${d.startDate}${d.endDate ? ` to ${d.endDate}` : ""}`;
    case "LeaderRemovedDetails":
      return `${leader}’s leadership (from ${d.startDate}) ends ${d.endDate ?? ""}`;
    case "InitiativeLinkedDetails":
      return `initiative ${quoted(d.name)} linked`;
    case "InitiativeUnlinkedDetails":
      return `initiative ${quoted(d.name)} unlinked${d.reason === "deleted" ? " (deleted)" : ""}`;
    case "ChildAddedDetails":
      if (d.child) return `subgroup ${quoted(d.child.name)} attached`;
      return d.childId ? "a subgroup attached (since deleted)" : "a subgroup not visible to you attached";
    case "ChildRemovedDetails":
      if (d.child) return `subgroup ${quoted(d.child.name)} detached`;
      return d.childId ? "a subgroup detached or deleted (now gone)" : "a subgroup not visible to you detached";
    default:
      // An event type newer than this console: its name, and whom it concerns.
      return `${e.type.toLowerCase().replace(/_/g, " ")}${e.userId ? `: ${who(e.userId)}` : ""}`;
  }
}

/** Names of the users events mention, fetched in one aliased query per batch of new ids. */
function useUserNames(ids: (string | null)[]): (id: string | null | undefined) => string {
  const [names, setNames] = useState<Record<string, string>>({});
  const asked = useRef(new Set<string>());
  const missing = [...new Set(ids.filter((id): id is string => !!id && !asked.current.has(id)))].slice(0, 50);
  const key = missing.join(",");
  useEffect(() => {
    if (!key) return;
    const batch = key.split(",");
    for (const id of batch) asked.current.add(id);
    const vars = Object.fromEntries(batch.map((id, i) => [`i${i}`, id]));
    const query = `query AdminEventUsers(${batch.map((_, i) => `$i${i}: ID!`).join(", ")}) {
      ${batch.map((_, i) => `u${i}: user(id: $i${i}) { id name email }`).join("\n")}
    }`;
    gql<Record<string, { id: string; name: string | null; email: string | null } | null>>(query, vars)
      .then((data) => {
        const found: Record<string, string> = {};
        for (const u of Object.values(data)) if (u) found[u.id] = u.name ?? u.email ?? u.id;
        setNames((n) => ({ ...n, ...found }));
      })
      .catch(() => undefined);
  }, [key]);
  return (id) => (id ? (names[id] ?? id.slice(0, 8)) : "someone");
}

/** The audit trail for those holding events.view here; a short note for the others. */
export function EventsSection({ groupId, onEvent, allowed }: { groupId: string; onEvent(): void; allowed: boolean }) {
  if (allowed) return <AuditTrail groupId={groupId} onEvent={onEvent} />;
  return (
    <section aria-labelledby="events-h">
      <h2 id="events-h">Audit trail</h2>
      <p className="muted">You may not read this group’s audit trail (that needs events.view).</p>
    </section>
  );
}

/**
 * The group's audit trail, newest first. The first page comes from Group.events; then one
 * groupEvents subscription with `after` = the newest event loaded replays anything newer and goes
 * live, so nothing made meanwhile is missed or shown twice.
 */
function AuditTrail({ groupId, onEvent }: { groupId: string; onEvent(): void }) {
  const [events, setEvents] = useState<GroupEvent[]>([]);
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState<"connecting" | "live" | "off">("connecting");
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  // A replay or a burst of events refreshes the page once.
  const refresh = useRef<ReturnType<typeof setTimeout>>(undefined);
  const changed = () => {
    clearTimeout(refresh.current);
    refresh.current = setTimeout(() => onEventRef.current(), 250);
  };

  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    setEvents([]);
    setLive("connecting");
    gql<{ group: { events: { nodes: GroupEvent[] } } | null }>(EVENTS, { id: groupId, first: 100 })
      .then((data) => {
        if (cancelled) return;
        const first = data.group?.events.nodes ?? [];
        setEvents(first);
        const after = first.length ? first[first.length - 1].id : null;
        stop = subscriptions().subscribe<{ groupEvents: GroupEvent }>(
          { query: LIVE, variables: { groupId, after } },
          {
            next: (result) => {
              if (result.errors?.length) {
                setError(new ApiError(result.errors as ConstructorParameters<typeof ApiError>[0]));
                return;
              }
              const event = result.data?.groupEvents;
              if (!event) return;
              setLive("live");
              setEvents((list) => (list.some((e) => e.id === event.id) ? list : [...list, event]));
              changed();
            },
            error: (e) => {
              setLive("off");
              setError(e instanceof Error ? e : new Error("The live connection failed"));
            },
            complete: () => setLive("off"),
          },
        );
        // graphql-ws acknowledges no subscription; once the socket is open it is live.
        setLive("live");
      })
      .catch((e) => {
        setError(e);
        setLive("off");
      });
    return () => {
      cancelled = true;
      clearTimeout(refresh.current);
      stop?.();
    };
  }, [groupId]);

  // The details name their users already; only the actors (and users the details could not resolve) are looked up.
  // The details name their users already; only actors and users they could not resolve are looked up.
  const who = useUserNames(
    events.flatMap((e) => [e.actorId, e.details?.member || e.details?.leader ? null : e.userId]),
  );
  const newestFirst = [...events].sort((a, b) => Number(b.id) - Number(a.id) || b.id.localeCompare(a.id));
  return (
    <section aria-labelledby="events-h">
      <h2 id="events-h">
        Audit trail{" "}
        <span className={`live ${live}`} data-testid="live-status">
          {live === "live" ? "● live" : live}
        </span>
      </h2>
      <ErrorBanner error={error} />
      <ol className="events" aria-live="polite" data-testid="events">
        {newestFirst.length === 0 && <li className="muted">no events</li>}
        {newestFirst.map((e) => (
          <li key={e.id} data-event-type={e.type}>
            <span className="event-type">{e.type}</span> <span>{describeEvent(e, who)}</span>
            <br />
            <small className="muted">
              #{e.id} · <When value={e.occurredAt} withTime />
              {e.actorId ? ` · by ${who(e.actorId)}` : ""}
            </small>
          </li>
        ))}
      </ol>
    </section>
  );
}
