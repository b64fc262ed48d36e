/**
 * How an owner's learned preferences change a decision. Policy:
 * - A decision made by a rule marked `safety: true` is never changed.
 * - Criterion weights act first, through the point's `apply`: if the rules, shown the
 *   inputs under those weights, decide differently, that outcome stands.
 * - Otherwise each option gets a preference score (`preferenceScores`). Against a rule
 *   decision, an option wins only when its score exceeds the chosen option's by more
 *   than the rule's confidence (one feedback moves two option weights apart by 0.5 at
 *   most, so on a point without criteria one feedback never overturns a rule of
 *   confidence >= 0.5). Where no rule decided, the option with the strictly highest
 *   score decides (and the LLM is not asked).
 * The outcome has `method: "preference"` and a `preference` effect naming the weights.
 */
import { alternativesFor, evaluateRules, resolveDefault, type FiredRule, type Outcome, type RuleVerdict } from './evaluate.ts';
import {
  describeWeights, preferenceConfidence, preferenceScores, signed,
  type LearnedPreferences, type PreferenceScore,
} from './preferences.ts';
import type { Alternative, DecisionPoint, PreferenceEffect } from './types.ts';

type Decided = Extract<RuleVerdict, { kind: 'decided' }>;
type Undecided = Exclude<RuleVerdict, Decided>;

const ids = (rules: FiredRule[]): string => rules.map((r) => `'${r.id}'`).join(', ');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The rules' verdict on the inputs as the point's `apply` reshapes them under the criterion weights. */
function throughApply(point: DecisionPoint, inputs: Record<string, unknown>, options: string[], prefs: LearnedPreferences): Decided | undefined {
  const apply = point.preferences?.apply;
  if (!apply || !Object.values(prefs.criteria).some((w) => w !== 0)) return undefined;
  try {
    const verdict = evaluateRules(point, apply(structuredClone(inputs), { ...prefs.criteria }), options);
    return verdict.kind === 'decided' ? verdict : undefined;
  } catch {
    return undefined;
  }
}

function criterionWeights(prefs: LearnedPreferences): Record<string, number> {
  return Object.fromEntries(Object.entries(prefs.criteria).filter(([, w]) => w !== 0).map(([k, w]) => [`criterion:${k}`, w]));
}

function effectWeights(prefs: LearnedPreferences, options: string[]): Record<string, number> {
  const w: Record<string, number> = {};
  for (const o of options) if (prefs.options[o]) w[`option:${o}`] = prefs.options[o]!;
  return { ...w, ...criterionWeights(prefs) };
}

function best(scores: Map<string, PreferenceScore>, candidates: string[]): { option: string; score: number } | undefined {
  let top: { option: string; score: number } | undefined;
  for (const option of candidates) {
    const score = scores.get(option)!.score;
    if (!top || score > top.score) top = { option, score };
  }
  return top;
}

function scoreAlternatives(point: DecisionPoint, inputs: Record<string, unknown>, options: string[], chosen: string, scores: Map<string, PreferenceScore>, baseline?: Alternative): Alternative[] {
  const top = scores.get(chosen)!.score;
  return options.filter((o) => o !== chosen).map((option) => {
    if (baseline && option === baseline.option) return baseline;
    const why = point.whyNot?.(inputs, option, chosen);
    return { option, reason: `preference score ${signed(scores.get(option)!.score)} vs ${signed(top)}${why ? `; ${why}` : ''}` };
  });
}

/** Applies preferences over a decision the rules made; returns it unchanged (with a note) when they do not outweigh it. */
export function preferOverRules(point: DecisionPoint, inputs: Record<string, unknown>, options: string[], ruled: Outcome, verdict: Decided, prefs: LearnedPreferences): Outcome {
  const note = (text: string): Outcome => ({ ...ruled, notes: [...(ruled.notes ?? []), text] });
  const safety = verdict.winners.filter((w) => w.safety);
  if (safety.length > 0) return note(`preferences of '${prefs.owner}' not applied: safety rule ${ids(safety)} decided, and preferences never override safety rules`);
  const baseline: PreferenceEffect['baseline'] = { chosen: ruled.chosen, method: 'rule', confidence: ruled.confidence, ruleIds: verdict.winners.map((w) => w.id) };

  const applied = throughApply(point, inputs, options, prefs);
  if (applied && applied.chosen !== ruled.chosen) {
    const weights = criterionWeights(prefs);
    const alternatives = alternativesFor(point, inputs, options, applied.chosen, applied.losers, applied.policy ?? 'outranked')
      .map((a) => (a.option === ruled.chosen
        ? { option: a.option, reason: `chosen by rule ${ids(verdict.winners)} on the inputs as given; the learned weights (${describeWeights(weights)}) change that`, ruleIds: baseline.ruleIds }
        : a));
    return {
      chosen: applied.chosen,
      method: 'preference',
      confidence: Math.max(...applied.winners.map((w) => w.confidence)),
      explanation:
        `Chose ${applied.chosen} under the learned preference of '${prefs.owner}' (${describeWeights(weights)}, from ${plural(prefs.feedback, 'feedback')}): ` +
        `${applied.winners.map((w) => w.because).join('; ')}. Without it rule ${ids(verdict.winners)} chose ${ruled.chosen}: ${verdict.winners.map((w) => w.because).join('; ')}.`,
      evidence: [...applied.winners.map((w) => w.evidence), ...verdict.winners.map((w) => w.evidence)],
      alternatives,
      notes: ruled.notes,
      preference: { owner: prefs.owner, baseline, weights },
    };
  }

  const scores = preferenceScores(point, inputs, options, prefs);
  const rival = best(scores, options.filter((o) => o !== ruled.chosen));
  const advantage = rival ? rival.score - scores.get(ruled.chosen)!.score : 0;
  if (!rival || advantage <= 0) return ruled;
  if (advantage <= ruled.confidence) {
    return note(`preference of '${prefs.owner}' for ${rival.option} (${signed(advantage)} over ${ruled.chosen}) does not outweigh rule ${ids(verdict.winners)} (confidence ${ruled.confidence})`);
  }
  const weights = effectWeights(prefs, [rival.option, ruled.chosen]);
  return {
    chosen: rival.option,
    method: 'preference',
    confidence: preferenceConfidence(advantage),
    explanation:
      `Chose ${rival.option} by the learned preference of '${prefs.owner}' (${describeWeights(weights)}, from ${plural(prefs.feedback, 'feedback')}): ` +
      `it scores ${advantage.toFixed(2)} above ${ruled.chosen}, more than the confidence ${ruled.confidence} of rule ${ids(verdict.winners)}, which chose ${ruled.chosen}: ` +
      `${verdict.winners.map((w) => w.because).join('; ')}.`,
    evidence: ruled.evidence,
    alternatives: scoreAlternatives(point, inputs, options, rival.option, scores, {
      option: ruled.chosen,
      reason: `chosen by rule ${ids(verdict.winners)} (confidence ${ruled.confidence}), outweighed by the learned preference (${advantage.toFixed(2)} lower score)`,
      ruleIds: baseline.ruleIds,
    }),
    notes: ruled.notes,
    preference: { owner: prefs.owner, baseline, weights, advantage },
  };
}

/**
 * Where the rules gave no verdict (or a tie): a preference that singles out one option
 * decides, before the LLM is asked. Returns a note when it does not.
 */
export function preferWithoutVerdict(
  point: DecisionPoint, inputs: Record<string, unknown>, options: string[], verdict: Undecided, prefs: LearnedPreferences, situation: string,
): Outcome | { note: string } {
  const fallbackChoice = resolveDefault(point, inputs, options);
  const baseline: PreferenceEffect['baseline'] = { chosen: fallbackChoice, method: 'default', confidence: 0, ruleIds: [] };
  const applied = throughApply(point, inputs, options, prefs);
  if (applied) {
    const weights = criterionWeights(prefs);
    return {
      chosen: applied.chosen,
      method: 'preference',
      confidence: Math.max(...applied.winners.map((w) => w.confidence)),
      explanation:
        `Chose ${applied.chosen} under the learned preference of '${prefs.owner}' (${describeWeights(weights)}, from ${plural(prefs.feedback, 'feedback')}): ` +
        `on the inputs as given ${situation}; under these weights ${applied.winners.map((w) => w.because).join('; ')}.`,
      evidence: applied.winners.map((w) => w.evidence),
      alternatives: alternativesFor(point, inputs, options, applied.chosen, applied.losers, applied.policy ?? 'outranked'),
      notes: [situation, 'LLM not asked: a learned preference decided'],
      preference: { owner: prefs.owner, baseline, weights },
    };
  }
  const candidates = verdict.kind === 'conflict' ? verdict.tied : options;
  const scores = preferenceScores(point, inputs, options, prefs);
  const top = best(scores, candidates);
  const runnerUp = best(scores, candidates.filter((o) => o !== top?.option));
  const advantage = top ? top.score - (runnerUp?.score ?? 0) : 0;
  if (!top || advantage <= 0) return { note: `learned preferences of '${prefs.owner}' do not single out one option` };
  const weights = effectWeights(prefs, candidates);
  return {
    chosen: top.option,
    method: 'preference',
    confidence: preferenceConfidence(advantage),
    explanation:
      `Chose ${top.option} by the learned preference of '${prefs.owner}' (${describeWeights(weights)}, from ${plural(prefs.feedback, 'feedback')}): ` +
      `${situation}, and ${top.option} scores ${advantage.toFixed(2)} above ${runnerUp?.option ?? 'the rest'}.`,
    evidence: verdict.kind === 'conflict' ? verdict.fired.map((f) => f.evidence) : [],
    alternatives: scoreAlternatives(point, inputs, options, top.option, scores),
    notes: [situation, 'LLM not asked: a learned preference decided'],
    preference: { owner: prefs.owner, baseline, weights, advantage },
  };
}
