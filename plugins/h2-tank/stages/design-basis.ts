/**
 * Stage `design-basis`: assembles what the decision points settled (tank type,
 * materials, standards, goal) with the requirements into the DesignBasis the
 * optimiser searches under, carrying the constraints tightened by compliance
 * loop-backs from one iteration to the next.
 */
import { z } from 'zod';
import { StagegraphError } from '../../../nodes/errors.ts';
import type { StagePlugin } from '../../../nodes/types.ts';
import { materialBasis, standardsOf } from '../decisions/index.ts';
import { DesignBasis, Requirements, TankType } from '../schemas.ts';

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
    if (m.fiber === 'none' || tankType === 'I') {
      throw new StagegraphError('tank_type_unsupported', `Type I (all-metal) tanks are outside the analysis models of this pack (netting theory, laminate failure, composite compliance)`, {
        class: 'validation',
        details: {
          field: 'tankType',
          question: `The rules chose a Type I all-metal tank (${input.materials}); this pack designs and checks composite tanks only. Design a Type III (metal liner, full carbon wrap) instead?`,
          answerWith: { overrideTankType: 'III', materials: 'Al6061-T6/T700S' },
        },
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
    };
  },
};
