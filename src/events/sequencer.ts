/**
 * Puts committed events in id order without skipping or repeating one, although ids are not handed
 * out in commit order: a transaction that took id 7 may commit after the one that took id 8, and an
 * id whose transaction rolled back (or died in a crash) never appears at all.
 *
 * The sequencer holds the settled position: every id at or below it has been delivered or will
 * never exist. Ids right after it are delivered as soon as they are read. When the next visible id
 * leaves a gap, the missing ids can only belong to transactions that were running when that read's
 * snapshot was taken (the migration EventFeed1795000004000 gives every writer its transaction id
 * before it takes an event id). The feed lists them as `running` (RUNNING_HERE in event.store.ts
 * says why the snapshot's own list is not enough). The gap is waited out until all of those have finished, and
 * at least one more read has been made after that: a listed transaction that committed is then
 * visible, and whatever is still missing is known never to come and is passed over. A gap is never
 * passed in the read that first sees it, even with nothing listed: a transaction that committed
 * between the snapshot and the listing is visible only to a later read.
 *
 * Pure: the feed (feed.ts) does the reading and asks PostgreSQL which transactions still run.
 */
export interface Sequenced {
  id: string;
}

export interface Read<E extends Sequenced> {
  /** Events with an id above the position, in id order, as one statement saw them. */
  rows: E[];
  /** Transaction ids in progress in that statement's snapshot (pg_snapshot_xip). */
  running: string[];
  /**
   * Whether every transaction of `waitingOn`, asked before this read, had finished. Ignored when
   * nothing is waited on.
   */
  gapSettled: boolean;
}

interface Gap {
  /** The transactions that may still fill the gap. */
  xids: string[];
  /** The highest id visible when the gap was seen: the gap lies below it. */
  upTo: bigint;
  /** When the gap was first seen (ms), for the slow-gap warning. */
  since: number;
}

export class Sequencer {
  private gap: Gap | undefined;
  private settled: bigint;

  constructor(position: bigint) {
    this.settled = position;
  }

  /** Every id at or below this has been delivered or will never exist. */
  get position(): bigint {
    return this.settled;
  }

  /** The transactions a pending gap waits for (ask which still run before the next read); undefined without a gap. */
  get waitingOn(): string[] | undefined {
    return this.gap?.xids;
  }

  /** Since when the pending gap has been waited on (ms), or undefined. */
  get waitingSince(): number | undefined {
    return this.gap?.since;
  }

  /** Takes one read and answers the events now deliverable, in id order. */
  accept<E extends Sequenced>(read: Read<E>, now: number): E[] {
    const out: E[] = [];
    const upTo = read.rows.reduce((max, row) => (BigInt(row.id) > max ? BigInt(row.id) : max), this.settled);
    for (const row of read.rows) {
      const id = BigInt(row.id);
      if (id <= this.settled) continue;
      if (id !== this.settled + 1n) {
        if (this.gap && id <= this.gap.upTo) {
          // Seen before: the ids below `id` are dead once the transactions then running are done
          // (asked before this read, so this read sees whatever of theirs committed).
          if (!(read.gapSettled || this.gap.xids.length === 0)) break;
        } else {
          // First seen: wait for what was running, and for one more read in any case.
          this.gap = { xids: read.running, upTo, since: now };
          break;
        }
      }
      out.push(row);
      this.settled = id;
    }
    if (this.gap && this.settled >= this.gap.upTo) this.gap = undefined;
    return out;
  }
}
