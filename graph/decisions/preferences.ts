/**
 * Per-owner preferences learned from feedback on decisions: the weights, how one
 * feedback moves them, and each option's preference score. Pure; the store is
 * `pg-preferences.ts`, and `decide()` applies the result (see `DecideOptions.preferences`).
 *
 * Bounds: one feedback moves any weight by at most `PREFERENCE_STEP`, and every weight
 * stays within +-`PREFERENCE_LIMIT`; `resetPreferences()` removes them again.
 */
import type { DecisionPoint, DecisionRecord } from './types.ts';

/** The most one feedback moves a weight (a learning rate on a -1..1 scale). */
export const PREFERENCE_STEP = 0.25;
/** Weights are clamped to [-PREFERENCE_LIMIT, PREFERENCE_LIMIT]. */
export const PREFERENCE_LIMIT = 1;

export type FeedbackVerdict = 'agree' | 'disagree';

/** Learned weights of one owner for one decision point. */
export interface PreferenceWeights {
  /** Weight per option, added to that option's preference score. */
  options: Record<string, number>;
  /** Weight per criterion the point declares (e.g. `mass`, `cost`). */
  criteria: Record<string, number>;
  /** Feedbacks behind these weights (since the last reset). */
  feedback: number;
}

/** One owner's weights for a point, as `decide()` takes them. */
export interface LearnedPreferences extends PreferenceWeights {
  owner: string;
}

/** Where the decision node reads an owner's learned preferences. */
export interface PreferenceSource {
  load(owner: string, point: string): Promise<LearnedPreferences | undefined>;
}

/** Signed changes to weights, by option and by criterion. */
export interface WeightChanges {
  options: Record<string, number>;
  criteria: Record<string, number>;
}

export const clampWeight = (w: number): number => Math.max(-PREFERENCE_LIMIT, Math.min(PREFERENCE_LIMIT, w));
const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0);

/** True when any weight is non-zero. */
export function hasWeights(w: Pick<PreferenceWeights, 'options' | 'criteria'> | undefined): boolean {
  return w !== undefined && [...Object.values(w.options), ...Object.values(w.criteria)].some((x) => x !== 0);
}

/** Whether a point learns a weight per option. @default true for fixed options */
export function learnsOptions(point: DecisionPoint | undefined): boolean {
  return point?.preferences?.byOption ?? (point === undefined || typeof point.options !== 'function');
}

function utility(point: DecisionPoint, criterion: string, inputs: unknown, option: string): number {
  try {
    return clamp01(point.preferences!.criteria![criterion]!(inputs, option));
  } catch {
    return 0;
  }
}

/**
 * How one feedback moves the weights (before clamping):
 * - `disagree` with `preferred` P (chosen C): option P +step, C -step; each criterion by
 *   step x (utility(P) - utility(C)).
 * - `disagree` without `preferred`: C -step; criteria towards the mean of the other options.
 * - `agree`: C +step/2; criteria by step/2 x (utility(C) - mean of the others).
 * `point` may be undefined (no longer registered): then only option weights move.
 */
export function feedbackChanges(point: DecisionPoint | undefined, record: DecisionRecord, verdict: FeedbackVerdict, preferred?: string): WeightChanges {
  const step = verdict === 'agree' ? PREFERENCE_STEP / 2 : PREFERENCE_STEP;
  const chosen = record.chosen;
  const others = record.options.filter((o) => o !== chosen);
  const changes: WeightChanges = { options: {}, criteria: {} };
  if (learnsOptions(point)) {
    if (verdict === 'agree') changes.options[chosen] = step;
    else {
      changes.options[chosen] = -step;
      if (preferred !== undefined) changes.options[preferred] = step;
    }
  }
  for (const criterion of Object.keys(point?.preferences?.criteria ?? {})) {
    const u = (o: string) => utility(point!, criterion, record.inputs, o);
    const mean = (os: string[]) => (os.length ? os.reduce((s, o) => s + u(o), 0) / os.length : u(chosen));
    const toward = verdict === 'agree' ? u(chosen) - mean(others) : (preferred !== undefined ? u(preferred) : mean(others)) - u(chosen);
    const delta = step * Math.max(-1, Math.min(1, toward));
    if (delta !== 0) changes.criteria[criterion] = delta;
  }
  return changes;
}

/** Adds changes to weights, clamped; returns the new weights and the changes actually made. */
export function addChanges(weights: WeightChanges, changes: WeightChanges): { weights: WeightChanges; applied: WeightChanges } {
  const next: WeightChanges = { options: { ...weights.options }, criteria: { ...weights.criteria } };
  const applied: WeightChanges = { options: {}, criteria: {} };
  for (const kind of ['options', 'criteria'] as const) {
    for (const [key, delta] of Object.entries(changes[kind])) {
      const before = next[kind][key] ?? 0;
      const after = clampWeight(before + delta);
      next[kind][key] = after;
      if (after !== before) applied[kind][key] = after - before;
    }
  }
  return { weights: next, applied };
}

/** The negation of a set of changes (to take a replaced feedback back). */
export function negate(changes: WeightChanges): WeightChanges {
  const neg = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, -v]));
  return { options: neg(changes.options), criteria: neg(changes.criteria) };
}

/** An option's preference score and the weighted terms that make it up (`option:X`, `criterion:k`). */
export interface PreferenceScore {
  score: number;
  terms: Record<string, number>;
}

/**
 * Each option's preference score: its option weight, plus weight x utility for every
 * criterion when the point has no `apply` (with `apply`, criteria act through the rules).
 */
export function preferenceScores(point: DecisionPoint, inputs: unknown, options: string[], prefs: PreferenceWeights): Map<string, PreferenceScore> {
  const scores = new Map<string, PreferenceScore>();
  const criteria = point.preferences?.apply ? [] : Object.keys(point.preferences?.criteria ?? {});
  for (const option of options) {
    const terms: Record<string, number> = {};
    const w = prefs.options[option] ?? 0;
    if (w !== 0) terms[`option:${option}`] = w;
    for (const c of criteria) {
      const wc = prefs.criteria[c] ?? 0;
      if (wc !== 0) terms[`criterion:${c}`] = wc * utility(point, c, inputs, option);
    }
    scores.set(option, { score: Object.values(terms).reduce((a, b) => a + b, 0), terms });
  }
  return scores;
}

/**
 * Confidence of a decision a preference made, from its score advantage over the
 * runner-up: 0.5 + advantage / 4, capped at 0.9 (a taste, never a certainty).
 */
export function preferenceConfidence(advantage: number): number {
  return Math.min(0.9, 0.5 + advantage / 4);
}

/** `option:III +0.50, criterion:mass +0.25` */
export function describeWeights(weights: Record<string, number>): string {
  return Object.entries(weights).map(([k, v]) => `${k} ${signed(v)}`).join(', ');
}

export const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(2)}`;
