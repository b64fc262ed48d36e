import { StagegraphError } from '../../nodes/errors.ts';
import type { Alternative, DecisionPoint, DecisionRecord, DecisionRule, Evidence } from './types.ts';

/** A rule that fired, resolved against the inputs. */
export interface FiredRule {
  id: string;
  choose: string;
  because: string;
  evidence: Evidence;
  confidence: number;
  priority: number;
  safety: boolean;
}

/**
 * The rules' verdict.
 * - `decided`: one option won (all fired rules agreed, or the conflict policy settled it).
 * - `none`: no rule fired.
 * - `conflict`: decisive rules disagree with equal priority and confidence; `tied` names
 *   the options those top rules argue for.
 */
export type RuleVerdict =
  | { kind: 'decided'; chosen: string; winners: FiredRule[]; losers: FiredRule[]; policy?: ConflictPolicy }
  | { kind: 'none' }
  | { kind: 'conflict'; fired: FiredRule[]; tied: string[] };

/** How a conflict between fired rules was settled. */
export type ConflictPolicy = 'higher priority' | 'higher confidence';

export function resolveOptions<I>(point: DecisionPoint<I>, inputs: I): string[] {
  const options = typeof point.options === 'function' ? point.options(inputs) : [...point.options];
  if (options.length === 0) {
    throw new StagegraphError('decision_no_options', `decision point '${point.name}' has no options for these inputs`, {
      details: { point: point.name },
    });
  }
  return options;
}

export function resolveDefault<I>(point: DecisionPoint<I>, inputs: I, options: string[]): string {
  const chosen = typeof point.default === 'function' ? point.default(inputs) : point.default;
  assertOption(point, chosen, options, 'default');
  return chosen;
}

function assertOption(point: DecisionPoint, chosen: string, options: string[], source: string): void {
  if (!options.includes(chosen)) {
    throw new StagegraphError(
      'decision_invalid_option',
      `decision point '${point.name}': ${source} chose '${chosen}', which is not one of ${options.map((o) => `'${o}'`).join(', ')}`,
      { details: { point: point.name, chosen, options, source } },
    );
  }
}

function fire<I>(point: DecisionPoint<I>, rule: DecisionRule<I>, inputs: I, options: string[]): FiredRule {
  const choose = typeof rule.choose === 'function' ? rule.choose(inputs) : rule.choose;
  assertOption(point, choose, options, `rule '${rule.id}'`);
  const evidence = typeof rule.evidence === 'function' ? rule.evidence(inputs) : rule.evidence;
  return {
    id: rule.id,
    choose,
    because: typeof rule.because === 'function' ? rule.because(inputs) : rule.because,
    evidence: { ruleId: rule.id, ...evidence },
    confidence: rule.confidence,
    priority: rule.priority ?? 0,
    safety: rule.safety ?? false,
  };
}

/**
 * Evaluates every rule of a point against the inputs. Pure and synchronous: no LLM,
 * no preferences, no I/O (replay and counterfactuals call it freely).
 *
 * Conflict policy:
 * 1. Every rule whose `when` holds fires; its `choose`, `because` and `evidence` are
 *    resolved against the inputs. A rule choosing an option outside `options` throws
 *    `decision_invalid_option` (a bug in the point, not a run condition).
 * 2. No rule fired: `none`.
 * 3. All fired rules chose the same option: `decided`, every fired rule is a winner.
 * 4. Fired rules disagree: rules are ranked by `priority` (higher first), then by
 *    `confidence` (higher first). The top rule's option wins when its rule is strictly
 *    ahead of the best rule of every other option: by priority (`policy: "higher
 *    priority"`) or, at equal priority, by confidence (`"higher confidence"`). Winners
 *    are all fired rules for that option; losers are the others, and each losing
 *    option becomes an alternative naming its rules and the policy that beat them.
 * 5. The best rules of two options tie on priority and confidence: `conflict`, left to
 *    the fallback (LLM) and then the deterministic default.
 * @example evaluateRules(point, { pressureMPa: 70 }) // { kind: 'decided', chosen: 'IV', winners: [...], losers: [] }
 */
export function evaluateRules<I>(point: DecisionPoint<I>, inputs: I, options = resolveOptions(point, inputs)): RuleVerdict {
  const fired = point.rules.filter((r) => r.when(inputs)).map((r) => fire(point, r, inputs, options));
  if (fired.length === 0) return { kind: 'none' };
  const choices = new Set(fired.map((f) => f.choose));
  if (choices.size === 1) return { kind: 'decided', chosen: fired[0]!.choose, winners: fired, losers: [] };

  const ranked = [...fired].sort((a, b) => b.priority - a.priority || b.confidence - a.confidence);
  const top = ranked[0]!;
  const rival = ranked.find((f) => f.choose !== top.choose)!;
  if (rival.priority === top.priority && rival.confidence === top.confidence) {
    const tied = [...new Set(ranked.filter((f) => f.priority === top.priority && f.confidence === top.confidence).map((f) => f.choose))];
    return { kind: 'conflict', fired, tied };
  }
  const policy: ConflictPolicy = rival.priority !== top.priority ? 'higher priority' : 'higher confidence';
  return {
    kind: 'decided',
    chosen: top.choose,
    winners: fired.filter((f) => f.choose === top.choose),
    losers: fired.filter((f) => f.choose !== top.choose),
    policy,
  };
}

/** Alternatives for every option but the chosen, each with the reason it lost. */
export function alternativesFor<I>(
  point: DecisionPoint<I>,
  inputs: I,
  options: string[],
  chosen: string,
  losers: FiredRule[],
  lostBecause: string,
): Alternative[] {
  return options
    .filter((o) => o !== chosen)
    .map((option) => {
      const against = losers.filter((l) => l.choose === option);
      if (against.length > 0) {
        const rules = against.map((l) => `'${l.id}' (priority ${l.priority}, confidence ${l.confidence})`).join(', ');
        return { option, reason: `rule ${rules} argued for it but lost: ${lostBecause}`, ruleIds: against.map((l) => l.id) };
      }
      return { option, reason: point.whyNot?.(inputs, option, chosen) ?? 'no rule selected it' };
    });
}

/** The parts of a DecisionRecord that say what was decided and why (the rest is bookkeeping). */
export type Outcome = Pick<DecisionRecord, 'chosen' | 'alternatives' | 'explanation' | 'evidence' | 'confidence' | 'method'> &
  Pick<Partial<DecisionRecord>, 'notes' | 'preference'>;

/** "Chose IV: <because>; <because>. Rules 'x' disagreed; settled by higher priority." */
export function ruleExplanation(chosen: string, winners: FiredRule[], policy?: string, losers: FiredRule[] = []): string {
  const why = winners.map((w) => w.because).join('; ');
  const conflict = losers.length
    ? ` Rules ${losers.map((l) => `'${l.id}'`).join(', ')} disagreed; settled by ${policy}.`
    : '';
  return `Chose ${chosen}: ${why}.${conflict}`;
}

/** The outcome of a `decided` verdict: method `rule`, confidence of the strongest winner. */
export function ruleOutcome<I>(point: DecisionPoint<I>, inputs: I, options: string[], verdict: Extract<RuleVerdict, { kind: 'decided' }>): Outcome {
  return {
    chosen: verdict.chosen,
    alternatives: alternativesFor(point, inputs, options, verdict.chosen, verdict.losers, verdict.policy ?? 'outranked'),
    explanation: ruleExplanation(verdict.chosen, verdict.winners, verdict.policy, verdict.losers),
    evidence: [...verdict.winners, ...verdict.losers].map((f) => f.evidence),
    confidence: Math.max(...verdict.winners.map((w) => w.confidence)),
    method: 'rule',
  };
}
