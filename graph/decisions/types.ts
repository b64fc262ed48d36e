/** Where a rule's reason comes from: the rule, the data point it read, the standard clause or source. */
export interface Evidence {
  ruleId: string;
  /** The input the rule looked at, e.g. `pressureMPa = 70`. */
  dataPoint?: string;
  /** A standard clause, e.g. `GTR 13 §5.1.1.1`. */
  clause?: string;
  /** A citation for a figure, e.g. `H2_REFERENCE.md: Lemmon 2008`. */
  source?: string;
}

export type DecisionMethod = 'rule' | 'llm' | 'preference' | 'default';

/**
 * One rule of a decision point: data plus a predicate.
 * @example { id: 'pressure-70', when: (r) => r.pressureMPa >= 70, choose: 'IV',
 *   because: 'At 70 MPa only a full-composite Type IV reaches the mass target',
 *   evidence: { clause: 'GTR 13' }, confidence: 0.95 }
 */
export interface DecisionRule<I = unknown> {
  id: string;
  when: (inputs: I) => boolean;
  /** The option this rule picks, or a function of the inputs that returns one. */
  choose: string | ((inputs: I) => string);
  /** One sentence: why this rule picks that option. */
  because: string | ((inputs: I) => string);
  evidence?: Omit<Evidence, 'ruleId'> | ((inputs: I) => Omit<Evidence, 'ruleId'>);
  /** 0-1. */
  confidence: number;
  /** Higher wins when decisive rules disagree. @default 0 */
  priority?: number;
  /** A safety rule is never overridden by a learned preference. @default false */
  safety?: boolean;
}

/** An option considered and not chosen, with the reason it lost. */
export interface Alternative {
  option: string;
  reason: string;
  /** Rules that argued for this option and lost the conflict. */
  ruleIds?: string[];
}

/** What a decision point decided, why, and on what. Lands in run state and in the decisions table. */
export interface DecisionRecord {
  id: string;
  point: string;
  /** 0 the first time a point is decided in a run, 1 the next loop iteration, ... */
  iteration: number;
  chosen: string;
  alternatives: Alternative[];
  explanation: string;
  evidence: Evidence[];
  confidence: number;
  method: DecisionMethod;
  inputs: Record<string, unknown>;
  /** Options available at decision time. */
  options: string[];
  /** Why the LLM or a preference was or was not used (e.g. "LLM timed out after 2000 ms"). */
  notes?: string[];
  /** Set when a learned preference changed the outcome (`method: "preference"`). */
  preference?: PreferenceEffect;
  decidedAt: string;
}

/** How a learned preference changed a decision: what it overrode and with which weights. */
export interface PreferenceEffect {
  owner: string;
  /** What the rules, the LLM or the default chose without the preference. */
  baseline: { chosen: string; method: DecisionMethod; confidence: number; ruleIds: string[] };
  /** The learned weights that moved the outcome, e.g. `{ "option:III": 0.5, "criterion:mass": 0.25 }`. */
  weights: Record<string, number>;
  /** Preference score of the chosen option minus that of the baseline (option and score paths). */
  advantage?: number;
}

/**
 * How learned preferences apply to a decision point. Two kinds of weight are learned
 * per owner from feedback, each bounded (see `preferences.ts`):
 * - a weight per option (`byOption`): added to the option's preference score;
 * - a weight per numeric criterion (`criteria`, e.g. mass vs cost): a feedback that
 *   prefers a lighter design raises `mass`. The weights reach the decision through
 *   `apply` (the point turns them into inputs its rules read, e.g. score weights), or,
 *   without `apply`, as `weight x utility` in each option's preference score.
 * @example preferences: { criteria: { mass: (i, o) => lightness(i, o), cost: (i, o) => cheapness(i, o) },
 *   apply: (i, w) => ({ ...i, shift: w }) }
 */
export interface PreferenceSpec<I = any> {
  /** Learn a weight per option. @default true for a fixed option list, false for computed options */
  byOption?: boolean;
  /** Utility of an option on one criterion, 0 (worst) to 1 (best), for these inputs. */
  criteria?: Record<string, (inputs: I, option: string) => number>;
  /** Returns the inputs the rules see under the learned criterion weights (each -1..1). */
  apply?: (inputs: I, weights: Record<string, number>) => I;
}

/**
 * A named decision point of a workflow. It reads `inputs(state)`, evaluates `rules`
 * and writes a `DecisionRecord`; the conditional edge after it routes on `chosen`.
 */
export interface DecisionPoint<I = any> {
  name: string;
  description: string;
  /** Fixed options, or options computed from the inputs (e.g. candidate designs). */
  options: readonly string[] | ((inputs: I) => string[]);
  /** Extracts, from run state, the JSON-serialisable inputs the rules look at. */
  inputs: (state: DecisionStateView) => I;
  rules: DecisionRule<I>[];
  /** Deterministic fallback when no rule decides and no LLM answers. */
  default: string | ((inputs: I) => string);
  /** Extra guidance for the LLM fallback. */
  prompt?: string;
  /**
   * Why an option lost against the chosen one, for options no rule spoke for.
   * @default "no rule selected it"
   */
  whyNot?: (inputs: I, option: string, chosen: string) => string | undefined;
  /** How learned per-owner preferences apply; without it only option weights are learned (fixed options). */
  preferences?: PreferenceSpec<I>;
}

/** The parts of run state a decision point may read. */
export interface DecisionStateView {
  request: unknown;
  outputs: Record<string, unknown>;
  decisions: Record<string, DecisionRecord>;
  iterations: Record<string, number>;
}
