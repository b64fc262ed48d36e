/**
 * Turns a decision point and its inputs into a full DecisionRecord: rules first
 * (conflicts settled by priority, then confidence; see `evaluateRules`), then the run
 * owner's learned preferences (see `prefer.ts`), then the fallback (the LLM, when
 * configured) for no verdict or an unresolved conflict, then the deterministic default.
 */
import { randomUUID } from 'node:crypto';
import { alternativesFor, evaluateRules, resolveDefault, resolveOptions, ruleOutcome, type FiredRule, type Outcome } from './evaluate.ts';
import { preferOverRules, preferWithoutVerdict } from './prefer.ts';
import { hasWeights, type LearnedPreferences } from './preferences.ts';
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
 * a reason why it could not (timeout, error, answer outside the options). It must
 * settle within its own time box and never throw; `signal` aborts it early (run abort).
 */
export type DecisionFallback = (
  point: DecisionPoint,
  inputs: Record<string, unknown>,
  options: string[],
  conflict: FiredRule[],
  signal?: AbortSignal,
) => Promise<FallbackAnswer | { failed: string }>;

export interface DecideOptions {
  iteration?: number;
  fallback?: DecisionFallback;
  /** The run owner's learned preferences for this point (see `prefer.ts` for how they apply). */
  preferences?: LearnedPreferences;
  /** Passed to the fallback. */
  signal?: AbortSignal;
  now?: () => Date;
}

/** Confidence of a deterministic default: it is a guess, and says so. */
export const DEFAULT_CONFIDENCE = 0.3;

/** Asks the fallback; an answer outside the options or a thrown error counts as a failure (the run goes on). */
async function askFallback(
  fallback: DecisionFallback, point: DecisionPoint, inputs: Record<string, unknown>, options: string[], conflict: FiredRule[], signal?: AbortSignal,
): Promise<FallbackAnswer | { failed: string }> {
  try {
    const answer = await fallback(point, inputs, options, conflict, signal);
    if ('chosen' in answer && !options.includes(answer.chosen)) return { failed: `answered '${answer.chosen}', which is not an option` };
    if ('chosen' in answer && !(answer.confidence >= 0 && answer.confidence <= 1)) return { failed: `confidence ${answer.confidence} is outside 0-1` };
    return answer;
  } catch (e) {
    return { failed: `the fallback threw ${(e as { name?: string })?.name ?? 'an error'}` };
  }
}

/**
 * Decides one point: rules, then preferences, then the fallback, then the default.
 * @example const record = await decide(tankTypePoint, { pressureMPa: 70, ... }, { fallback: llmFallbackFromEnv(process.env) });
 */
export async function decide(point: DecisionPoint, inputs: Record<string, unknown>, options: DecideOptions = {}): Promise<DecisionRecord> {
  const opts = resolveOptions(point, inputs);
  const verdict = evaluateRules(point, inputs, opts);
  const prefs = hasWeights(options.preferences) ? options.preferences : undefined;
  const record = (outcome: Outcome): DecisionRecord => ({
    id: randomUUID(),
    point: point.name,
    iteration: options.iteration ?? 0,
    inputs,
    options: opts,
    decidedAt: (options.now?.() ?? new Date()).toISOString(),
    ...outcome,
  });
  if (verdict.kind === 'decided') {
    const ruled = ruleOutcome(point, inputs, opts, verdict);
    return record(prefs ? preferOverRules(point, inputs, opts, ruled, verdict, prefs) : ruled);
  }

  const conflict = verdict.kind === 'conflict' ? verdict.fired : [];
  const notes: string[] = [];
  const evidence: Evidence[] = conflict.map((f) => f.evidence);
  const situation = verdict.kind === 'conflict'
    ? `rules ${conflict.map((f) => `'${f.id}' (${f.choose})`).join(', ')} conflict with equal priority and confidence`
    : 'no rule applied';
  if (prefs) {
    const preferred = preferWithoutVerdict(point, inputs, opts, verdict, prefs, situation);
    if ('chosen' in preferred) return record(preferred);
    notes.push(preferred.note);
  }
  if (options.fallback) {
    const answer = await askFallback(options.fallback, point, inputs, opts, conflict, options.signal);
    if ('chosen' in answer) {
      return record({
        chosen: answer.chosen,
        alternatives: opts.filter((o) => o !== answer.chosen).map((o) => answer.alternatives.find((a) => a.option === o) ?? { option: o, reason: 'not preferred by the LLM' }),
        explanation: `Chose ${answer.chosen} (LLM, because ${situation}): ${answer.reasoning}`,
        evidence,
        confidence: answer.confidence,
        method: 'llm',
        notes: [situation, ...notes],
      });
    }
    notes.push(`LLM fallback failed: ${answer.failed}`);
  } else {
    notes.push('no LLM configured');
  }
  const chosen = resolveDefault(point, inputs, opts);
  return record({
    chosen,
    alternatives: alternativesFor(point, inputs, opts, chosen, conflict.filter((f) => f.choose !== chosen), 'unresolved conflict, default applied'),
    explanation: `Chose ${chosen}, the default of '${point.name}', because ${situation} (${notes.join('; ')}).`,
    evidence,
    confidence: DEFAULT_CONFIDENCE,
    method: 'default',
    notes: [situation, ...notes],
  });
}
