/**
 * A decision record in words: what was decided, why (rules, evidence, standard
 * clauses), what else was considered and why it lost, confidence and method, and what
 * would have changed the outcome. Counterfactuals re-run the current rules (pure, no
 * LLM, no preferences): without the deciding rules, and with each numeric or boolean
 * input moved until the outcome changes (e.g. "IV would not have been chosen if
 * tempMinC < -40: III by rule 'cold-service-type-iii'").
 */
import { evaluateRules, resolveDefault, resolveOptions } from './evaluate.ts';
import { describeWeights } from './preferences.ts';
import type { DecisionPoint, DecisionRecord, Evidence } from './types.ts';

/** What the rules alone (then the default) choose for some inputs. */
export interface RulesOutcome {
  chosen: string;
  /** "rule 'a', 'b'" or "the default (no rule applies)". */
  by: string;
  ruleIds: string[];
}

/** An input change under which the rules would choose differently. */
export interface Counterfactual {
  input: string;
  /** e.g. `tempMinC < -40`, `pressureMPa >= 60`, `urgent = false`. */
  condition: string;
  chosen: string;
  by: string;
  ruleIds: string[];
}

export interface DecisionExplanation {
  decisionId: string;
  point: string;
  chosen: string;
  method: DecisionRecord['method'];
  confidence: number;
  /** Rules that made the decision (method `rule`, or the baseline a preference overrode). */
  decidingRules: string[];
  /** What the current rules choose without the deciding rules. */
  withoutDecidingRules?: RulesOutcome;
  counterfactuals: Counterfactual[];
  /** The human-readable explanation. */
  text: string;
}

const quoted = (ids: string[]): string => ids.map((i) => `'${i}'`).join(', ');

/** The rules that decided a record: its evidence minus the rules of losing alternatives. */
export function decidingRules(record: DecisionRecord): string[] {
  if (record.method === 'preference') return record.preference?.baseline.ruleIds ?? [];
  if (record.method !== 'rule') return [];
  const losers = new Set(record.alternatives.flatMap((a) => a.ruleIds ?? []));
  return record.evidence.map((e) => e.ruleId).filter((id) => !losers.has(id));
}

/** Rules (then the default) on these inputs; undefined if the point cannot evaluate them. */
export function rulesOutcome(point: DecisionPoint, inputs: unknown): RulesOutcome | undefined {
  try {
    const options = resolveOptions(point, inputs);
    const verdict = evaluateRules(point, inputs, options);
    if (verdict.kind === 'decided') {
      const ids = verdict.winners.map((w) => w.id);
      return { chosen: verdict.chosen, by: `rule ${quoted(ids)}`, ruleIds: ids };
    }
    const why = verdict.kind === 'conflict' ? 'rules tie' : 'no rule applies';
    return { chosen: resolveDefault(point, inputs, options), by: `the default (${why})`, ruleIds: [] };
  } catch {
    return undefined;
  }
}

/** The roundest number between `a` and `b` (inclusive). */
function roundBetween(a: number, b: number): number {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  for (let p = 0; p <= 12; p++) {
    const r = Number(b.toFixed(p));
    if (r >= lo && r <= hi) return r;
  }
  return b;
}

const STEPS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 9];

/** Moves one numeric input down and up until the rules' outcome changes; the nearest boundary each way. */
function probeNumber(point: DecisionPoint, inputs: Record<string, unknown>, key: string, base: RulesOutcome): Counterfactual[] {
  const v = inputs[key] as number;
  const scale = Math.max(Math.abs(v), 1);
  const at = (x: number) => rulesOutcome(point, { ...inputs, [key]: x });
  const differs = (o: RulesOutcome | undefined): o is RulesOutcome => o !== undefined && o.chosen !== base.chosen;
  const found: Counterfactual[] = [];
  for (const dir of [-1, 1]) {
    let same = v;
    let first: number | undefined;
    for (const f of STEPS) {
      const x = v + dir * f * scale;
      if (differs(at(x))) {
        first = x;
        break;
      }
      same = x;
    }
    if (first === undefined) continue;
    let diff: number = first;
    for (let i = 0; i < 80 && Math.abs(diff - same) > 1e-9 * scale; i++) {
      const mid: number = (same + diff) / 2;
      if (differs(at(mid))) diff = mid;
      else same = mid;
    }
    const r = roundBetween(same, diff);
    const atR = at(r);
    const inclusive = differs(atR);
    const outcome = inclusive ? atR : at(diff)!;
    const op = dir < 0 ? (inclusive ? '<=' : '<') : (inclusive ? '>=' : '>');
    found.push({ input: key, condition: `${key} ${op} ${r}`, chosen: outcome.chosen, by: outcome.by, ruleIds: outcome.ruleIds });
  }
  return found;
}

/** Input changes under which the current rules would choose differently than they do now. */
export function counterfactuals(point: DecisionPoint, inputs: Record<string, unknown>): Counterfactual[] {
  const base = rulesOutcome(point, inputs);
  if (!base) return [];
  const out: Counterfactual[] = [];
  // Sorted: a record read back from jsonb has its keys in another order.
  for (const [key, value] of Object.entries(inputs).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value === 'number' && Number.isFinite(value)) out.push(...probeNumber(point, inputs, key, base));
    if (typeof value === 'boolean') {
      const o = rulesOutcome(point, { ...inputs, [key]: !value });
      if (o && o.chosen !== base.chosen) out.push({ input: key, condition: `${key} = ${!value}`, chosen: o.chosen, by: o.by, ruleIds: o.ruleIds });
    }
  }
  return out;
}

function evidenceLine(e: Evidence): string {
  const parts = [e.dataPoint && `data: ${e.dataPoint}`, e.clause && `clause: ${e.clause}`, e.source && `source: ${e.source}`].filter(Boolean);
  return `  - rule '${e.ruleId}'${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/**
 * Explains a record. With the point's current definition it adds counterfactuals;
 * without it (point no longer registered) it renders the record alone.
 * @example explainDecision(record, tankTypePoint).text
 */
export function explainDecision(record: DecisionRecord, point?: DecisionPoint, context: { runId?: string } = {}): DecisionExplanation {
  const deciding = decidingRules(record);
  const lines: string[] = [];
  lines.push(`Decision '${record.point}' (iteration ${record.iteration}${context.runId ? `, run ${context.runId}` : ''}, ${record.decidedAt}): ${record.chosen}`);
  lines.push(`Method: ${record.method}, confidence ${record.confidence.toFixed(2)}${record.method === 'default' ? ' (a deterministic default, flagged as such)' : ''}`);
  lines.push(`Why: ${record.explanation}`);
  if (record.evidence.length) lines.push('Evidence:', ...record.evidence.map(evidenceLine));
  if (record.alternatives.length) {
    lines.push('Considered and rejected:', ...record.alternatives.map((a) => `  - ${a.option}: ${a.reason}`));
  }
  if (record.preference) {
    const p = record.preference;
    lines.push(
      `Preference: the learned preference of '${p.owner}' (${describeWeights(p.weights)}) changed the outcome; ` +
      `without it: ${p.baseline.chosen} by ${p.baseline.method}${p.baseline.ruleIds.length ? ` ${quoted(p.baseline.ruleIds)}` : ''}` +
      `${p.baseline.method === 'rule' ? ` (confidence ${p.baseline.confidence})` : ''}.`,
    );
  }
  if (record.notes?.length) lines.push(`Notes: ${record.notes.join('; ')}`);

  let without: RulesOutcome | undefined;
  let changes: Counterfactual[] = [];
  if (point) {
    const change: string[] = [];
    const now = rulesOutcome(point, record.inputs);
    if (now && record.method === 'rule' && now.chosen !== record.chosen) {
      change.push(`  - the current rules choose ${now.chosen} by ${now.by} for the same inputs (the rules changed since; see replay)`);
    }
    if (deciding.length) {
      without = rulesOutcome({ ...point, rules: point.rules.filter((r) => !deciding.includes(r.id)) }, record.inputs);
      if (without) {
        change.push(without.chosen === (record.preference?.baseline.chosen ?? record.chosen)
          ? `  - without rule ${quoted(deciding)}: still ${without.chosen}, by ${without.by}`
          : `  - without rule ${quoted(deciding)}: ${without.chosen}, by ${without.by}`);
      }
    }
    changes = counterfactuals(point, record.inputs);
    const subject = now?.chosen ?? record.chosen;
    for (const c of changes) {
      change.push(subject === record.chosen
        ? `  - ${subject} would not have been chosen if ${c.condition}: ${c.chosen} by ${c.by} instead`
        : `  - the rules alone would choose ${c.chosen} (not ${subject}) by ${c.by} if ${c.condition}`);
    }
    if (record.method === 'llm' || record.method === 'default') {
      change.push(`  - rules decide these inputs as: ${now ? `${now.chosen} by ${now.by}` : 'not evaluable'}; a rule that applies would replace the ${record.method}`);
    }
    if (change.length === 0) change.push('  - no single numeric or boolean input change within a factor of ten alters the rules\' outcome');
    lines.push('What would have changed the outcome:', ...change);
  }
  return {
    decisionId: record.id,
    point: record.point,
    chosen: record.chosen,
    method: record.method,
    confidence: record.confidence,
    decidingRules: deciding,
    withoutDecidingRules: without,
    counterfactuals: changes,
    text: lines.join('\n'),
  };
}
