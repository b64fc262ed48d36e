/**
 * The runs table's side of the queue, run on the caller's transaction: a run inserted
 * `queued` with its started event (its job is sent in the same transaction), and a
 * queued run taken by a worker (compare-and-set `queued` -> `running`, the worker's
 * executor key, a new fence), under its workflow's concurrency limit.
 */
import type pg from 'pg';
import type { RunEventDraft } from '../events/types.ts';
import { LEASE_CLASS } from '../runs/lease.ts';
import { toRow, type RunRow } from '../runs/row.ts';
import type { Taken } from '../runs/store.ts';

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
       INSERT INTO sg_runs (id, workflow_id, owner, status, request, options, executor, fence, last_seq)
       VALUES ($1, $2, $3, 'queued', $4, $5, NULL, 0, 1) RETURNING *),
     e AS (INSERT INTO sg_events (run_id, seq, type, at, payload) SELECT r.id, 1, $6, $7, $8 FROM r)
     SELECT r.* FROM r`,
    [run.id, run.workflowId, run.owner, JSON.stringify(run.request), JSON.stringify(run.options), started.type, at, JSON.stringify(started.payload)],
  );
  return toRow(rows[0]);
}

export type TakeQueued = { taken: Taken } | { skipped: 'not_queued' | 'at_limit' };

/**
 * Takes queued run `id` for `executor`. With a `limit`, the workflow's running runs are
 * counted under a transaction lock of that workflow, so two workers never both take
 * the last slot.
 */
export async function takeQueued(db: Queryable, id: string, workflowId: string, executor: number, limit?: number): Promise<TakeQueued> {
  if (limit !== undefined) {
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LEASE_CLASS + 1, workflowId]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sg_runs WHERE workflow_id = $1 AND status = 'running'`, [workflowId]);
    if (rows[0]!.n >= limit) return { skipped: 'at_limit' };
  }
  const { rows } = await db.query(
    `UPDATE sg_runs SET status = 'running', executor = $2, fence = fence + 1, updated_at = now()
      WHERE id = $1 AND status = 'queued' RETURNING *`,
    [id, executor],
  );
  const r = rows[0];
  if (!r) return { skipped: 'not_queued' };
  return { taken: { row: toRow(r), holding: { fence: String(r.fence), lastSeq: Number(r.last_seq) }, events: [] } };
}
