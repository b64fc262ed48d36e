/**
 * Learned preferences through the public API on real Postgres: feedback on a decision
 * moves later decisions of that owner only, by a bounded step; safety rules hold
 * however much feedback arrives; a reset restores the rules; feedback is validated
 * (`decision_not_found`, `invalid_feedback`); replay sees the learned preference.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFERENCE_STEP } from '../graph/decisions/preferences.ts';
import type { DecisionPoint, DecisionRecord } from '../graph/decisions/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { stage } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { rejectionOf } from './support/runs.ts';

const Tank = z.object({ pressureMPa: z.number(), tempMinC: z.number(), mobile: z.boolean() });
type Tank = z.infer<typeof Tank>;

const tank: DecisionPoint<Tank> = {
  name: 'tank',
  description: 'tank construction type',
  options: ['I', 'II', 'III', 'IV'],
  inputs: (s) => s.outputs['spec'] as Tank,
  rules: [
    { id: 'h70-type-iv', when: (i) => i.pressureMPa >= 60 && i.mobile, choose: 'IV', because: 'on a vehicle at H70 only Type IV meets the mass target', evidence: { clause: 'GTR 13' }, confidence: 0.6, priority: 30 },
    { id: 'low-pressure-steel', when: (i) => i.pressureMPa < 30, choose: 'I', because: 'below 30 MPa steel is cheapest', confidence: 0.85, priority: 10 },
    { id: 'cold-type-iii', when: (i) => i.tempMinC < -40, choose: 'III', because: 'below -40 C Type IV is not qualified', confidence: 0.75, priority: 50, safety: true },
  ],
  default: 'IV',
};

const tanks = defineWorkflow({
  id: 'tanks',
  description: 'spec -> tank',
  stages: [stage('spec', { input: Tank, output: Tank, run: async (x: Tank) => x })],
  decisions: [tank],
  edges: [{ from: START, to: 'spec' }, { from: 'spec', to: 'tank' }, { from: 'tank', routes: { I: END, II: END, III: END, IV: END } }],
});

const H70 = { pressureMPa: 70, tempMinC: -40, mobile: true };
const COLD = { pressureMPa: 70, tempMinC: -50, mobile: true };

describe('learned preferences', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [tanks], database: t.db });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function decideFor(owner: string, request: Tank): Promise<DecisionRecord> {
    const row = await sg.runs.start({ workflowId: 'tanks', request, owner });
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    const [record] = (await sg.runs.get(row.id)).decisions;
    return record!;
  }

  it('feedback moves that owner\'s later decisions by a bounded step; another owner is unaffected', async () => {
    const d1 = await decideFor('alice', H70);
    expect([d1.chosen, d1.method]).toEqual(['IV', 'rule']);

    const f1 = await sg.decisions.recordFeedback({ decisionId: d1.id, owner: 'alice', verdict: 'disagree', preferred: 'III', reason: 'our fleet runs cold' });
    expect(f1).toMatchObject({ decisionId: d1.id, point: 'tank', replaced: false, applied: { options: { IV: -PREFERENCE_STEP, III: PREFERENCE_STEP }, criteria: {} } });
    expect(f1.weights).toEqual({ options: { IV: -0.25, III: 0.25 }, criteria: {}, feedback: 1 });

    // The same feedback again replaces the first: nothing moves twice.
    const again = await sg.decisions.recordFeedback({ decisionId: d1.id, owner: 'alice', verdict: 'disagree', preferred: 'III' });
    expect([again.replaced, again.feedbackId, again.weights]).toEqual([true, f1.feedbackId, f1.weights]);

    // One feedback (+0.50 for III over IV) does not outweigh a rule of confidence 0.6.
    const d2 = await decideFor('alice', H70);
    expect([d2.chosen, d2.method]).toEqual(['IV', 'rule']);
    expect(d2.notes).toEqual(["preference of 'alice' for III (+0.50 over IV) does not outweigh rule 'h70-type-iv' (confidence 0.6)"]);

    await sg.decisions.recordFeedback({ decisionId: d2.id, owner: 'alice', verdict: 'disagree', preferred: 'III' });
    const d3 = await decideFor('alice', H70);
    expect([d3.chosen, d3.method, d3.confidence]).toEqual(['III', 'preference', 0.75]);
    expect(d3.explanation).toBe(
      "Chose III by the learned preference of 'alice' (option:III +0.50, option:IV -0.50, from 2 feedbacks): it scores 1.00 above IV, " +
      "more than the confidence 0.6 of rule 'h70-type-iv', which chose IV: on a vehicle at H70 only Type IV meets the mass target.",
    );
    expect(d3.preference?.baseline).toEqual({ chosen: 'IV', method: 'rule', confidence: 0.6, ruleIds: ['h70-type-iv'] });

    const bob = await decideFor('bob', H70);
    expect([bob.chosen, bob.method, bob.notes]).toEqual(['IV', 'rule', undefined]);
    expect(await sg.decisions.preferencesOf('bob')).toEqual({});
    expect(await sg.decisions.preferencesOf('alice')).toEqual({ tank: { options: { IV: -0.5, III: 0.5 }, criteria: {}, feedback: 2 } });

    const explained = await sg.decisions.explain(d3.id, 'alice');
    expect(explained.text).toContain("without it: IV by rule 'h70-type-iv' (confidence 0.6)");

    // Replay with alice's current preferences: her earlier rule decisions would now go to III.
    const replay = await sg.decisions.replay({ owner: 'alice' });
    expect(replay.changed.map((c) => [c.decisionId, c.before.chosen, c.before.method, c.after.chosen, c.after.method])).toEqual([
      [d1.id, 'IV', 'rule', 'III', 'preference'],
      [d2.id, 'IV', 'rule', 'III', 'preference'],
    ]);
    expect(replay.unchanged).toBe(1);
  });

  it('a safety rule holds however much feedback arrives', async () => {
    const first = await decideFor('carol', COLD);
    expect([first.chosen, first.method]).toEqual(['III', 'rule']);
    await sg.decisions.recordFeedback({ decisionId: first.id, owner: 'carol', verdict: 'disagree', preferred: 'IV' });
    for (let i = 0; i < 4; i++) {
      const d = await decideFor('carol', COLD);
      expect([d.chosen, d.method]).toEqual(['III', 'rule']);
      expect(d.notes).toEqual(["preferences of 'carol' not applied: safety rule 'cold-type-iii' decided, and preferences never override safety rules"]);
      await sg.decisions.recordFeedback({ decisionId: d.id, owner: 'carol', verdict: 'disagree', preferred: 'IV' });
    }
    expect(await sg.decisions.preferencesOf('carol')).toEqual({ tank: { options: { III: -1, IV: 1 }, criteria: {}, feedback: 5 } });
    const last = await decideFor('carol', COLD);
    expect([last.chosen, last.method]).toEqual(['III', 'rule']);
  });

  it('reset restores the rules\' decisions; the feedback stays on record, marked reset', async () => {
    expect(await sg.decisions.resetPreferences('alice', 'tank')).toBe(2);
    expect(await sg.decisions.preferencesOf('alice')).toEqual({});
    const d = await decideFor('alice', H70);
    expect([d.chosen, d.method, d.notes]).toEqual(['IV', 'rule', undefined]);
    const { rows } = await t.db.pool.query<{ n: number; reset: number }>(
      "SELECT count(*)::int AS n, count(reset_at)::int AS reset FROM sg_feedback WHERE owner = 'alice'",
    );
    expect(rows[0]).toEqual({ n: 2, reset: 2 });
    expect(await sg.decisions.preferencesOf('carol')).not.toEqual({});
  });

  it('feedback is validated: unknown or foreign decisions are not found, options must exist', async () => {
    const d = await decideFor('dave', H70);
    const notFound = [
      { decisionId: randomUUID(), owner: 'dave', verdict: 'agree' as const },
      { decisionId: 'not-a-uuid', owner: 'dave', verdict: 'agree' as const },
      { decisionId: d.id, owner: 'erin', verdict: 'disagree' as const, preferred: 'III' },
    ];
    for (const input of notFound) expect((await rejectionOf(sg.decisions.recordFeedback(input))).code).toBe('decision_not_found');
    const invalid = [
      { decisionId: d.id, owner: 'dave', verdict: 'disagree' as const, preferred: 'V' },
      { decisionId: d.id, owner: 'dave', verdict: 'disagree' as const, preferred: 'IV' },
      { decisionId: d.id, owner: 'dave', verdict: 'agree' as const, preferred: 'III' },
      { decisionId: d.id, owner: 'dave', verdict: 'meh' as 'agree' },
    ];
    for (const input of invalid) expect((await rejectionOf(sg.decisions.recordFeedback(input))).code).toBe('invalid_feedback');
    expect((await rejectionOf(sg.decisions.explain(d.id, 'erin'))).code).toBe('decision_not_found');
    expect(await sg.decisions.preferencesOf('erin')).toEqual({});

    const agreed = await sg.decisions.recordFeedback({ decisionId: d.id, owner: 'dave', verdict: 'agree', reason: 'right call' });
    expect(agreed.weights).toEqual({ options: { IV: PREFERENCE_STEP / 2 }, criteria: {}, feedback: 1 });
  });
});
