/**
 * Grades: each metric against fixed thresholds, and an overall grade from them. The
 * thresholds are data (`GRADE_THRESHOLDS`), documented in docs/evaluation.md; a metric
 * with no data (no decisions, no feedback) has no grade and does not count.
 */
import type { Grade } from './types.ts';

/** A metric's bounds for EXCELLENT, GOOD and FAIR; anything beyond FAIR's is POOR. */
export interface GradeThreshold {
  /** `higher`: the value must reach the bound (success rate); `lower`: stay at or under it (error rate). */
  better: 'higher' | 'lower';
  EXCELLENT: number;
  GOOD: number;
  FAIR: number;
  /** What is measured, for people. */
  measures: string;
}

export const GRADE_THRESHOLDS = {
  successRate: { better: 'higher', EXCELLENT: 0.99, GOOD: 0.95, FAIR: 0.8, measures: 'completed / finished runs (a stage: successful / all executions)' },
  duration: { better: 'lower', EXCELLENT: 1.5, GOOD: 2, FAIR: 3, measures: 'p90 / p50 duration: how far the slow tail is from the typical run' },
  retries: { better: 'lower', EXCELLENT: 0.02, GOOD: 0.1, FAIR: 0.25, measures: 'retried attempts per execution' },
  errors: { better: 'lower', EXCELLENT: 0.01, GOOD: 0.05, FAIR: 0.15, measures: 'failed attempts / attempts, any class' },
  decisions: { better: 'higher', EXCELLENT: 0.9, GOOD: 0.75, FAIR: 0.5, measures: 'mean confidence of the decisions made' },
  feedback: { better: 'higher', EXCELLENT: 0.9, GOOD: 0.75, FAIR: 0.5, measures: 'agree / (agree + disagree) verdicts on those decisions' },
} as const satisfies Record<string, GradeThreshold>;

export type GradedMetric = keyof typeof GRADE_THRESHOLDS;

const POINTS: Record<Grade, number> = { EXCELLENT: 4, GOOD: 3, FAIR: 2, POOR: 1 };
const BY_POINTS: Grade[] = ['POOR', 'POOR', 'FAIR', 'GOOD', 'EXCELLENT'];

/** The grade of `value` for `metric`; null when there is no value. */
export function gradeOf(metric: GradedMetric, value: number | null): Grade | null {
  if (value === null || !Number.isFinite(value)) return null;
  const t: GradeThreshold = GRADE_THRESHOLDS[metric];
  const meets = (bound: number) => (t.better === 'higher' ? value >= bound : value <= bound);
  if (meets(t.EXCELLENT)) return 'EXCELLENT';
  if (meets(t.GOOD)) return 'GOOD';
  if (meets(t.FAIR)) return 'FAIR';
  return 'POOR';
}

/**
 * The overall grade: the mean of the metric grades (EXCELLENT 4 ... POOR 1), rounded to
 * the nearest (a half down), but never more than one grade above the worst, so that
 * one POOR metric cannot hide behind EXCELLENT ones. Null when no metric has a grade.
 */
export function overallGrade(grades: readonly (Grade | null)[]): Grade | null {
  const points = grades.filter((g): g is Grade => g !== null).map((g) => POINTS[g]);
  if (points.length === 0) return null;
  const mean = Math.ceil(points.reduce((a, b) => a + b, 0) / points.length - 0.5);
  return BY_POINTS[Math.min(mean, Math.min(...points) + 1)]!;
}

/** The tail ratio graded as `duration`: p90 / p50, null without a positive median. */
export function tailRatio(p: { p50: number | null; p90: number | null }): number | null {
  return p.p50 !== null && p.p90 !== null && p.p50 > 0 ? p.p90 / p.p50 : null;
}
