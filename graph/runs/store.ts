/**
 * The runs table. A run is created, or taken by a process to execute or act on it,
 * here: both are compare-and-set (status against the transition table, executor
 * against the live leases), bump the run's fence and return what the process then
 * holds. Every later write of the run goes through its recorder (`graph/record/`).
 */
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { Holding } from '../record/recorder.ts';
import { retryHiccups } from '../record/retry.ts';
import { toEvent } from '../events/log.ts';
import type { RunEvent, RunEventDraft, RunEventType } from '../events/types.ts';
import { executorAlive } from './lease.ts';
import { assertTransition, TRANSITIONS, type RunAction, type RunStatus } from './status.ts';
import { toRow, type RunRow } from './row.ts';

/** A run this process now holds: its row, fence and last seq, and the event logged with taking it. */
export interface Taken {
  row: RunRow;
  holding: Holding;
  events: RunEvent[];
}

/** How a process takes a run: along a status action, to `recover` one left running by a dead process, or to `hold` it as it is. */
export type TakeMode = RunAction | 'recover' | 'hold';

function takenFrom(r: Record<string, unknown>, event: RunEventDraft | undefined, at: Date): Taken {
  const lastSeq = Number(r.last_seq);
  const events = event ? [{ ...event, runId: r.id as string, seq: lastSeq, at: at.toISOString() } as RunEvent] : [];
  return { row: toRow(r), holding: { fence: String(r.fence), lastSeq }, events };
}

export type { RunRow } from './row.ts';

export interface ListRunsQuery {
  owner?: string;
  status?: RunStatus;
  workflowId?: string;
  limit?: number;
  offset?: number;
}

export class RunStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(id: string): Promise<RunRow | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM sg_runs WHERE id = $1', [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async require(id: string, owner?: string): Promise<RunRow> {
    const row = await this.get(id);
    if (!row || (owner !== undefined && row.owner !== owner)) {
      throw new StagegraphError('run_not_found', `run ${id} not found`, { class: 'validation', details: { runId: id } });
    }
    return row;
  }

  async list(q: ListRunsQuery = {}): Promise<RunRow[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM sg_runs WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR workflow_id = $3) ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
      [q.owner ?? null, q.status ?? null, q.workflowId ?? null, q.limit ?? 50, q.offset ?? 0],
    );
    return rows.map(toRow);
  }

  /**
   * How many times in a row run `id` was taken over after its executor died without
   * completing a stage since: crash takeovers after its last stage completion.
   */
  async crashLoops(id: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sg_events WHERE run_id = $1 AND type = 'workflow.resumed' AND payload->>'from' = 'crash'
         AND seq > COALESCE((SELECT max(seq) FROM sg_events WHERE run_id = $1 AND type = 'workflow.stage_changed' AND payload->>'change' = 'completed'), 0)`,
      [id],
    );
    return rows[0]!.n;
  }

  /** Paused runs whose last pause was a shutdown drain (they continue on restart). */
  async drained(): Promise<RunRow[]> {
    const { rows } = await this.pool.query(
      `SELECT r.* FROM sg_runs r WHERE r.status = 'paused' AND (
         SELECT e.payload->>'reason' FROM sg_events e WHERE e.run_id = r.id AND e.type = 'workflow.paused'
          ORDER BY e.seq DESC LIMIT 1) = 'shutdown' ORDER BY r.created_at`,
    );
    return rows.map(toRow);
  }

  /**
   * Aborted runs whose compensation is not over (`error.details.compensation` is
   * `pending`): a dead process left them half-done.
   */
  async abortsUnfinished(): Promise<RunRow[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM sg_runs WHERE status = 'aborted' AND error->'details'->>'compensation' = 'pending' ORDER BY created_at`,
    );
    return rows.map(toRow);
  }

  /** The run's latest event of `type` (recovery reads its own trail without loading the whole log). */
  async lastEvent<T extends RunEventType>(runId: string, type: T): Promise<Extract<RunEvent, { type: T }> | undefined> {
    const { rows } = await this.pool.query(
      'SELECT run_id, seq, type, at, payload FROM sg_events WHERE run_id = $1 AND type = $2 ORDER BY seq DESC LIMIT 1',
      [runId, type],
    );
    const r = rows[0];
    return r ? (toEvent(r) as Extract<RunEvent, { type: T }>) : undefined;
  }

  /** The run's compensation results, in order: which stage completions are compensated or failed to be. */
  async compensations(runId: string): Promise<{ stage: string; change: 'compensated' | 'compensation_failed'; completion?: string }[]> {
    const { rows } = await this.pool.query(
      `SELECT payload FROM sg_events WHERE run_id = $1 AND type = 'workflow.stage_changed'
         AND payload->>'change' IN ('compensated', 'compensation_failed') ORDER BY seq`,
      [runId],
    );
    return rows.map((r) => r.payload);
  }

  /**
   * Creates a run already `running`, held by `executor`, with its `workflow.started` event.
   * @throws StagegraphError `invalid_input` (via the caller's checks); Postgres errors other than hiccups
   */
  async insertRunning(run: { id: string; workflowId: string; owner: string; request: unknown; options: Record<string, unknown> }, executor: number, started: RunEventDraft): Promise<Taken> {
    const at = new Date();
    return retryHiccups(async (attempt) => {
      const { rows } = await this.pool.query(
        `WITH r AS (
           INSERT INTO sg_runs (id, workflow_id, owner, status, request, options, executor, fence, last_seq)
           VALUES ($1, $2, $3, 'running', $4, $5, $6, 1, 1) ON CONFLICT (id) DO NOTHING RETURNING *),
         e AS (INSERT INTO sg_events (run_id, seq, type, at, payload) SELECT r.id, 1, $7, $8, $9 FROM r)
         SELECT r.* FROM r`,
        [run.id, run.workflowId, run.owner, JSON.stringify(run.request), JSON.stringify(run.options), executor, started.type, at, JSON.stringify(started.payload)],
      );
      if (rows[0]) return takenFrom(rows[0], started, at);
      // Only a retry can find the run already there: an earlier attempt was applied after all.
      const again = attempt > 1 ? (await this.pool.query('SELECT * FROM sg_runs WHERE id = $1 AND executor = $2 AND fence = 1', [run.id, executor])).rows[0] : undefined;
      if (again) return takenFrom(again, started, at);
      throw new StagegraphError('run_exists', `run ${run.id} already exists`, { class: 'validation', details: { runId: run.id } });
    });
  }

  /**
   * Takes run `id` for `executor` if no other live process holds it: moves it along
   * `mode` (compare-and-set), bumps its fence, logs `event`. With `release` the run is
   * changed but not held (a pause of a run nobody executes).
   * @throws StagegraphError `invalid_transition`, `run_locked` (a live process executes it), `run_not_found`
   */
  async take(id: string, mode: TakeMode, executor: number, opts: { event?: RunEventDraft; error?: unknown; release?: boolean } = {}): Promise<Taken> {
    const change = mode === 'hold' ? undefined : mode === 'recover' ? { from: ['running'] as const, to: 'running' as const } : TRANSITIONS[mode];
    const at = new Date();
    const n = opts.event ? 1 : 0;
    const set = ['executor = $3', 'fence = fence + 1', `last_seq = last_seq + ${n}`, 'updated_at = now()'];
    const values: unknown[] = [id, change?.from ?? null, opts.release ? null : executor, opts.event?.type ?? null, at, JSON.stringify(opts.event?.payload ?? null), executor];
    if (change) {
      set.push('status = $8');
      values.push(change.to);
      if (change.to === 'running') set.push('error = NULL', 'question = NULL', 'finished_at = NULL');
      if (change.to === 'aborted' || change.to === 'failed') set.push('finished_at = now()', 'eta_ms = 0');
    }
    if (opts.error !== undefined) {
      set.push(`error = $${values.push(JSON.stringify(opts.error))}::jsonb`);
    }
    return retryHiccups(async (attempt) => {
      const { rows } = await this.pool.query(
        `WITH g AS (
           UPDATE sg_runs SET ${set.join(', ')}
           WHERE id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
             AND (executor IS NULL OR executor = $7 OR NOT ${executorAlive('sg_runs.executor')})
           RETURNING *),
         e AS (INSERT INTO sg_events (run_id, seq, type, at, payload) SELECT g.id, g.last_seq, $4, $5, $6::jsonb FROM g WHERE $4::text IS NOT NULL)
         SELECT g.* FROM g`,
        values,
      );
      if (rows[0]) return takenFrom(rows[0], opts.event, at);
      const current = await this.require(id);
      // A retry whose first attempt was applied after all finds the run held by us, moved.
      if (attempt > 1 && current.executor === (opts.release ? null : executor) && (!change || current.status === change.to)) {
        const { rows: [r] } = await this.pool.query('SELECT * FROM sg_runs WHERE id = $1', [id]);
        return takenFrom(r, opts.event, at);
      }
      if (change && mode !== 'recover') assertTransition(id, current.status, mode as RunAction);
      if (change && !change.from.includes(current.status)) {
        throw new StagegraphError('run_not_orphaned', `run ${id} is ${current.status}, not left running`, { class: 'validation', details: { runId: id, status: current.status } });
      }
      throw new StagegraphError('run_locked', `run ${id} is executing in another process`, { class: 'transient', details: { runId: id } });
    });
  }

  /**
   * Gives back a run taken for an execution that cannot start (its restore checkpoint was
   * collected meanwhile): status, error, question and finish time as `before` had them, no
   * executor. Only with the fence of that take.
   */
  async untake(before: RunRow, fence: string): Promise<void> {
    await retryHiccups(() =>
      this.pool.query(
        `UPDATE sg_runs SET status = $3, error = $4::jsonb, question = $5::jsonb, finished_at = $6, executor = NULL, updated_at = now()
          WHERE id = $1 AND fence = $2::bigint`,
        [before.id, fence, before.status, JSON.stringify(before.error), JSON.stringify(before.question), before.finishedAt],
      ),
    );
  }

  /** Lets go of a run held without executing it (after `take(.., 'hold')`), if this fence still holds it. */
  async release(id: string, fence: string): Promise<void> {
    await retryHiccups(() => this.pool.query('UPDATE sg_runs SET executor = NULL WHERE id = $1 AND fence = $2::bigint', [id, fence]));
  }

  /**
   * Runs left `running` by a dead process (or by this one, `executor`, outside its
   * `active` executions: a run whose final write failed).
   */
  async orphans(executor: number, active: string[]): Promise<RunRow[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM sg_runs WHERE status = 'running'
         AND (executor IS NULL OR (executor = $1 AND NOT (id = ANY($2::uuid[]))) OR (executor <> $1 AND NOT ${executorAlive('sg_runs.executor')}))
       ORDER BY created_at`,
      [executor, active],
    );
    return rows.map(toRow);
  }

  /**
   * Reads run `id` until `until` holds of it (another process acting on it), backing off
   * from 10 to 200 ms; `until` may throw to give up early.
   * @throws StagegraphError `control_timeout` (saying `what` did not happen) after `timeoutMs`.
   */
  async waitUntil(id: string, until: (r: RunRow) => boolean, timeoutMs: number, what: string): Promise<RunRow> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const row = await this.require(id);
      if (until(row)) return row;
      if (Date.now() > deadline) {
        throw new StagegraphError('control_timeout', `run ${id}: the process executing it did not ${what} in time`, { class: 'transient', details: { runId: id, status: row.status } });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Whether a live process other than `executor` executes run `id`. */
  async executingElsewhere(id: string, executor: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM sg_runs WHERE id = $1 AND status = 'running' AND executor IS NOT NULL AND executor <> $2 AND ${executorAlive('sg_runs.executor')}`,
      [id, executor],
    );
    return rows.length > 0;
  }
}
