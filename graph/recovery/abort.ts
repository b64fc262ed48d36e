/**
 * Abort: stops in-flight work at once, moves the run to `aborted` (its error record
 * says the compensation is `pending`), compensates completed stages newest first, and
 * logs `workflow.aborted` once that is over. A run executing in another process is
 * aborted there (asked over NOTIFY). A process that dies in between leaves the
 * `pending` record that `finishAborts()` completes on the next start.
 */
import { StagegraphError, type SerializedError } from '../../nodes/errors.ts';
import type { RunRecorder } from '../events/log.ts';
import { ProcessLease } from '../runs/lease.ts';
import { assertTransition } from '../runs/status.ts';
import type { RunRow } from '../runs/store.ts';
import type { RecoveryParts } from './context.ts';
import { completionsOf, lineOf } from './line.ts';

/** What an abort records in the run's `error` until and after its compensation. */
export function abortRecord(reason: string, by: string | undefined, compensation: 'pending' | 'done' | 'failed'): SerializedError {
  return { code: 'run_aborted', class: 'fatal', message: reason, details: { ...(by !== undefined ? { by } : {}), compensation } };
}

/** Whether an aborted run's compensation is still to do (a dead process, or a compensation that failed). */
export function abortUnfinished(row: RunRow): boolean {
  return row.status === 'aborted' && ['pending', 'failed'].includes(String(row.error?.details?.compensation));
}

export async function abortRun(p: RecoveryParts, id: string, reason: string, by?: string, owner?: string): Promise<RunRow> {
  const row = await p.store.require(id, owner);
  assertTransition(id, row.status, 'abort');
  const active = p.executor.active.get(id);
  if (active) {
    active.stop = { reason: 'abort', by };
    active.controller.abort(new StagegraphError('run_aborted', reason, { class: 'fatal' }));
    // It keeps holding the run for the compensation below (handed over, not released).
    await active.done;
  } else if (await p.store.executingElsewhere(id, await p.executor.lease.key())) {
    // The process executing it aborts it, as if asked there.
    await ProcessLease.send(p.pool, { runId: id, action: 'abort', by, reason });
    return awaitAborted(p, id);
  }
  return p.executor.exclusive(id, async (rec) => {
    const aborted = await rec.transition('abort', { error: abortRecord(reason, by, 'pending') });
    return finishAbort(p, aborted, rec);
  }, { inherit: true });
}

/** Waits for another process to finish aborting run `id` (its compensation over). */
function awaitAborted(p: RecoveryParts, id: string): Promise<RunRow> {
  const aborted = (row: RunRow) => {
    if (row.status !== 'running' && row.status !== 'aborted') assertTransition(id, row.status, 'abort');
    return row.status === 'aborted' && row.error?.details?.compensation !== 'pending';
  };
  return p.store.waitUntil(id, aborted, 30_000, 'finish the abort');
}

/** Compensates what an abort has not yet compensated, then logs `workflow.aborted`. Call it holding the run (`rec`). */
export async function finishAbort(p: RecoveryParts, row: RunRow, rec: RunRecorder): Promise<RunRow> {
  const { built, graph } = await p.executor.workflowOf(row);
  const reason = row.error?.code === 'run_aborted' ? row.error.message : 'aborted';
  const by = row.error?.code === 'run_aborted' && typeof row.error.details.by === 'string' ? row.error.details.by : undefined;
  const result = await p.saga.compensate(row.id, built.plan, completionsOf(await lineOf(graph, row.id)), { rec });
  rec.patch({ error: abortRecord(reason, by, result.failed.length ? 'failed' : 'done') });
  await rec.append({ type: 'workflow.aborted', payload: { reason, by, compensated: result.compensated, ...(result.failed.length ? { failed: result.failed } : {}) } });
  return p.store.require(row.id);
}

/** Finishes the aborts dead processes left half-done. Returns their run ids. */
export async function finishAborts(p: RecoveryParts): Promise<string[]> {
  const finished: string[] = [];
  for (const row of await p.store.abortsUnfinished()) {
    if (p.executor.busy(row.id) || !(await p.executor.canRun(row))) continue;
    const ok = await p.executor.exclusive(row.id, (rec) => finishAbort(p, row, rec)).then(() => true, () => false);
    if (ok) finished.push(row.id);
  }
  return finished;
}
