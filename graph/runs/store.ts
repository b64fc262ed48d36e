/**
 * The runs table. Status changes are compare-and-set against the transition table,
 * so two processes (or a late callback) cannot move a run along an invalid edge.
 */
import type pg from 'pg';
import { StagegraphError, type SerializedError } from '../../nodes/errors.ts';
import type { RunEvent, RunEventType } from '../events/types.ts';
import { assertTransition, TRANSITIONS, type RunAction, type RunStatus } from './status.ts';

export interface RunRow {
  id: string;
  workflowId: string;
  owner: string;
  status: RunStatus;
  request: unknown;
  options: Record<string, unknown>;
  currentStage: string | null;
  progress: number;
  etaMs: number | null;
  degraded: boolean;
  question: unknown;
  error: SerializedError | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

function toRow(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as string,
    workflowId: r.workflow_id as string,
    owner: r.owner as string,
    status: r.status as RunStatus,
    request: r.request,
    options: r.options as Record<string, unknown>,
    currentStage: (r.current_stage as string) ?? null,
    progress: Number(r.progress),
    etaMs: (r.eta_ms as number) ?? null,
    degraded: r.degraded as boolean,
    question: r.question ?? null,
    error: (r.error as SerializedError) ?? null,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
    finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
  };
}

export interface ListRunsQuery {
  owner?: string;
  status?: RunStatus;
  workflowId?: string;
  limit?: number;
  offset?: number;
}

export class RunStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Creates a run. `started` inserts it already `running` (the `start` transition taken
   * at insert), for an executor that holds the run's lock before the row exists.
   */
  async insert(run: { id: string; workflowId: string; owner: string; request: unknown; options: Record<string, unknown> }, started = false): Promise<RunRow> {
    const { rows } = await this.pool.query(
      `INSERT INTO sg_runs (id, workflow_id, owner, status, request, options) VALUES ($1, $2, $3, $6, $4, $5) RETURNING *`,
      [run.id, run.workflowId, run.owner, JSON.stringify(run.request), JSON.stringify(run.options), started ? 'running' : 'queued'],
    );
    return toRow(rows[0]);
  }

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
    return r ? ({ runId: r.run_id, seq: r.seq, at: r.at.toISOString(), type: r.type, payload: r.payload } as Extract<RunEvent, { type: T }>) : undefined;
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

  /** Replaces the run's error (e.g. an abort's record once its compensation is over). */
  async setError(id: string, error: SerializedError | null): Promise<void> {
    await this.pool.query('UPDATE sg_runs SET error = $2::jsonb, updated_at = now() WHERE id = $1', [id, JSON.stringify(error)]);
  }

  async withStatus(status: RunStatus): Promise<RunRow[]> {
    const { rows } = await this.pool.query('SELECT * FROM sg_runs WHERE status = $1 ORDER BY created_at', [status]);
    return rows.map(toRow);
  }

  /**
   * Moves a run along `action` if its current status allows it (compare-and-set).
   * @throws StagegraphError `invalid_transition`, `run_not_found`
   */
  async transition(id: string, action: RunAction, fields: { question?: unknown; error?: SerializedError | null; degraded?: boolean } = {}): Promise<RunRow> {
    const { from, to } = TRANSITIONS[action];
    const terminal = to === 'completed' || to === 'failed' || to === 'aborted';
    const { rows } = await this.pool.query(
      `UPDATE sg_runs SET status = $3, updated_at = now(),
         question = CASE WHEN $3 = 'waiting_input' THEN $4::jsonb ELSE NULL END,
         error = CASE WHEN $5::boolean THEN $6::jsonb WHEN $3 = 'running' THEN NULL ELSE error END,
         degraded = COALESCE($7, degraded),
         finished_at = CASE WHEN $8 THEN now() ELSE NULL END,
         progress = CASE WHEN $3 = 'completed' THEN 100 ELSE progress END,
         eta_ms = CASE WHEN $8 THEN 0 ELSE eta_ms END
       WHERE id = $1 AND status = ANY($2::text[]) RETURNING *`,
      [id, from, to, JSON.stringify(fields.question ?? null), 'error' in fields, JSON.stringify(fields.error ?? null), fields.degraded ?? null, terminal],
    );
    if (rows[0]) return toRow(rows[0]);
    const current = await this.require(id);
    assertTransition(id, current.status, action);
    throw new StagegraphError('transition_conflict', `run ${id} changed status concurrently`, { class: 'transient', details: { runId: id } });
  }

  async updateProgress(id: string, p: { currentStage?: string | null; progress?: number; etaMs?: number | null; degraded?: boolean }): Promise<void> {
    await this.pool.query(
      `UPDATE sg_runs SET current_stage = COALESCE($2, current_stage), progress = COALESCE($3, progress),
         eta_ms = COALESCE($4, eta_ms), degraded = degraded OR COALESCE($5, false), updated_at = now() WHERE id = $1`,
      [id, p.currentStage ?? null, p.progress ?? null, p.etaMs ?? null, p.degraded ?? null],
    );
  }
}
