/**
 * Samples -> metrics and grades, a pure function: a baseline's metrics and a check's
 * current metrics come out of the same code from the same kind of samples.
 */
import { ERROR_CLASSES } from '../../nodes/errors.ts';
import { gradeOf, overallGrade, tailRatio } from './grades.ts';
import { percentiles } from './stats.ts';
import type { DecisionPointMetrics, ErrorCounts, ErrorTally, EvaluationSamples, StageMetrics, StageSample, WorkflowMetrics } from './types.ts';

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** `total` failures out of `of`, and `classes` (one per failure) counted and rated by class. */
function tally(total: number, of: number, classes: readonly string[]): ErrorTally {
  const byClass = Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as ErrorCounts;
  for (const c of classes) if (c in byClass) byClass[c as keyof ErrorCounts] += 1;
  const rateByClass = Object.fromEntries(ERROR_CLASSES.map((c) => [c, ratio(byClass[c], of)])) as ErrorTally['rateByClass'];
  return { total, rate: ratio(total, of), byClass, rateByClass };
}

function stageMetrics(stage: string, attempts: readonly StageSample[], errorClasses: readonly string[]): StageMetrics {
  const executions = attempts.filter((a) => a.attempt === 1).length;
  const successes = attempts.filter((a) => a.ok).length;
  const failed = attempts.length - successes;
  // A sample of a retry whose first attempt fell outside the window still counts as an execution.
  const runs = Math.max(executions, successes);
  const successRate = runs > 0 ? Math.min(1, successes / runs) : null;
  const durationMs = percentiles(attempts.filter((a) => a.ok).map((a) => a.durationMs));
  const retries = attempts.filter((a) => a.attempt > 1).length;
  const errors = tally(failed, attempts.length, errorClasses);
  const grades = {
    successRate: gradeOf('successRate', successRate),
    duration: gradeOf('duration', tailRatio(durationMs)),
    retries: gradeOf('retries', ratio(retries, runs)),
    errors: gradeOf('errors', errors.rate),
  };
  return {
    stage, executions: runs, successes, successRate, durationMs, attempts: attempts.length, retries, retryRate: ratio(retries, runs), errors,
    grades, grade: overallGrade(Object.values(grades)),
  };
}

function decisionPoints(samples: EvaluationSamples): DecisionPointMetrics[] {
  const by = new Map<string, DecisionPointMetrics & { sum: number }>();
  for (const d of samples.decisions) {
    const m = by.get(d.point) ?? { point: d.point, count: 0, meanConfidence: 0, agree: 0, disagree: 0, agreement: null, sum: 0 };
    m.count += 1;
    m.sum += d.confidence;
    m.agree += d.agree;
    m.disagree += d.disagree;
    by.set(d.point, m);
  }
  return [...by.values()].sort((a, b) => a.point.localeCompare(b.point)).map(({ sum, ...m }) => ({
    ...m, meanConfidence: sum / m.count, agreement: ratio(m.agree, m.agree + m.disagree),
  }));
}

/** The metrics and grades of `samples`, the runs of one workflow. */
export function computeMetrics(workflowId: string, samples: EvaluationSamples): WorkflowMetrics {
  const completed = samples.runs.filter((r) => r.status === 'completed');
  const failed = samples.runs.filter((r) => r.status === 'failed');
  const finished = samples.runs.length;
  const completedIds = new Set(completed.map((r) => r.runId));

  const byStage = new Map<string, StageSample[]>();
  const stageTime = new Map<string, number>();
  for (const s of samples.stages) {
    const list = byStage.get(s.stage) ?? [];
    if (list.length === 0) byStage.set(s.stage, list);
    list.push(s);
    if (completedIds.has(s.runId)) stageTime.set(s.runId, (stageTime.get(s.runId) ?? 0) + s.durationMs);
  }
  const stages = [...byStage.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([stage, attempts]) => stageMetrics(stage, attempts, samples.errors.filter((e) => e.stage === stage).map((e) => e.class)));

  const attempts = samples.stages.length;
  const failedAttempts = samples.stages.filter((s) => !s.ok).length;
  const executions = stages.reduce((a, s) => a + s.executions, 0);
  const retries = stages.reduce((a, s) => a + s.retries, 0);
  const decisions = samples.decisions;
  const agree = decisions.reduce((a, d) => a + d.agree, 0);
  const disagree = decisions.reduce((a, d) => a + d.disagree, 0);
  const meanConfidence = decisions.length ? decisions.reduce((a, d) => a + d.confidence, 0) / decisions.length : null;

  const successRate = ratio(completed.length, finished);
  const durationMs = percentiles(completed.map((r) => r.durationMs));
  const errors = tally(failedAttempts, attempts, samples.errors.map((e) => e.class));
  const feedback = { agree, disagree, agreement: ratio(agree, agree + disagree) };
  const grades = {
    successRate: gradeOf('successRate', successRate),
    duration: gradeOf('duration', tailRatio(durationMs)),
    retries: gradeOf('retries', ratio(retries, executions)),
    errors: gradeOf('errors', errors.rate),
    decisions: gradeOf('decisions', meanConfidence),
    feedback: gradeOf('feedback', feedback.agreement),
  };
  return {
    workflowId,
    runs: { finished, completed: completed.length, failed: failed.length, aborted: samples.aborted },
    successRate,
    durationMs,
    stageTimeMs: percentiles(completed.map((r) => stageTime.get(r.runId) ?? 0)),
    failures: tally(failed.length, finished, failed.map((r) => r.error?.class ?? 'fatal')),
    errors,
    retries: { executions, retries, rate: ratio(retries, executions) },
    decisions: { count: decisions.length, meanConfidence, byPoint: decisionPoints(samples) },
    feedback,
    stages,
    grades,
    grade: overallGrade(Object.values(grades)),
  };
}
