/**
 * The decision points of the hydrogen-tank designer, in the order they are decided:
 * tank type and materials before optimisation (materials reads the tank type),
 * standards and goal, which set the burst ratio and the objective of the design basis,
 * and the design choice after the Pareto front is evaluated.
 */
import type { DecisionPoint } from '../../../graph/decisions/types.ts';
import { designChoicePoint } from './design-choice.ts';
import { goalPoint } from './goal.ts';
import { materialsPoint } from './materials.ts';
import { standardsPoint } from './standards.ts';
import { tankTypePoint } from './tank-type.ts';

export { tankTypePoint, type TankTypeInputs } from './tank-type.ts';
export { materialsPoint, materialBasis, relativeFiberMass, MATERIAL_OPTIONS, BURST_RATIO, type MaterialBasis, type MaterialsInputs } from './materials.ts';
export { standardsPoint, standardsOf, standardsKey, requiredStandards, BASE_STANDARD_OPTIONS, type StandardsInputs } from './standards.ts';
export { goalPoint, GOALS, type Goal, type GoalInputs } from './goal.ts';
export { designChoicePoint, scoreDesigns, bestDesign, weightsFor, GOAL_WEIGHTS, FRONT_STAGE, type DesignChoiceInputs, type DesignSummary } from './design-choice.ts';

/**
 * All h2-tank decision points in decision order:
 * `tank-type`, `materials`, `standards`, `goal`, `design-choice`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const h2TankDecisionPoints: readonly DecisionPoint<any>[] = [tankTypePoint, materialsPoint, standardsPoint, goalPoint, designChoicePoint];
