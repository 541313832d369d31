import { Client } from "pg";
import { logger } from "../shared/logger";
import { releaseDuty, tryTakeDuty } from "./timer.store";

/** The options of a TimerDuty. */
export interface TimerDutyOptions {
  /** The database; the duty's lock lives on a connection of its own, outside the pool. */
  databaseUrl: string;
  /** How often to try for the duty and, holding it, to run `tick` (ms). @default 5000 (TIMER_INTERVAL_MS) */
  intervalMs: number;
  /** The work of one tick; must be safe to run on two replicas at once (it is run only by the holder, but a holder may not know yet that it lost its connection). */
  tick: () => Promise<unknown>;
}

/**
 * The timer duty: one replica at a time runs the ticks. It is held as a session-level PostgreSQL
 * advisory lock (pg_try_advisory_lock) on a dedicated connection kept while the process lives, so
 * when the holder dies (or its connection does) PostgreSQL ends the session and frees the lock,
 * and another replica takes the duty on its next tick. Every replica tries each interval; the one
 * holding it runs `tick` then. Exactly-once does not rest on the lock alone: each change the tick
 * makes is guarded in SQL (src/timers/timer.store.ts).
 */
export class TimerDuty {
  private client: Client | undefined;
  private holding = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: TimerDutyOptions) {}

  /** Whether this replica holds the duty (as of its last tick). */
  get holdsDuty(): boolean {
    return this.holding;
  }

  /** The first tick runs at once: a replica that was down catches up on start. */
  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tickOnce().finally(() => {
        this.running = undefined;
        this.schedule(this.options.intervalMs);
      });
    }, delayMs);
  }

  private async tickOnce(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (!this.holding) {
        this.holding = await tryTakeDuty(client);
        if (this.holding) logger.info("timer duty taken", { pid: process.pid });
      }
      if (this.holding && !this.stopped) await this.options.tick();
    } catch (error) {
      logger.warn("timer tick failed", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async connect(): Promise<Client> {
    // The process id in the session's name: an operator (or a test) can tell which replica holds the duty.
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `groups-timer-${process.pid}`,
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      if (this.holding) logger.warn("timer duty lost with its connection", { error: error?.message });
      this.client = undefined;
      this.holding = false;
      void client.end().catch(() => undefined);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    this.client = client;
    return client;
  }

  /** Ends the loop (waiting for a tick under way), gives the duty up and closes its connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.holding) await releaseDuty(client).catch(() => undefined);
    this.holding = false;
    await client.end().catch(() => undefined);
  }
}
