/**
 * Progress % and ETA of a run from estimated stage durations: the median of the
 * recent recorded durations of each stage (`sg_stage_stats`), with the plugin's
 * `estimateMs` as the prior before any history exists. History is read once per
 * workflow and process, then kept current from this process's own samples.
 */
import type pg from 'pg';
import { normalizePolicy } from '../../nodes/policy.ts';
import type { WorkflowPlan } from '../plan.ts';

/** How many recent samples the median is taken over. */
const HISTORY = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class DurationHistory {
  private readonly samples = new Map<string, Map<string, number[]>>();
  private readonly loading = new Map<string, Promise<Map<string, number[]>>>();

  constructor(private readonly pool: pg.Pool) {}

  private load(workflowId: string): Promise<Map<string, number[]>> {
    let p = this.loading.get(workflowId);
    if (!p) {
      p = this.pool
        .query<{ stage: string; durations: number[] }>(
          `SELECT s.stage, array_agg(r.duration_ms ORDER BY r.at DESC) AS durations
             FROM (SELECT DISTINCT stage FROM sg_stage_stats WHERE workflow_id = $1) s
             CROSS JOIN LATERAL (SELECT duration_ms, at FROM sg_stage_stats
               WHERE workflow_id = $1 AND stage = s.stage AND ok ORDER BY at DESC LIMIT $2) r
            GROUP BY s.stage`,
          [workflowId, HISTORY],
        )
        .then(({ rows }) => {
          const byStage = this.samples.get(workflowId) ?? new Map<string, number[]>();
          for (const r of rows) if (!byStage.has(r.stage)) byStage.set(r.stage, r.durations.map(Number).reverse());
          this.samples.set(workflowId, byStage);
          return byStage;
        });
      p.catch(() => this.loading.delete(workflowId));
      this.loading.set(workflowId, p);
    }
    return p;
  }

  /** Records a successful stage duration (the event log persists it). */
  record(workflowId: string, stage: string, durationMs: number): void {
    const byStage = this.samples.get(workflowId) ?? new Map<string, number[]>();
    this.samples.set(workflowId, byStage);
    const list = byStage.get(stage) ?? [];
    list.push(durationMs);
    if (list.length > HISTORY) list.shift();
    byStage.set(stage, list);
  }

  /** Estimated duration of every stage of a workflow, in ms. */
  async estimates(plan: WorkflowPlan): Promise<Map<string, number>> {
    const byStage = await this.load(plan.def.id);
    const out = new Map<string, number>();
    for (const [name, plugin] of plan.stages) {
      const seen = byStage.get(name);
      out.set(name, seen?.length ? median(seen) : normalizePolicy(plugin.policy).estimateMs);
    }
    return out;
  }
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
