import type { EntityManager } from "typeorm";
import type { EventType } from "./event.entity";

export interface NewEvent {
  type: EventType;
  groupId: string;
  userId?: string | null;
  actorId: string | null;
  payload?: Record<string, unknown>;
  /** For an event whose group goes away in the same transaction: who may still receive it live. */
  reach?: EventReach;
}

/** Who could read a group's events, and its ancestors, when it was deleted (never shown to clients). */
export interface EventReach {
  readers: string[];
  ancestors: string[];
}

/**
 * The one function that writes the event log. Call it with the transaction that makes the change,
 * so the event commits with the change or not at all.
 */
export async function recordEvent(tx: EntityManager, event: NewEvent): Promise<void> {
  await recordEvents(tx, [event]);
}

/** Several events in one statement (same transaction rule as recordEvent). */
export async function recordEvents(tx: EntityManager, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO domain_events (type, group_id, user_id, actor_id, payload, reach)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::jsonb[], $6::jsonb[])`,
    [
      events.map((e) => e.type),
      events.map((e) => e.groupId),
      events.map((e) => e.userId ?? null),
      events.map((e) => e.actorId),
      events.map((e) => JSON.stringify(e.payload ?? {})),
      events.map((e) => (e.reach ? JSON.stringify(e.reach) : null)),
    ],
  );
}
