/**
 * A dedicated connection that LISTENs on some channels and hands each notification to
 * a handler. When the connection drops it reconnects with backoff (250 ms doubling to
 * 10 s) and calls `onReconnect`: notifications sent meanwhile are lost, so the owner
 * catches up from the tables (notifications are wake-ups, never the data itself).
 */
import pg from 'pg';

export interface ListenerOptions {
  channels: string[];
  onNotification: (channel: string, payload: string) => void;
  /** The connection came back after a drop: look at the tables for what was missed. */
  onReconnect?: () => void;
  onError?: (error: unknown, context: string) => void;
}

export class Listener {
  private client?: pg.Client;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly url: string, private readonly options: ListenerOptions) {}

  /** Connects and LISTENs; resolves once notifications arrive. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      if (n.payload !== undefined) this.options.onNotification(n.channel, n.payload);
    });
    client.on('error', () => this.dropped(client));
    client.on('end', () => this.dropped(client));
    await client.connect();
    try {
      for (const channel of this.options.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private dropped(client: pg.Client, delayMs = 250): void {
    if (this.client === client) this.client = undefined;
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.connect().then(
        () => this.options.onReconnect?.(),
        (e: unknown) => {
          this.options.onError?.(e, `listening on ${this.options.channels.join(', ')}: reconnecting`);
          this.dropped(client, Math.min(delayMs * 2, 10_000));
        },
      );
    }, delayMs);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
