/** A run as its row in `sg_runs` says it is. */
import type { SerializedError } from '../../nodes/errors.ts';
import type { RunStatus } from './status.ts';

export interface RunRow {
  id: string;
  workflowId: string;
  owner: string;
  status: RunStatus;
  request: unknown;
  options: Record<string, unknown>;
  currentStage: string | null;
  progress: number;
  etaMs: number | null;
  degraded: boolean;
  question: unknown;
  error: SerializedError | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** The lease key of the process executing (or holding) the run, if any. */
  executor: number | null;
}

/**
 * The columns `toRow` reads, for statements that must name them: a prepared statement
 * returning `*` fails with "cached plan must not change result type" (0A000) on every
 * execution after a migration adds a column, so a process running across a rolling
 * deploy would fail its runs.
 */
export const RUN_COLUMNS = 'id, workflow_id, owner, status, request, options, current_stage, progress, eta_ms, degraded, question, error, created_at, updated_at, finished_at, executor, fence, last_seq';

export function toRow(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as string,
    workflowId: r.workflow_id as string,
    owner: r.owner as string,
    status: r.status as RunStatus,
    request: r.request,
    options: r.options as Record<string, unknown>,
    currentStage: (r.current_stage as string) ?? null,
    progress: Number(r.progress),
    etaMs: (r.eta_ms as number) ?? null,
    degraded: r.degraded as boolean,
    question: r.question ?? null,
    error: (r.error as SerializedError) ?? null,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
    finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
    executor: (r.executor as number | null) ?? null,
  };
}

