/**
 * The audit trail on real Postgres: every decision lands in sg_decisions exactly once
 * per point, iteration and branch with the inputs it used; `explain()` renders what,
 * why, what lost and what would have changed it; replay re-evaluates recorded
 * decisions against current rules without ever calling the LLM.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReplayReport, replayDecisions } from '../graph/decisions/replay.ts';
import type { DecisionPoint, DecisionRecord } from '../graph/decisions/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { stage } from './fixtures/stages.ts';
import { shapesWorkflow } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { rejectionOf } from './support/runs.ts';

const Tank = z.object({ pressureMPa: z.number(), tempMinC: z.number(), mobile: z.boolean() });
type Tank = z.infer<typeof Tank>;

const lowPressureSteel = (below: number): DecisionPoint<Tank>['rules'][number] => ({
  id: 'low-pressure-steel', when: (i) => i.pressureMPa < below, choose: 'I', because: `below ${below} MPa steel is cheapest`, evidence: { clause: 'ISO 11114-1' }, confidence: 0.85, priority: 10,
});

function tankPoint(steelBelow: number): DecisionPoint<Tank> {
  return {
    name: 'tank',
    description: 'tank construction type',
    options: ['I', 'II', 'III', 'IV'],
    inputs: (s) => s.outputs['spec'] as Tank,
    rules: [
      {
        id: 'h70-type-iv', when: (i) => i.pressureMPa >= 60 && i.mobile, choose: 'IV',
        because: (i) => `at ${i.pressureMPa} MPa on a vehicle only Type IV meets the mass target`,
        evidence: (i) => ({ dataPoint: `pressureMPa = ${i.pressureMPa}`, clause: 'GTR 13: 22,000 cycles to 125 % NWP' }), confidence: 0.95, priority: 30,
      },
      lowPressureSteel(steelBelow),
      { id: 'cold-type-iii', when: (i) => i.tempMinC < -40, choose: 'III', because: 'below -40 C Type IV is not qualified', evidence: { clause: 'GTR 13 -40 to +85 C' }, confidence: 0.75, priority: 50, safety: true },
    ],
    default: 'IV',
    whyNot: (i, option) => (option === 'II' ? `steel liner with hoop wrap: heavy at ${i.pressureMPa} MPa` : undefined),
  };
}

const tanks = defineWorkflow({
  id: 'tanks',
  description: 'spec -> tank',
  stages: [stage('spec', { input: Tank, output: Tank, run: async (x: Tank) => x })],
  decisions: [tankPoint(30)],
  edges: [{ from: START, to: 'spec' }, { from: 'spec', to: 'tank' }, { from: 'tank', routes: { I: END, II: END, III: END, IV: END } }],
});

describe('decision audit trail', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  const made: Record<string, { runId: string; record: DecisionRecord }> = {};

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [tanks, shapesWorkflow()], database: t.db });
    for (const [name, request] of Object.entries({
      h70: { pressureMPa: 70, tempMinC: -40, mobile: true },
      steel: { pressureMPa: 20, tempMinC: -20, mobile: false },
      mid: { pressureMPa: 45, tempMinC: -40, mobile: true },
    })) {
      const row = await sg.runs.start({ workflowId: 'tanks', request, owner: 'alice' });
      await sg.runs.wait(row.id);
      made[name] = { runId: row.id, record: (await sg.runs.get(row.id)).decisions[0]! };
    }
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  it('every decision is stored exactly once per point, iteration and branch, with the inputs it used', async () => {
    const row = await sg.runs.start({ workflowId: 'shapes', request: { n: 1 } });
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    const { rows } = await t.db.pool.query<{ point: string; iteration: number; branch: string; n: number; inputs: unknown; chosen: string }>(
      `SELECT point, iteration, branch, count(*)::int AS n, min(record->>'inputs') AS inputs, min(chosen) AS chosen
       FROM sg_decisions WHERE run_id = $1 GROUP BY point, iteration, branch ORDER BY point, iteration`,
      [row.id],
    );
    expect(rows.map((r) => [r.point, r.iteration, r.branch, r.n, JSON.parse(r.inputs as string), r.chosen])).toEqual([
      ['enough', 0, '', 1, { n: 14 }, 'again'],
      ['enough', 1, '', 1, { n: 18 }, 'again'],
      ['enough', 2, '', 1, { n: 22 }, 'again'],
      ['enough', 3, '', 1, { n: 26 }, 'again'],
      ['enough', 4, '', 1, { n: 30 }, 'done'],
      ['parity', 0, '', 1, { n: 10 }, 'even'],
    ]);
    const view = await sg.runs.get(row.id);
    expect(await sg.ledger.forRun(row.id)).toEqual(view.decisions);

    const { rows: tankRows } = await t.db.pool.query('SELECT record FROM sg_decisions WHERE run_id = $1', [made.h70!.runId]);
    expect(tankRows).toEqual([{ record: made.h70!.record }]);
    expect(made.h70!.record.inputs).toEqual({ pressureMPa: 70, tempMinC: -40, mobile: true });
  });

  it('explain: what was decided, why, what lost and why, confidence, method, and what would have changed it', async () => {
    const { runId, record } = made.h70!;
    const e = await sg.decisions.explain(record.id, 'alice');
    expect(e).toMatchObject({ runId, chosen: 'IV', method: 'rule', confidence: 0.95, decidingRules: ['h70-type-iv'] });
    expect(e.text.split('\n')).toEqual([
      `Decision 'tank' (iteration 0, run ${runId}, ${record.decidedAt}): IV`,
      'Method: rule, confidence 0.95',
      'Why: Chose IV: at 70 MPa on a vehicle only Type IV meets the mass target.',
      'Evidence:',
      "  - rule 'h70-type-iv': data: pressureMPa = 70; clause: GTR 13: 22,000 cycles to 125 % NWP",
      'Considered and rejected:',
      '  - I: no rule selected it',
      '  - II: steel liner with hoop wrap: heavy at 70 MPa',
      '  - III: no rule selected it',
      'What would have changed the outcome:',
      "  - without rule 'h70-type-iv': still IV, by the default (no rule applies)",
      "  - IV would not have been chosen if pressureMPa < 30: I by rule 'low-pressure-steel' instead",
      "  - IV would not have been chosen if tempMinC < -40: III by rule 'cold-type-iii' instead",
    ]);

    const steel = await sg.decisions.explain(made.steel!.record.id);
    expect(steel.counterfactuals.map((c) => c.condition)).toEqual(['pressureMPa >= 30', 'tempMinC < -40']);
    const mid = await sg.decisions.explain(made.mid!.record.id);
    expect(mid.text).toContain('Method: default, confidence 0.30 (a deterministic default, flagged as such)');
    expect(mid.text).toContain('Notes: no rule applied; no LLM configured');
    expect(mid.counterfactuals.map((c) => [c.condition, c.chosen])).toEqual([['pressureMPa < 30', 'I'], ['tempMinC < -40', 'III']]);

    expect((await rejectionOf(sg.decisions.explain(record.id, 'bob'))).code).toBe('decision_not_found');
    expect((await rejectionOf(sg.decisions.explain(randomUUID()))).code).toBe('decision_not_found');
  });

  it('replay reports what current rules would decide differently, and never calls the LLM', async () => {
    // An LLM decision on record (as a run with a fallback would have stored it).
    const llm: DecisionRecord = {
      ...made.mid!.record, id: randomUUID(), iteration: 1, chosen: 'II', method: 'llm', confidence: 0.7,
      explanation: 'Chose II (LLM, because no rule applied): cheaper at 45 MPa', evidence: [], alternatives: [], notes: ['no rule applied'],
      decidedAt: new Date().toISOString(),
    };
    await sg.ledger.save(made.mid!.runId, '', llm);

    const same = await sg.decisions.replay();
    expect(same.changed).toEqual([]);
    expect(same.examined).toBe(same.unchanged + same.skipped.length);
    expect(same.skipped).toEqual([{
      decisionId: llm.id, runId: made.mid!.runId, point: 'tank', method: 'llm',
      reason: 'decided by the LLM and the current rules still give no verdict; replay never calls the LLM',
    }]);

    // Steel now allowed up to 50 MPa: the 45 MPa default and the LLM decision would both go to I.
    const points = new Map([['tank', tankPoint(50)]]);
    const report = await replayDecisions({ ledger: sg.ledger, points });
    const changed = report.changed.map((c) => [c.decisionId, c.before.chosen, c.before.method, c.after.chosen, c.after.method, c.after.ruleIds]);
    expect(changed).toEqual([
      [made.mid!.record.id, 'IV', 'default', 'I', 'rule', ['low-pressure-steel']],
      [llm.id, 'II', 'llm', 'I', 'rule', ['low-pressure-steel']],
    ]);
    expect(report.changed[0]!.why).toBe("was IV by default, now I by rule 'low-pressure-steel': Chose I: below 50 MPa steel is cheapest.");
    expect(report.skipped.map((s) => s.point).sort()).toEqual(['enough', 'enough', 'enough', 'enough', 'enough', 'parity']);
    expect(report.skipped.every((s) => s.reason.includes('is not registered'))).toBe(true);

    const text = formatReplayReport(report);
    expect(text.split('\n')[0]).toBe(`${report.examined} decisions replayed: 2 would now go differently, ${report.unchanged} unchanged, 6 not replayable.`);
    expect(text).toContain(`- tank #0 of run ${made.mid!.runId} (alice, ${made.mid!.record.decidedAt}), decision ${made.mid!.record.id}`);

    const future = await sg.decisions.replay({ since: new Date(Date.now() + 60_000) });
    expect(future).toEqual({ examined: 0, changed: [], unchanged: 0, skipped: [] });
  });
});
