import { Client } from "pg";
import { logger } from "../shared/logger";

export interface ListenerOptions {
  /** The connection string of the database (the LISTEN connection is one of its own). */
  databaseUrl: string;
  /** The channel to LISTEN on (an identifier of ours, never input). */
  channel: string;
  /** The connection's application_name, as pg_stat_activity shows it. */
  applicationName: string;
  /** Each notification's payload. */
  onNotification(payload: string | undefined): void;
  /** After each reconnect: read what may have been missed while the connection was away. */
  onReconnect(): void;
}

/**
 * A LISTEN connection of its own that reconnects with backoff (250 ms doubling to 5 s) and calls
 * `onReconnect` after each reconnect. Used by the event feed and the erasure watch.
 */
export class Listener {
  private client: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 250;
  private stopped = false;

  constructor(private readonly options: ListenerOptions) {}

  /** Connects and listens; rejects when the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { databaseUrl, applicationName, channel } = this.options;
    const client = new Client({ connectionString: databaseUrl, application_name: applicationName });
    client.on("notification", (message) => this.options.onNotification(message.payload));
    client.on("error", (error) => {
      logger.warn("listening connection lost", { channel, error: error.message });
      this.scheduleReconnect(client);
    });
    client.on("end", () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    this.client = client;
    this.reconnectDelay = 250;
  }

  private scheduleReconnect(lost: Client): void {
    if (this.stopped || this.client !== lost) return;
    this.client = undefined;
    lost.removeAllListeners("end");
    lost.end().catch(() => undefined);
    const retry = () => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.connect().then(
        () => this.options.onReconnect(),
        () => {
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5000);
          this.reconnectTimer = setTimeout(retry, this.reconnectDelay);
          this.reconnectTimer.unref();
        },
      );
    };
    this.reconnectTimer = setTimeout(retry, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}
