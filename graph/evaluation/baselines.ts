/**
 * `sg_eval_baselines`: one row per recorded baseline (metrics and samples as jsonb),
 * never updated; the latest of an owner's workflow is the one checks compare with.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Baseline, BaselineInfo, EvaluationSamples, WorkflowMetrics } from './types.ts';

interface BaselineRow {
  id: string;
  owner: string;
  workflow_id: string;
  window_from: Date | null;
  window_to: Date;
  runs: number;
  created_at: Date;
  metrics?: WorkflowMetrics;
  samples?: EvaluationSamples;
}

const INFO = 'id, owner, workflow_id, window_from, window_to, runs, created_at';

function info(r: BaselineRow): BaselineInfo {
  return {
    id: r.id, workflowId: r.workflow_id, owner: r.owner, createdAt: r.created_at.toISOString(),
    window: { from: r.window_from?.toISOString() ?? null, to: r.window_to.toISOString(), runs: r.runs },
  };
}

export async function insertBaseline(pool: pg.Pool, b: Omit<Baseline, 'id' | 'createdAt'>): Promise<Baseline> {
  const { rows } = await pool.query<BaselineRow>(
    `INSERT INTO sg_eval_baselines (id, owner, workflow_id, window_from, window_to, runs, metrics, samples)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb) RETURNING ${INFO}`,
    [randomUUID(), b.owner, b.workflowId, b.window.from, b.window.to, b.window.runs, JSON.stringify(b.metrics), JSON.stringify(b.samples)],
  );
  return { ...info(rows[0]!), metrics: b.metrics, samples: b.samples };
}

/** The latest baseline of `owner`'s `workflowId`, with its samples; null when none was recorded. */
export async function latestBaseline(pool: pg.Pool, owner: string, workflowId: string): Promise<Baseline | null> {
  const { rows } = await pool.query<BaselineRow>(
    `SELECT ${INFO}, metrics, samples FROM sg_eval_baselines WHERE owner = $1 AND workflow_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [owner, workflowId],
  );
  const r = rows[0];
  return r ? { ...info(r), metrics: r.metrics!, samples: r.samples! } : null;
}

/** `owner`'s baselines (of one workflow, or all), newest first, without their samples. */
export async function listBaselines(pool: pg.Pool, owner: string, workflowId?: string): Promise<BaselineInfo[]> {
  const { rows } = await pool.query<BaselineRow>(
    `SELECT ${INFO} FROM sg_eval_baselines WHERE owner = $1 AND ($2::text IS NULL OR workflow_id = $2) ORDER BY created_at DESC, id DESC`,
    [owner, workflowId ?? null],
  );
  return rows.map(info);
}
