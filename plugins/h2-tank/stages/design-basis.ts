/**
 * Stage `design-basis`: assembles what the decision points settled (tank type,
 * materials, standards, goal) with the requirements into the DesignBasis the
 * optimiser searches under, carrying the constraints tightened by compliance
 * loop-backs from one iteration to the next. It also settles the packaging (the
 * request's envelope, else the application's default, engineering/packaging.ts) and
 * which fiber grades the optimiser may trade: a carbon fiber the requester did not name
 * may be swapped for the other T700/T800 grade; a named grade, glass, aramid and the
 * liner stay as decided. Every tank type, Type I steel included, has a design path.
 */
import { z } from 'zod';
import { StagegraphError } from '../../../nodes/errors.ts';
import type { StagePlugin } from '../../../nodes/types.ts';
import { materialBasis, standardsOf } from '../decisions/index.ts';
import { packagingFor } from '../engineering/packaging.ts';
import { DesignBasis, Requirements, TankType, type Fiber, type Requirements as Req } from '../schemas.ts';

/** Carbon grades the optimiser may trade between when the request names none (T1000G only when decided). */
const TRADED_CARBON: readonly Fiber[] = ['T700S', 'T800S'];

/** Fiber grades the optimiser may choose between, the decided one first. */
export function fiberOptionsFor(fiber: Fiber | 'none', req: Req): Fiber[] | undefined {
  if (fiber === 'none') return undefined;
  const stated = req.stated?.fiber?.value;
  const namedGrade = stated !== undefined && stated !== 'carbon';
  if (namedGrade || !TRADED_CARBON.includes(fiber)) return [fiber];
  return [fiber, ...TRADED_CARBON.filter((f) => f !== fiber)];
}

export const DesignBasisInput = z.object({
  requirements: Requirements,
  tankType: TankType,
  materials: z.string(),
  standards: z.string(),
  goal: z.enum(['min-mass', 'min-cost', 'balanced']),
  seed: z.number().int(),
  /** The basis of the previous iteration, when compliance looped back. */
  previous: DesignBasis.nullable(),
  /** What compliance asked to tighten on the loop-back. */
  tighten: z.object({ burstRatioFactor: z.number().min(1).optional(), maxGasTempC: z.number().optional() }).nullable(),
  /** A person's answer overriding an unsupported tank type. */
  overrideTankType: TankType.optional(),
});
export type DesignBasisInput = z.infer<typeof DesignBasisInput>;

export const designBasisStage: StagePlugin<typeof DesignBasisInput, typeof DesignBasis> = {
  name: 'design-basis',
  version: '1.0.0',
  description: 'Assembles requirements and decisions into the design basis for optimisation; carries tightened constraints across compliance loops',
  capabilities: ['h2-tank', 'planning'],
  input: DesignBasisInput,
  output: DesignBasis,
  policy: { estimateMs: 2, timeoutMs: 5000 },
  async run(input, ctx) {
    ctx.signal.throwIfAborted();
    const tankType = input.overrideTankType ?? input.tankType;
    const standards = standardsOf(input.standards);
    const m = materialBasis(input.materials, standards);
    if ((m.fiber === 'none') !== (tankType === 'I')) {
      throw new StagegraphError('materials_type_mismatch', `Type ${tankType} does not go with '${input.materials}': only a Type I vessel has no fiber`, {
        class: 'validation',
        details: { field: 'materials', tankType, materials: input.materials },
      });
    }
    const prev = input.previous?.tightening ?? { burstRatioFactor: 1 };
    const tightening = {
      burstRatioFactor: prev.burstRatioFactor * (input.tighten?.burstRatioFactor ?? 1),
      ...(input.tighten?.maxGasTempC !== undefined || prev.maxGasTempC !== undefined
        ? { maxGasTempC: Math.min(input.tighten?.maxGasTempC ?? Infinity, prev.maxGasTempC ?? Infinity) }
        : {}),
    };
    return {
      requirements: input.requirements,
      tankType,
      liner: m.liner,
      fiber: m.fiber,
      resin: 'epoxy' as const,
      burstRatio: m.burstRatio,
      standards,
      goal: input.goal,
      tightening,
      seed: input.seed,
      packaging: packagingFor(input.requirements),
      ...(fiberOptionsFor(m.fiber, input.requirements) ? { fiberOptions: fiberOptionsFor(m.fiber, input.requirements) } : {}),
      linerOptions: [m.liner],
    };
  },
};
