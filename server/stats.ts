/**
 * `/api/stats`: per stage (executions, success rate, retries, p50/p90 duration) from
 * `sg_stage_stats`; per workflow (runs by status) from `sg_runs`; handoffs between
 * consecutive stages from `sg_events`. Always scoped to the caller's runs.
 */
import type pg from 'pg';
import type { z } from 'zod';
import type { StatsResponse } from './contract/schemas.ts';

export type GroupBy = 'day' | 'week' | 'month';
type Stats = z.output<typeof StatsResponse>;

const iso = (d: Date) => d.toISOString();

export async function runStats(pool: pg.Pool, owner: string, from: Date, to: Date, groupBy: GroupBy): Promise<Stats> {
  const args = [owner, groupBy, from, to];
  const [stages, workflows, handoffs] = await Promise.all([
    pool.query<{ period: Date; workflow_id: string; stage: string; executions: number; successes: number; retries: number; failures: number; p50: number | null; p90: number | null }>(
      `SELECT date_trunc($2, s.at, 'UTC') AS period, s.workflow_id, s.stage,
              count(*) FILTER (WHERE s.attempt = 1)::int AS executions,
              count(*) FILTER (WHERE s.ok)::int AS successes,
              count(*) FILTER (WHERE s.attempt > 1)::int AS retries,
              count(*) FILTER (WHERE NOT s.ok)::int AS failures,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_ms) FILTER (WHERE s.ok) AS p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY s.duration_ms) FILTER (WHERE s.ok) AS p90
         FROM sg_stage_stats s JOIN sg_runs r ON r.id = s.run_id
        WHERE r.owner = $1 AND s.at >= $3 AND s.at < $4
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      args,
    ),
    pool.query<{ period: Date; workflow_id: string; status: string; n: number }>(
      `SELECT date_trunc($2, created_at, 'UTC') AS period, workflow_id, status, count(*)::int AS n
         FROM sg_runs WHERE owner = $1 AND created_at >= $3 AND created_at < $4
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      args,
    ),
    // A `started` opens a new execution unless the stage's previous change was a start or
    // a step (retries and steps continue it); its source is the last stage completed or
    // skipped before it in the run.
    pool.query<{ period: Date; workflow_id: string; from_stage: string; to_stage: string; n: number }>(
      `WITH ch AS (
         SELECT e.run_id, r.workflow_id, e.seq, e.at, e.payload->>'stage' AS stage, e.payload->>'change' AS change
           FROM sg_events e JOIN sg_runs r ON r.id = e.run_id
          WHERE r.owner = $1 AND e.type = 'workflow.stage_changed' AND e.at >= $3 AND e.at < $4
            AND e.payload->>'change' IN ('started', 'step', 'completed', 'failed', 'skipped')
       ), starts AS (
         SELECT c.*, lag(c.change) OVER (PARTITION BY c.run_id, c.stage ORDER BY c.seq) AS prev FROM ch c
       )
       SELECT date_trunc($2, s.at, 'UTC') AS period, s.workflow_id, src.stage AS from_stage, s.stage AS to_stage, count(*)::int AS n
         FROM starts s
         CROSS JOIN LATERAL (
           SELECT d.stage FROM ch d WHERE d.run_id = s.run_id AND d.seq < s.seq AND d.change IN ('completed', 'skipped')
            ORDER BY d.seq DESC LIMIT 1
         ) src
        WHERE s.change = 'started' AND (s.prev IS NULL OR s.prev IN ('completed', 'failed', 'skipped'))
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      args,
    ),
  ]);

  const byWorkflow = new Map<string, Stats['workflows'][number]>();
  for (const r of workflows.rows) {
    const key = `${iso(r.period)}|${r.workflow_id}`;
    let w = byWorkflow.get(key);
    if (!w) byWorkflow.set(key, (w = { period: iso(r.period), workflow: r.workflow_id, runs: 0, byStatus: {} }));
    w.byStatus[r.status] = r.n;
    w.runs += r.n;
  }
  return {
    from: iso(from),
    to: iso(to),
    groupBy,
    stages: stages.rows.map((r) => ({
      period: iso(r.period),
      workflow: r.workflow_id,
      stage: r.stage,
      executions: r.executions,
      successes: r.successes,
      successRate: r.executions > 0 ? Math.min(1, r.successes / r.executions) : null,
      retries: r.retries,
      failures: r.failures,
      p50Ms: r.p50 === null ? null : Number(r.p50),
      p90Ms: r.p90 === null ? null : Number(r.p90),
    })),
    workflows: [...byWorkflow.values()],
    handoffs: handoffs.rows.map((r) => ({ period: iso(r.period), workflow: r.workflow_id, from: r.from_stage, to: r.to_stage, count: r.n })),
  };
}
