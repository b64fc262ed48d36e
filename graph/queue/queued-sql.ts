/**
 * The runs table's side of the queue, run on the caller's transaction: a run inserted
 * `queued` with its started event (its job is sent in the same transaction), and a
 * queued run taken by a worker (compare-and-set `queued` -> `running`, the worker's
 * executor key, a new fence), under its workflow's concurrency limit.
 */
import type pg from 'pg';
import type { RunEventDraft } from '../events/types.ts';
import { executorAlive, LEASE_CLASS } from '../runs/lease.ts';
import { toRow, type RunRow } from '../runs/row.ts';
import type { Taken } from '../runs/store.ts';
import type { RunIntent } from './intent.ts';

export interface QueuedFields {
  id: string;
  workflowId: string;
  owner: string;
  request: unknown;
  options: Record<string, unknown>;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Inserts the run `queued` with `started` as its first event. */
export async function insertQueued(db: Queryable, run: QueuedFields, started: RunEventDraft, at: Date): Promise<RunRow> {
  const { rows } = await db.query(
    `WITH r AS (
       INSERT INTO sg_runs (id, workflow_id, owner, status, request, options, executor, fence, last_seq, queued_at)
       VALUES ($1, $2, $3, 'queued', $4, $5, NULL, 0, 1, now()) RETURNING *),
     e AS (INSERT INTO sg_events (run_id, seq, type, at, payload) SELECT r.id, 1, $6, $7, $8 FROM r)
     SELECT r.* FROM r`,
    [run.id, run.workflowId, run.owner, JSON.stringify(run.request), JSON.stringify(run.options), started.type, at, JSON.stringify(started.payload)],
  );
  return toRow(rows[0]);
}

export type TakeQueued = { taken: Taken; intent: RunIntent | null } | { skipped: 'not_queued' | 'at_limit' };

/** At most `runs` takes of a workflow's runs in any `perSeconds` window, across every worker. */
export interface RateLimit {
  runs: number;
  perSeconds: number;
}

/**
 * Takes queued run `id` for `executor`. With a `limit` (runs running at once) or a
 * `rate` (takes per window), the workflow's runs are counted under a transaction lock
 * of that workflow, so two workers never both take the last slot.
 */
export async function takeQueued(db: Queryable, id: string, workflowId: string, executor: number, limit?: number, rate?: RateLimit): Promise<TakeQueued> {
  if (limit !== undefined || rate !== undefined) {
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LEASE_CLASS + 1, workflowId]);
    const { rows } = await db.query<{ running: number; recent: number }>(
      `SELECT count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE taken_at > now() - make_interval(secs => $2))::int AS recent
         FROM sg_runs WHERE workflow_id = $1 AND (status = 'running' OR taken_at > now() - make_interval(secs => $2))`,
      [workflowId, rate?.perSeconds ?? 0],
    );
    if (limit !== undefined && rows[0]!.running >= limit) return { skipped: 'at_limit' };
    if (rate !== undefined && rows[0]!.recent >= rate.runs) return { skipped: 'at_limit' };
  }
  // The intent (what to do: start when none) is read and cleared in the same statement.
  const { rows } = await db.query(
    `UPDATE sg_runs r SET status = 'running', executor = $2, fence = r.fence + 1, pending = NULL, taken_at = now(), updated_at = now()
       FROM (SELECT id, pending FROM sg_runs WHERE id = $1 FOR UPDATE) o
      WHERE r.id = o.id AND r.status = 'queued' RETURNING r.*, o.pending AS intent`,
    [id, executor],
  );
  const r = rows[0];
  if (!r) return { skipped: 'not_queued' };
  return { taken: { row: toRow(r), holding: { fence: String(r.fence), lastSeq: Number(r.last_seq) }, events: [] }, intent: (r.intent ?? null) as RunIntent | null };
}

/**
 * Queues run `id` again with an intent (a resume, an answer, ...), if it is in one of
 * `from` and no live process holds it. Returns the row, or undefined when it was not.
 */
export async function requeue(db: Queryable, id: string, from: readonly string[], intent: RunIntent): Promise<RunRow | undefined> {
  const { rows } = await db.query(
    `UPDATE sg_runs SET status = 'queued', pending = $3, executor = NULL, queued_at = now(), updated_at = now()
      WHERE id = $1 AND status = ANY($2::text[]) AND (executor IS NULL OR NOT ${executorAlive('sg_runs.executor')}) RETURNING *`,
    [id, from, JSON.stringify(intent)],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}
