/**
 * Run fencing: a run executes on one process at a time, held by a session advisory
 * lock. All of a process's run locks live on one dedicated connection outside the
 * pool, so executing runs never starve the pool; if that connection drops, Postgres
 * releases the locks and the runs become recoverable by any process.
 */
import pg from 'pg';

export class RunLocks {
  private client?: Promise<pg.Client>;
  private readonly held = new Set<string>();
  private readonly acquiring = new Set<string>();
  /** One query at a time on the lock connection (pg deprecates overlapping queries on a client). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly url: string) {}

  private closed = false;

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('run locks closed'));
    this.client ??= (async () => {
      const c = new pg.Client({ connectionString: this.url });
      c.on('error', () => {
        this.client = undefined;
        this.held.clear();
      });
      await c.connect();
      return c;
    })().catch((e) => {
      this.client = undefined;
      throw e;
    });
    return this.client;
  }

  private query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    const run = this.tail.then(async () => (await this.connection()).query<R>(sql, params));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Takes the run's lock if no live process (nor another task of this one) holds it. */
  async tryAcquire(runId: string): Promise<boolean> {
    // Advisory locks are re-entrant within a session: this process must not take one twice.
    if (this.held.has(runId) || this.acquiring.has(runId)) return false;
    this.acquiring.add(runId);
    try {
      const { rows } = await this.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`sg:run:${runId}`]);
      if (rows[0]!.ok) this.held.add(runId);
      return rows[0]!.ok;
    } finally {
      this.acquiring.delete(runId);
    }
  }

  /** Whether this process holds the run's lock. */
  holds(runId: string): boolean {
    return this.held.has(runId);
  }

  async release(runId: string): Promise<void> {
    if (!this.held.delete(runId)) return;
    await this.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`sg:run:${runId}`]).catch(() => undefined);
  }

  /** Waits for queued unlocks, then closes the connection; later calls fail instead of reconnecting. */
  async close(): Promise<void> {
    await this.tail;
    this.closed = true;
    const c = await this.client?.catch(() => undefined);
    this.client = undefined;
    this.held.clear();
    await c?.end().catch(() => undefined);
  }
}
