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

  constructor(private readonly url: string) {}

  private connection(): Promise<pg.Client> {
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

  /** Takes the run's lock if no live process holds it. */
  async tryAcquire(runId: string): Promise<boolean> {
    if (this.held.has(runId)) return false;
    const c = await this.connection();
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`sg:run:${runId}`]);
    if (rows[0]!.ok) this.held.add(runId);
    return rows[0]!.ok;
  }

  async release(runId: string): Promise<void> {
    if (!this.held.delete(runId)) return;
    const c = await this.connection();
    await c.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`sg:run:${runId}`]).catch(() => undefined);
  }

  async close(): Promise<void> {
    const c = await this.client?.catch(() => undefined);
    this.client = undefined;
    this.held.clear();
    await c?.end().catch(() => undefined);
  }
}
