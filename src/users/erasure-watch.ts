import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import { Listener } from "../db";
import { logger } from "../shared/logger";
import { beat, ERASURE_CHANNEL, erasuresAfter, forgetReplica } from "./erasure.store";
import { refuseErasedUsers } from "./user.service";

export interface ErasureWatchOptions {
  /** The connection string of the database (the LISTEN connection is one of its own). */
  databaseUrl: string;
  /**
   * How often the replica writes its heartbeat and reads erasures it may have missed (ms); a
   * replica missing five in a row counts as gone (src/erasure/erasure.service.ts). Config.replicaHeartbeatMs.
   * @default 1000
   */
  heartbeatMs?: number;
}

/**
 * One per replica: keeps the set of erased users this replica refuses (user.service.ts) current,
 * and tells the others how far it got, so eraseUser can wait for every replica. At start it loads
 * every erasure (after LISTEN, so none falls between); a NOTIFY on `user_erasures` (sent by the
 * erasure's commit) refuses that user at once and acknowledges it after reading the erasures it has
 * not applied yet (the heartbeat row's erasure_seq); the heartbeat timer does the same read (an
 * erasure missed while the connection was away) and says the replica is alive.
 * Erasures commit in erasure_seq order (serialized by a lock), so the highest one applied covers
 * every lower one. No statement is added to a request: the refusal is a lookup in memory.
 */
export class ErasureWatch {
  readonly replicaId = crypto.randomUUID();
  private applied = 0n;
  private readonly listener: Listener;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly options: ErasureWatchOptions,
  ) {
    // After a reconnect, a catch-up read applies whatever was erased while the connection was away.
    this.listener = new Listener({
      databaseUrl: options.databaseUrl,
      channel: ERASURE_CHANNEL,
      applicationName: "groups-erasure-watch",
      onNotification: (payload) => this.onErasure(payload),
      onReconnect: () => void this.catchUp(),
    });
  }

  /** Listens, loads every erasure, and says the replica is alive; resolves once tokens can be judged. */
  async start(): Promise<void> {
    await this.listener.start();
    await this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), this.options.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.listener.stop();
    await forgetReplica(this.db, this.replicaId).catch(() => undefined);
  }

  /** Applies the erasures after the last one applied, then beats with the highest. */
  private async catchUp(): Promise<void> {
    try {
      const erasures = await erasuresAfter(this.db, this.applied);
      this.apply(erasures);
      await beat(this.db, this.replicaId, this.applied);
    } catch (error) {
      logger.warn("erasure watch read failed", { error: (error as Error).message });
    }
  }

  private apply(erasures: { id: string; seq: bigint }[]): void {
    refuseErasedUsers(
      this.db,
      erasures.map((e) => e.id),
    );
    for (const e of erasures) if (e.seq > this.applied) this.applied = e.seq;
  }

  /**
   * One erasure heard of: refused at once, then acknowledged by a catch-up read, which also applies
   * any earlier one committed while the connection was away (the notification's own number alone
   * would acknowledge those too).
   */
  private onErasure(payload: string | undefined): void {
    try {
      const { id } = JSON.parse(payload ?? "") as { id: string };
      refuseErasedUsers(this.db, [id]);
    } catch {
      logger.warn("erasure notification unreadable", { payload });
    }
    void this.catchUp();
  }
}
