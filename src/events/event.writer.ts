import type { EntityManager } from "typeorm";
import type { NewEvent } from "./event.entity";
import { insertEvents } from "./event.store";

/**
 * The one function that writes the event log. Call it with the transaction that makes the change,
 * so the event commits with the change or not at all.
 */
export async function recordEvent(tx: EntityManager, event: NewEvent): Promise<void> {
  await recordEvents(tx, [event]);
}

/** Several events in one statement (same transaction rule as recordEvent). */
export async function recordEvents(tx: EntityManager, events: NewEvent[]): Promise<void> {
  await insertEvents(tx, events);
}
