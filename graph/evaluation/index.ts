/**
 * The evaluator: per workflow and per stage metrics with grades, baselines
 * (`sg_eval_baselines`) and regression checks against them (docs/evaluation.md).
 */
export { Evaluator, DEFAULT_RUN_LIMIT, DEFAULT_WINDOW_DAYS, MAX_RUN_LIMIT } from './evaluator.ts';
export type { EvaluationOptions } from './evaluator.ts';
export { GRADE_THRESHOLDS, gradeOf, overallGrade } from './grades.ts';
export type { GradeThreshold, GradedMetric } from './grades.ts';
export { computeMetrics } from './metrics.ts';
export { compareSamples, compareDurations, compareRates, normalizeRegressionPolicy, DEFAULT_REGRESSION_POLICY, DILUTION_ALLOWANCE, EVIDENCE_RUNS } from './regressions.ts';
export type { RegressionPolicy, NormalizedRegressionPolicy, Outcomes } from './regressions.ts';
export { fisherLower, mannWhitney, shiftRatio, percentiles, quantile } from './stats.ts';
export type { Percentiles, MannWhitney, ShiftRatio } from './stats.ts';
export { GRADES } from './types.ts';
export type * from './types.ts';
