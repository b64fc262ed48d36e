/**
 * What every recovery action works with, and the facts about a run they share: where
 * it last failed, and what a run waiting for input asks.
 */
import type pg from 'pg';
import type { SerializedError } from '../../nodes/errors.ts';
import type { RecoveryAction } from '../events/types.ts';
import type { EventLog } from '../events/log.ts';
import type { RunExecutor } from '../runs/executor.ts';
import type { RunRow, RunStore } from '../runs/store.ts';
import type { Saga } from './saga.ts';

/**
 * @example { action: 'rollback', by: 'ana', reason: 'wrong material table', stage: 'decide-materials' }
 */
export interface RecoveryRequest {
  action: RecoveryAction;
  /** Who asks: logged with the action. */
  by: string;
  /** Why: logged with the action. */
  reason: string;
  /** `provide_input`: the answer, a patch merged into the asking stage's input. */
  input?: unknown;
  /**
   * `rollback`: the checkpoint to go back to, one on the run's current line.
   * @default the last stable checkpoint before the failing (or next) stage
   */
  checkpointId?: string;
  /** `rollback`: go back to before the latest run of this stage. */
  stage?: string;
}

export interface RecoveryParts {
  store: RunStore;
  events: EventLog;
  executor: RunExecutor;
  saga: Saga;
  pool: pg.Pool;
}

export const thread = (id: string) => ({ configurable: { thread_id: id } });

/** The stage the run last failed in and its error (from its last `workflow.failed`). */
export async function failureOf(store: RunStore, row: RunRow): Promise<{ stage?: string; error?: SerializedError }> {
  const ev = await store.lastEvent(row.id, 'workflow.failed');
  const error = ev?.payload.error ?? row.error ?? undefined;
  const stage = ev?.payload.stage ?? (typeof error?.details.stage === 'string' ? error.details.stage : undefined);
  return { stage, error };
}

/** The stage a `waiting_input` run asks for, and its question as the error that made it ask. */
export function askingOf(row: RunRow): { stage?: string; error?: SerializedError } {
  const q = (row.question ?? {}) as { stage?: unknown; code?: unknown; question?: unknown; details?: unknown };
  const stage = typeof q.stage === 'string' ? q.stage : undefined;
  const message = typeof q.question === 'string' ? q.question : 'waiting for input';
  return { stage, error: { code: typeof q.code === 'string' ? q.code : 'input_needed', class: 'validation', message, details: (q.details ?? {}) as Record<string, unknown> } };
}
