/**
 * What the requester named, as the decision points see it: the tank type asked for
 * (named, or implied by a named material: steel alone is Type I, aluminium Type III, a
 * polymer liner Type IV), the liner/fiber asked for, and the check that a named choice
 * does not meet a safety rule that argues against it. Such a clash is put to the person
 * as a question (the parse-requirements stage asks it) instead of either side winning
 * silently; once they answer, their choice is `confirmed` and binds.
 */
import { evaluateRules } from '../../../graph/decisions/evaluate.ts';
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import { safetyConflict, type RequirementsIssue } from '../requirements/questions.ts';
import { typesFor } from '../requirements/stated.ts';
import type { Fiber, Liner, StatedChoices, TankType } from '../schemas.ts';

/** The tank type asked for, in the requester's words. */
export interface RequestedType {
  type: TankType;
  words: string;
  confirmed?: boolean;
}

/** The materials asked for; a part not named is free. `carbon` matches any carbon grade. */
export interface RequestedMaterials {
  liner?: Liner;
  fiber?: Fiber | 'carbon' | 'none';
  words: string;
  confirmed?: boolean;
}

/** Carbon grades, which a named "carbon fibre" leaves open. */
const CARBON: readonly string[] = ['T700S', 'T800S', 'T1000G'];

const joinWords = (...w: Array<string | undefined>): string => [...new Set(w.filter((x): x is string => x !== undefined))].join(' and ');

/**
 * The tank type the requester asked for: named outright, or the only type the named
 * materials fit.
 * @example requestedType({ liner: { value: 'steel-34CrMo4', words: 'steel' }, fiber: { value: 'none', words: 'steel' } }) // { type: 'I', words: 'steel' }
 */
export function requestedType(stated: StatedChoices | undefined): RequestedType | undefined {
  if (stated?.tankType) return { type: stated.tankType.value, words: stated.tankType.words, ...(stated.tankType.confirmed ? { confirmed: true } : {}) };
  if (!stated?.liner && !stated?.fiber) return undefined;
  const fits = typesFor({ liner: stated.liner?.value, fiber: stated.fiber?.value });
  if (fits.length !== 1) return undefined;
  const confirmed = stated.liner?.confirmed || stated.fiber?.confirmed;
  return { type: fits[0]!, words: joinWords(stated.liner?.words, stated.fiber?.words), ...(confirmed ? { confirmed: true } : {}) };
}

/** The liner/fiber the requester asked for, if any. */
export function requestedMaterials(stated: StatedChoices | undefined): RequestedMaterials | undefined {
  if (!stated?.liner && !stated?.fiber) return undefined;
  const confirmed = stated.liner?.confirmed || stated.fiber?.confirmed;
  return {
    ...(stated.liner ? { liner: stated.liner.value } : {}),
    ...(stated.fiber ? { fiber: stated.fiber.value } : {}),
    words: joinWords(stated.liner?.words, stated.fiber?.words),
    ...(confirmed ? { confirmed: true } : {}),
  };
}

/**
 * Whether a `<liner>/<fiber>` option has what was asked for.
 * @example matchesRequest('HDPE/T800S', { fiber: 'carbon', words: 'carbon fibre' }) // true
 */
export function matchesRequest(option: string, r: RequestedMaterials): boolean {
  const [liner, fiber] = option.split('/');
  if (r.liner !== undefined && liner !== r.liner) return false;
  if (r.fiber === undefined) return true;
  return r.fiber === 'carbon' ? CARBON.includes(fiber ?? '') : fiber === r.fiber;
}

/** A point, rules and inputs where a named choice may meet a safety rule. */
interface Check<I> {
  point: DecisionPoint<I>;
  inputs: I;
  /** The options the requester's words allow. */
  allowed: (option: string) => boolean;
  /** The id of the point's rule that carries the request (left out when asking the other rules). */
  requestRule: string;
}

/** The first safety rule that fires for an option the request does not allow. */
export function safetyRuleAgainst<I>(c: Check<I>): { id: string; choose: string; because: string } | undefined {
  const others: DecisionPoint<I> = { ...c.point, rules: c.point.rules.filter((r: DecisionRule<I>) => r.id !== c.requestRule) };
  const verdict = evaluateRules(others, c.inputs);
  if (verdict.kind === 'none') return undefined;
  const fired = verdict.kind === 'decided' ? [...verdict.winners, ...verdict.losers] : verdict.fired;
  return fired.filter((f) => f.safety && !c.allowed(f.choose)).sort((a, b) => b.priority - a.priority)[0];
}

/** The question for a named choice a safety rule argues against, or undefined. */
export function statedSafetyIssue(
  field: 'tankType' | 'material',
  named: string,
  words: string,
  clash: { id: string; choose: string; because: string } | undefined,
  label: (option: string) => string,
): RequirementsIssue | undefined {
  if (!clash) return undefined;
  return safetyConflict({ field, named, words, safe: clash.choose, safeLabel: label(clash.choose), reason: clash.because, rule: clash.id });
}
