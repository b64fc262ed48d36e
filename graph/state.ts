/**
 * The state every stagegraph workflow shares. Stage outputs, decision records and
 * loop counters live here, so checkpoints, Studio and restore carry them.
 */
import { Annotation } from '@langchain/langgraph';
import type { DecisionRecord } from './decisions/types.ts';

export interface StageWarning {
  stage: string;
  code: string;
  class: string;
  message: string;
}

const merge = <T>(a: Record<string, T>, b: Record<string, T>) => ({ ...a, ...b });
const append = <T>(a: T[], b: T[]) => a.concat(b);

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
  outputs: Annotation<Record<string, unknown>>({ reducer: merge, default: () => ({}) }),
  /** The latest decision of each decision point, by point name. */
  decisions: Annotation<Record<string, DecisionRecord>>({ reducer: merge, default: () => ({}) }),
  /** Every decision in the order it was made (loops decide a point more than once). */
  decisionLog: Annotation<DecisionRecord[]>({ reducer: append, default: () => [] }),
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
