/**
 * `gc()`: collects the checkpoint history of finished runs by their workflow's
 * retention policy (`policy.ts`), keeping what restore and audit need (`keep.ts`).
 *
 * Each run is collected in its own transaction that holds the run's row (`FOR UPDATE`)
 * and re-checks it is still finished, old enough and executed by no process, so a
 * restore, retry or abort that takes the run waits for the collection and then sees
 * only kept checkpoints. A dry run does the same work and rolls it back, so its figures
 * are exactly what a real run would drop. Events and decisions are never touched.
 * Collecting a collected run again drops nothing.
 */
import type pg from 'pg';
import type { BuiltWorkflow } from '../compile.ts';
import type { WorkflowDefinition } from '../workflow.ts';
import { keepPlan, type CheckpointMeta } from './keep.ts';
import { normalizeRetention } from './policy.ts';

/** Rows and their stored size (bytes of the serialized values: blobs, checkpoint and metadata JSON). */
export interface Tally {
  rows: number;
  bytes: number;
}

export interface Dropped {
  checkpoints: Tally;
  blobs: Tally;
  writes: Tally;
}

export interface RunCollection {
  runId: string;
  workflowId: string;
  status: string;
  /** Checkpoints left. */
  kept: number;
  dropped: Dropped;
}

export interface GcReport {
  dryRun: boolean;
  /** Runs that were finished long enough ago, in a status their policy collects. */
  examined: number;
  /** Runs that lost something (already collected runs lose nothing). */
  runs: RunCollection[];
  /** Totals over `runs`. */
  dropped: Dropped & { bytes: number };
}

export interface GcOptions {
  /** The clock that ages runs. @default new Date() */
  now?: Date;
  /** Report what would be dropped, drop nothing. @default false */
  dryRun?: boolean;
  /** Overrides each workflow's `retention.afterDays` for this call (not where it is `Infinity`). */
  olderThanMs?: number;
}

const empty = (): Dropped => ({ checkpoints: { rows: 0, bytes: 0 }, blobs: { rows: 0, bytes: 0 }, writes: { rows: 0, bytes: 0 } });

/** The checkpoint ids a run's events name: restore and rollback targets and sources, completion keys. */
const PINNED_SQL = `SELECT DISTINCT id FROM sg_events e,
  LATERAL (VALUES (e.payload->>'checkpointId'), (e.payload->>'fromCheckpointId'), (substring(e.payload->>'completion' FROM '@([^@]*)$'))) AS v(id)
  WHERE e.run_id = $1 AND v.id IS NOT NULL`;

const tally = async (client: pg.PoolClient, sql: string, values: unknown[]): Promise<Tally> => {
  const { rows } = await client.query<{ rows: string; bytes: string }>(`WITH d AS (${sql}) SELECT count(*) AS rows, coalesce(sum(n), 0) AS bytes FROM d`, values);
  return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) };
};

/** Collects one run, holding its row; `undefined` if it no longer qualifies. */
async function collectRun(pool: pg.Pool, runId: string, statuses: readonly string[], finishedBefore: Date, dryRun: boolean): Promise<RunCollection | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: [run] } = await client.query<{ workflow_id: string; status: string }>(
      `SELECT workflow_id, status FROM sg_runs WHERE id = $1 AND status = ANY($2) AND executor IS NULL AND finished_at <= $3
         AND NOT (status = 'aborted' AND coalesce(error->'details'->>'compensation', 'done') <> 'done')
       FOR UPDATE`,
      [runId, statuses, finishedBefore],
    );
    if (!run) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const { rows: checkpoints } = await client.query<{ id: string; parent_id: string | null; versions: Record<string, string | number> | null }>(
      `SELECT checkpoint_id AS id, parent_checkpoint_id AS parent_id, checkpoint->'channel_versions' AS versions FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = ''`,
      [runId],
    );
    const pinned = new Set((await client.query<{ id: string }>(PINNED_SQL, [runId])).rows.map((r) => r.id));
    const plan = keepPlan(checkpoints.map((c): CheckpointMeta => ({ id: c.id, parentId: c.parent_id, versions: c.versions ?? {} })), pinned);
    const result: RunCollection = { runId, workflowId: run.workflow_id, status: run.status, kept: plan.keep.size, dropped: empty() };
    if (plan.drop.length > 0) {
      const relinked = [...plan.relink];
      await client.query(
        `UPDATE checkpoints c SET parent_checkpoint_id = x.parent FROM unnest($2::text[], $3::text[]) AS x(id, parent)
          WHERE c.thread_id = $1 AND c.checkpoint_ns = '' AND c.checkpoint_id = x.id`,
        [runId, relinked.map(([id]) => id), relinked.map(([, parent]) => parent)],
      );
      result.dropped.writes = await tally(client, `DELETE FROM checkpoint_writes WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id = ANY($2) RETURNING octet_length(blob) AS n`, [runId, plan.drop]);
      result.dropped.checkpoints = await tally(
        client,
        `DELETE FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id = ANY($2) RETURNING octet_length(checkpoint::text) + octet_length(metadata::text) AS n`,
        [runId, plan.drop],
      );
    }
    // Blobs no remaining checkpoint references (those of dropped checkpoints, and any left unreferenced before).
    result.dropped.blobs = await tally(
      client,
      `DELETE FROM checkpoint_blobs b WHERE b.thread_id = $1 AND b.checkpoint_ns = ''
         AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = '' AND c.checkpoint->'channel_versions'->>b.channel = b.version)
       RETURNING coalesce(octet_length(blob), 0) AS n`,
      [runId],
    );
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * Collects the finished runs of `workflows` whose policy says they are old enough.
 * Runs of workflows not passed in are left alone.
 * @throws StagegraphError `workflow_invalid_retention` for a bad policy (before anything is collected).
 * @example
 * const report = await gc(db, builtinWorkflows(), { dryRun: true });
 * console.log(report.runs.length, 'runs,', report.dropped.bytes, 'bytes');
 */
export async function gc(db: { pool: pg.Pool }, workflows: Iterable<WorkflowDefinition | BuiltWorkflow>, options: GcOptions = {}): Promise<GcReport> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const policies = [...workflows].map((w) => {
    const def = 'plan' in w ? w.def : w;
    const policy = normalizeRetention(def.id, def.retention);
    const afterMs = options.olderThanMs !== undefined && Number.isFinite(policy.afterMs) ? options.olderThanMs : policy.afterMs;
    return { id: def.id, statuses: policy.statuses, afterMs };
  });
  const report: GcReport = { dryRun, examined: 0, runs: [], dropped: { ...empty(), bytes: 0 } };
  for (const p of policies) {
    if (!Number.isFinite(p.afterMs) || p.statuses.length === 0) continue;
    const finishedBefore = new Date(now.getTime() - p.afterMs);
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT id FROM sg_runs WHERE workflow_id = $1 AND status = ANY($2) AND executor IS NULL AND finished_at <= $3 ORDER BY finished_at`,
      [p.id, p.statuses, finishedBefore],
    );
    for (const { id } of rows) {
      const run = await collectRun(db.pool, id, p.statuses, finishedBefore, dryRun);
      if (!run) continue;
      report.examined++;
      const d = run.dropped;
      if (d.checkpoints.rows + d.blobs.rows + d.writes.rows === 0) continue;
      report.runs.push(run);
      for (const k of ['checkpoints', 'blobs', 'writes'] as const) {
        report.dropped[k].rows += d[k].rows;
        report.dropped[k].bytes += d[k].bytes;
        report.dropped.bytes += d[k].bytes;
      }
    }
  }
  return report;
}
