/**
 * Progress % and ETA of a run from estimated stage durations: the median of the
 * recorded durations of each stage (`sg_stage_stats`), with the plugin's
 * `estimateMs` as the prior before any history exists.
 */
import type pg from 'pg';
import type { WorkflowPlan } from '../plan.ts';
import { normalizePolicy } from '../../nodes/policy.ts';

/** How many recent samples the median is taken over. */
const HISTORY = 20;

export async function loadEstimates(pool: pg.Pool, plan: WorkflowPlan): Promise<Map<string, number>> {
  const estimates = new Map<string, number>();
  for (const [name, plugin] of plan.stages) estimates.set(name, normalizePolicy(plugin.policy).estimateMs);
  const { rows } = await pool.query<{ stage: string; median: number }>(
    `SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median FROM (
       SELECT stage, duration_ms, row_number() OVER (PARTITION BY stage ORDER BY at DESC) AS n
         FROM sg_stage_stats WHERE workflow_id = $1 AND ok) recent
     WHERE n <= $2 GROUP BY stage`,
    [plan.def.id, HISTORY],
  );
  for (const r of rows) if (estimates.has(r.stage)) estimates.set(r.stage, Number(r.median));
  return estimates;
}

export class ProgressTracker {
  private readonly done = new Set<string>();
  private readonly fraction = new Map<string, number>();
  private readonly total: number;

  constructor(private readonly estimates: Map<string, number>, completed: Iterable<string> = []) {
    this.total = [...estimates.values()].reduce((a, b) => a + b, 0) || 1;
    for (const s of completed) this.done.add(s);
  }

  stageProgress(stage: string, pct: number): void {
    if (!this.done.has(stage)) this.fraction.set(stage, Math.max(this.fraction.get(stage) ?? 0, pct / 100));
  }

  stageDone(stage: string): void {
    this.done.add(stage);
    this.fraction.delete(stage);
  }

  /** Work done as a share of all estimated work, 0-100, and the estimated time left in ms. */
  snapshot(): { progressPct: number; etaMs: number } {
    let doneMs = 0;
    for (const s of this.done) doneMs += this.estimates.get(s) ?? 0;
    for (const [s, f] of this.fraction) doneMs += (this.estimates.get(s) ?? 0) * f;
    doneMs = Math.min(doneMs, this.total);
    return { progressPct: Math.round((1000 * doneMs) / this.total) / 10, etaMs: Math.round(this.total - doneMs) };
  }
}
