/**
 * A worker: executes queued runs, up to `concurrency` at once in this process. It
 * fetches when a slot is free and something may be waiting: woken by `NOTIFY sg_queue`
 * (a run was enqueued), by a run of its own ending, and by a poll every `pollMs` (a
 * scheduled run coming due, a notification lost). Each take is one transaction: fetch
 * the job (pg-boss: highest priority, then oldest, not before its `startAfter`), take
 * the run (`queued` -> `running` under this process's lease and a new fence, within its
 * workflow's limit), complete the job. The run then executes like any other, fenced:
 * started, or resumed, answered, restored or retried as its queued intent says.
 */
import type pg from 'pg';
import type { RunExecutor } from '../runs/executor.ts';
import { Listener } from '../store/listener.ts';
import { executeOptions } from './intent.ts';
import { onClient, QUEUE_CHANNEL, queueName, type RunJob, type RunQueue } from './queue.ts';
import { takeQueued, type RateLimit } from './queued-sql.ts';

export interface RunWorkerOptions {
  /** Runs executing at once in this process. */
  concurrency: number;
  /** The workflows whose runs this worker takes: a list, or a function of what is known now (templates appear at run time). */
  workflows: readonly string[] | (() => readonly string[]);
  /**
   * Told of a run queued for a workflow this worker does not know yet; resolves true when
   * the workflow is now among `workflows` (a template created in another process).
   */
  discover?: (workflowId: string) => Promise<boolean>;
  /** The most runs of a workflow running at once across all workers, by workflow id. */
  limits?: Record<string, number>;
  /** The most runs of a workflow taken per window across all workers, by workflow id. */
  rates?: Record<string, RateLimit>;
  /** @default 500 */
  pollMs?: number;
  onError?: (error: unknown, context: string) => void;
}

/** How long a workflow at its limit is left alone before it is tried again (a run ending anywhere frees a slot). */
const AT_LIMIT_BACKOFF_MS = 200;

type Attempt = 'taken' | 'empty' | 'at_limit' | 'stale';

export class RunWorker {
  private readonly listener: Listener;
  private poll?: NodeJS.Timeout;
  private pumping = false;
  private again = false;
  private stopped = false;
  private next = 0;
  private readonly full = new Map<string, number>();
  /** Runs this worker took. */
  readonly stats = { taken: 0 };

  constructor(
    url: string,
    private readonly pool: pg.Pool,
    private readonly queue: RunQueue,
    private readonly executor: RunExecutor,
    private readonly options: RunWorkerOptions,
  ) {
    this.listener = new Listener(url, {
      channels: [QUEUE_CHANNEL],
      onNotification: (_, workflowId) => {
        if (this.workflows().includes(workflowId)) this.poke();
        else void this.options.discover?.(workflowId).then((known) => known && this.poke(), () => undefined);
      },
      onReconnect: () => this.poke(),
      onError: options.onError,
    });
  }

  private workflows(): readonly string[] {
    const w = this.options.workflows;
    return typeof w === 'function' ? w() : w;
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.poll = setInterval(() => this.poke(), this.options.pollMs ?? 500);
    this.poll.unref();
    this.poke();
  }

  /** Something may be waiting: take runs while slots are free. */
  poke(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => (this.pumping = false));
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        while (!this.stopped && this.executor.active.size < this.options.concurrency) {
          if (!(await this.takeOne())) break;
        }
      } while (this.again && !this.stopped);
    } catch (e) {
      this.options.onError?.(e, 'worker: taking a queued run');
    }
  }

  /** Takes one run from the workflows' queues, round robin; false when none could be taken. */
  private async takeOne(): Promise<boolean> {
    const me = await this.executor.lease.key();
    const ids = this.workflows();
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(this.next + k) % ids.length]!;
      if ((this.full.get(id) ?? 0) > Date.now()) continue;
      let attempt: Attempt;
      do attempt = await this.tryQueue(id, me);
      while (attempt === 'stale' && !this.stopped);
      if (attempt === 'at_limit') this.full.set(id, Date.now() + AT_LIMIT_BACKOFF_MS);
      if (attempt === 'taken') {
        this.next = (this.next + k + 1) % ids.length;
        return true;
      }
    }
    return false;
  }

  /** One transaction: fetch a job of the workflow, take its run, complete the job. */
  private async tryQueue(workflowId: string, me: number): Promise<Attempt> {
    const name = queueName(workflowId);
    const client = await this.pool.connect();
    let taken: Awaited<ReturnType<typeof takeQueued>> | undefined;
    try {
      await client.query('BEGIN');
      const db = onClient(client);
      const [job] = await this.queue.boss.fetch<RunJob>(name, { batchSize: 1, db });
      if (!job) {
        await client.query('ROLLBACK');
        return 'empty';
      }
      taken = await takeQueued(client, job.data.runId, workflowId, me, this.options.limits?.[workflowId], this.options.rates?.[workflowId]);
      if ('skipped' in taken && taken.skipped === 'at_limit') {
        await client.query('ROLLBACK'); // the job goes back as it was
        return 'at_limit';
      }
      // Taken, or a job whose run is no longer queued (aborted while queued): done either way.
      // complete(name, id, data, options): with `{ db }` as the third argument it would be the job's output, run on another connection.
      await this.queue.boss.complete(name, job.id, null as unknown as object, { db });
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    if (!('taken' in taken)) return 'stale';
    const t = taken.taken;
    this.stats.taken++;
    const active = this.executor.execute(t.row, { ...executeOptions(t.row, taken.intent), create: async () => t });
    void active.done.finally(() => this.poke());
    return 'taken';
  }

  /** Stops taking runs (those executing go on; drain them with `runs.drain()`). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await this.listener.close();
    while (this.pumping) await new Promise((r) => setTimeout(r, 10));
  }
}
