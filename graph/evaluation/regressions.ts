/**
 * Baseline samples vs current samples -> comparisons, some of them regressions, each
 * with its evidence. Pure: the rule is in `compareDurations` and `compareRates`, the
 * policy in `RegressionPolicy` (docs/evaluation.md explains both).
 */
import { StagegraphError } from '../../nodes/errors.ts';
import { fisherLower, mannWhitney, median, quantile, shiftRatio } from './stats.ts';
import type { Comparison, EvaluationSamples, EvidenceRun, StageSample } from './types.ts';

/** When a change counts as a regression. */
export interface RegressionPolicy {
  /** The relative change that is a regression: 0.1 is 10 % slower, or a success rate 10 % lower. @default 0.1 */
  threshold?: number;
  /** One-sided significance level of every comparison (durations: the confidence bound's; rates: Fisher's test). @default 0.001 */
  alpha?: number;
  /** Fewest samples each side needs for a comparison; with fewer, nothing is concluded. @default 20 */
  minSamples?: number;
  /** A slowdown of the median smaller than this is never a regression (scheduling noise of a busy machine). @default 5 */
  minDeltaMs?: number;
}

export type NormalizedRegressionPolicy = Required<RegressionPolicy>;

export const DEFAULT_REGRESSION_POLICY: NormalizedRegressionPolicy = { threshold: 0.1, alpha: 0.001, minSamples: 20, minDeltaMs: 5 };

/**
 * Durations measure a stage's work plus the runtime's fixed cost around it (validation,
 * the timer's millisecond), which dilutes a slowdown of the work: 100 -> 110 ms of work
 * measures about 101 -> 111 ms, +9.9 %. A duration estimate within this share of the
 * threshold (90 % of it) reaches it.
 */
export const DILUTION_ALLOWANCE = 0.9;

/** Evidence lists at most this many runs (and says how many there are). */
export const EVIDENCE_RUNS = 10;

/**
 * @throws StagegraphError `invalid_policy`
 */
export function normalizeRegressionPolicy(p: RegressionPolicy = {}): NormalizedRegressionPolicy {
  const out = { ...DEFAULT_REGRESSION_POLICY, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) };
  const bad = (field: string, rule: string, value: unknown) =>
    new StagegraphError('invalid_policy', `regression policy: ${field} must be ${rule}, got ${String(value)}`, { class: 'validation', details: { field, value } });
  if (!(out.threshold > 0 && out.threshold <= 1)) throw bad('threshold', 'more than 0 and at most 1', out.threshold);
  if (!(out.alpha > 0 && out.alpha < 0.5)) throw bad('alpha', 'more than 0 and less than 0.5', out.alpha);
  if (!(Number.isInteger(out.minSamples) && out.minSamples >= 5)) throw bad('minSamples', 'a whole number of at least 5', out.minSamples);
  if (!(out.minDeltaMs >= 0 && Number.isFinite(out.minDeltaMs))) throw bad('minDeltaMs', 'a finite number of at least 0', out.minDeltaMs);
  return out;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const fmtP = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

interface Subject {
  workflowId: string;
  stage: string | null;
}

/**
 * Durations: `current` has one value per successful attempt, `byRun` each run's longest
 * (the evidence of a slowdown is the current runs slower than the baseline's p90).
 */
export function compareDurations(subject: Subject, baseline: readonly number[], current: readonly number[], byRun: ReadonlyMap<string, number>, policy: NormalizedRegressionPolicy): Comparison {
  const base: Comparison = {
    ...subject, metric: 'duration', baseline: median(baseline), current: median(current), change: null, lowerBound: null, pValue: null,
    samples: { baseline: baseline.length, current: current.length }, regressed: false, verdict: '', evidence: { runs: [], count: 0 },
  };
  if (baseline.length < policy.minSamples || current.length < policy.minSamples) {
    return { ...base, verdict: `too few samples to compare: ${baseline.length} baseline, ${current.length} current (${policy.minSamples} each needed)` };
  }
  const shift = shiftRatio(baseline, current, policy.alpha);
  const { pGreater } = mannWhitney(baseline, current);
  const change = shift.estimate - 1;
  const lowerBound = shift.lower > 0 ? shift.lower - 1 : null;
  const delta = base.current! - base.baseline!;
  const level = `${((1 - policy.alpha) * 100).toFixed(1)} %`;
  const material = change >= policy.threshold * DILUTION_ALLOWANCE;
  const certain = lowerBound !== null && lowerBound > policy.threshold / 2;
  const measurable = delta >= policy.minDeltaMs;
  const regressed = material && certain && measurable;
  const facts = `median ${ms(base.baseline!)} -> ${ms(base.current!)}, ${pct(change)}` +
    (lowerBound === null ? '' : ` (at least ${pct(lowerBound)} at ${level} confidence)`) + `, p = ${fmtP(pGreater)}`;
  const why = regressed ? `slower beyond the ${pct(policy.threshold).slice(1)} threshold`
    : !material ? `within the ${pct(policy.threshold).slice(1)} threshold`
    : !certain ? `not certain: the confidence bound does not exceed ${pct(policy.threshold / 2)}`
    : `a change of ${ms(delta)} is under the ${ms(policy.minDeltaMs)} noise floor`;
  let evidence = base.evidence;
  if (regressed) {
    const p90 = quantile([...baseline].sort((a, b) => a - b), 0.9)!;
    const slow = [...byRun.entries()].filter(([, v]) => v > p90).sort((a, b) => b[1] - a[1]);
    evidence = { runs: slow.slice(0, EVIDENCE_RUNS).map(([runId, durationMs]) => ({ runId, durationMs })), count: slow.length };
  }
  return { ...base, change, lowerBound, pValue: pGreater, regressed, verdict: `${facts}: ${why}`, evidence };
}

export interface Outcomes {
  ok: number;
  failed: number;
}

/** Success counts; the evidence of a drop is the current runs that failed. */
export function compareRates(subject: Subject, baseline: Outcomes, current: Outcomes, failures: EvidenceRun[], policy: NormalizedRegressionPolicy): Comparison {
  const nb = baseline.ok + baseline.failed;
  const nc = current.ok + current.failed;
  const rb = nb ? baseline.ok / nb : null;
  const rc = nc ? current.ok / nc : null;
  const base: Comparison = {
    ...subject, metric: 'successRate', baseline: rb, current: rc, change: null, lowerBound: null, pValue: null,
    samples: { baseline: nb, current: nc }, regressed: false, verdict: '', evidence: { runs: [], count: 0 },
  };
  if (nb < policy.minSamples || nc < policy.minSamples) {
    return { ...base, verdict: `too few samples to compare: ${nb} baseline, ${nc} current (${policy.minSamples} each needed)` };
  }
  const change = rb! > 0 ? (rc! - rb!) / rb! : 0;
  const p = fisherLower(baseline, current);
  const material = -change >= policy.threshold;
  const significant = p < policy.alpha;
  const regressed = material && significant;
  const facts = `success ${(rb! * 100).toFixed(1)} % -> ${(rc! * 100).toFixed(1)} % (${baseline.ok}/${nb} -> ${current.ok}/${nc}), ${pct(change)}, Fisher p = ${fmtP(p)}`;
  const why = regressed ? `lower beyond the ${pct(policy.threshold).slice(1)} threshold`
    : !material ? `within the ${pct(policy.threshold).slice(1)} threshold` : `not significant at ${policy.alpha}`;
  const evidence = regressed ? { runs: failures.slice(0, EVIDENCE_RUNS), count: failures.length } : base.evidence;
  return { ...base, change, pValue: p, regressed, verdict: `${facts}: ${why}`, evidence };
}

function stageOutcomes(attempts: readonly StageSample[]): Outcomes {
  const executions = attempts.filter((a) => a.attempt === 1).length;
  const ok = attempts.filter((a) => a.ok).length;
  return { ok, failed: Math.max(0, executions - ok) };
}

/**
 * Every comparison of `current` against `baseline` for one workflow: its success rate
 * and its time in stages per completed run, then each stage's success rate and
 * duration (of successful attempts). End-to-end run time is reported, not compared:
 * it includes queue waits and waits for a person's answer.
 */
export function compareSamples(workflowId: string, baseline: EvaluationSamples, current: EvaluationSamples, policy: NormalizedRegressionPolicy): Comparison[] {
  const out: Comparison[] = [];
  const outcome = (s: EvaluationSamples): Outcomes => ({ ok: s.runs.filter((r) => r.status === 'completed').length, failed: s.runs.filter((r) => r.status === 'failed').length });
  const failedRuns = current.runs.filter((r) => r.status === 'failed').map((r) => ({ runId: r.runId, ...(r.error ? { error: r.error } : {}) }));
  out.push(compareRates({ workflowId, stage: null }, outcome(baseline), outcome(current), failedRuns, policy));

  const stageTime = (s: EvaluationSamples) => {
    const completed = new Set(s.runs.filter((r) => r.status === 'completed').map((r) => r.runId));
    const time = new Map<string, number>([...completed].map((id) => [id, 0]));
    for (const x of s.stages) if (completed.has(x.runId)) time.set(x.runId, time.get(x.runId)! + x.durationMs);
    return time;
  };
  const currentTime = stageTime(current);
  out.push(compareDurations({ workflowId, stage: null }, [...stageTime(baseline).values()], [...currentTime.values()], currentTime, policy));

  const stages = [...new Set([...baseline.stages, ...current.stages].map((s) => s.stage))].sort();
  for (const stage of stages) {
    const b = baseline.stages.filter((s) => s.stage === stage);
    const c = current.stages.filter((s) => s.stage === stage);
    const errorOf = new Map(current.errors.filter((e) => e.stage === stage && !e.willRetry).map((e) => [e.runId, { class: e.class, code: e.code, stage }]));
    const okRuns = new Set(c.filter((s) => s.ok).map((s) => s.runId));
    const failed = [...new Set(c.filter((s) => !s.ok && !okRuns.has(s.runId)).map((s) => s.runId))]
      .map((runId) => ({ runId, ...(errorOf.has(runId) ? { error: errorOf.get(runId)! } : {}) }));
    out.push(compareRates({ workflowId, stage }, stageOutcomes(b), stageOutcomes(c), failed, policy));
    // A loop runs a stage several times in a run: every successful attempt is a sample, a run's longest its evidence.
    const byRun = new Map<string, number>();
    for (const s of c) if (s.ok) byRun.set(s.runId, Math.max(byRun.get(s.runId) ?? 0, s.durationMs));
    const durations = (xs: StageSample[]) => xs.filter((x) => x.ok).map((x) => x.durationMs);
    out.push(compareDurations({ workflowId, stage }, durations(b), durations(c), byRun, policy));
  }
  return out;
}
