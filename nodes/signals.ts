/**
 * The signals a node sends about itself. Under stagegraph's executor they go to the
 * run's signal sink with the node's task id (see `graph/runs/signals.ts`), which turns
 * each into a typed RunEvent tied to the task; they also go to LangGraph's `custom`
 * stream, which is how they appear under LangGraph's own server.
 */
import type { DecisionRecord } from '../graph/decisions/types.ts';
import type { SerializedError } from './errors.ts';

export type StageSignal =
  | { sg: 'stage_started'; stage: string; attempt: number }
  | { sg: 'stage_finished'; stage: string; attempt: number; durationMs: number; step?: boolean }
  | { sg: 'stage_failed'; stage: string; attempt: number; durationMs: number; error: SerializedError; willRetry: boolean }
  | { sg: 'stage_skipped'; stage: string; error: SerializedError }
  | { sg: 'progress'; stage: string; pct: number; note?: string }
  | { sg: 'timeout_warning'; stage: string; elapsedMs: number; timeoutMs: number }
  | { sg: 'custom'; stage: string; name: string; data: Record<string, unknown> }
  | { sg: 'decision'; record: DecisionRecord; reused: boolean };

export function isStageSignal(chunk: unknown): chunk is StageSignal {
  return typeof chunk === 'object' && chunk !== null && typeof (chunk as { sg?: unknown }).sg === 'string';
}

/** Where stagegraph's executor takes a node's signals: keyed by LangGraph's task id. */
export type SignalSink = (task: string, signal: StageSignal) => void;

/** The signal writer of a node invocation (`config` as LangGraph passes it to the node). */
export function signalWriter(config: { context?: unknown; configurable?: Record<string, unknown>; writer?: (chunk: unknown) => void } | undefined): (s: StageSignal) => void {
  const sink = (config?.context as { stagegraph?: { signals?: SignalSink } } | undefined)?.stagegraph?.signals;
  const task = config?.configurable?.__pregel_task_id;
  return (s) => {
    if (sink && typeof task === 'string') sink(task, s);
    config?.writer?.(s);
  };
}
