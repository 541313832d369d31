import type { DataSource } from "typeorm";
import { Listener } from "../db";
import { logger } from "../shared/logger";
import type { GroupEvent } from "./event.entity";
import { allFinished, feedRead, tail } from "./event.store";
import { Sequencer } from "./sequencer";

export interface FeedOptions {
  /** The connection string of the database (the LISTEN connection is one of its own). */
  databaseUrl: string;
  /** Read even without a notification this often (ms): a safety net, not the delivery path. */
  pollIntervalMs: number;
  /** Events read per statement. @default 500 */
  batchSize?: number;
}

/** The channel the migration's trigger notifies at every commit that wrote events. */
export const EVENT_CHANNEL = "domain_events";

/** Retry delay while a gap is waited out (ms). */
const GAP_RETRY_MS = 20;
/** A gap waited on longer than this is logged once (a long-running writing transaction). */
const SLOW_GAP_MS = 10_000;

export type FeedListener = (events: GroupEvent[]) => void;

/**
 * The live tail of the event log, one per process. The table is the source of truth: a commit
 * anywhere NOTIFYs `domain_events`, which wakes the feed of every replica; the feed then reads the
 * committed rows after its position and hands them, in id order, exactly once, to its listeners
 * (see sequencer.ts for why that needs care). Nothing is published from memory, so an event
 * committed by a process that died right after still reaches everyone, and a missed notification
 * only delays delivery until the next poll.
 */
export class EventFeed {
  private readonly listeners = new Set<FeedListener>();
  private sequencer: Sequencer | undefined;
  private readonly listener: Listener;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private warnedSlowGap = false;

  constructor(
    private readonly db: DataSource,
    private readonly options: FeedOptions,
  ) {
    // Notifications and reconnects wake the feed: after a reconnect, it reads what it missed.
    this.listener = new Listener({
      databaseUrl: options.databaseUrl,
      channel: EVENT_CHANNEL,
      applicationName: "groups-event-feed",
      onNotification: () => this.wake(),
      onReconnect: () => this.wake(),
    });
  }

  /** Listens, then settles the starting position; resolves once subscribers can be served. */
  async start(): Promise<void> {
    await this.listener.start();
    this.sequencer = new Sequencer(await this.settledTail());
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  /** Every id at or below this has been handed to the listeners (or will never exist). */
  get position(): bigint {
    if (!this.sequencer) throw new Error("the event feed is not started");
    return this.sequencer.position;
  }

  /**
   * Registers a listener for every event after the current position, which is answered with it
   * (read synchronously together, so nothing falls between a replay up to it and the listener).
   */
  listen(listener: FeedListener): { position: bigint; close(): void } {
    this.listeners.add(listener);
    return { position: this.position, close: () => this.listeners.delete(listener) };
  }

  /** Reads now (coalesced: a read already running is followed by exactly one more). */
  wake(): void {
    if (this.stopped || !this.sequencer) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.drain().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.reading;
    this.listeners.clear();
    await this.listener.stop();
  }

  /** Reads until caught up; a pending gap schedules a quick retry. */
  private async drain(): Promise<void> {
    const sequencer = this.sequencer!;
    const batchSize = this.options.batchSize ?? 500;
    try {
      for (;;) {
        const waitingOn = sequencer.waitingOn;
        // Asked BEFORE the read: a transaction finished by now has its rows visible to the read.
        const gapSettled = waitingOn?.length ? await allFinished(this.db, waitingOn) : true;
        // The rows after the position and the transactions running, in one statement (event.store.ts).
        const { events, running } = await feedRead(this.db, sequencer.position, batchSize);
        const ready = sequencer.accept({ rows: events, running, gapSettled }, Date.now());
        if (ready.length) this.emit(ready);
        this.watchGap();
        if (this.stopped || events.length < batchSize || ready.length === 0) return;
      }
    } catch (error) {
      // The database is away: the next wake-up (poll, notification, reconnect) tries again.
      logger.warn("event feed read failed", { error: (error as Error).message });
    }
  }

  private emit(events: GroupEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        logger.error("event listener failed", { error });
      }
    }
  }

  private watchGap(): void {
    const since = this.sequencer!.waitingSince;
    if (since === undefined) {
      this.warnedSlowGap = false;
      return;
    }
    if (!this.warnedSlowGap && Date.now() - since > SLOW_GAP_MS) {
      this.warnedSlowGap = true;
      logger.warn("event delivery waits for a long-running transaction", {
        position: this.sequencer!.position.toString(),
        transactions: this.sequencer!.waitingOn,
      });
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.wake(), GAP_RETRY_MS);
    this.retryTimer.unref();
  }

  /** The highest id once every transaction that might still commit a lower one has finished. */
  private async settledTail(): Promise<bigint> {
    const { max, running } = await tail(this.db);
    const started = Date.now();
    while (running.length && !(await allFinished(this.db, running))) {
      if (Date.now() - started > SLOW_GAP_MS && !this.warnedSlowGap) {
        this.warnedSlowGap = true;
        logger.warn("event feed start waits for a long-running transaction", { transactions: running });
      }
      await new Promise((resolve) => setTimeout(resolve, GAP_RETRY_MS));
    }
    this.warnedSlowGap = false;
    return max;
  }
}
