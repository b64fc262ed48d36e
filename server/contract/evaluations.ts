/**
 * Evaluations on the wire (`/api/evaluations`): each workflow's metrics and grades over
 * the caller's recent runs, and the check of the runs since its latest baseline.
 * Browser-safe: zod only. The shapes are graph/evaluation/types.ts's.
 */
import { z } from 'zod';
import { WorkflowId } from './schemas.ts';

const GradeSchema = z.enum(['EXCELLENT', 'GOOD', 'FAIR', 'POOR']);
const ErrorClassCounts = z.object({ transient: z.int(), validation: z.int(), degradable: z.int(), fatal: z.int() });
const Percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() });
const ErrorClassRates = z.object({ transient: z.number().nullable(), validation: z.number().nullable(), degradable: z.number().nullable(), fatal: z.number().nullable() });
const ErrorTally = z.object({ total: z.int(), rate: z.number().nullable(), byClass: ErrorClassCounts, rateByClass: ErrorClassRates });
const Window = z.object({ from: z.string().nullable(), to: z.string(), runs: z.int() });
const StageGrades = z.object({ successRate: GradeSchema.nullable(), duration: GradeSchema.nullable(), retries: GradeSchema.nullable(), errors: GradeSchema.nullable() });

const StageMetrics = z.object({
  stage: z.string(),
  executions: z.int(),
  successes: z.int(),
  successRate: z.number().nullable(),
  durationMs: Percentiles.describe('Of successful attempts.'),
  attempts: z.int(),
  retries: z.int(),
  retryRate: z.number().nullable(),
  errors: ErrorTally.describe('Failed attempts by error class.'),
  grades: StageGrades,
  grade: GradeSchema.nullable(),
});

const WorkflowMetrics = z.object({
  workflowId: z.string(),
  runs: z.object({ finished: z.int(), completed: z.int(), failed: z.int(), aborted: z.int() }),
  successRate: z.number().nullable(),
  durationMs: Percentiles.describe('End to end (created to finished), completed runs.'),
  stageTimeMs: Percentiles.describe('Time spent in stages per completed run.'),
  failures: ErrorTally.describe('Failed runs by the class of the error that failed them.'),
  errors: ErrorTally.describe('Failed stage attempts (retried or not) by class.'),
  retries: z.object({ executions: z.int(), retries: z.int(), rate: z.number().nullable() }),
  decisions: z.object({
    count: z.int(),
    meanConfidence: z.number().nullable(),
    byPoint: z.array(z.object({ point: z.string(), count: z.int(), meanConfidence: z.number(), agree: z.int(), disagree: z.int(), agreement: z.number().nullable() })),
  }),
  feedback: z.object({ agree: z.int(), disagree: z.int(), agreement: z.number().nullable() }),
  stages: z.array(StageMetrics),
  grades: StageGrades.extend({ decisions: GradeSchema.nullable(), feedback: GradeSchema.nullable() }),
  grade: GradeSchema.nullable(),
});

const ErrorClassSchema = z.enum(['transient', 'validation', 'degradable', 'fatal']);

export const ComparisonSchema = z.object({
  workflowId: z.string(),
  stage: z.string().nullable().describe('null: the workflow as a whole.'),
  metric: z.enum(['duration', 'successRate']),
  baseline: z.number().nullable().describe('Median ms, or success rate.'),
  current: z.number().nullable(),
  change: z.number().nullable().describe('Relative: 0.12 is 12 % slower; -0.3 a success rate 30 % lower.'),
  lowerBound: z.number().nullable().describe('Durations: the slowdown is at least this, at 1 - alpha confidence.'),
  pValue: z.number().nullable(),
  samples: z.object({ baseline: z.int(), current: z.int() }),
  regressed: z.boolean(),
  verdict: z.string(),
  evidence: z.object({
    runs: z.array(z.object({
      runId: z.string(),
      durationMs: z.number().optional(),
      error: z.object({ class: ErrorClassSchema, code: z.string(), stage: z.string().optional() }).optional(),
    })).describe('The current runs that show the regression: slowest or failed, at most 10.'),
    count: z.int(),
  }),
});

const BaselineInfo = z.object({ id: z.uuid(), workflowId: z.string(), owner: z.string(), createdAt: z.string(), window: Window });

export const WorkflowEvaluationSchema = z.object({
  workflowId: z.string(),
  window: Window,
  metrics: WorkflowMetrics,
  check: z.object({
    status: z.enum(['regressed', 'ok', 'no_baseline']),
    baseline: BaselineInfo.nullable(),
    window: Window.describe('The runs compared: those created since the baseline was recorded.'),
    comparisons: z.array(ComparisonSchema),
    regressions: z.array(ComparisonSchema),
  }),
});

export const EvaluationsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().describe('Metrics over runs created since then; default 30 days ago. The check always compares the runs since its baseline.'),
  limit: z.coerce.number().int().min(1).max(5000).default(200).describe('At most this many runs (the newest) per workflow and window.'),
});

export const EvaluationsResponse = z.object({
  generatedAt: z.string(),
  threshold: z.number().describe('The relative change that is a regression (0.1: 10 %).'),
  evaluations: z.array(WorkflowEvaluationSchema),
});

export const EvaluationParams = z.strictObject({ workflowId: WorkflowId });
