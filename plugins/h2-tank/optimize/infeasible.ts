/**
 * The `no_feasible_design` error: which constraint binds, by how much, and the question
 * a person must answer to go on (the workflow turns a validation error into a
 * `waiting_input` interrupt).
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { Nsga2State } from './nsga2.ts';
import { CONSTRAINTS, type ConstraintName, type TankProblem } from './problem.ts';

function fmt(v: number, digits = 0): string {
  return v.toFixed(digits);
}

/** The human question for a binding constraint. */
export function questionFor(problem: TankProblem, binding: ConstraintName): string {
  const b = problem.basis;
  const r = b.requirements;
  const need = r.h2MassKg !== undefined ? `${fmt(r.h2MassKg, 1)} kg` : `${fmt(r.waterVolumeL ?? 0)} L`;
  const at = `at ${fmt(r.pressureMPa)} MPa for ${need}`;
  switch (binding) {
    case 'diameter':
      return `No design fits ${fmt(r.envelope.maxDiameterMm ?? 0)} mm diameter ${at} with up to 4 tanks; allow a larger diameter or a longer envelope?`;
    case 'length':
      return `No design fits ${fmt(r.envelope.maxLengthMm ?? 0)} mm length ${at} with up to 4 tanks; allow a longer envelope or a larger diameter?`;
    case 'capacity':
      return `No design stores ${need} at ${fmt(r.pressureMPa)} MPa within the envelope; accept less hydrogen or a larger envelope?`;
    case 'burst':
      return `No Type ${b.tankType} design with a ${b.liner} liner reaches ${fmt(problem.requiredBurstMPa)} MPa burst; allow a thicker liner or another tank type?`;
  }
}

/**
 * Builds the error for a run whose final population holds no feasible design. The
 * binding constraint is the largest violation of the least-violating member.
 */
export function noFeasibleDesignError(problem: TankProblem, state: Nsga2State): StagegraphError {
  let best = state.population[0];
  for (const ind of state.population) if (ind.cv < best.cv) best = ind;
  const violations = problem.constraintViolations(best.x);
  let binding: ConstraintName = CONSTRAINTS[0];
  for (const c of CONSTRAINTS) if (violations[c] > violations[binding]) binding = c;
  const question = questionFor(problem, binding);
  const closest = problem.design(best.x);
  return new StagegraphError('no_feasible_design', `No feasible design after ${state.generation} generations: ${binding} constraint binds`, {
    class: 'validation',
    details: {
      bindingConstraint: binding,
      violations,
      question,
      generations: state.generation,
      evaluations: state.evaluations,
      closest: {
        id: closest.id,
        count: closest.variables.count,
        outerDiameterMm: 2 * closest.geometry.outerRadiusMm,
        overallLengthMm: closest.geometry.overallLengthMm,
        storedH2Kg: closest.totals.storedH2Kg,
        burstPressureMPa: closest.burstPressureMPa,
      },
    },
    hint: question,
  });
}
