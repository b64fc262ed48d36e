/**
 * A workflow's retention policy: how long a finished run keeps its whole checkpoint
 * history before `gc()` reduces it to what restore and audit need.
 *
 * What a collected run keeps (see `keep.ts`): the checkpoints around every stage
 * completion and every decision, its first and final checkpoints (and the final one of
 * every earlier branch), the checkpoints its `workflow.resumed` events name, the blobs
 * those checkpoints reference and their pending writes; its events and decisions are
 * never touched. What it drops: the intermediate steps of stepped stages and anything
 * else between boundaries, their blobs and their pending writes.
 */
import { StagegraphError } from '../../nodes/errors.ts';
import type { RunStatus } from '../runs/status.ts';

/** Statuses whose runs may be collected; other runs can still continue and keep everything. */
export type CollectableStatus = Extract<RunStatus, 'completed' | 'aborted' | 'failed'>;

const COLLECTABLE: readonly CollectableStatus[] = ['completed', 'aborted', 'failed'];

/**
 * @example
 * defineWorkflow({ id: 'report', ..., retention: { afterDays: 30 } });
 * defineWorkflow({ id: 'audit-heavy', ..., retention: { afterDays: Infinity } }); // never collected
 */
export interface RetentionPolicy {
  /**
   * Days after a run finished (`finished_at`) before its history is collected.
   * `Infinity` never collects this workflow's runs. `stagegraph gc --older-than`
   * overrides it for one invocation, except where it is `Infinity`.
   * @default 7
   */
  afterDays?: number;
  /**
   * Statuses whose runs are collected. `running`, `paused`, `waiting_input` and `queued`
   * runs are never collected. `failed` runs are left whole by default: a retry, skip or
   * rollback reads their history (an aborted run is collected only once its
   * compensation is done).
   * @default ['completed', 'aborted']
   */
  statuses?: readonly CollectableStatus[];
}

export interface NormalizedRetention {
  afterMs: number;
  statuses: readonly CollectableStatus[];
}

const DAY_MS = 86_400_000;

/** The policy of a workflow that does not set one. */
export const DEFAULT_RETENTION: NormalizedRetention = { afterMs: 7 * DAY_MS, statuses: ['completed', 'aborted'] };

function invalid(workflowId: string, field: string, rule: string, got: unknown): never {
  throw new StagegraphError('workflow_invalid_retention', `workflow '${workflowId}': retention.${field} must be ${rule}, got ${JSON.stringify(got) ?? String(got)}`, {
    class: 'fatal',
    details: { workflowId, field, got: typeof got === 'number' && !Number.isFinite(got) ? String(got) : got },
  });
}

/**
 * Fills in the defaults once.
 * @throws StagegraphError `workflow_invalid_retention` naming the field.
 */
export function normalizeRetention(workflowId: string, policy: RetentionPolicy = {}): NormalizedRetention {
  const days = policy.afterDays ?? DEFAULT_RETENTION.afterMs / DAY_MS;
  if (typeof days !== 'number' || Number.isNaN(days) || days < 0) invalid(workflowId, 'afterDays', 'a number of days >= 0 (or Infinity)', days);
  const statuses = policy.statuses ?? DEFAULT_RETENTION.statuses;
  if (!Array.isArray(statuses)) invalid(workflowId, 'statuses', `a list of ${COLLECTABLE.join(', ')}`, statuses);
  for (const s of statuses) if (!COLLECTABLE.includes(s)) invalid(workflowId, 'statuses', `a list of ${COLLECTABLE.join(', ')}`, s);
  return { afterMs: days * DAY_MS, statuses: [...new Set(statuses)] };
}
