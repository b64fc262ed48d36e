/**
 * Variation operators of real-coded NSGA-II, as in Deb's reference implementation
 * (nsga2-v1.1, crossover.c / mutation.c, Kanpur Genetic Algorithms Laboratory):
 * - SBX, simulated binary crossover with bounds (Deb & Agrawal, Complex Systems
 *   9:115-148, 1995), each variable crossed with probability 0.5;
 * - polynomial mutation with bounds (Deb & Goyal 1996; the bounded form of Deb 2001).
 * Integer variables are varied on [lo - 0.5, hi + 0.5) and rounded back.
 */
import { nextFloat, type RngState } from './prng.ts';

/** Variation settings stored with the run. */
export interface VariationParams {
  crossoverProbability: number;
  crossoverEta: number;
  mutationProbability: number;
  mutationEta: number;
  /** Indices of integer variables. */
  integer: number[];
}

/** Variables closer than this are not crossed (Deb's EPS). */
const EPS = 1e-14;
/** Half-width added to integer bounds so the end values are as likely as the others. */
const INT_PAD = 0.5 - 1e-9;

function bounds(i: number, lower: readonly number[], upper: readonly number[], p: VariationParams): [number, number] {
  return p.integer.includes(i) ? [lower[i] - INT_PAD, upper[i] + INT_PAD] : [lower[i], upper[i]];
}

function roundIntegers(x: number[], lower: readonly number[], upper: readonly number[], p: VariationParams): void {
  for (const i of p.integer) x[i] = Math.min(upper[i], Math.max(lower[i], Math.round(x[i])));
}

function sbxBeta(rand: number, beta: number, eta: number): number {
  const alpha = 2 - Math.pow(beta, -(eta + 1));
  return rand <= 1 / alpha ? Math.pow(rand * alpha, 1 / (eta + 1)) : Math.pow(1 / (2 - rand * alpha), 1 / (eta + 1));
}

/** SBX of parents `a` and `b`; returns two new children (the parents are not modified). */
export function sbxCrossover(
  rng: RngState, a: readonly number[], b: readonly number[], lower: readonly number[], upper: readonly number[], p: VariationParams,
): [number[], number[]] {
  const c1 = a.slice();
  const c2 = b.slice();
  if (nextFloat(rng) > p.crossoverProbability) return [c1, c2];
  const eta = p.crossoverEta;
  for (let i = 0; i < a.length; i++) {
    if (nextFloat(rng) > 0.5) continue;
    if (Math.abs(a[i] - b[i]) <= EPS) continue;
    const [yl, yu] = bounds(i, lower, upper, p);
    const y1 = Math.min(a[i], b[i]);
    const y2 = Math.max(a[i], b[i]);
    const rand = nextFloat(rng);
    const bq1 = sbxBeta(rand, 1 + (2 * (y1 - yl)) / (y2 - y1), eta);
    const bq2 = sbxBeta(rand, 1 + (2 * (yu - y2)) / (y2 - y1), eta);
    const v1 = Math.min(yu, Math.max(yl, 0.5 * (y1 + y2 - bq1 * (y2 - y1))));
    const v2 = Math.min(yu, Math.max(yl, 0.5 * (y1 + y2 + bq2 * (y2 - y1))));
    if (nextFloat(rng) <= 0.5) {
      c1[i] = v2;
      c2[i] = v1;
    } else {
      c1[i] = v1;
      c2[i] = v2;
    }
  }
  roundIntegers(c1, lower, upper, p);
  roundIntegers(c2, lower, upper, p);
  return [c1, c2];
}

/** Polynomial mutation of `x` in place. */
export function mutatePolynomial(rng: RngState, x: number[], lower: readonly number[], upper: readonly number[], p: VariationParams): void {
  const pow = 1 / (p.mutationEta + 1);
  for (let i = 0; i < x.length; i++) {
    if (nextFloat(rng) > p.mutationProbability) continue;
    const [yl, yu] = bounds(i, lower, upper, p);
    if (yu <= yl) continue; // fixed variable
    const y = x[i];
    const rnd = nextFloat(rng);
    let deltaq: number;
    if (rnd <= 0.5) {
      const xy = 1 - (y - yl) / (yu - yl);
      const val = 2 * rnd + (1 - 2 * rnd) * Math.pow(xy, p.mutationEta + 1);
      deltaq = Math.pow(val, pow) - 1;
    } else {
      const xy = 1 - (yu - y) / (yu - yl);
      const val = 2 * (1 - rnd) + 2 * (rnd - 0.5) * Math.pow(xy, p.mutationEta + 1);
      deltaq = 1 - Math.pow(val, pow);
    }
    x[i] = Math.min(yu, Math.max(yl, y + deltaq * (yu - yl)));
  }
  roundIntegers(x, lower, upper, p);
}
