/**
 * Decision point `design-choice`: which Pareto-optimal design goes forward. Options are
 * the ids of the designs in `state.outputs['evaluate-front'].designs`.
 *
 * Scoring (scale-free, so a small spread on the front is not blown up to 0-1):
 *
 *     score = w_safety x (margin - min margin)
 *           - w_mass   x (mass / min mass - 1)
 *           - w_cost   x (cost / min cost - 1)
 *
 * where margin = predicted burst / required burst - 1 (a fraction). One percentage
 * point of margin therefore trades against one per cent of mass or cost in the ratio
 * of the weights. Weights by goal (safety, mass, cost): min-mass 0.40/0.45/0.15,
 * min-cost 0.40/0.15/0.45, balanced 0.40/0.30/0.30; a `longest-life` priority adds 0.2
 * to safety (weights renormalised). Designs below the required burst (margin < 0) are
 * never chosen while one at or above it exists. Ties go to the higher margin, then id.
 */
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import type { Design, Priority } from '../schemas.ts';
import { GOALS, type Goal } from './goal.ts';
import { requirementsOf } from './state.ts';

/** One design as the rules see it. */
export interface DesignSummary {
  id: string;
  /** System mass, kg (`totals.massKg`). */
  massKg: number;
  /** System cost, USD (`totals.costUsd`). */
  costUsd: number;
  /** Predicted burst / required burst - 1. */
  margin: number;
}

/** What the design-choice rules look at (JSON-serialisable). */
export interface DesignChoiceInputs {
  goal: Goal;
  priorities: Priority[];
  designs: DesignSummary[];
}

/** Stage whose output holds the Pareto designs. */
export const FRONT_STAGE = 'evaluate-front';

/** Score weights by goal: safety, mass, cost. */
export const GOAL_WEIGHTS: Readonly<Record<Goal, { safety: number; mass: number; cost: number }>> = {
  'min-mass': { safety: 0.4, mass: 0.45, cost: 0.15 },
  'min-cost': { safety: 0.4, mass: 0.15, cost: 0.45 },
  balanced: { safety: 0.4, mass: 0.3, cost: 0.3 },
};

/** The weights for a goal and priorities (a `longest-life` priority adds 0.2 to safety). */
export function weightsFor(goal: Goal, priorities: readonly Priority[]): { safety: number; mass: number; cost: number } {
  const w = { ...GOAL_WEIGHTS[goal] };
  if (priorities.includes('longest-life')) w.safety += 0.2;
  const sum = w.safety + w.mass + w.cost;
  return { safety: w.safety / sum, mass: w.mass / sum, cost: w.cost / sum };
}

/** Each design's score on the front (see the module comment). */
export function scoreDesigns(i: DesignChoiceInputs): Map<string, number> {
  const w = weightsFor(i.goal, i.priorities);
  const minMass = Math.min(...i.designs.map((d) => d.massKg));
  const minCost = Math.min(...i.designs.map((d) => d.costUsd));
  const minMargin = Math.min(...i.designs.map((d) => d.margin));
  return new Map(
    i.designs.map((d) => [d.id, w.safety * (d.margin - minMargin) - w.mass * (d.massKg / minMass - 1) - w.cost * (d.costUsd / minCost - 1)]),
  );
}

/** The admissible design with the best score (margin >= 0 when any has it). */
export function bestDesign(i: DesignChoiceInputs): DesignSummary {
  const scores = scoreDesigns(i);
  const admissible = i.designs.some((d) => d.margin >= 0) ? i.designs.filter((d) => d.margin >= 0) : i.designs;
  return [...admissible].sort((a, b) => scores.get(b.id)! - scores.get(a.id)! || b.margin - a.margin || a.id.localeCompare(b.id))[0]!;
}

const maxMargin = (i: DesignChoiceInputs): DesignSummary =>
  [...i.designs].sort((a, b) => b.margin - a.margin || a.id.localeCompare(b.id))[0]!;

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const pts = (x: number): string => `${f1(Math.abs(x) * 100)} %`;
const point = 'design-choice';

const rules: DecisionRule<DesignChoiceInputs>[] = [
  {
    id: 'best-weighted-score',
    when: (i) => i.designs.some((d) => d.margin >= 0),
    choose: (i) => bestDesign(i).id,
    because: (i) => {
      const b = bestDesign(i);
      const w = weightsFor(i.goal, i.priorities);
      return (
        `${b.id} scores best for goal ${i.goal} (weights safety ${f2(w.safety)}, mass ${f2(w.mass)}, cost ${f2(w.cost)}): ` +
        `${f1(b.massKg)} kg, ${Math.round(b.costUsd)} USD, burst margin ${pts(b.margin)}`
      );
    },
    evidence: (i) => ({ dataPoint: `${i.designs.length} Pareto designs, goal = ${i.goal}`, source: 'design-choice score: w_s (margin - min) - w_m (mass/min - 1) - w_c (cost/min - 1)' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'no-design-meets-burst',
    when: (i) => i.designs.every((d) => d.margin < 0),
    choose: (i) => maxMargin(i).id,
    because: (i) => `No design reaches the required burst ratio; ${maxMargin(i).id} comes closest (margin ${f1(maxMargin(i).margin * 100)} %) and compliance will send it back`,
    evidence: (i) => ({ dataPoint: `max margin ${f1(maxMargin(i).margin * 100)} %`, clause: 'burst ratio of the governing standards (H2_REFERENCE.md compliance table [R])' }),
    confidence: 0.6,
    priority: 100,
    safety: true,
  },
];

/** Why a design lost, in numbers against the chosen one. */
function whyNot(i: DesignChoiceInputs, option: string, chosen: string): string | undefined {
  const o = i.designs.find((d) => d.id === option);
  const c = i.designs.find((d) => d.id === chosen);
  if (o === undefined || c === undefined) return undefined;
  if (o.margin < 0 && c.margin >= 0) return `below the required burst ratio (margin ${f1(o.margin * 100)} %)`;
  const parts: string[] = [];
  const dm = o.massKg - c.massKg;
  if (Math.abs(dm) >= 0.05) parts.push(`${f1(Math.abs(dm))} kg ${dm > 0 ? 'heavier' : 'lighter'}`);
  const dc = o.costUsd - c.costUsd;
  if (Math.abs(dc) >= 1) parts.push(`${Math.round(Math.abs(dc))} USD ${dc > 0 ? 'dearer' : 'cheaper'}`);
  const dg = o.margin - c.margin;
  if (Math.abs(dg) >= 0.0005) parts.push(`${pts(dg)} ${dg > 0 ? 'more' : 'less'} margin`);
  const scores = scoreDesigns(i);
  return `${parts.length > 0 ? parts.join(', ') : 'the same figures'} (score ${scores.get(option)!.toFixed(3)} vs ${scores.get(chosen)!.toFixed(3)})`;
}

/** Reads the compact design list from the evaluate-front output. */
function designsOf(output: unknown): DesignSummary[] {
  const designs = (output as { designs?: Design[] } | undefined)?.designs ?? [];
  return designs.map((d) => ({ id: d.id, massKg: d.totals.massKg, costUsd: d.totals.costUsd, margin: d.safetyMargin }));
}

/**
 * The `design-choice` decision point: the Pareto design with the best safety-weighted
 * score for the goal. Default: the design with the highest margin.
 * @example evaluateRules(designChoicePoint, { goal: 'min-mass', priorities: [], designs: [{ id: 'a', massKg: 80, costUsd: 3000, margin: 0.05 }, ...] })
 */
export const designChoicePoint: DecisionPoint<DesignChoiceInputs> = {
  name: point,
  description: 'Choose the Pareto-optimal design with the best safety margin for the goal',
  options: (i) => i.designs.map((d) => d.id),
  inputs: (state) => {
    const r = requirementsOf(state, point);
    const goal = state.decisions['goal']?.chosen;
    return {
      goal: (GOALS as readonly string[]).includes(goal ?? '') ? (goal as Goal) : 'balanced',
      priorities: r.priorities,
      designs: designsOf(state.outputs[FRONT_STAGE]),
    };
  },
  rules,
  default: (i) => maxMargin(i).id,
  prompt: 'Choose one Pareto-optimal tank design; prefer the higher burst margin unless it costs much mass or money for the goal.',
  whyNot,
};
