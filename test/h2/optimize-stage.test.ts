/**
 * The optimize and evaluate-front stage plugins through their public entry point
 * (`run()` driven step by step as the runtime does): steps and progress, exact resume,
 * abort, the no-feasible-design question, envelopes, other tank types, and the ranked
 * front.
 */
import { describe, expect, it } from 'vitest';
import { isStagegraphError, type StagegraphError } from '../../nodes/errors.ts';
import { isContinue } from '../../nodes/types.ts';
import { DesignBasis } from '../../plugins/h2-tank/schemas.ts';
import { createOptimizeStage, optimizeStage, type OptimizeOutput } from '../../plugins/h2-tank/stages/optimize.ts';
import { EvaluateFrontOutput, MIN_DESIGNS, evaluateFrontStage } from '../../plugins/h2-tank/stages/evaluate-front.ts';
import { initNsga2, stepNsga2 } from '../../plugins/h2-tank/optimize/nsga2.ts';
import { tankProblem } from '../../plugins/h2-tank/optimize/problem.ts';
import { feasibleDesigns, paretoFront } from '../../plugins/h2-tank/optimize/front.ts';
import { fakeContext, runToEnd } from './stage-harness.ts';

type BasisPatch = { pressureMPa?: number; h2MassKg?: number; envelope?: { maxLengthMm?: number; maxDiameterMm?: number } } & Partial<Pick<DesignBasis, 'tankType' | 'liner' | 'fiber' | 'burstRatio' | 'seed'>>;

function basisOf(p: BasisPatch = {}): DesignBasis {
  return DesignBasis.parse({
    requirements: {
      pressureMPa: p.pressureMPa ?? 70, h2MassKg: p.h2MassKg ?? 5, application: 'automotive', market: 'global',
      temperatureC: { min: -40, max: 85 }, envelope: p.envelope ?? {}, standards: ['GTR13'], priorities: ['lightest'],
      assumptions: [], parsedBy: 'structured',
    },
    tankType: p.tankType ?? 'IV', liner: p.liner ?? 'HDPE', fiber: p.fiber ?? 'T700S', resin: 'epoxy',
    burstRatio: p.burstRatio ?? 2.25, standards: ['GTR13'], goal: 'min-mass', seed: p.seed ?? 7,
  });
}

const small = createOptimizeStage({ populationSize: 40, generations: 40, generationsPerStep: 10 });

async function failure(promise: Promise<unknown>): Promise<StagegraphError> {
  try {
    await promise;
  } catch (e) {
    if (isStagegraphError(e)) return e;
    throw e;
  }
  throw new Error('expected a StagegraphError');
}

describe('optimize stage', () => {
  it('runs in steps of 25 generations with per-generation-batch progress', async () => {
    const r = await runToEnd<OptimizeOutput>(optimizeStage, basisOf());
    expect(r.steps).toBe(8);
    expect(r.output.generations).toBe(200);
    expect(r.progress.map((p) => p.note)).toContain('generation 25/200');
    expect(r.progress.at(-1)).toEqual({ pct: 100, note: 'generation 200/200' });
    for (let i = 1; i < r.progress.length; i++) expect(r.progress[i].pct).toBeGreaterThan(r.progress[i - 1].pct);
    expect(optimizeStage.policy).toMatchObject({ timeoutMs: 30_000 });
  });

  it('resumed step by step from JSON scratch, it reaches the uninterrupted front exactly', async () => {
    const basis = basisOf({ seed: 3 });
    const staged = (await runToEnd<OptimizeOutput>(small, basis)).output;
    const problem = tankProblem(basis);
    const straight = stepNsga2(problem, initNsga2(problem, { populationSize: 40, seed: 3, archiveSize: 40 }), 40);
    expect(staged.front).toEqual(paretoFront(feasibleDesigns(problem, straight)));
    expect(staged.seed).toBe(3);
  });

  it('throws the abort reason within a generation of the signal', async () => {
    const controller = new AbortController();
    const reason = new Error('user abort');
    const progress: { pct: number; note?: string }[] = [];
    const ctx = fakeContext(controller.signal, progress);
    ctx.progress = (pct, note) => {
      progress.push({ pct, note });
      if (note === 'generation 10/200') controller.abort(reason);
    };
    await expect(optimizeStage.run(basisOf(), ctx)).rejects.toBe(reason);
    expect(progress.at(-1)?.note).toBe('generation 10/200');
  });

  it('throws no_feasible_design with the binding constraint and a question', async () => {
    // 5 kg at 70 MPa needs about 125 L; four 150 mm x 500 mm tanks hold far less.
    const err = await failure(runToEnd(small, basisOf({ envelope: { maxDiameterMm: 150, maxLengthMm: 500 } })));
    expect(err.code).toBe('no_feasible_design');
    expect(err.class).toBe('validation');
    expect(['diameter', 'length', 'capacity']).toContain(err.details.bindingConstraint);
    expect(typeof err.details.question).toBe('string');
    expect(err.details.question).toMatch(/70 MPa for 5\.0 kg/);
  });

  it('rejects a basis without capacity and a foreign resume scratch', async () => {
    const noCapacity = { ...basisOf(), requirements: { ...basisOf().requirements, h2MassKg: undefined } };
    const err = await failure(runToEnd(small, noCapacity));
    expect(err.code).toBe('missing_capacity');
    expect(err.class).toBe('validation');
    const ctx = fakeContext(new AbortController().signal, [], { kind: 'something-else' });
    expect((await failure(small.run(basisOf(), ctx))).code).toBe('invalid_resume');
  });

  it('keeps the front inside a diameter envelope by choosing more or longer tanks', async () => {
    const r = await runToEnd<OptimizeOutput>(optimizeStage, basisOf({ envelope: { maxDiameterMm: 400 } }));
    for (const d of r.output.front) {
      expect(2 * d.geometry.outerRadiusMm).toBeLessThanOrEqual(400 + 1e-9);
      expect(d.totals.storedH2Kg).toBeGreaterThanOrEqual(5 - 1e-6);
    }
  });

  it.each([
    ['III', 'Al6061-T6', 70],
    ['I', 'steel-34CrMo4', 20],
    ['II', 'steel-34CrMo4', 35],
  ] as const)('sizes a Type %s (%s) tank at %d MPa to the required burst', async (tankType, liner, pressureMPa) => {
    const r = await runToEnd<OptimizeOutput>(small, basisOf({ tankType, liner, pressureMPa, h2MassKg: 2 }));
    for (const d of r.output.front) {
      expect(d.burstPressureMPa).toBeGreaterThanOrEqual(2.25 * pressureMPa * (1 - 1e-9));
      expect(d.safetyMargin).toBeGreaterThanOrEqual(-1e-9);
    }
  });

  it('returns continueLater until the last generation', async () => {
    const first = await small.run(basisOf(), fakeContext(new AbortController().signal, []));
    expect(isContinue(first)).toBe(true);
  });
});

describe('evaluate-front stage', () => {
  it('lists at least 50 designs by rank with crowding, rank 0 first', async () => {
    const opt = (await runToEnd<OptimizeOutput>(optimizeStage, basisOf())).output;
    const r = (await runToEnd<EvaluateFrontOutput>(evaluateFrontStage, opt)).output;
    expect(r.count).toBe(r.designs.length);
    expect(r.count).toBeGreaterThanOrEqual(MIN_DESIGNS);
    expect(r.designs[0].rank).toBe(0);
    for (let i = 1; i < r.designs.length; i++) expect(r.designs[i].rank).toBeGreaterThanOrEqual(r.designs[i - 1].rank);
    const pareto = r.designs.filter((d) => d.rank === 0);
    expect(pareto).toHaveLength(r.paretoCount);
    // The two extremes of the front have infinite (null) crowding, the rest finite.
    expect(pareto.filter((d) => d.crowdingDistance === null).length).toBeGreaterThanOrEqual(2);
    expect(r.spread.massKg.min).toBeCloseTo(opt.front[0].totals.massKg, 9);
    expect(r.spread.massKg.max).toBeGreaterThanOrEqual(r.spread.massKg.min);
  });

  it('throws empty_front for an output without designs', async () => {
    const err = await failure(runToEnd(evaluateFrontStage, {
      front: [], alternatives: [], generations: 0, evaluations: 0, populationSize: 4, seed: 1, feasible: true,
    }));
    expect(err.code).toBe('empty_front');
  });
});
