/**
 * The statistics the evaluator needs, dependency-free and deterministic: percentiles
 * (interpolated as Postgres' `percentile_cont`), the Mann–Whitney U test with the
 * Hodges–Lehmann shift and its distribution-free confidence bound (on log durations,
 * so the shift is a ratio), and Fisher's exact test for a drop in a proportion.
 * Normal tails use large-sample approximations, accurate for the 20+ samples a
 * comparison requires (`RegressionPolicy.minSamples`).
 */

/** Durations of 0 ms cannot be logged; they count as this many ms. */
const FLOOR_MS = 1e-3;

/** The `p` quantile (0..1) of ascending `sorted`, linearly interpolated; null when empty. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) };
}

export function median(values: readonly number[]): number | null {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * erfc(x), Numerical Recipes' Chebyshev fit: relative error below 1.2e-7 everywhere,
 * so tail probabilities far below any significance level used here stay accurate.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalUpper(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

/** The z with P(Z < z) = p (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export interface MannWhitney {
  /** U of `current`: the number of (baseline, current) pairs where current is larger (ties count half). */
  u: number;
  z: number;
  /** One-sided p-value of "current tends to be larger than baseline". */
  pGreater: number;
}

/** The Mann–Whitney U test of `current` against `baseline`, normal approximation with tie and continuity corrections. */
export function mannWhitney(baseline: readonly number[], current: readonly number[]): MannWhitney {
  const n1 = baseline.length;
  const n2 = current.length;
  const all = [...baseline.map((v) => ({ v, c: false })), ...current.map((v) => ({ v, c: true }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  let ties = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2; // midrank of positions i..j (1-based)
    const t = j - i + 1;
    ties += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.c) rankSum += rank;
    i = j + 1;
  }
  const u = rankSum - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pGreater: u > mean ? 0 : 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pGreater: normalUpper(z) };
}

export interface ShiftRatio {
  /** Hodges–Lehmann estimate of current / baseline (the median of all pairwise log ratios). */
  estimate: number;
  /** One-sided lower confidence bound of that ratio at level 1 - alpha; 0 when the samples are too few for one. */
  lower: number;
}

/**
 * How many times longer `current` durations are than `baseline` ones, as a location
 * shift of their logarithms: the Hodges–Lehmann estimate and the distribution-free
 * lower confidence bound obtained by inverting the Mann–Whitney test (the
 * C-th smallest pairwise difference, C = nm/2 - z(1-alpha) sqrt(nm(n+m+1)/12), rounded down).
 */
export function shiftRatio(baseline: readonly number[], current: readonly number[], alpha: number): ShiftRatio {
  const lb = baseline.map((v) => Math.log(Math.max(v, FLOOR_MS)));
  const lc = current.map((v) => Math.log(Math.max(v, FLOOR_MS)));
  const diffs = new Float64Array(lb.length * lc.length);
  let i = 0;
  for (const c of lc) for (const b of lb) diffs[i++] = c - b;
  diffs.sort();
  const nm = diffs.length;
  if (nm === 0) return { estimate: 1, lower: 0 };
  const mid = nm % 2 ? diffs[(nm - 1) / 2]! : (diffs[nm / 2 - 1]! + diffs[nm / 2]!) / 2;
  const k = Math.floor(nm / 2 - normalQuantile(1 - alpha) * Math.sqrt((nm * (lb.length + lc.length + 1)) / 12));
  return { estimate: Math.exp(mid), lower: k >= 1 ? Math.exp(diffs[k - 1]!) : 0 };
}

/** ln(k!) for k = 0..n. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1]! + Math.log(k);
  return out;
}

/**
 * Fisher's exact test, one-sided: the probability, with both groups' margins fixed, of
 * `current` having this few successes or fewer if both groups shared one success rate.
 * A small value means current's success rate is lower than baseline's.
 */
export function fisherLower(baseline: { ok: number; failed: number }, current: { ok: number; failed: number }): number {
  const n1 = baseline.ok + baseline.failed;
  const n2 = current.ok + current.failed;
  const ok = baseline.ok + current.ok;
  const n = n1 + n2;
  const lf = logFactorials(n);
  const logChoose = (a: number, b: number) => lf[a]! - lf[b]! - lf[a - b]!;
  const denominator = logChoose(n, n2);
  let p = 0;
  for (let x = Math.max(0, n2 - (n - ok)); x <= current.ok; x++) {
    p += Math.exp(logChoose(ok, x) + logChoose(n - ok, n2 - x) - denominator);
  }
  return Math.min(1, p);
}
