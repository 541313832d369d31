import { type DataSource, inTransaction } from "../db";
import { EventType, type NewEvent } from "../events";
import { MembershipStatus } from "../memberships";
import {
  changeDueMembership,
  type DueLeadership,
  type DueMembership,
  dueExpiries,
  dueLeaderships,
  dueStarts,
  noteLeadership,
} from "./timer.store";

/**
 * One tick of the timer duty: every instant that has passed and is not yet recorded, oldest first,
 * in batches until none is left (so the first tick after a start catches up on everything missed
 * while no replica held the duty). Starts come before expiries (a membership's start precedes its
 * expiry), leadership starts before ends. Each change is its own transaction with its event, guarded
 * in SQL (timer.store.ts): running it twice, or on two replicas at once, records each change once.
 * Answers how many changes this call made.
 */
export async function runTimerTick(db: DataSource, batch = 100): Promise<number> {
  let made = 0;
  made += await drain(
    () => dueStarts(db, batch),
    batch,
    (m) => changeMembership(db, m, "start"),
  );
  made += await drain(
    () => dueExpiries(db, batch),
    batch,
    (m) => changeMembership(db, m, "expiry"),
  );
  for (const kind of ["start", "end"] as const) {
    made += await drain(
      () => dueLeaderships(db, kind, batch),
      batch,
      (l) => noteLeadership(db, l, kind, leadershipEvents(l, kind)),
    );
  }
  return made;
}

/** Reads due rows and handles them until a read comes back short; how many were changed here. */
async function drain<T>(
  read: () => Promise<T[]>,
  batch: number,
  handle: (row: T) => Promise<boolean>,
): Promise<number> {
  let made = 0;
  for (;;) {
    const rows = await read();
    for (const row of rows) if (await handle(row)) made++;
    if (rows.length < batch) return made;
  }
}

function changeMembership(db: DataSource, m: DueMembership, kind: "start" | "expiry"): Promise<boolean> {
  const status = kind === "start" ? MembershipStatus.ACTIVE : MembershipStatus.INACTIVE;
  const events: NewEvent[] = m.eligible
    ? [
        {
          type: kind === "start" ? EventType.MEMBER_STARTED : EventType.MEMBER_EXPIRED,
          groupId: m.groupId,
          userId: m.userId,
          actorId: null,
          payload:
            kind === "start"
              ? { role: m.role, startsAt: m.instant.toISOString() }
              : { role: m.role, expiresAt: m.instant.toISOString() },
        },
      ]
    : [];
  return inTransaction(db, (tx) => changeDueMembership(tx, m, kind, status, events));
}

function leadershipEvents(l: DueLeadership, kind: "start" | "end"): NewEvent[] {
  if (!l.eligible) return [];
  return [
    {
      type: kind === "start" ? EventType.LEADER_STARTED : EventType.LEADER_ENDED,
      groupId: l.groupId,
      userId: l.userId,
      actorId: null,
      payload: { leadershipId: l.id, startDate: l.startDate, endDate: l.endDate },
    },
  ];
}
