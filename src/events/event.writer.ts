import type { EntityManager } from "typeorm";
import type { Sql } from "../db";
import type { NewEvent } from "./event.entity";
import { insertEvents, insertEventsIfSql } from "./event.store";

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

/**
 * The writer for a change made by one statement (row change, events and RETURNING together, no
 * transaction around them): the events' insert as a fragment to put in a data-modifying CTE of
 * that statement, written only when `onlyIf` holds (see insertEventsIfSql: make it read the
 * change's CTE). The same insert as recordEvents, so it is still the one writer of the log.
 */
export function recordEventsSql(events: NewEvent[], onlyIf: Sql): Sql {
  return insertEventsIfSql(events, onlyIf);
}
