/**
 * Reads a window's samples from the tables runs write anyway: `sg_runs` (finished
 * runs, the error that failed them), `sg_stage_stats` (one row per stage attempt),
 * `sg_events` (`workflow.error`: each failed attempt's class), `sg_decisions` and
 * `sg_feedback`. Five statements, each keyed by the window's run ids.
 */
import type pg from 'pg';
import type { ErrorClass } from '../../nodes/errors.ts';
import type { EvaluationSamples, EvaluationWindow, RunSample } from './types.ts';

/** The workflows with finished runs of `owner` created in [from, to). */
export async function workflowsWithRuns(pool: pg.Pool, owner: string, from: string | null, to: string): Promise<string[]> {
  const { rows } = await pool.query<{ workflow_id: string }>(
    `SELECT DISTINCT workflow_id FROM sg_runs
      WHERE owner = $1 AND status IN ('completed', 'failed') AND ($2::timestamptz IS NULL OR created_at >= $2) AND created_at < $3
      ORDER BY workflow_id`,
    [owner, from, to],
  );
  return rows.map((r) => r.workflow_id);
}

export async function readSamples(pool: pg.Pool, w: EvaluationWindow): Promise<EvaluationSamples> {
  const window = [w.owner, w.workflowId, w.from, w.to];
  const inWindow = `owner = $1 AND workflow_id = $2 AND ($3::timestamptz IS NULL OR created_at >= $3) AND created_at < $4`;
  const [runs, aborted] = await Promise.all([
    pool.query<{ id: string; status: 'completed' | 'failed'; created_at: Date; duration_ms: number; error: { class?: ErrorClass; code?: string } | null; failed_stage: string | null }>(
      `SELECT r.id, r.status, r.created_at, EXTRACT(EPOCH FROM (r.finished_at - r.created_at)) * 1000 AS duration_ms, r.error,
              (SELECT e.payload->>'stage' FROM sg_events e WHERE e.run_id = r.id AND e.type = 'workflow.failed' ORDER BY e.seq DESC LIMIT 1) AS failed_stage
         FROM sg_runs r
        WHERE ${inWindow} AND status IN ('completed', 'failed') AND finished_at IS NOT NULL
        ORDER BY created_at DESC, id LIMIT $5`,
      [...window, w.limit],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sg_runs WHERE ${inWindow} AND status = 'aborted'`, window),
  ]);
  const ids = runs.rows.map((r) => r.id);
  const [stages, errors, decisions] = await Promise.all([
    pool.query<{ run_id: string; stage: string; duration_ms: number; ok: boolean; attempt: number }>(
      `SELECT run_id, stage, duration_ms, ok, attempt FROM sg_stage_stats WHERE run_id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    ),
    pool.query<{ run_id: string; stage: string | null; class: ErrorClass | null; code: string | null; will_retry: boolean | null }>(
      `SELECT run_id, payload->>'stage' AS stage, payload->'error'->>'class' AS class, payload->'error'->>'code' AS code,
              (payload->>'willRetry')::boolean AS will_retry
         FROM sg_events WHERE run_id = ANY($1::uuid[]) AND type = 'workflow.error' ORDER BY run_id, seq`,
      [ids],
    ),
    pool.query<{ run_id: string; point: string; confidence: number | null; method: string; agree: number; disagree: number }>(
      `SELECT d.run_id, d.point, (d.record->>'confidence')::float8 AS confidence, d.method,
              count(f.id) FILTER (WHERE f.verdict = 'agree')::int AS agree, count(f.id) FILTER (WHERE f.verdict = 'disagree')::int AS disagree
         FROM sg_decisions d LEFT JOIN sg_feedback f ON f.decision_id = d.id
        WHERE d.run_id = ANY($1::uuid[])
        GROUP BY d.id ORDER BY d.created_at, d.id`,
      [ids],
    ),
  ]);
  return {
    runs: runs.rows.map((r): RunSample => ({
      runId: r.id,
      status: r.status,
      createdAt: r.created_at.toISOString(),
      durationMs: Number(r.duration_ms),
      ...(r.status === 'failed'
        ? { error: { class: r.error?.class ?? 'fatal', code: r.error?.code ?? 'internal', ...(r.failed_stage ? { stage: r.failed_stage } : {}) } }
        : {}),
    })),
    stages: stages.rows.map((s) => ({ runId: s.run_id, stage: s.stage, durationMs: Number(s.duration_ms), ok: s.ok, attempt: s.attempt })),
    errors: errors.rows.filter((e) => e.stage !== null).map((e) => ({
      runId: e.run_id, stage: e.stage!, class: e.class ?? 'fatal', code: e.code ?? 'internal', willRetry: e.will_retry ?? false,
    })),
    decisions: decisions.rows.filter((d) => d.confidence !== null).map((d) => ({
      runId: d.run_id, point: d.point, confidence: Number(d.confidence), method: d.method, agree: d.agree, disagree: d.disagree,
    })),
    aborted: aborted.rows[0]!.n,
  };
}
