/**
 * The decision engine without a database: the conflict policy (priority, then
 * confidence, a tie to the fallback), alternatives with reasons, how learned
 * preferences apply (bounded, safety rules never overridden), and explanations with
 * counterfactuals.
 */
import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_CONFIDENCE, type DecisionFallback } from '../graph/decisions/decide.ts';
import { evaluateRules } from '../graph/decisions/evaluate.ts';
import { explainDecision } from '../graph/decisions/explain.ts';
import {
  addChanges, feedbackChanges, PREFERENCE_LIMIT, PREFERENCE_STEP, type LearnedPreferences,
} from '../graph/decisions/preferences.ts';
import type { DecisionPoint, DecisionRule } from '../graph/decisions/types.ts';
import { isStagegraphError } from '../nodes/errors.ts';

interface Tank {
  pressureMPa: number;
  tempMinC: number;
  mobile: boolean;
}

/** A literal tank-type point: rules by pressure, cold service (safety) and mobility. */
const tank: DecisionPoint<Tank> = {
  name: 'tank',
  description: 'tank construction type',
  options: ['I', 'II', 'III', 'IV'],
  inputs: () => ({ pressureMPa: 70, tempMinC: -40, mobile: true }),
  rules: [
    {
      id: 'h70-type-iv', when: (i) => i.pressureMPa >= 60 && i.mobile, choose: 'IV',
      because: (i) => `at ${i.pressureMPa} MPa on a vehicle only Type IV meets the mass target`,
      evidence: (i) => ({ dataPoint: `pressureMPa = ${i.pressureMPa}`, clause: 'GTR 13 §5.1.1' }), confidence: 0.6, priority: 30,
    },
    {
      id: 'low-pressure-steel', when: (i) => i.pressureMPa < 30, choose: 'I',
      because: 'below 30 MPa seamless steel is cheapest', evidence: { clause: 'ISO 11114-1' }, confidence: 0.85, priority: 10,
    },
    {
      id: 'cold-type-iii', when: (i) => i.tempMinC < -40, choose: 'III',
      because: (i) => `service down to ${i.tempMinC} C is below the -40 C Type IV is qualified to`,
      evidence: { clause: 'GTR 13 service temperature -40 to +85 C' }, confidence: 0.75, priority: 50, safety: true,
    },
  ],
  default: 'IV',
  whyNot: (_i, option) => (option === 'II' ? 'steel liner with hoop wrap: heavy' : undefined),
};

const at = (over: Partial<Tank> = {}): Tank & Record<string, unknown> => ({ pressureMPa: 70, tempMinC: -40, mobile: true, ...over });

function point(rules: DecisionRule<Record<string, never>>[], def = 'a'): DecisionPoint<Record<string, never>> {
  return { name: 'p', description: 'p', options: ['a', 'b', 'c'], inputs: () => ({}), rules, default: def };
}
const rule = (id: string, choose: string, priority: number, confidence: number): DecisionRule<Record<string, never>> =>
  ({ id, when: () => true, choose, because: `${id} says ${choose}`, confidence, priority });

describe('conflict policy', () => {
  it('rules that agree all win; confidence is the strongest', async () => {
    const r = await decide(point([rule('x', 'b', 0, 0.7), rule('y', 'b', 5, 0.9)]), {});
    expect([r.chosen, r.method, r.confidence]).toEqual(['b', 'rule', 0.9]);
    expect(r.evidence.map((e) => e.ruleId)).toEqual(['x', 'y']);
    expect(r.alternatives.map((a) => a.option)).toEqual(['a', 'c']);
  });

  it('higher priority beats higher confidence; the loser is an alternative naming its rule and the policy', async () => {
    const r = await decide(point([rule('sure', 'b', 1, 0.99), rule('important', 'c', 2, 0.5)]), {});
    expect([r.chosen, r.method, r.confidence]).toEqual(['c', 'rule', 0.5]);
    const b = r.alternatives.find((a) => a.option === 'b')!;
    expect(b.ruleIds).toEqual(['sure']);
    expect(b.reason).toContain('higher priority');
    expect(r.alternatives.find((a) => a.option === 'a')!.reason).toBe('no rule selected it');
    expect(r.explanation).toContain("Rules 'sure' disagreed; settled by higher priority");
  });

  it('at equal priority the higher confidence wins', () => {
    const v = evaluateRules(point([rule('weak', 'b', 3, 0.6), rule('strong', 'c', 3, 0.8)]), {});
    expect(v).toMatchObject({ kind: 'decided', chosen: 'c', policy: 'higher confidence' });
  });

  it('a tie on priority and confidence is a conflict: the fallback is asked with the conflicting rules', async () => {
    const p = point([rule('left', 'b', 3, 0.8), rule('right', 'c', 3, 0.8), rule('minor', 'a', 1, 0.9)]);
    expect(evaluateRules(p, {})).toMatchObject({ kind: 'conflict', tied: ['b', 'c'] });
    let asked: string[] = [];
    const fallback: DecisionFallback = async (_p, _i, options, conflict) => {
      asked = conflict.map((f) => f.id);
      return { chosen: 'c', confidence: 0.7, reasoning: 'c is safer', alternatives: [{ option: 'b', reason: 'riskier' }] };
    };
    const r = await decide(p, {}, { fallback });
    expect(asked).toEqual(['left', 'right', 'minor']);
    expect([r.chosen, r.method, r.confidence]).toEqual(['c', 'llm', 0.7]);
    expect(r.alternatives).toEqual([{ option: 'a', reason: 'not preferred by the LLM' }, { option: 'b', reason: 'riskier' }]);
  });

  it('a conflict without a fallback ends in the default, flagged with low confidence and a note', async () => {
    const r = await decide(point([rule('left', 'b', 3, 0.8), rule('right', 'c', 3, 0.8)], 'b'), {});
    expect([r.chosen, r.method, r.confidence]).toEqual(['b', 'default', DEFAULT_CONFIDENCE]);
    expect(r.notes).toEqual(["rules 'left' (b), 'right' (c) conflict with equal priority and confidence", 'no LLM configured']);
    expect(r.alternatives.find((a) => a.option === 'c')!.ruleIds).toEqual(['right']);
  });

  it('a fallback that throws or answers outside the options ends in the default; the run is never failed by it', async () => {
    const p = point([]);
    const threw = await decide(p, {}, { fallback: async () => { throw new TypeError('boom'); } });
    expect([threw.method, threw.confidence, threw.notes?.[1]]).toEqual(['default', DEFAULT_CONFIDENCE, 'LLM fallback failed: the fallback threw TypeError']);
    const stray = await decide(p, {}, { fallback: async () => ({ chosen: 'z', confidence: 0.9, reasoning: '', alternatives: [] }) });
    expect([stray.chosen, stray.method, stray.notes?.[1]]).toEqual(['a', 'default', "LLM fallback failed: answered 'z', which is not an option"]);
  });

  it('a rule choosing an option that does not exist is rejected with decision_invalid_option', async () => {
    const e = await decide(point([rule('typo', 'B', 0, 1)]), {}).catch((x: unknown) => x);
    expect(isStagegraphError(e, 'decision_invalid_option')).toBe(true);
  });
});

const prefs = (options: Record<string, number>, criteria: Record<string, number> = {}, feedback = 1): LearnedPreferences =>
  ({ owner: 'alice', options, criteria, feedback });

describe('preferences in decide()', () => {
  it('one feedback never outweighs a rule of confidence >= 0.5; two can, and the record says which preference and by how much', async () => {
    const one = prefs({ III: PREFERENCE_STEP, IV: -PREFERENCE_STEP });
    const r1 = await decide(tank, at(), { preferences: one });
    expect([r1.chosen, r1.method]).toEqual(['IV', 'rule']);
    expect(r1.notes?.[0]).toContain("preference of 'alice' for III (+0.50 over IV) does not outweigh rule 'h70-type-iv' (confidence 0.6)");

    const r2 = await decide(tank, at(), { preferences: prefs({ III: 0.5, IV: -0.5 }, {}, 2) });
    expect([r2.chosen, r2.method]).toEqual(['III', 'preference']);
    expect(r2.confidence).toBe(0.75);
    expect(r2.preference).toEqual({
      owner: 'alice', weights: { 'option:III': 0.5, 'option:IV': -0.5 }, advantage: 1,
      baseline: { chosen: 'IV', method: 'rule', confidence: 0.6, ruleIds: ['h70-type-iv'] },
    });
    expect(r2.explanation).toContain("learned preference of 'alice' (option:III +0.50, option:IV -0.50, from 2 feedbacks)");
    expect(r2.explanation).toContain('scores 1.00 above IV');
    expect(r2.alternatives.find((a) => a.option === 'IV')).toMatchObject({ ruleIds: ['h70-type-iv'] });
  });

  it('a safety rule is never overridden, however strong the preference', async () => {
    const r = await decide(tank, at({ tempMinC: -50 }), { preferences: prefs({ IV: PREFERENCE_LIMIT, III: -PREFERENCE_LIMIT }, {}, 9) });
    expect([r.chosen, r.method]).toEqual(['III', 'rule']);
    expect(r.notes?.[0]).toContain("safety rule 'cold-type-iii' decided, and preferences never override safety rules");
  });

  it('where no rule decides, a preference that singles out an option decides without asking the LLM', async () => {
    let asked = 0;
    const fallback: DecisionFallback = async () => {
      asked++;
      return { failed: 'not expected' };
    };
    const r = await decide(tank, at({ pressureMPa: 45 }), { fallback, preferences: prefs({ II: PREFERENCE_STEP }) });
    expect([r.chosen, r.method, asked]).toEqual(['II', 'preference', 0]);
    expect(r.preference?.baseline).toEqual({ chosen: 'IV', method: 'default', confidence: 0, ruleIds: [] });
    expect(r.notes).toContain('LLM not asked: a learned preference decided');
    const none = await decide(tank, at({ pressureMPa: 45 }), { fallback, preferences: prefs({}) });
    expect([none.method, asked]).toEqual(['default', 1]);
  });

  it('criterion weights act through the point\'s `apply`: rules shown the weighted inputs decide', async () => {
    type Designs = { lightFirst: number; designs: { id: string; massKg: number; costUsd: number }[] };
    const designs: DecisionPoint<Designs> = {
      name: 'design', description: 'pick a design', options: (i) => i.designs.map((d) => d.id), inputs: () => ({ lightFirst: 0, designs: [] }),
      rules: [{
        id: 'best-score', when: () => true, confidence: 0.85,
        choose: (i) => [...i.designs].sort((a, b) => score(i, a) - score(i, b))[0]!.id,
        because: (i) => `lowest weighted cost at mass weight ${(0.5 + i.lightFirst / 2).toFixed(2)}`,
      }],
      default: (i) => i.designs[0]!.id,
      preferences: {
        criteria: {
          mass: (i, o) => Math.min(...i.designs.map((d) => d.massKg)) / i.designs.find((d) => d.id === o)!.massKg,
          cost: (i, o) => Math.min(...i.designs.map((d) => d.costUsd)) / i.designs.find((d) => d.id === o)!.costUsd,
        },
        // This point lets the learned weights count four-fold in its score.
        apply: (i, w) => ({ ...i, lightFirst: Math.max(-1, Math.min(1, 4 * ((w.mass ?? 0) - (w.cost ?? 0)))) }),
      },
    };
    function score(i: Designs, d: Designs['designs'][number]): number {
      const wm = 0.5 + i.lightFirst / 2;
      return wm * d.massKg / 80 + (1 - wm) * d.costUsd / 3000;
    }
    const inputs = { lightFirst: 0, designs: [{ id: 'cheap', massKg: 100, costUsd: 3000 }, { id: 'light', massKg: 80, costUsd: 4000 }] };
    const before = await decide(designs, inputs);
    expect([before.chosen, before.method]).toEqual(['cheap', 'rule']);

    const changes = feedbackChanges(designs, before, 'disagree', 'light');
    expect(changes.options).toEqual({});
    expect(changes.criteria.mass).toBeGreaterThan(0);
    expect(changes.criteria.cost).toBeLessThan(0);
    for (const d of Object.values(changes.criteria)) expect(Math.abs(d)).toBeLessThanOrEqual(PREFERENCE_STEP);

    const learned = addChanges({ options: {}, criteria: {} }, changes).weights;
    const after = await decide(designs, inputs, { preferences: { owner: 'alice', feedback: 1, ...learned } });
    expect([after.chosen, after.method]).toEqual(['light', 'preference']);
    expect(after.explanation).toMatch(/criterion:mass \+0\.05, criterion:cost -0\.06/);
    expect(after.preference?.baseline).toMatchObject({ chosen: 'cheap', method: 'rule', ruleIds: ['best-score'] });
  });
});

describe('learning is bounded', () => {
  it('one feedback moves each weight by at most one step, and weights stay clamped', () => {
    const record = { id: 'x', point: 'tank', iteration: 0, chosen: 'IV', options: ['I', 'II', 'III', 'IV'], alternatives: [], explanation: '', evidence: [], confidence: 1, method: 'rule' as const, inputs: at(), decidedAt: '' };
    expect(feedbackChanges(tank, record, 'disagree', 'III')).toEqual({ options: { IV: -PREFERENCE_STEP, III: PREFERENCE_STEP }, criteria: {} });
    expect(feedbackChanges(tank, record, 'disagree')).toEqual({ options: { IV: -PREFERENCE_STEP }, criteria: {} });
    expect(feedbackChanges(tank, record, 'agree')).toEqual({ options: { IV: PREFERENCE_STEP / 2 }, criteria: {} });
    let w = { options: {} as Record<string, number>, criteria: {} };
    for (let i = 0; i < 10; i++) w = addChanges(w, feedbackChanges(tank, record, 'disagree', 'III')).weights;
    expect(w.options).toEqual({ IV: -PREFERENCE_LIMIT, III: PREFERENCE_LIMIT });
    const { applied } = addChanges(w, feedbackChanges(tank, record, 'disagree', 'III'));
    expect(applied).toEqual({ options: {}, criteria: {} });
  });
});

describe('explain', () => {
  it('says what, why, what lost and why, and which input changes would have changed the outcome', async () => {
    const r = await decide(tank, at());
    const e = explainDecision(r, tank, { runId: 'run-1' });
    expect(e.decidingRules).toEqual(['h70-type-iv']);
    expect(e.withoutDecidingRules).toEqual({ chosen: 'IV', by: 'the default (no rule applies)', ruleIds: [] });
    expect(e.counterfactuals.map((c) => [c.condition, c.chosen, c.ruleIds])).toEqual([
      ['pressureMPa < 30', 'I', ['low-pressure-steel']],
      ['tempMinC < -40', 'III', ['cold-type-iii']],
    ]);
    expect(e.text).toContain("Decision 'tank' (iteration 0, run run-1");
    expect(e.text).toContain('Method: rule, confidence 0.60');
    expect(e.text).toContain('Why: Chose IV: at 70 MPa on a vehicle only Type IV meets the mass target.');
    expect(e.text).toContain("  - rule 'h70-type-iv': data: pressureMPa = 70; clause: GTR 13 §5.1.1");
    expect(e.text).toContain('  - II: steel liner with hoop wrap: heavy');
    expect(e.text).toContain("  - IV would not have been chosen if pressureMPa < 30: I by rule 'low-pressure-steel' instead");
    expect(e.text).toContain("  - IV would not have been chosen if tempMinC < -40: III by rule 'cold-type-iii' instead");
  });

  it('finds inclusive boundaries and boolean flips', async () => {
    const r = await decide(tank, at({ pressureMPa: 45, mobile: true }));
    expect(r.method).toBe('default');
    const e = explainDecision(r, tank);
    expect(e.counterfactuals.map((c) => c.condition)).toEqual(['pressureMPa < 30', 'tempMinC < -40']);
    const low = explainDecision(await decide(tank, at({ pressureMPa: 20, mobile: false })), tank);
    expect(low.counterfactuals.map((c) => [c.condition, c.chosen])).toEqual([['pressureMPa >= 30', 'IV'], ['tempMinC < -40', 'III']]);
    const mobileOff = explainDecision(await decide(tank, at({ pressureMPa: 65 })), tank);
    expect(mobileOff.decidingRules).toEqual(['h70-type-iv']);
    expect(mobileOff.counterfactuals.find((c) => c.input === 'mobile')).toBeUndefined();
  });

  it('an explanation of a preference decision names the baseline it overrode', async () => {
    const r = await decide(tank, at(), { preferences: prefs({ III: 0.5, IV: -0.5 }, {}, 2) });
    const e = explainDecision(r, tank);
    expect(e.decidingRules).toEqual(['h70-type-iv']);
    expect(e.text).toContain("Preference: the learned preference of 'alice' (option:III +0.50, option:IV -0.50) changed the outcome; without it: IV by rule 'h70-type-iv' (confidence 0.6).");
  });
});
