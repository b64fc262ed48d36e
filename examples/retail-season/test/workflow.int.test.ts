/** The retail-season workflow end to end on a real PostgreSQL (DATABASE_URL, else an embedded one). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStagegraph, type TestStagegraph } from 'stagegraph/testing';
import { retailSeasonPack, type Allocation, type ExportedPlan } from '../packs/retail-season/index.ts';
import { QUESTIONS } from '../packs/retail-season/params/questions.ts';

let t: TestStagegraph;
beforeAll(async () => {
  t = await testStagegraph({ packs: [retailSeasonPack] });
});
afterAll(async () => {
  await t?.close();
});

describe('the retail-season workflow', () => {
  it('plans a fast-fashion season: three explained decisions, units conserved, the plan written', async () => {
    const r = await t.run({ request: 'Zara-style fast fashion, 12-week spring season, 40,000 units of tops and dresses for all stores, 30% held back for replenishment' });
    expect(r.status).toBe('completed');
    expect(r.decisions.map((d) => [d.point, d.chosen, d.method])).toEqual([
      ['forecast-method', 'holt-winters-multiplicative', 'rule'],
      ['service-level', 'lean-90', 'rule'],
      ['markdown-strategy', 'no-markdown', 'rule'],
    ]);
    expect(r.decisions[0]!.explanation).toContain('beats seasonal naive in 2 of 2 categories');
    expect(r.decisions[0]!.alternatives.map((a) => a.option)).toEqual(['holt-winters-additive', 'seasonal-naive']);
    const allocation = r.outputs['allocate-inventory'] as Allocation;
    expect(allocation.categories.reduce((s, c) => s + c.units, 0)).toBe(40000);
    expect(allocation.categories.reduce((s, c) => s + c.holdback, 0)).toBe(12000);
    const exported = r.outputs['export-plan'] as ExportedPlan;
    expect(exported.outDir).toBe(r.outDir);
    expect(exported.files.map((f) => f.name)).toEqual(['season-plan.json', 'season-plan.csv', 'store-allocation.csv', 'season-chart.svg']);
    const plan = JSON.parse(await readFile(join(r.outDir, 'season-plan.json'), 'utf8')) as { params: { seasonWeeks: number }; decisions: unknown[] };
    expect(plan.params.seasonWeeks).toBe(12);
    expect(plan.decisions).toHaveLength(3);
    const csv = (await readFile(join(r.outDir, 'season-plan.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(1 + 2 * 12);
    expect(await readFile(join(r.outDir, 'season-chart.svg'), 'utf8')).toMatch(/^<svg [^>]*>.*data-category="tops".*<\/svg>\n$/s);
    const completed = r.events.flatMap((e) => (e.type === 'workflow.stage_changed' && e.payload.change === 'completed' ? [e.payload.stage] : []));
    expect(completed).toEqual([
      'parse-season', 'assemble-context', 'backtest-forecasts', 'forecast-demand', 'allocate-inventory', 'plan-markdowns', 'export-plan',
    ]);
  });

  it('plans a luxury season without replenishment at a 98 % service level', async () => {
    const r = await t.run({ request: 'Luxury autumn capsule: 8 weeks, 3,000 units of outerwear and knitwear, flagship stores only, no replenishment, markdowns up to 20%' });
    expect(r.status).toBe('completed');
    expect(r.decisions[1]).toMatchObject({ point: 'service-level', chosen: 'high-98', method: 'rule' });
    const allocation = r.outputs['allocate-inventory'] as Allocation;
    expect(allocation.categories.every((c) => c.holdback === 0 && c.releases.every((x) => x === 0))).toBe(true);
    expect(new Set(allocation.stores.map((s) => s.cluster))).toEqual(new Set(['flagship']));
  });

  it('stops with the exact question when the store scope is missing, and completes with the answer', async () => {
    const r = await t.run({ request: '12-week season, 20,000 units of dresses, weekly replenishment' });
    expect(r.status).toBe('waiting_input');
    expect(r.run.question).toMatchObject({ stage: 'parse-season', code: 'season_incomplete', question: QUESTIONS.storeScope });
    await t.sg.runs.answer(r.run.id, { storeScope: 'urban stores' });
    const done = await t.sg.runs.wait(r.run.id);
    expect(done.status).toBe('completed');
    const view = await t.sg.runs.get(r.run.id);
    const allocation = view.partialResults['allocate-inventory'] as Allocation;
    expect(new Set(allocation.stores.map((s) => s.cluster))).toEqual(new Set(['urban']));
  });
});
