/** What a caller sees of a run and of its checkpoints. */
import type { DecisionRecord } from '../decisions/types.ts';
import type { WorkflowPlan } from '../plan.ts';
import type { StageWarning, WorkflowStateValue } from '../state.ts';
import type { RunRow } from './store.ts';

export interface RunView extends RunRow {
  /** Nodes that run next (empty when finished). */
  next: string[];
  /** Stages completed, in order. */
  completed: string[];
  skipped: string[];
  warnings: StageWarning[];
  decisions: DecisionRecord[];
  /** Every completed stage's output, by stage name, in any run state. */
  partialResults: Record<string, unknown>;
  /** Stages of the workflow not completed yet. */
  missing: string[];
  checkpointId?: string;
}

export interface CheckpointInfo {
  checkpointId: string;
  parentCheckpointId?: string;
  createdAt: string;
  step: number;
  /** What runs after this checkpoint. */
  next: string[];
  completed: string[];
}

interface Snapshot {
  values: unknown;
  next: string[];
  config: { configurable?: { checkpoint_id?: string } };
  parentConfig?: { configurable?: { checkpoint_id?: string } };
  createdAt?: string;
  metadata?: { step?: number };
}

export function toRunView(row: RunRow, snap: Snapshot, plan: WorkflowPlan): RunView {
  const v = (snap.values ?? {}) as Partial<WorkflowStateValue>;
  const completed = v.completed ?? [];
  const done = new Set([...completed, ...(v.skipped ?? [])]);
  return {
    ...row,
    next: snap.next ?? [],
    completed,
    skipped: v.skipped ?? [],
    warnings: v.warnings ?? [],
    decisions: v.decisionLog ?? [],
    partialResults: v.outputs ?? {},
    missing: [...plan.stages.keys()].filter((s) => !done.has(s)),
    checkpointId: snap.config?.configurable?.checkpoint_id,
  };
}

export function toCheckpoint(snap: Snapshot): CheckpointInfo {
  const v = (snap.values ?? {}) as Partial<WorkflowStateValue>;
  return {
    checkpointId: snap.config.configurable!.checkpoint_id!,
    parentCheckpointId: snap.parentConfig?.configurable?.checkpoint_id,
    createdAt: snap.createdAt ?? '',
    step: snap.metadata?.step ?? 0,
    next: snap.next ?? [],
    completed: v.completed ?? [],
  };
}
