import DataLoader from "dataloader";
import { deletedReadableBy, type GroupEvent } from "../events";
import { type AppContext, perRequest, requireViewer } from "../shared/context";
import { findGroup } from "./group.queries";

/**
 * Event payloads name other groups: GROUP_CREATED `parentIds`, CHILD_ADDED/CHILD_REMOVED `childId`,
 * GROUP_UPDATED `before.parentIds`/`after.parentIds`. A reader sees only the ids of groups they may
 * see now: a hidden id is dropped from a list and null as a single value. A deleted group's id is
 * shown to whoever could read its events when it was deleted (its GROUP_DELETED row keeps them), so
 * a parent's CHILD_REMOVED still says which child went. Filtered at read time, per reader, in the
 * audit log and live deliveries alike (the stored row keeps them all).
 */

type Payload = Record<string, unknown>;

const LIST_KEYS = ["parentIds"] as const;
const SINGLE_KEYS = ["childId"] as const;
const NESTED_KEYS = ["before", "after"] as const;

function isObject(value: unknown): value is Payload {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Every group id the payload names (at the known keys). */
function namedGroupIds(payload: Payload, into: Set<string>): Set<string> {
  for (const key of LIST_KEYS) {
    const value = payload[key];
    if (Array.isArray(value)) for (const id of value) if (typeof id === "string") into.add(id);
  }
  for (const key of SINGLE_KEYS) if (typeof payload[key] === "string") into.add(payload[key]);
  for (const key of NESTED_KEYS) if (isObject(payload[key])) namedGroupIds(payload[key], into);
  return into;
}

function redact(payload: Payload, visible: ReadonlySet<string>): Payload {
  const out: Payload = { ...payload };
  for (const key of LIST_KEYS) {
    const value = out[key];
    if (Array.isArray(value)) out[key] = value.filter((id) => typeof id === "string" && visible.has(id));
  }
  for (const key of SINGLE_KEYS) if (typeof out[key] === "string" && !visible.has(out[key])) out[key] = null;
  for (const key of NESTED_KEYS) if (isObject(out[key])) out[key] = redact(out[key], visible);
  return out;
}

/**
 * Of deleted groups' ids, whether the caller could read their events when they were deleted: one
 * statement per batch, so a page of events naming such groups costs one statement, not one per event.
 */
const deletedReadable = perRequest(
  (ctx) =>
    new DataLoader<string, boolean>(async (ids) => {
      const readable = new Set(await deletedReadableBy(ctx.db, ids, requireViewer(ctx).id));
      return ids.map((id) => readable.has(id));
    }),
);

/** Each event's visible payload, once per request (GroupEvent.payload and .details both read it). */
const visiblePayloads = perRequest(() => new WeakMap<object, Promise<Payload>>());

/** The event's payload as its reader may see it (no statement when it names no group, or for a global admin). */
export function payloadFor(ctx: AppContext, event: GroupEvent): Promise<Payload> {
  const known = visiblePayloads(ctx);
  let payload = known.get(event);
  if (!payload) known.set(event, (payload = visiblePayload(ctx, event)));
  return payload;
}

async function visiblePayload(ctx: AppContext, event: GroupEvent): Promise<Payload> {
  const payload = event.payload;
  const ids = namedGroupIds(payload, new Set());
  if (ids.size === 0 || requireViewer(ctx).isGlobalAdmin) return payload;
  const groups = await Promise.all([...ids].map((id) => findGroup(ctx, id)));
  const visible = new Set(groups.flatMap((g) => (g ? [g.id] : [])));
  const unresolved = [...ids].filter((id) => !visible.has(id));
  const readable = await deletedReadable(ctx).loadMany(unresolved);
  unresolved.forEach((id, i) => {
    if (readable[i] === true) visible.add(id);
  });
  return redact(payload, visible);
}
