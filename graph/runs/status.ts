/**
 * The run status transition table. Every change of a run's status goes through
 * `assertTransition`; anything else throws `invalid_transition` naming the run, its
 * status and the attempted action.
 */
import { StagegraphError } from '../../nodes/errors.ts';

export const RUN_STATUSES = ['queued', 'running', 'paused', 'waiting_input', 'completed', 'failed', 'aborted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type RunAction = 'start' | 'pause' | 'resume' | 'answer' | 'abort' | 'restore' | 'retry' | 'skip' | 'rollback' | 'complete' | 'fail' | 'wait' | 'drain';

/** From which statuses each action may be taken, and the status it leads to. */
export const TRANSITIONS: Record<RunAction, { from: readonly RunStatus[]; to: RunStatus }> = {
  start: { from: ['queued'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  drain: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  answer: { from: ['waiting_input'], to: 'running' },
  /** From `failed` too: giving up on a failed run compensates what it completed. */
  abort: { from: ['queued', 'running', 'paused', 'waiting_input', 'failed'], to: 'aborted' },
  restore: { from: ['paused', 'waiting_input', 'completed', 'failed', 'aborted'], to: 'running' },
  /** Recovery: rerun the failed stage from the last checkpoint. */
  retry: { from: ['failed'], to: 'running' },
  /** Recovery: skip the failed (or asking) optional stage and go on degraded. */
  skip: { from: ['failed', 'waiting_input'], to: 'running' },
  /** Recovery: compensate back to the last stable checkpoint and go on from there. */
  rollback: { from: ['failed', 'paused', 'waiting_input'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['running'], to: 'failed' },
  wait: { from: ['running'], to: 'waiting_input' },
};

/** Statuses a run never leaves on its own (only `restore` or `abort` act on them). */
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'aborted']);

export function canTransition(status: RunStatus, action: RunAction): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/**
 * @param name the action as the caller named it, when it differs (a recovery action such as `provide_input`).
 * @throws StagegraphError `invalid_transition`
 */
export function assertTransition(runId: string, status: RunStatus, action: RunAction, name: string = action): RunStatus {
  if (!canTransition(status, action)) {
    throw new StagegraphError('invalid_transition', `run ${runId} is ${status}: cannot ${name} (allowed from ${TRANSITIONS[action].from.join(', ')})`, {
      class: 'validation',
      details: { runId, status, action: name, allowedFrom: TRANSITIONS[action].from },
    });
  }
  return TRANSITIONS[action].to;
}
