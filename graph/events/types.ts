/**
 * RunEvent: the closed union of everything a run reports. Each event carries
 * `runId`, a gap-free per-run `seq`, `at` and its payload. A type not in this union
 * does not compile.
 */
import type { SerializedError } from '../../nodes/errors.ts';
import type { DecisionRecord } from '../decisions/types.ts';
import type { RunStatus } from '../runs/status.ts';

export type StageChange = 'started' | 'step' | 'completed' | 'failed' | 'skipped' | 'compensated' | 'compensation_failed';

/** What a person (or a restart) asked of a run to recover it (`runs.recover()`). */
export type RecoveryAction = 'retry' | 'skip' | 'provide_input' | 'rollback' | 'abort';

export interface RunEventPayloads {
  'workflow.started': { workflowId: string; request: unknown; owner: string };
  'workflow.stage_changed': {
    stage: string;
    change: StageChange;
    attempt?: number;
    durationMs?: number;
    error?: SerializedError;
    willRetry?: boolean;
    /** `compensated` / `compensation_failed`: the stage completion this is about (`<stage>@<checkpoint id>`). */
    completion?: string;
    /** `skipped`: the warning the run carries for it (the run is degraded). */
    warning?: string;
    /** `skipped` by a recovery action: who asked. */
    by?: string;
  };
  'workflow.progress_updated': { stage: string; stagePct: number; progressPct: number; etaMs: number; note?: string };
  'workflow.decision_made': { decision: DecisionRecord; reused: boolean };
  'workflow.timeout_warning': { stage: string; elapsedMs: number; timeoutMs: number };
  'workflow.error': { stage?: string; error: SerializedError; willRetry: boolean };
  /** `reason: 'input'` means the run waits for a person to answer `question`. */
  'workflow.paused': { reason: 'pause' | 'shutdown' | 'input'; by?: string; next: string[]; question?: unknown };
  /**
   * A recovery action (`action`) says who asked and why. A rollback resumes `from:
   * 'restore'` (a new line from `checkpointId`; `fromCheckpointId` is where the run
   * was) and is logged before its compensations run.
   */
  'workflow.resumed': {
    from: 'paused' | 'waiting_input' | 'crash' | 'restore' | 'failed';
    checkpointId?: string;
    by?: string;
    action?: RecoveryAction;
    reason?: string;
    /** The stage a `retry` or `skip` is about. */
    stage?: string;
    fromCheckpointId?: string;
  };
  'workflow.completed': { degraded: boolean; warnings: string[]; durationMs: number };
  'workflow.failed': { error: SerializedError; stage?: string };
  /** Logged once compensation is over; `failed` lists stages whose compensation failed after its retries. */
  'workflow.aborted': { reason: string; by?: string; compensated: string[]; failed?: string[] };
  /** A plugin's own event (`ctx.emit`), or a circuit breaker's state change (`name: 'circuit.state_changed'`). */
  'workflow.custom': { stage: string; name: string; data: Record<string, unknown> };
}

export type RunEventType = keyof RunEventPayloads;

export const RUN_EVENT_TYPES = [
  'workflow.started', 'workflow.stage_changed', 'workflow.progress_updated', 'workflow.decision_made',
  'workflow.timeout_warning', 'workflow.error', 'workflow.paused', 'workflow.resumed', 'workflow.completed',
  'workflow.failed', 'workflow.aborted', 'workflow.custom',
] as const satisfies readonly RunEventType[];

/** An event before the log gives it a `seq`. */
export type RunEventDraft = { [T in RunEventType]: { type: T; payload: RunEventPayloads[T] } }[RunEventType];

export type RunEvent = RunEventDraft & { runId: string; seq: number; at: string };

/** Events after which a run executes no more (until `restore`). */
export const TERMINAL_EVENTS: ReadonlySet<RunEventType> = new Set(['workflow.completed', 'workflow.failed', 'workflow.aborted']);

/** The status a terminal or pausing event moves a run to. */
export const EVENT_STATUS: Partial<Record<RunEventType, RunStatus>> = {
  'workflow.completed': 'completed',
  'workflow.failed': 'failed',
  'workflow.aborted': 'aborted',
};
