/**
 * The chunks a stage node writes to LangGraph's `custom` stream. The run executor
 * turns each into a typed RunEvent; under LangGraph's own server they stream as-is.
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
