import { StagegraphError } from '../../nodes/errors.ts';
import type { Alternative, DecisionPoint, DecisionRule, Evidence } from './types.ts';

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
 * - `conflict`: decisive rules disagree with equal priority and confidence.
 */
export type RuleVerdict =
  | { kind: 'decided'; chosen: string; winners: FiredRule[]; losers: FiredRule[]; policy?: string }
  | { kind: 'none' }
  | { kind: 'conflict'; fired: FiredRule[] };

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
 * Evaluates every rule of a point. Conflict policy: the highest `priority` wins;
 * among equal priorities the highest `confidence`; a tie on both is a conflict
 * left to the LLM or the default.
 */
export function evaluateRules<I>(point: DecisionPoint<I>, inputs: I, options = resolveOptions(point, inputs)): RuleVerdict {
  const fired = point.rules.filter((r) => r.when(inputs)).map((r) => fire(point, r, inputs, options));
  if (fired.length === 0) return { kind: 'none' };
  const choices = new Set(fired.map((f) => f.choose));
  if (choices.size === 1) return { kind: 'decided', chosen: fired[0]!.choose, winners: fired, losers: [] };

  const ranked = [...fired].sort((a, b) => b.priority - a.priority || b.confidence - a.confidence);
  const top = ranked[0]!;
  const rival = ranked.find((f) => f.choose !== top.choose)!;
  if (rival.priority === top.priority && rival.confidence === top.confidence) return { kind: 'conflict', fired };
  const policy = rival.priority !== top.priority ? 'higher priority' : 'higher confidence';
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
