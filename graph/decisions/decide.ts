/**
 * Turns a decision point and its inputs into a full DecisionRecord: rules first
 * (conflicts settled by priority, then confidence), then the fallback (the LLM, when
 * configured) for no verdict or an unresolved conflict, then the deterministic default.
 */
import { randomUUID } from 'node:crypto';
import { alternativesFor, evaluateRules, resolveDefault, resolveOptions, type FiredRule } from './evaluate.ts';
import type { Alternative, DecisionPoint, DecisionRecord, Evidence } from './types.ts';

/** What a fallback (e.g. the LLM) answered, already checked against the options. */
export interface FallbackAnswer {
  chosen: string;
  confidence: number;
  reasoning: string;
  alternatives: Alternative[];
}

/**
 * Asked when rules give no verdict or an unresolved conflict. Returns an answer, or
 * a reason why it could not (timeout, error, answer outside the options).
 */
export type DecisionFallback = (
  point: DecisionPoint,
  inputs: Record<string, unknown>,
  options: string[],
  conflict: FiredRule[],
) => Promise<FallbackAnswer | { failed: string }>;

export interface DecideOptions {
  iteration?: number;
  fallback?: DecisionFallback;
  now?: () => Date;
}

/** Confidence of a deterministic default: it is a guess, and says so. */
export const DEFAULT_CONFIDENCE = 0.3;

function ruleExplanation(chosen: string, winners: FiredRule[], policy?: string, losers: FiredRule[] = []): string {
  const why = winners.map((w) => w.because).join('; ');
  const conflict = losers.length
    ? ` Rules ${losers.map((l) => `'${l.id}'`).join(', ')} disagreed; settled by ${policy}.`
    : '';
  return `Chose ${chosen}: ${why}.${conflict}`;
}

export async function decide(point: DecisionPoint, inputs: Record<string, unknown>, options: DecideOptions = {}): Promise<DecisionRecord> {
  const opts = resolveOptions(point, inputs);
  const verdict = evaluateRules(point, inputs, opts);
  const base = {
    id: randomUUID(),
    point: point.name,
    iteration: options.iteration ?? 0,
    inputs,
    options: opts,
    decidedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  if (verdict.kind === 'decided') {
    const lostBecause = verdict.policy ?? 'outranked';
    return {
      ...base,
      chosen: verdict.chosen,
      alternatives: alternativesFor(point, inputs, opts, verdict.chosen, verdict.losers, lostBecause),
      explanation: ruleExplanation(verdict.chosen, verdict.winners, verdict.policy, verdict.losers),
      evidence: [...verdict.winners, ...verdict.losers].map((f) => f.evidence),
      confidence: Math.max(...verdict.winners.map((w) => w.confidence)),
      method: 'rule',
    };
  }

  const conflict = verdict.kind === 'conflict' ? verdict.fired : [];
  const notes: string[] = [];
  const evidence: Evidence[] = conflict.map((f) => f.evidence);
  const situation = verdict.kind === 'conflict'
    ? `rules ${conflict.map((f) => `'${f.id}' (${f.choose})`).join(', ')} conflict with equal priority and confidence`
    : 'no rule applied';
  if (options.fallback) {
    const answer = await options.fallback(point, inputs, opts, conflict);
    if ('chosen' in answer) {
      return {
        ...base,
        chosen: answer.chosen,
        alternatives: opts.filter((o) => o !== answer.chosen).map((o) => answer.alternatives.find((a) => a.option === o) ?? { option: o, reason: 'not preferred by the LLM' }),
        explanation: `Chose ${answer.chosen} (LLM, because ${situation}): ${answer.reasoning}`,
        evidence,
        confidence: answer.confidence,
        method: 'llm',
        notes: [situation],
      };
    }
    notes.push(`LLM fallback failed: ${answer.failed}`);
  } else {
    notes.push('no LLM configured');
  }
  const chosen = resolveDefault(point, inputs, opts);
  return {
    ...base,
    chosen,
    alternatives: alternativesFor(point, inputs, opts, chosen, conflict.filter((f) => f.choose !== chosen), 'unresolved conflict, default applied'),
    explanation: `Chose ${chosen}, the default of '${point.name}', because ${situation} (${notes.join('; ')}).`,
    evidence,
    confidence: DEFAULT_CONFIDENCE,
    method: 'default',
    notes: [situation, ...notes],
  };
}
