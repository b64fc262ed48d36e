/**
 * Skip: an optional stage that failed (or asks a question) is written as if it had
 * finished, with a warning; the run goes on degraded. The skip is the stage's own
 * state update, so the stage's edges fire as usual.
 */
import { StagegraphError, type SerializedError } from '../../nodes/errors.ts';
import { normalizePolicy } from '../../nodes/policy.ts';
import { skipWarning } from '../../nodes/stage.ts';
import type { RunRecorder } from '../events/log.ts';
import { assertTransition } from '../runs/status.ts';
import type { RunRow } from '../runs/store.ts';
import type { WorkflowStateUpdate } from '../state.ts';
import { askingOf, failureOf, thread, type RecoveryParts, type RecoveryRequest } from './context.ts';

/** @throws StagegraphError `invalid_transition`, `skip_not_allowed` */
export async function skip(p: RecoveryParts, row: RunRow, req: RecoveryRequest): Promise<RunRow> {
  const { action, by, reason } = req;
  assertTransition(row.id, row.status, 'skip');
  const { stage, error } = row.status === 'waiting_input' ? askingOf(row) : await failureOf(p.store, row);
  const { built, graph } = await p.executor.workflowOf(row);
  const state = await graph.getState(thread(row.id));
  const plugin = stage === undefined ? undefined : built.plan.stages.get(stage);
  if (stage === undefined || !plugin || !normalizePolicy(plugin.policy).optional || !state.next.includes(stage)) {
    throw new StagegraphError('skip_not_allowed', `run ${row.id}: ${stage === undefined ? 'no failed stage to skip' : plugin ? `stage '${stage}' is not optional` : `'${stage}' is not a stage`}`, {
      class: 'validation',
      details: { runId: row.id, stage, optional: plugin ? normalizePolicy(plugin.policy).optional : undefined },
      hint: 'only an optional stage may be skipped; retry, roll back or abort instead',
    });
  }
  const from = row.status === 'waiting_input' ? ('waiting_input' as const) : ('failed' as const);
  const resumed = { from, action, by, reason, stage, fromCheckpointId: state.config.configurable.checkpoint_id as string };
  await p.executor.execute(row, { action: 'skip', input: null, resumed, prepare: (rec) => applySkip(p, rec, row, stage, error, by) }).started;
  return { ...row, status: 'running', error: null, question: null, degraded: true };
}

/** Writes the skip as the stage's own update (its edges fire as if it had finished) and marks the run degraded. */
export async function applySkip(p: RecoveryParts, rec: RunRecorder, row: RunRow, stage: string, error: SerializedError | undefined, by?: string): Promise<void> {
  const { built, graph } = await p.executor.workflowOf(row);
  const cause: SerializedError = error ?? { code: 'skipped', class: 'degradable', message: 'skipped on request', details: {} };
  const warning = skipWarning(stage, cause);
  const stepped = normalizePolicy(built.plan.stages.get(stage)?.policy).stepped;
  const update: WorkflowStateUpdate = { skipped: [stage], warnings: [warning], ...(stepped ? { scratch: { [stage]: null } } : {}) };
  // The update's checkpoint carries the skip's event and the degraded row in its statement.
  rec.withNextCheckpoint({ type: 'workflow.stage_changed', payload: { stage, change: 'skipped', error: cause, warning: warning.message, ...(by ? { by } : {}) } }, { degraded: true });
  await graph.updateState(thread(row.id), update, stage);
}
