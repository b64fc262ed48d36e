/**
 * The state every stagegraph workflow shares. Stage outputs, decision records and
 * loop counters live here, so checkpoints, Studio and restore carry them.
 *
 * Storage: `outputs`, `decisions` and `decisionLog` grow with every stage and decision,
 * so they are LangGraph `DeltaChannel`s: a step stores only what it adds (its pending
 * write), not the whole accumulated value again, and a read replays the writes since
 * the nearest snapshot (one every {@link DELTA_SNAPSHOT_EVERY} updates). The other
 * channels are small or replaced whole (`scratch`) and keep full values per version.
 * `DeltaChannel` is beta in LangGraph 1.7; the stored form is LangGraph's own (pending
 * writes, `DeltaSnapshot` blobs), checkpoints stored with full values before it still
 * read and resume (they seed the replay), and retention (`graph/retention/keep.ts`)
 * keeps every checkpoint whose pending writes a replay needs.
 */
import { Annotation, DeltaChannel } from '@langchain/langgraph';
import type { DecisionRecord } from './decisions/types.ts';

export interface StageWarning {
  stage: string;
  code: string;
  class: string;
  message: string;
}

const merge = <T>(a: Record<string, T>, b: Record<string, T>) => ({ ...a, ...b });
const append = <T>(a: T[], b: T[]) => a.concat(b);

/**
 * Updates of a delta channel between full snapshots: bounds what a read replays.
 * Higher stores less and reads more. LangGraph's default.
 */
export const DELTA_SNAPSHOT_EVERY = 100;

/** A dict merged key by key, stored as deltas. The reducer is batching-invariant, as `DeltaChannel` requires. */
const mergedDelta = <T>() =>
  new DeltaChannel<Record<string, T>, Record<string, T>>((a, bs) => Object.assign({}, a, ...bs), { initialValueFactory: () => ({}), snapshotFrequency: DELTA_SNAPSHOT_EVERY });

/** A list appended to, stored as deltas. */
const appendedDelta = <T>() =>
  new DeltaChannel<T[], T[]>((a, bs) => a.concat(...bs), { initialValueFactory: () => [], snapshotFrequency: DELTA_SNAPSHOT_EVERY });

/** Which run this state belongs to; absent under LangGraph's own server. */
export interface RunInfo {
  id: string;
  workflowId: string;
  owner: string;
  /** Where the run writes its artifacts (`<outRoot>/<run id>/`). */
  outRoot: string;
  /** Seed for deterministic stages. */
  seed: number;
}

export const WorkflowState = Annotation.Root({
  /** The request the run started with (text or structured). */
  request: Annotation<unknown>(),
  run: Annotation<RunInfo | undefined>(),
  /** Output of each completed stage, by stage name. */
  outputs: mergedDelta<unknown>(),
  /** The latest decision of each decision point, by point name. */
  decisions: mergedDelta<DecisionRecord>(),
  /** Every decision in the order it was made (loops decide a point more than once). */
  decisionLog: appendedDelta<DecisionRecord>(),
  /** Stage names in completion order (compensation runs them in reverse). */
  completed: Annotation<string[]>({ reducer: append, default: () => [] }),
  /** Scratch of a stepped stage between its steps; `null` once it finished. */
  scratch: Annotation<Record<string, unknown>>({ reducer: merge, default: () => ({}) }),
  /** Times each bounded loop has been taken, by decision point. */
  iterations: Annotation<Record<string, number>>({ reducer: merge, default: () => ({}) }),
  /** Optional stages that were skipped, and other warnings. */
  warnings: Annotation<StageWarning[]>({ reducer: append, default: () => [] }),
  skipped: Annotation<string[]>({ reducer: append, default: () => [] }),
});

export type WorkflowStateValue = typeof WorkflowState.State;
export type WorkflowStateUpdate = typeof WorkflowState.Update;
