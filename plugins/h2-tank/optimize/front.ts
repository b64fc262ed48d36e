/**
 * Front bookkeeping shared by the optimize and evaluate-front stages: Designs from
 * NSGA-II individuals, de-duplication by design id, the objective vector of a design,
 * and the 2-D (mass x cost) hypervolume.
 */
import type { Design } from '../schemas.ts';
import type { Individual, Nsga2State } from './nsga2.ts';
import { nonDominatedFronts } from './pareto.ts';
import type { TankProblem } from './problem.ts';

/**
 * A Design as an NSGA-II individual on the stage objectives (problem.ts OBJECTIVES):
 * system mass, system cost, packaged volume, burst margin (negated). Designs made
 * before the system and packaging figures fall back to the tank totals.
 */
export function asIndividual(d: Design): Individual {
  return { x: [], f: objectivesOf(d), cv: 0 };
}

/** The objective vector of a design (all minimised). */
export function objectivesOf(d: Design): number[] {
  const t = d.totals;
  return [t.system?.massKg ?? t.massKg, t.system?.costUsd ?? t.costUsd, d.packaging?.envelopeL ?? 0, -d.variables.burstFactor];
}

/** Designs with distinct ids, first occurrence kept, order preserved. */
export function uniqueById(designs: readonly Design[]): Design[] {
  const seen = new Set<string>();
  return designs.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
}

/** The feasible designs of a run: final population ∪ archive, unique by id. */
export function feasibleDesigns(problem: TankProblem, state: Nsga2State): Design[] {
  const members = state.archive.concat(state.population.filter((ind) => ind.cv === 0));
  return uniqueById(members.map((ind) => problem.design(ind.x)));
}

/** The non-dominated designs of a set (on the stage objectives), sorted by mass then cost. */
export function paretoFront(designs: readonly Design[]): Design[] {
  if (designs.length === 0) return [];
  const first = nonDominatedFronts(designs.map(asIndividual))[0];
  return first.map((i) => designs[i]).sort((a, b) => a.totals.massKg - b.totals.massKg || a.totals.costUsd - b.totals.costUsd);
}

/**
 * Hypervolume of a bi-objective front (minimisation): the area dominated by the front
 * and bounded by `reference` (Zitzler & Thiele 1998), in kg x USD.
 */
export function hypervolume2D(points: readonly (readonly [number, number])[], reference: readonly [number, number]): number {
  const inside = points.filter(([a, b]) => a < reference[0] && b < reference[1]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  let area = 0;
  let ceiling = reference[1];
  for (const [a, b] of inside) {
    if (b >= ceiling) continue;
    area += (reference[0] - a) * (ceiling - b);
    ceiling = b;
  }
  return area;
}
