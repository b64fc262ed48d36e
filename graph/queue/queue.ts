/**
 * The run queue: pg-boss (10.x, in the `pgboss` schema of the same database), one queue
 * per workflow (`sg-run-<workflow id>`). Starting a run inserts its row and sends its
 * job in one transaction, then wakes the workers (`NOTIFY sg_queue`, in the same
 * transaction: only a committed run wakes anyone). A worker fetches a job, takes the
 * run and completes the job in one transaction (`worker.ts`), so a job is never both
 * done and lost: a worker killed mid-way rolls back and the job is fetchable again at
 * once. pg-boss's expiry and maintenance are therefore never what recovers a run; a
 * run whose worker dies is an orphan of the process lease like any other.
 *
 * pg-boss 10 only polls (0.5 s at best), hence the wake-up notification.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { RunEventDraft } from '../events/types.ts';
import { LEASE_CLASS } from '../runs/lease.ts';
import type { RunRow } from '../runs/row.ts';
import { dispatchOf, PRIORITY_VALUE, type Dispatch } from './dispatch.ts';
import type { RunIntent } from './intent.ts';
import { insertQueued, requeue, type QueuedFields } from './queued-sql.ts';

export const QUEUE_CHANNEL = 'sg_queue';
export const queueName = (workflowId: string) => `sg-run-${workflowId}`;

/** pg-boss's `db` option over one client (the caller's transaction). */
export function onClient(client: pg.ClientBase): { executeSql(text: string, values: unknown[]): Promise<{ rows: any[] }> } {
  return { executeSql: (text, values) => client.query(text, values) };
}

export interface RunJob {
  runId: string;
}

export class RunQueue {
  readonly boss: PgBoss;

  constructor(private readonly pool: pg.Pool) {
    this.boss = new PgBoss({
      // Through stagegraph's own pool: no second pool of connections per process.
      db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) },
      schema: 'pgboss',
      // Jobs are completed in the transaction that takes their run: nothing expires while a
      // worker holds one, and no cron is used.
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', () => undefined); // maintenance errors (a restarted server) retry on their own
  }

  /**
   * Starts pg-boss and creates the workflows' queues, under a lock every process takes:
   * concurrent `createQueue` of one new queue can deadlock (NOTES-pg-boss §4).
   */
  async start(workflowIds: string[]): Promise<void> {
    await this.underLock(async () => {
      await this.boss.start();
      await this.createQueues(workflowIds);
    });
  }

  /** Creates the queues of workflows that appeared after `start` (templates), once per process. */
  async ensure(workflowIds: readonly string[]): Promise<void> {
    const missing = workflowIds.filter((id) => !this.created.has(id));
    if (missing.length) await this.underLock(() => this.createQueues(missing));
  }

  private readonly created = new Set<string>();

  private async createQueues(workflowIds: readonly string[]): Promise<void> {
    for (const id of workflowIds) {
      if (!(await this.boss.getQueue(queueName(id)))) await this.boss.createQueue(queueName(id));
      this.created.add(id);
    }
  }

  private async underLock(fn: () => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, 3)', [LEASE_CLASS]);
      await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, 3)', [LEASE_CLASS]).catch(() => undefined);
      client.release();
    }
  }

  /** Inserts the run `queued` and sends its job, in one transaction; then it may be fetched. */
  enqueue(run: QueuedFields, dispatch: Dispatch, started: RunEventDraft, at: Date): Promise<RunRow> {
    return this.inTransaction(async (client) => {
      const row = await insertQueued(client, run, started, at);
      await this.send(client, run.workflowId, run.id, dispatch);
      return row;
    });
  }

  /**
   * Queues an existing run again with what to do (resume, answer, restore, retry), in
   * one transaction with its job. Undefined when the run is not in one of `from` or a
   * live process holds it.
   */
  requeue(row: RunRow, from: readonly string[], intent: RunIntent): Promise<RunRow | undefined> {
    return this.inTransaction(async (client) => {
      const queued = await requeue(client, row.id, from, intent);
      if (queued) await this.send(client, row.workflowId, row.id, { ...dispatchOf(row.options), startAfter: undefined });
      return queued;
    });
  }

  /** Sends the run's job and wakes the workers, on the caller's transaction. */
  private async send(client: pg.ClientBase, workflowId: string, runId: string, dispatch: Dispatch): Promise<void> {
    await this.boss.send(queueName(workflowId), { runId } satisfies RunJob, {
      priority: PRIORITY_VALUE[dispatch.priority],
      ...(dispatch.startAfter ? { startAfter: dispatch.startAfter } : {}),
      db: onClient(client),
    });
    await client.query('SELECT pg_notify($1, $2)', [QUEUE_CHANNEL, workflowId]);
  }

  private async inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Jobs waiting (created or retrying) per workflow queue. */
  async depth(workflowIds: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const id of workflowIds) out[id] = await this.boss.getQueueSize(queueName(id));
    return out;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  }
}
