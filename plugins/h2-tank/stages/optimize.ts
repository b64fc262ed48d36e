/**
 * Stage `optimize`: NSGA-II over the tank design variables of a DesignBasis (tank count,
 * diameter, fiber grade, burst margin, liner), on system mass, system cost, packaged
 * volume and burst margin under the capacity, envelope and burst constraints
 * (optimize/problem.ts). A long stage split into steps: each `run()` advances a batch of
 * generations and returns `continueLater(scratch)`; the scratch is the complete,
 * JSON-serialisable NSGA-II state, so a paused or crashed run resumes exactly where it
 * stopped and reaches the same front as an uninterrupted run.
 */
import { z } from 'zod';
import { StagegraphError } from '../../../nodes/errors.ts';
import { continueLater, type StageContext, type StagePlugin } from '../../../nodes/types.ts';
import { Design, DesignBasis } from '../schemas.ts';
import { feasibleDesigns, hypervolume2D, paretoFront } from '../optimize/front.ts';
import { initNsga2, stepNsga2, type Nsga2State } from '../optimize/nsga2.ts';
import { noFeasibleDesignError } from '../optimize/infeasible.ts';
import { tankProblem, type TankProblem } from '../optimize/problem.ts';

/** Output of `optimize`. */
export const OptimizeOutput = z.object({
  /** Rank-0 feasible designs (final population ∪ archive), sorted by system mass. */
  front: z.array(Design),
  /** The other distinct feasible designs of the final population and the archive (not on `front`), for `evaluate-front`. */
  alternatives: z.array(Design),
  generations: z.number().int(),
  evaluations: z.number().int(),
  populationSize: z.number().int(),
  seed: z.number().int(),
  /** Always true in an output: an infeasible run throws `no_feasible_design` instead. */
  feasible: z.boolean(),
  /** Area dominated by the front up to `hypervolumeReference`, kg x USD. */
  hypervolume: z.number().optional(),
  /** 1.1 x the worst mass and cost among the feasible designs found. */
  hypervolumeReference: z.object({ massKg: z.number(), costUsd: z.number() }).optional(),
  /** Why fewer tanks than the front's fewest do not fit, one sentence per count (see `fewerTanksNotes`). */
  packagingNotes: z.array(z.string()).optional(),
});
/** Output of `optimize` (parsed). */
export type OptimizeOutput = z.infer<typeof OptimizeOutput>;

/**
 * Settings of the optimize stage.
 * @example createOptimizeStage({ populationSize: 60, generations: 100 })
 */
export interface OptimizeOptions {
  /** @default 100 */
  populationSize?: number;
  /** @default 200 */
  generations?: number;
  /** Generations per step (each step ends in a checkpoint). @default 25 */
  generationsPerStep?: number;
  /** Progress is reported every this many generations and at the end of each step. @default 5 */
  progressEvery?: number;
}

const SCRATCH_KIND = 'h2-tank/optimize@1';

/** What one step hands to the next through `continueLater`. */
interface Scratch {
  kind: typeof SCRATCH_KIND;
  /** Fingerprint of the basis the state belongs to. */
  basisKey: string;
  generations: number;
  state: Nsga2State;
}

function basisKey(basis: DesignBasis): string {
  const text = JSON.stringify(basis);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${h.toString(16)}:${text.length}`;
}

function restore(resume: unknown, key: string, generations: number): Scratch {
  const s = resume as Partial<Scratch> | null;
  if (s?.kind !== SCRATCH_KIND || s.basisKey !== key || s.generations !== generations || typeof s.state !== 'object') {
    throw new StagegraphError('invalid_resume', 'The optimize scratch does not belong to this design basis or settings', {
      class: 'fatal',
      details: { kind: s?.kind, expectedKind: SCRATCH_KIND, sameBasis: s?.basisKey === key },
    });
  }
  return s as Scratch;
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  throw signal.reason ?? new StagegraphError('aborted', 'optimize aborted', { class: 'fatal' });
}

/**
 * For each tank count below the fewest on the front: the widest such tank within the
 * diameter limit (each fiber option, lowest margin) and why it does not fit, e.g.
 * "1 tank: 1536 mm long at 400 mm OD, over the 1500 mm length limit".
 */
export function fewerTanksNotes(problem: TankProblem, front: readonly Design[]): string[] {
  const fewest = Math.min(...front.map((d) => d.variables.count));
  const p = problem.packaging;
  const notes: string[] = [];
  for (let n = p.minCount; n < fewest; n++) {
    let best: Design | undefined;
    for (let f = 0; f < problem.fibers.length; f++) {
      // The widest tank within the diameter limit (OD grows with the bore): bisection on the bore.
      let lo = problem.lower[1];
      let hi = problem.upper[1];
      const od = (R: number) => 2 * problem.design([n, R, f, 0, 0]).geometry.outerRadiusMm;
      if (p.maxDiameterMm === null || od(hi) <= p.maxDiameterMm) lo = hi;
      else for (let k = 0; k < 40; k++) { const mid = (lo + hi) / 2; if (od(mid) <= p.maxDiameterMm) lo = mid; else hi = mid; }
      const d = problem.design([n, lo, f, 0, 0]);
      if (best === undefined || (d.packaging?.lengthMm ?? 0) < (best.packaging?.lengthMm ?? 0)) best = d;
    }
    if (best === undefined) continue;
    const od = 2 * best.geometry.outerRadiusMm;
    const length = best.packaging?.lengthMm ?? best.geometry.overallLengthMm;
    const over = [
      p.maxLengthMm !== null && length > p.maxLengthMm ? `over the ${Math.round(p.maxLengthMm)} mm length limit` : '',
      p.maxDiameterMm !== null && od > p.maxDiameterMm + 1e-6 ? `over the ${Math.round(p.maxDiameterMm)} mm diameter limit` : '',
    ].filter(Boolean).join(' and ');
    notes.push(`${n} tank${n === 1 ? '' : 's'}: ${Math.round(length)} mm long at ${Math.round(od)} mm OD${over ? `, ${over}` : ', not on the front'}`);
  }
  return notes;
}

function finish(basis: DesignBasis, state: Nsga2State, problem: TankProblem): OptimizeOutput {
  const candidates = feasibleDesigns(problem, state);
  if (candidates.length === 0) throw noFeasibleDesignError(problem, state);
  const front = paretoFront(candidates);
  const onFront = new Set(front.map((d) => d.id));
  const ref: [number, number] = [
    1.1 * Math.max(...candidates.map((d) => d.totals.massKg)),
    1.1 * Math.max(...candidates.map((d) => d.totals.costUsd)),
  ];
  return {
    front,
    alternatives: candidates.filter((d) => !onFront.has(d.id)),
    generations: state.generation,
    evaluations: state.evaluations,
    populationSize: state.params.populationSize,
    seed: basis.seed,
    feasible: true,
    hypervolume: hypervolume2D(front.map((d) => [d.totals.massKg, d.totals.costUsd] as [number, number]), ref),
    hypervolumeReference: { massKg: ref[0], costUsd: ref[1] },
    packagingNotes: fewerTanksNotes(problem, front),
  };
}

/** Builds the optimize stage with the given settings. */
export function createOptimizeStage(options: OptimizeOptions = {}): StagePlugin<typeof DesignBasis, typeof OptimizeOutput> {
  const populationSize = options.populationSize ?? 100;
  const generations = options.generations ?? 200;
  const perStep = options.generationsPerStep ?? 25;
  const progressEvery = options.progressEvery ?? 5;
  for (const [name, v] of Object.entries({ generations, generationsPerStep: perStep, progressEvery })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`createOptimizeStage: ${name} must be an integer >= 1, got ${v}`);
  }
  if (!Number.isInteger(populationSize) || populationSize < 4 || populationSize % 2 !== 0) {
    throw new RangeError(`createOptimizeStage: populationSize must be an even integer >= 4, got ${populationSize}`);
  }
  return {
    name: 'optimize',
    version: '1.0.0',
    description: 'NSGA-II over tank count, diameter, fiber grade and burst margin: system mass, cost, packaged volume and margin, under capacity, envelope and burst constraints',
    capabilities: ['h2-tank', 'optimization', 'nsga-ii', 'multi-objective', 'resumable'],
    input: DesignBasis,
    output: OptimizeOutput,
    // Measured: 100 x 200 in about 0.2-0.5 s on the shared 2-core machine (bench/optimize.ts).
    policy: { estimateMs: 500, timeoutMs: 30_000, stepped: true },
    async run(basis: DesignBasis, ctx: StageContext) {
      throwIfAborted(ctx.signal);
      const problem = tankProblem(basis);
      const key = basisKey(basis);
      let state = ctx.resume === undefined
        ? initNsga2(problem, { populationSize, seed: basis.seed, archiveSize: populationSize })
        : restore(ctx.resume, key, generations).state;
      const stop = Math.min(generations, state.generation + perStep);
      while (state.generation < stop) {
        throwIfAborted(ctx.signal);
        state = stepNsga2(problem, state, 1);
        if (state.generation % progressEvery === 0 || state.generation === stop) {
          ctx.progress((100 * state.generation) / generations, `generation ${state.generation}/${generations}`);
        }
      }
      if (state.generation < generations) {
        const scratch: Scratch = { kind: SCRATCH_KIND, basisKey: key, generations, state };
        return continueLater(scratch);
      }
      return finish(basis, state, problem);
    },
  };
}

/**
 * The optimize stage with default settings (population 100, 200 generations, 25 per step).
 * @example const out = await runToEnd(optimizeStage, basis) // out.front[0] is the lightest feasible design
 */
export const optimizeStage = createOptimizeStage();
