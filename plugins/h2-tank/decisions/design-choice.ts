/**
 * Decision point `design-choice`: which Pareto-optimal design goes forward. Options are
 * the ids of the designs in `state.outputs['evaluate-front'].designs`.
 *
 * The designs trade what a designer trades (optimize/problem.ts): tank count and
 * diameter within the envelope, fiber grade and burst margin, against system mass
 * (tanks + valves), system cost (an extra tank costs its valves and processing) and
 * packaged volume. Scoring (scale-free, so a small spread is not blown up to 0-1):
 *
 *     score = w_safety x (margin - min margin)
 *           - w_mass   x (mass / min mass - 1)
 *           - w_cost   x (cost / min cost - 1)
 *           - w_pack   x (envelope / min envelope - 1)
 *
 * margin = predicted burst / required burst - 1 (BP0 / BPmin - 1 as laid up). Weights by
 * goal (safety, mass, cost, packaging): min-mass 0.20/0.60/0.15/0.05, min-cost
 * 0.20/0.15/0.60/0.05, balanced 0.20/0.375/0.375/0.05; `longest-life` adds 0.2 to
 * safety, `smallest` 0.3 to packaging (weights renormalised). The burst margin is a
 * stated knock-down (1.10 by default, GTR 13 +-10 % of BP0 [R]), so more of it is worth
 * less than in a model without one. Designs below the required burst (margin < 0) are
 * never chosen while one at or above it exists. Ties go to the higher margin, then id.
 * The options are one design per trade class (count, fiber, margin), the best-scoring
 * of each, so the alternatives differ in what a designer trades.
 * The reasons are said in trade terms: "2 tanks of 400 mm OD: 1 tank does not fit".
 */
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import type { Design, Priority } from '../schemas.ts';
import { GOALS, type Goal } from './goal.ts';
import { requirementsOf } from './state.ts';

/** One design as the rules see it. */
export interface DesignSummary {
  id: string;
  /** System mass (tanks + valves), kg; the tank totals for designs without system figures. */
  massKg: number;
  /** System cost (tanks + valves), USD. */
  costUsd: number;
  /** Predicted burst / required burst - 1. */
  margin: number;
  /** Number of tanks. */
  count?: number;
  /** Outer diameter of one tank, mm. */
  odMm?: number;
  /** Packaged length of one tank, mm. */
  lengthMm?: number;
  /** Sum of the tanks' bounding boxes, L. */
  envelopeL?: number;
  fiber?: string;
  /** BP0 / BPmin the layup was sized to. */
  burstFactor?: number;
}

/** What the design-choice rules look at (JSON-serialisable). */
export interface DesignChoiceInputs {
  goal: Goal;
  priorities: Priority[];
  designs: DesignSummary[];
  /** Why fewer tanks are not on the front (optimize output `packagingNotes`). */
  packagingNotes?: string[];
}

/** Stage whose output holds the Pareto designs. */
export const FRONT_STAGE = 'evaluate-front';

/** Score weights by goal: safety, mass, cost, packaging. */
export const GOAL_WEIGHTS: Readonly<Record<Goal, { safety: number; mass: number; cost: number; pack: number }>> = {
  'min-mass': { safety: 0.2, mass: 0.6, cost: 0.15, pack: 0.05 },
  'min-cost': { safety: 0.2, mass: 0.15, cost: 0.6, pack: 0.05 },
  balanced: { safety: 0.2, mass: 0.375, cost: 0.375, pack: 0.05 },
};

/** The weights for a goal and priorities (see the module comment). */
export function weightsFor(goal: Goal, priorities: readonly Priority[]): { safety: number; mass: number; cost: number; pack: number } {
  const w = { ...GOAL_WEIGHTS[goal] };
  if (priorities.includes('longest-life')) w.safety += 0.2;
  if (priorities.includes('smallest')) w.pack += 0.3;
  const sum = w.safety + w.mass + w.cost + w.pack;
  return { safety: w.safety / sum, mass: w.mass / sum, cost: w.cost / sum, pack: w.pack / sum };
}

/** Each design's score on the front (see the module comment). */
export function scoreDesigns(i: DesignChoiceInputs): Map<string, number> {
  const w = weightsFor(i.goal, i.priorities);
  const minMass = Math.min(...i.designs.map((d) => d.massKg));
  const minCost = Math.min(...i.designs.map((d) => d.costUsd));
  const minMargin = Math.min(...i.designs.map((d) => d.margin));
  const minEnv = Math.min(...i.designs.map((d) => d.envelopeL ?? 1));
  return new Map(
    i.designs.map((d) => [d.id, w.safety * (d.margin - minMargin) - w.mass * (d.massKg / minMass - 1) - w.cost * (d.costUsd / minCost - 1)
      - w.pack * ((d.envelopeL ?? 1) / minEnv - 1)]),
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
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 tanks of 400 mm OD x 865 mm, T700S, BP0/BPmin 1.10" */
export function describeDesign(d: DesignSummary): string {
  const parts: string[] = [];
  if (d.count !== undefined) parts.push(`${plural(d.count, 'tank')}${d.odMm !== undefined ? ` of ${Math.round(d.odMm)} mm OD` : ''}${d.lengthMm !== undefined ? ` x ${Math.round(d.lengthMm)} mm` : ''}`);
  if (d.fiber !== undefined && d.fiber !== 'none') parts.push(d.fiber);
  if (d.burstFactor !== undefined) parts.push(`BP0/BPmin ${f2(d.burstFactor)}`);
  return parts.join(', ');
}

/** The figures of a design: "85.1 kg system, 2554 USD, 277 L packaged, burst margin 10.0 %" */
function figures(d: DesignSummary): string {
  return `${f1(d.massKg)} kg system, ${Math.round(d.costUsd)} USD${d.envelopeL !== undefined ? `, ${Math.round(d.envelopeL)} L packaged` : ''}, burst margin ${pts(d.margin)}`;
}

const rules: DecisionRule<DesignChoiceInputs>[] = [
  {
    id: 'best-weighted-score',
    when: (i) => i.designs.some((d) => d.margin >= 0),
    choose: (i) => bestDesign(i).id,
    because: (i) => {
      const b = bestDesign(i);
      const w = weightsFor(i.goal, i.priorities);
      const notes = (i.packagingNotes ?? []).length > 0 ? ` ${i.packagingNotes!.join('; ')}.` : '';
      return (
        `${describeDesign(b) || b.id}: ${figures(b)}; best for goal ${i.goal} (weights safety ${f2(w.safety)}, mass ${f2(w.mass)}, ` +
        `cost ${f2(w.cost)}, packaging ${f2(w.pack)}).${notes}`
      );
    },
    evidence: (i) => ({ dataPoint: `${i.designs.length} Pareto designs, goal = ${i.goal}`, source: 'design-choice score: w_s (margin - min) - w_m (mass/min - 1) - w_c (cost/min - 1) - w_p (envelope/min - 1)' }),
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

/** Why a design lost: what it trades against the chosen one, in numbers. */
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
  if (o.envelopeL !== undefined && c.envelopeL !== undefined && Math.abs(o.envelopeL - c.envelopeL) >= 0.5) {
    const de = o.envelopeL - c.envelopeL;
    parts.push(`${Math.round(Math.abs(de))} L ${de > 0 ? 'more' : 'less'} packaged volume`);
  }
  const dg = o.margin - c.margin;
  if (Math.abs(dg) >= 0.0005) parts.push(`${pts(dg)} ${dg > 0 ? 'more' : 'less'} burst margin`);
  const scores = scoreDesigns(i);
  const what = describeDesign(o);
  return `${what ? `${what}: ` : ''}${parts.length > 0 ? parts.join(', ') : 'the same figures'} (score ${scores.get(option)!.toFixed(3)} vs ${scores.get(chosen)!.toFixed(3)})`;
}

/**
 * One design per trade class (tank count, fiber, burst margin): the best-scoring of
 * each, so the options differ in what a designer trades, not by a millimetre of
 * diameter. Order: as listed by the front.
 */
export function representatives(designs: DesignSummary[], goal: Goal, priorities: readonly Priority[]): DesignSummary[] {
  if (designs.length === 0) return designs;
  const scores = scoreDesigns({ goal, priorities: [...priorities], designs });
  const best = new Map<string, DesignSummary>();
  for (const d of designs) {
    const key = `${d.count ?? ''}|${d.fiber ?? ''}|${d.burstFactor?.toFixed(3) ?? ''}|${d.margin < 0 ? 'below' : 'ok'}`;
    const held = best.get(key);
    if (held === undefined || scores.get(d.id)! > scores.get(held.id)!) best.set(key, d);
  }
  const keep = new Set([...best.values()].map((d) => d.id));
  return designs.filter((d) => keep.has(d.id));
}

/** Reads the compact design list from the evaluate-front output. */
function designsOf(output: unknown): DesignSummary[] {
  const designs = (output as { designs?: Design[] } | undefined)?.designs ?? [];
  return designs.map((d) => ({
    id: d.id,
    massKg: d.totals.system?.massKg ?? d.totals.massKg,
    costUsd: d.totals.system?.costUsd ?? d.totals.costUsd,
    margin: d.safetyMargin,
    count: d.variables.count,
    odMm: 2 * d.geometry.outerRadiusMm,
    lengthMm: d.packaging?.lengthMm ?? d.geometry.overallLengthMm,
    ...(d.packaging ? { envelopeL: d.packaging.envelopeL } : {}),
    ...(d.materials ? { fiber: d.materials.fiber } : {}),
    burstFactor: d.variables.burstFactor,
  }));
}

/**
 * The `design-choice` decision point: the Pareto design with the best safety-weighted
 * score for the goal. Default: the design with the highest margin.
 * @example evaluateRules(designChoicePoint, { goal: 'min-mass', priorities: [], designs: [{ id: 'a', massKg: 80, costUsd: 3000, margin: 0.05 }, ...] })
 */
export const designChoicePoint: DecisionPoint<DesignChoiceInputs> = {
  name: point,
  description: 'Choose the Pareto-optimal design (tank count, diameter, fiber, burst margin) that best serves the goal',
  options: (i) => i.designs.map((d) => d.id),
  inputs: (state) => {
    const r = requirementsOf(state, point);
    const chosenGoal = state.decisions['goal']?.chosen;
    const goal: Goal = (GOALS as readonly string[]).includes(chosenGoal ?? '') ? (chosenGoal as Goal) : 'balanced';
    return {
      goal,
      priorities: r.priorities,
      designs: representatives(designsOf(state.outputs[FRONT_STAGE]), goal, r.priorities),
      packagingNotes: (state.outputs['optimize'] as { packagingNotes?: string[] } | undefined)?.packagingNotes ?? [],
    };
  },
  rules,
  default: (i) => maxMargin(i).id,
  prompt: 'Choose one Pareto-optimal tank design: weigh system mass, cost, packaged volume and burst margin for the goal, and say what the choice trades.',
  whyNot,
};
