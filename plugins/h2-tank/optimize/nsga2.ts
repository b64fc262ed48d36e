/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II", IEEE Trans. Evol. Comput. 6(2):182-197, 2002): fast
 * non-dominated sorting, crowding distance, binary crowded tournament, simulated binary
 * crossover (SBX) and polynomial mutation, with Deb's constraint-domination for
 * constraint violations (Deb, CMAME 186:311-338, 2000).
 *
 * The run is a pure function of a JSON-serialisable state: `initNsga2` builds it,
 * `stepNsga2` advances it by whole generations. The PRNG state is part of it, and rank
 * and crowding are recomputed from the population at the start of every generation,
 * so a run resumed from `JSON.parse(JSON.stringify(state))` continues exactly as an
 * uninterrupted run would.
 */
import { isRngState, nextFloat, nextInt, seedRng, type RngState } from './prng.ts';
import { crowdingDistances, nonDominatedFronts, updateArchive } from './pareto.ts';
import { mutatePolynomial, sbxCrossover, type VariationParams } from './variation.ts';

/** A problem NSGA-II minimises. Objectives are minimised; violation 0 means feasible. */
export interface Nsga2Problem {
  /** Lower bounds of the decision variables. */
  lower: readonly number[];
  /** Upper bounds (equal to lower for a fixed variable). */
  upper: readonly number[];
  /** Indices of integer variables (rounded after variation). @default [] */
  integer?: readonly number[];
  /** Number of objectives. */
  objectives: number;
  /** Writes the objectives of `x` into `f` and returns the total constraint violation (>= 0). */
  evaluate(x: readonly number[], f: number[]): number;
}

/** One member of the population. */
export interface Individual {
  x: number[];
  f: number[];
  /** Total constraint violation; 0 = feasible. */
  cv: number;
}

/**
 * Options of a run. Defaults follow Deb et al. 2002: pc 0.9, eta_c 20, pm 1/n, eta_m 20.
 * @example initNsga2(problem, { populationSize: 100, seed: 7 })
 */
export interface Nsga2Options {
  /** Even, >= 4. */
  populationSize: number;
  seed: number;
  /** @default 0.9 */
  crossoverProbability?: number;
  /** SBX distribution index. @default 20 */
  crossoverEta?: number;
  /** Per-variable mutation probability. @default 1 / number of variables */
  mutationProbability?: number;
  /** Polynomial mutation distribution index. @default 20 */
  mutationEta?: number;
  /** Cap of the archive of feasible non-dominated solutions seen. @default 2 x populationSize */
  archiveSize?: number;
}

/** The complete, JSON-serialisable state of a run. */
export interface Nsga2State {
  version: 1;
  generation: number;
  evaluations: number;
  params: VariationParams & { populationSize: number; archiveSize: number; seed: number };
  rng: RngState;
  population: Individual[];
  /** Feasible non-dominated solutions seen so far (capped by crowding). */
  archive: Individual[];
}

function evaluateInto(problem: Nsga2Problem, x: number[]): Individual {
  const f = new Array<number>(problem.objectives).fill(0);
  const cv = problem.evaluate(x, f);
  if (!(cv >= 0) || f.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`nsga2: problem returned non-finite objectives ${JSON.stringify(f)} or violation ${cv} for x = ${JSON.stringify(x)}`);
  }
  return { x, f, cv };
}

function checkProblem(problem: Nsga2Problem): void {
  const n = problem.lower.length;
  if (n === 0 || problem.upper.length !== n) throw new RangeError(`nsga2: lower and upper must be non-empty and of equal length (${n} vs ${problem.upper.length})`);
  for (let i = 0; i < n; i++) {
    if (!(problem.lower[i] <= problem.upper[i])) throw new RangeError(`nsga2: variable ${i} has lower ${problem.lower[i]} > upper ${problem.upper[i]}`);
  }
  if (!(problem.objectives >= 1)) throw new RangeError(`nsga2: objectives must be >= 1, got ${problem.objectives}`);
}

/** Builds the initial state: a uniformly random population, evaluated. */
export function initNsga2(problem: Nsga2Problem, options: Nsga2Options): Nsga2State {
  checkProblem(problem);
  const N = options.populationSize;
  if (!Number.isInteger(N) || N < 4 || N % 2 !== 0) throw new RangeError(`nsga2: populationSize must be an even integer >= 4, got ${N}`);
  const n = problem.lower.length;
  const params = {
    populationSize: N,
    archiveSize: options.archiveSize ?? 2 * N,
    seed: options.seed,
    crossoverProbability: options.crossoverProbability ?? 0.9,
    crossoverEta: options.crossoverEta ?? 20,
    mutationProbability: options.mutationProbability ?? 1 / n,
    mutationEta: options.mutationEta ?? 20,
    integer: [...(problem.integer ?? [])],
  };
  const rng = seedRng(options.seed);
  const isInt = new Set(params.integer);
  const population: Individual[] = [];
  for (let k = 0; k < N; k++) {
    const x = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const lo = problem.lower[i];
      const hi = problem.upper[i];
      x[i] = isInt.has(i) ? lo + nextInt(rng, hi - lo + 1) : lo + nextFloat(rng) * (hi - lo);
    }
    population.push(evaluateInto(problem, x));
  }
  const archive = updateArchive([], population, params.archiveSize);
  return { version: 1, generation: 0, evaluations: N, params, rng, population, archive };
}

/** Rank (0 = first front) and crowding distance of every member of `pop`. */
export function rankAndCrowd(pop: readonly Individual[]): { rank: Int32Array; crowding: Float64Array; fronts: number[][] } {
  const fronts = nonDominatedFronts(pop);
  const rank = new Int32Array(pop.length);
  const crowding = new Float64Array(pop.length);
  fronts.forEach((front, r) => {
    for (const i of front) rank[i] = r;
    crowdingDistances(pop, front, crowding);
  });
  return { rank, crowding, fronts };
}

function tournament(rng: RngState, rank: Int32Array, crowding: Float64Array): number {
  const n = rank.length;
  const a = nextInt(rng, n);
  let b = nextInt(rng, n - 1);
  if (b >= a) b++;
  if (rank[a] !== rank[b]) return rank[a] < rank[b] ? a : b;
  if (crowding[a] !== crowding[b]) return crowding[a] > crowding[b] ? a : b;
  return nextFloat(rng) < 0.5 ? a : b;
}

/** Environmental selection: best fronts of the merged population, last front by crowding. */
function survivors(merged: Individual[], size: number): Individual[] {
  const { crowding, fronts } = rankAndCrowd(merged);
  const next: Individual[] = [];
  for (const front of fronts) {
    if (next.length + front.length <= size) {
      for (const i of front) next.push(merged[i]);
      if (next.length === size) break;
      continue;
    }
    const byCrowding = [...front].sort((p, q) => crowding[q] - crowding[p] || p - q);
    for (let k = 0; next.length < size; k++) next.push(merged[byCrowding[k]]);
    break;
  }
  return next;
}

/**
 * Advances the run by `generations` generations and returns the new state (the input
 * state is not modified). Deterministic: the same state gives the same result.
 */
export function stepNsga2(problem: Nsga2Problem, state: Nsga2State, generations: number): Nsga2State {
  checkState(state, problem);
  if (!Number.isInteger(generations) || generations < 0) throw new RangeError(`nsga2: generations must be an integer >= 0, got ${generations}`);
  const rng: RngState = [...state.rng] as RngState;
  const p = state.params;
  let population = state.population;
  let archive = state.archive;
  let evaluations = state.evaluations;
  for (let g = 0; g < generations; g++) {
    const { rank, crowding } = rankAndCrowd(population);
    const offspring: Individual[] = [];
    while (offspring.length < p.populationSize) {
      const a = population[tournament(rng, rank, crowding)].x;
      const b = population[tournament(rng, rank, crowding)].x;
      const [c1, c2] = sbxCrossover(rng, a, b, problem.lower, problem.upper, p);
      mutatePolynomial(rng, c1, problem.lower, problem.upper, p);
      mutatePolynomial(rng, c2, problem.lower, problem.upper, p);
      offspring.push(evaluateInto(problem, c1), evaluateInto(problem, c2));
      evaluations += 2;
    }
    population = survivors(population.concat(offspring), p.populationSize);
    archive = updateArchive(archive, offspring, p.archiveSize);
  }
  return { ...state, generation: state.generation + generations, evaluations, rng, population, archive };
}

function checkState(state: Nsga2State, problem: Nsga2Problem): void {
  const n = problem.lower.length;
  const ok = state?.version === 1 && isRngState(state.rng) && Array.isArray(state.population)
    && state.population.length === state.params?.populationSize
    && state.population.every((ind) => ind.x?.length === n && ind.f?.length === problem.objectives && ind.cv >= 0);
  if (!ok) throw new RangeError(`nsga2: state does not fit this problem (${n} variables, ${problem.objectives} objectives) or is corrupt`);
}

/** Rank-0 feasible members of the population (the current Pareto front). */
export function feasibleFront(state: Nsga2State): Individual[] {
  const feasible = state.population.filter((ind) => ind.cv === 0);
  if (feasible.length === 0) return [];
  return nonDominatedFronts(feasible)[0].map((i) => feasible[i]);
}
