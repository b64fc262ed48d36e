/**
 * The evaluator's statistics and rules on literal fixtures, without a database:
 * percentiles, Mann–Whitney, the Hodges–Lehmann ratio and its confidence bound,
 * Fisher's exact test (values checked against hand computation and textbook cases),
 * the grades, and the regression rule (flags a 10 % slowdown or a success drop, stays
 * silent on reordered samples, small changes, sub-noise-floor changes and too few samples).
 */
import { describe, expect, it } from 'vitest';
import {
  compareDurations, compareRates, DEFAULT_REGRESSION_POLICY, fisherLower, gradeOf, mannWhitney, normalizeRegressionPolicy,
  overallGrade, percentiles, shiftRatio, type Comparison,
} from '../graph/evaluation/index.ts';
import { normalQuantile, normalUpper } from '../graph/evaluation/stats.ts';
import { isStagegraphError } from '../nodes/errors.ts';

const policy = DEFAULT_REGRESSION_POLICY;
const subject = { workflowId: 'wf', stage: 'work' };
/** 30 durations around 101 ms with a little spread (a sleep of 100 ms as measured). */
const BASE = [101.2, 100.9, 101.4, 101.1, 102.3, 100.8, 101.0, 101.6, 101.3, 104.9, 101.1, 100.9, 101.2, 101.5, 101.0,
  101.8, 101.2, 100.9, 103.7, 101.1, 101.4, 101.0, 101.2, 101.3, 100.8, 101.9, 101.1, 101.2, 101.0, 107.4];
const byRun = (xs: number[]) => new Map(xs.map((v, i) => [`run-${i}`, v]));
const durations = (base: number[], current: number[]): Comparison => compareDurations(subject, base, current, byRun(current), policy);

describe('statistics', () => {
  it('percentiles interpolate like percentile_cont', () => {
    expect(percentiles(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ p50: 50.5, p90: expect.closeTo(90.1, 10), p99: expect.closeTo(99.01, 10) });
    expect(percentiles([7])).toEqual({ p50: 7, p90: 7, p99: 7 });
    expect(percentiles([])).toEqual({ p50: null, p90: null, p99: null });
  });

  it('normal tails and quantiles', () => {
    expect(normalUpper(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
  });

  it('Mann–Whitney U with continuity and tie corrections', () => {
    // Complete separation of 5 and 5: U = 25, z = (25 - 12.5 - 0.5) / sqrt(25 * 11 / 12).
    const sep = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(sep.u).toBe(25);
    expect(sep.z).toBeCloseTo(12 / Math.sqrt(275 / 12), 9);
    expect(sep.pGreater).toBeCloseTo(0.006093, 5);
    // Ties count half: current 2 beats 1, 1 and ties 2 (2.5); each 3 beats all three (6).
    expect(mannWhitney([1, 1, 2], [2, 3, 3]).u).toBe(8.5);
  });

  it('the Hodges–Lehmann ratio and its distribution-free lower bound', () => {
    // Pairwise ratios 2/1, 2/2, 4/1, 4/2: their median is 2.
    expect(shiftRatio([1, 2], [2, 4], 0.001).estimate).toBeCloseTo(2, 12);
    expect(shiftRatio([1, 2], [2, 4], 0.001).lower).toBe(0); // 4 pairs: no bound at 99.9 %
    // 100..119 against 1.2 times that: estimate 1.2; bound = the 85th smallest of 400 ratios
    // (85 = floor(200 - 3.0902 * sqrt(400 * 41 / 12))), which is 1.2 * 106 / 113.
    const b = Array.from({ length: 20 }, (_, i) => 100 + i);
    const r = shiftRatio(b, b.map((x) => x * 1.2), 0.001);
    expect(r.estimate).toBeCloseTo(1.2, 12);
    expect(r.lower).toBeCloseTo((1.2 * 106) / 113, 12);
  });

  it("Fisher's exact test, one-sided (current lower)", () => {
    // The tea-tasting table [[3, 1], [1, 3]]: 17/70.
    expect(fisherLower({ ok: 3, failed: 1 }, { ok: 1, failed: 3 })).toBeCloseTo(17 / 70, 12);
    // 30/30 then 21/30: C(30, 9) / C(60, 9).
    expect(fisherLower({ ok: 30, failed: 0 }, { ok: 21, failed: 9 })).toBeCloseTo(14307150 / 14783142660, 12);
    expect(fisherLower({ ok: 10, failed: 0 }, { ok: 10, failed: 0 })).toBeCloseTo(1, 12);
  });
});

describe('grades', () => {
  it('each metric against its thresholds', () => {
    expect([0.995, 0.99, 0.97, 0.85, 0.5].map((v) => gradeOf('successRate', v))).toEqual(['EXCELLENT', 'EXCELLENT', 'GOOD', 'FAIR', 'POOR']);
    expect([1.2, 1.8, 2.5, 4].map((v) => gradeOf('duration', v))).toEqual(['EXCELLENT', 'GOOD', 'FAIR', 'POOR']);
    expect([0, 0.05, 0.2, 0.5].map((v) => gradeOf('retries', v))).toEqual(['EXCELLENT', 'GOOD', 'FAIR', 'POOR']);
    expect(gradeOf('feedback', null)).toBeNull();
  });

  it('overall: the mean, a half rounded down, at most one above the worst', () => {
    expect(overallGrade(['EXCELLENT', 'EXCELLENT', 'POOR'])).toBe('FAIR');
    expect(overallGrade(['EXCELLENT', 'GOOD'])).toBe('GOOD');
    expect(overallGrade(['EXCELLENT', 'EXCELLENT', 'GOOD'])).toBe('EXCELLENT');
    expect(overallGrade([null, 'FAIR', null])).toBe('FAIR');
    expect(overallGrade([null, null])).toBeNull();
  });
});

describe('the regression rule', () => {
  it('flags a stage 10 % slower (100 -> 110 ms of work) and names the runs', () => {
    const slower = BASE.map((v) => v + 10);
    const c = durations(BASE, slower);
    expect(c).toMatchObject({ metric: 'duration', stage: 'work', regressed: true, samples: { baseline: 30, current: 30 } });
    expect(c.change!).toBeGreaterThan(0.09);
    expect(c.lowerBound!).toBeGreaterThan(0.05);
    expect(c.evidence.count).toBe(30); // every current run is slower than the baseline's p90
    expect(c.evidence.runs).toHaveLength(10);
    expect(c.evidence.runs[0]).toEqual({ runId: 'run-29', durationMs: 117.4 });
  });

  it('stays silent on the same durations in another order, on a 3 % change, under the noise floor, and with too few samples', () => {
    expect(durations(BASE, [...BASE].reverse()).regressed).toBe(false);
    expect(durations(BASE, BASE.map((v) => v * 1.03)).verdict).toContain('within the 10.0 % threshold');
    const tiny = BASE.map((v) => v / 50); // ~2 ms stages, 10 % slower: 0.2 ms
    expect(durations(tiny, tiny.map((v) => v * 1.1)).verdict).toContain('noise floor');
    const few = durations(BASE.slice(0, 19), BASE.slice(0, 19).map((v) => v * 2));
    expect(few).toMatchObject({ regressed: false, lowerBound: null });
    expect(few.verdict).toContain('too few samples');
  });

  it('flags a success rate drop that is significant, with the failed runs as evidence', () => {
    const failures = Array.from({ length: 9 }, (_, i) => ({ runId: `f${i}`, error: { class: 'fatal' as const, code: 'boom', stage: 'work' } }));
    const drop = compareRates(subject, { ok: 30, failed: 0 }, { ok: 21, failed: 9 }, failures, policy);
    expect(drop).toMatchObject({ metric: 'successRate', regressed: true, baseline: 1, current: 0.7, evidence: { count: 9 } });
    expect(drop.change).toBeCloseTo(-0.3, 12);
    expect(drop.pValue).toBeCloseTo(14307150 / 14783142660, 12);
    // 3 failures in 30 is a 10 % drop but could be chance (p = 0.12).
    expect(compareRates(subject, { ok: 30, failed: 0 }, { ok: 27, failed: 3 }, [], policy).regressed).toBe(false);
  });

  it('refuses a bad policy with invalid_policy', () => {
    for (const bad of [{ threshold: 0 }, { alpha: 0.7 }, { minSamples: 2 }, { minDeltaMs: -1 }]) {
      let caught: unknown;
      try {
        normalizeRegressionPolicy(bad);
      } catch (e) {
        caught = e;
      }
      expect(isStagegraphError(caught, 'invalid_policy'), JSON.stringify(bad)).toBe(true);
    }
    expect(normalizeRegressionPolicy({ threshold: 0.2 })).toEqual({ ...DEFAULT_REGRESSION_POLICY, threshold: 0.2 });
  });
});
