/**
 * What the evaluator reads (samples: one row per finished run, stage attempt, error,
 * decision) and what it reports (metrics with grades, comparisons, regressions).
 * Samples are what a baseline stores besides its metrics: the comparison needs them.
 */
import type { ErrorClass } from '../../nodes/errors.ts';
import type { Percentiles } from './stats.ts';

export type Grade = 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR';
export const GRADES: readonly Grade[] = ['EXCELLENT', 'GOOD', 'FAIR', 'POOR'];

/** The runs an evaluation covers: finished (completed or failed) runs created in [from, to), newest `limit`. */
export interface EvaluationWindow {
  workflowId: string;
  /** Whose runs. */
  owner: string;
  /** ISO 8601; null: from the first run. */
  from: string | null;
  /** ISO 8601 (exclusive). */
  to: string;
  /** At most this many runs, the newest. */
  limit: number;
}

/** A finished run. `durationMs`: created to finished (queue waits and waits for an answer included). */
export interface RunSample {
  runId: string;
  status: 'completed' | 'failed';
  createdAt: string;
  durationMs: number;
  /** Failed runs: the class and code of the error that failed them, and the stage it came from. */
  error?: { class: ErrorClass; code: string; stage?: string };
}

/** One attempt of a stage (`sg_stage_stats`): its duration, whether it succeeded, its attempt number. */
export interface StageSample {
  runId: string;
  stage: string;
  durationMs: number;
  ok: boolean;
  attempt: number;
}

/** A failed stage attempt (`workflow.error`), retried or not. */
export interface ErrorSample {
  runId: string;
  stage: string;
  class: ErrorClass;
  code: string;
  willRetry: boolean;
}

/** A decision of a run, with the latest verdict people gave it. */
export interface DecisionSample {
  runId: string;
  point: string;
  confidence: number;
  method: string;
  /** How many people agreed and disagreed with it (`sg_feedback`). */
  agree: number;
  disagree: number;
}

export interface EvaluationSamples {
  runs: RunSample[];
  stages: StageSample[];
  errors: ErrorSample[];
  decisions: DecisionSample[];
  /** Finished runs outside the samples: aborted ones (a person's call, not the workflow's failure). */
  aborted: number;
}

export type ErrorCounts = Record<ErrorClass, number>;

/** Errors by class: counts, and each class's rate over the same denominator as `rate`. */
export interface ErrorTally {
  total: number;
  rate: number | null;
  byClass: ErrorCounts;
  rateByClass: Record<ErrorClass, number | null>;
}

export interface StageGrades {
  successRate: Grade | null;
  duration: Grade | null;
  retries: Grade | null;
  errors: Grade | null;
}

export interface WorkflowGrades extends StageGrades {
  decisions: Grade | null;
  feedback: Grade | null;
}

export interface StageMetrics {
  stage: string;
  /** Executions (first attempts) and how many ended in success. */
  executions: number;
  successes: number;
  successRate: number | null;
  /** Of successful attempts: the time of the attempt that succeeded. */
  durationMs: Percentiles;
  attempts: number;
  /** Attempts beyond the first, and their rate per execution. */
  retries: number;
  retryRate: number | null;
  /** Failed attempts by class, and their share of attempts. */
  errors: ErrorTally;
  grades: StageGrades;
  grade: Grade | null;
}

export interface DecisionPointMetrics {
  point: string;
  count: number;
  meanConfidence: number;
  agree: number;
  disagree: number;
  agreement: number | null;
}

export interface WorkflowMetrics {
  workflowId: string;
  runs: { finished: number; completed: number; failed: number; aborted: number };
  successRate: number | null;
  /** End to end, completed runs. */
  durationMs: Percentiles;
  /** Time spent in stages (every attempt) per completed run. */
  stageTimeMs: Percentiles;
  /** Failed runs by the class of the error that failed them, and their share of finished runs. */
  failures: ErrorTally;
  /** Failed stage attempts (retried or not) by class, and their share of attempts. */
  errors: ErrorTally;
  retries: { executions: number; retries: number; rate: number | null };
  decisions: { count: number; meanConfidence: number | null; byPoint: DecisionPointMetrics[] };
  feedback: { agree: number; disagree: number; agreement: number | null };
  stages: StageMetrics[];
  grades: WorkflowGrades;
  grade: Grade | null;
}

export type ComparedMetric = 'duration' | 'successRate';

/** One metric of the workflow (`stage: null`) or a stage compared with the baseline. */
export interface Comparison {
  workflowId: string;
  stage: string | null;
  metric: ComparedMetric;
  /** Baseline and current: median ms (duration) or success rate. */
  baseline: number | null;
  current: number | null;
  /** Relative change: +0.12 is 12 % slower; -0.3 a success rate 30 % lower. */
  change: number | null;
  /** Duration: the lower confidence bound of current / baseline - 1 (a slowdown at least this large). */
  lowerBound: number | null;
  pValue: number | null;
  samples: { baseline: number; current: number };
  regressed: boolean;
  /** Why it is or is not a regression, in one line. */
  verdict: string;
  /** A regression's evidence: the current runs that show it (slowest or failed first), at most 10, and how many there are. */
  evidence: { runs: EvidenceRun[]; count: number };
}

export interface EvidenceRun {
  runId: string;
  durationMs?: number;
  error?: { class: ErrorClass; code: string; stage?: string };
}

export interface BaselineInfo {
  id: string;
  workflowId: string;
  owner: string;
  createdAt: string;
  window: { from: string | null; to: string; runs: number };
}

export interface Baseline extends BaselineInfo {
  metrics: WorkflowMetrics;
  samples: EvaluationSamples;
}

export interface CheckReport {
  workflowId: string;
  /** `regressed`: at least one regression; `ok`: none; `no_baseline`: nothing to compare with. */
  status: 'regressed' | 'ok' | 'no_baseline';
  baseline: BaselineInfo | null;
  /** The current runs: the window compared, and its metrics. */
  window: { from: string | null; to: string; runs: number };
  metrics: WorkflowMetrics;
  comparisons: Comparison[];
  regressions: Comparison[];
}

export interface WorkflowEvaluation {
  window: { from: string | null; to: string; runs: number };
  metrics: WorkflowMetrics;
}
