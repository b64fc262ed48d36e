/**
 * Rollback: back to a stable checkpoint on the run's current line, compensating the
 * stages completed after it (newest first), then on from there. The `workflow.resumed`
 * event is logged before compensating, so a process that dies in between leaves a
 * trail the next start finishes (`crashOptions`).
 */
import { StagegraphError } from '../../nodes/errors.ts';
import type { RunRecorder } from '../events/log.ts';
import { assertTransition } from '../runs/status.ts';
import type { RunRow } from '../runs/store.ts';
import { failureOf, type RecoveryParts, type RecoveryRequest } from './context.ts';
import { before, completionsOf, lineOf, type Completion } from './line.ts';

/** @throws StagegraphError `invalid_transition`, `checkpoint_not_found`, `stage_not_reached` */
export async function rollback(p: RecoveryParts, row: RunRow, req: RecoveryRequest): Promise<RunRow> {
  const { action, by, reason } = req;
  assertTransition(row.id, row.status, 'rollback');
  const plan = await rollbackPlan(p, row, req);
  const resumed = { from: 'restore' as const, action, by, reason, checkpointId: plan.target, fromCheckpointId: plan.head, ...(plan.stage ? { stage: plan.stage } : {}) };
  await p.executor.execute(row, { action: 'rollback', input: null, checkpointId: plan.target, resumed, prepare: (rec) => compensateAll(p, rec, row, plan.todo) }).started;
  return { ...row, status: 'running', error: null, question: null };
}

/** Compensates `todo` (newest first); a compensation that still fails after its retries stops and fails the rollback. */
export async function compensateAll(p: RecoveryParts, rec: RunRecorder, row: RunRow, todo: Completion[]): Promise<void> {
  const result = await p.saga.compensate(row.id, (await p.executor.workflowOf(row)).built.plan, todo, { rec, stopOnFailure: true });
  if (result.failed.length) {
    throw new StagegraphError('compensation_failed', `run ${row.id}: rollback stopped: compensation failed for ${result.failed.map((s) => `'${s}'`).join(', ')}`, {
      class: 'fatal',
      details: { runId: row.id, stages: result.failed },
      hint: 'fix the cause, then roll back again: compensations already done are not repeated',
    });
  }
}

/** Where a rollback goes (`target`), from where (`head`), and the completions it compensates. */
async function rollbackPlan(p: RecoveryParts, row: RunRow, req: RecoveryRequest): Promise<{ head: string; target: string; todo: Completion[]; stage?: string }> {
  const { graph } = await p.executor.workflowOf(row);
  const line = await lineOf(graph, row.id);
  const head = line[line.length - 1];
  if (!head) throw new StagegraphError('checkpoint_not_found', `run ${row.id} has no checkpoint to roll back to`, { class: 'validation', details: { runId: row.id } });
  let target = head;
  let stage = req.stage;
  if (req.checkpointId !== undefined) {
    const found = line.find((l) => l.checkpointId === req.checkpointId);
    if (!found) {
      throw new StagegraphError('checkpoint_not_found', `run ${row.id} has no checkpoint ${req.checkpointId} on its current line`, {
        class: 'validation', details: { runId: row.id, checkpointId: req.checkpointId }, hint: 'use restore to fork from a checkpoint of another line',
      });
    }
    target = found;
  } else if (stage !== undefined) {
    const found = before(line, stage);
    if (!found) throw new StagegraphError('stage_not_reached', `run ${row.id} never reached stage '${stage}'`, { class: 'validation', details: { runId: row.id, stage } });
    target = found;
  } else {
    // A rollback whose compensation failed resumes toward the same target.
    const last = (await p.store.lastEvent(row.id, 'workflow.resumed'))?.payload;
    const pending = last?.action === 'rollback' && last.fromCheckpointId === head.checkpointId ? line.find((l) => l.checkpointId === last.checkpointId) : undefined;
    stage = pending ? last?.stage : row.status === 'failed' ? (await failureOf(p.store, row)).stage : head.next[0];
    target = pending ?? (stage !== undefined && head.next.includes(stage) ? before(line, stage)! : head);
  }
  return { head: head.checkpointId, target: target.checkpointId, todo: completionsOf(line).slice(target.completed.length), ...(stage ? { stage } : {}) };
}
