import { deletedReadableBy, type GroupEvent } from "../events";
import { type AppContext, requireViewer } from "../shared/context";
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

/** The event's payload as its reader may see it (no statement when it names no group, or for a global admin). */
export async function payloadFor(ctx: AppContext, event: GroupEvent): Promise<Payload> {
  const payload = event.payload;
  const ids = namedGroupIds(payload, new Set());
  if (ids.size === 0 || requireViewer(ctx).isGlobalAdmin) return payload;
  const groups = await Promise.all([...ids].map((id) => findGroup(ctx, id)));
  const visible = new Set(groups.flatMap((g) => (g ? [g.id] : [])));
  const unresolved = [...ids].filter((id) => !visible.has(id));
  if (unresolved.length > 0) {
    for (const id of await deletedReadableBy(ctx.db, unresolved, requireViewer(ctx).id)) visible.add(id);
  }
  return redact(payload, visible);
}
