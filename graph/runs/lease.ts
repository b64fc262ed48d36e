/**
 * The process lease: what makes a process an executor others can see is alive.
 *
 * Each process holds one session advisory lock, `(LEASE_CLASS, key)`, on a dedicated
 * connection outside the pool, and writes its `key` into `sg_runs.executor` of every
 * run it executes. A run whose executor's lock is not held (SQL: `executorAlive`) was
 * left by a dead process and may be taken over; taking a run bumps its fence, and every
 * write of the old execution is checked against the fence (see `graph/record/`).
 *
 * The same connection LISTENs on `sg_control`: pause and abort of a run executing here
 * arrive through it from any process. If the connection drops, Postgres releases the
 * lock, so the process stops its runs at once (`onLost`) and comes back under a new key.
 */
import pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';

/** The advisory lock class of executor leases (two-key form: class, key). */
export const LEASE_CLASS = 0x5347; // "SG"

/** SQL: whether the executor `column` of a row of sg_runs is a live process. */
export function executorAlive(column: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${LEASE_CLASS}
    AND l.objsubid = 2 AND l.objid = ${column}::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;
}

/** A pause or abort asked of the process executing `runId`. */
export interface ControlMessage {
  runId: string;
  action: 'pause' | 'abort';
  by?: string;
  reason?: string;
}

export const CONTROL_CHANNEL = 'sg_control';

export interface LeaseOptions {
  /** The lease is lost: stop every run at once (Postgres has released the lock). */
  onLost: () => void;
  onControl: (m: ControlMessage) => void;
}

export class ProcessLease {
  private client?: pg.Client;
  private held?: Promise<number>;
  private closed = false;

  constructor(private readonly url: string, private readonly options: LeaseOptions) {}

  /** This process's executor key, once its lock is held (reconnecting after a loss). */
  key(): Promise<number> {
    if (this.closed) return Promise.reject(new StagegraphError('lease_closed', 'this stagegraph is closed', { class: 'fatal' }));
    this.held ??= this.acquire().catch((e) => {
      this.held = undefined;
      throw e;
    });
    return this.held;
  }

  private async acquire(): Promise<number> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel !== CONTROL_CHANNEL || !n.payload) return;
      try {
        this.options.onControl(JSON.parse(n.payload) as ControlMessage);
      } catch {
        // a malformed control message is ignored: nothing of ours sends one
      }
    });
    await client.connect();
    try {
      for (;;) {
        const key = 1 + Math.floor(Math.random() * 0x7fff_fffe);
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LEASE_CLASS, key]);
        if (!rows[0]!.ok) continue; // another live process has this key
        await client.query(`LISTEN ${CONTROL_CHANNEL}`);
        this.client = client;
        return key;
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held = undefined;
    if (!this.closed) this.options.onLost();
  }

  /** Asks the process executing `m.runId` (whichever it is) to pause or abort it. */
  static async send(pool: pg.Pool, m: ControlMessage): Promise<void> {
    await pool.query('SELECT pg_notify($1, $2)', [CONTROL_CHANNEL, JSON.stringify(m)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    this.held = undefined;
    await c?.end().catch(() => undefined);
  }
}
