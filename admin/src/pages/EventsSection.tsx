import { useEffect, useRef, useState } from "react";
import { ApiError, gql, subscriptions } from "../api";
import { ErrorBanner, When } from "../ui";

export interface GroupEvent {
  id: string;
  type: string;
  userId: string | null;
  actorId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
}

const EVENT_FIELDS = "id type userId actorId occurredAt payload";

const EVENTS = `
  query AdminGroupEvents($id: ID!, $first: Int) {
    group(id: $id) { id events(first: $first) { totalCount nodes { ${EVENT_FIELDS} } } }
  }`;

const LIVE = `
  subscription AdminGroupEventsLive($groupId: ID, $after: ID) {
    groupEvents(groupId: $groupId, after: $after) { ${EVENT_FIELDS} }
  }`;

/** A line for people: what happened, from the event's payload; `who` names a user id. */
export function describeEvent(e: GroupEvent, who: (id: string | null | undefined) => string): string {
  const p = e.payload as Record<string, string | string[] | null | undefined>;
  const user = who(e.userId);
  switch (e.type) {
    case "GROUP_CREATED":
      return `created “${p.name ?? ""}” (${p.groupType ?? ""})`;
    case "GROUP_UPDATED":
      return `changed ${Array.isArray(p.fieldsChanged) ? p.fieldsChanged.join(", ") : "fields"}`;
    case "GROUP_DELETED":
      return `deleted “${p.name ?? ""}”`;
    case "MEMBER_ADDED":
      return `${user} ${p.status === "PENDING" ? "invited" : "added"} as ${p.role ?? "member"}${p.expiresAt ? ` until ${p.expiresAt}` : ""}`;
    case "MEMBER_REMOVED":
      return `${user} ${p.reason === "left" ? "left" : p.reason === "declined" ? "declined the invitation" : "removed"} (was ${p.role ?? "?"})`;
    case "MEMBER_ROLE_CHANGED":
      return `${user}: role ${p.oldRole ?? "?"} → ${p.newRole ?? "?"}`;
    case "MEMBER_STATUS_CHANGED":
      return `${user}: status ${String(p.oldStatus ?? "?").toLowerCase()} → ${String(p.newStatus ?? "?").toLowerCase()}`;
    case "LEADER_ADDED":
      return `${user} leads from ${p.startDate ?? "?"}`;
    case "LEADER_REMOVED":
      return `${user}'s leadership (from ${p.startDate ?? "?"}) ended ${p.endDate ?? ""}`;
    case "INITIATIVE_LINKED":
      return `initiative “${p.name ?? p.initiativeId ?? ""}” linked`;
    case "INITIATIVE_UNLINKED":
      return `initiative “${p.name ?? p.initiativeId ?? ""}” unlinked${p.reason === "deleted" ? " (deleted)" : ""}`;
    default:
      return JSON.stringify(p);
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

  const who = useUserNames(events.flatMap((e) => [e.userId, e.actorId]));
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
