/**
 * What the requester states binds, end to end through the public entry point
 * (`createStagegraph`, real Postgres, no LLM): a named tank type and a named material
 * decide by rule with the requester's words as evidence, the standards follow the
 * application named (industrial: ISO 9809-1), and a named choice that a safety rule
 * argues against stops in `waiting_input` with the exact question; the answer binds.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../../graph/runtime.ts';
import type { RunView } from '../../graph/runs/view.ts';
import { builtinWorkflows } from '../../plugins/index.ts';
import type { DesignBasis, Requirements } from '../../plugins/h2-tank/schemas.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

describe('h2-tank: what the requester states binds', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  let outRoot: string;

  beforeAll(async () => {
    outRoot = await mkdtemp(join(tmpdir(), 'sg-stated-'));
    t = await testDatabase();
    sg = await createStagegraph({ workflows: builtinWorkflows(), database: t.db, recover: false });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
    if (outRoot) await rm(outRoot, { recursive: true, force: true });
  });

  async function start(request: unknown) {
    const row = await sg.runs.start({ workflowId: 'h2-tank', request, options: { outRoot, seed: 1 } });
    return { id: row.id, row: await sg.runs.wait(row.id) };
  }
  const decision = (view: RunView, point: string) => view.decisions.find((d) => d.point === point)!;

  it('"Please size a Type III tank: 45 MPa, 2.5 kg, automotive" gets a Type III design, decided by the requester\'s words', async () => {
    const { id, row } = await start('Please size a Type III tank: 45 MPa, 2.5 kg, automotive');
    expect(row.status).toBe('completed');
    const view = await sg.runs.get(id);
    const type = decision(view, 'tank-type');
    expect(type).toMatchObject({ chosen: 'III', method: 'rule', confidence: 1 });
    expect(type.evidence[0]).toEqual({ ruleId: 'requested-tank-type', dataPoint: 'requested: "Type III"', source: 'the request: "Type III"' });
    expect(type.explanation).toMatch(/^Chose III: The requester asked for Type III \("Type III"\): what the requester states binds the design/);
    expect(decision(view, 'materials').chosen).toBe('Al6061-T6/T700S');
    expect(view.partialResults['design-basis']).toMatchObject({ tankType: 'III', liner: 'Al6061-T6' });
  });

  it('"50 litre steel hydrogen cylinder at 300 bar for industrial gas supply" gets a Type I steel cylinder under ISO 9809-1', async () => {
    const { id, row } = await start('50 litre steel hydrogen cylinder at 300 bar for industrial gas supply');
    const view = await sg.runs.get(id);
    const req = view.partialResults['parse-requirements'] as Requirements;
    expect(req).toMatchObject({ pressureMPa: 30, waterVolumeL: 50, application: 'industrial', temperatureC: { min: -40, max: 65 } });
    expect(decision(view, 'tank-type')).toMatchObject({ chosen: 'I', method: 'rule' });
    expect(decision(view, 'tank-type').evidence.map((e) => e.ruleId)).toContain('requested-tank-type');
    expect(decision(view, 'materials')).toMatchObject({ chosen: 'steel-34CrMo4/none', method: 'rule' });
    expect(decision(view, 'standards')).toMatchObject({ chosen: 'ISO9809-1', method: 'rule' });
    expect(view.partialResults['design-basis'] as DesignBasis).toMatchObject({ tankType: 'I', liner: 'steel-34CrMo4', standards: ['ISO9809-1'], burstRatio: 2.4 });
    // The design itself is the engineering side's Type I path; the run must finish with it.
    expect(row.status).toBe('completed');
    const out = view.partialResults['export-package'] as { outDir: string };
    expect(await readFile(join(out.outDir, 'tank.svg'), 'utf8')).toContain('Type I tank');
  });

  it('named steel above the H2 steel-wall limit asks (waiting_input) with the exact question; keeping it binds, and says so', async () => {
    const { id, row } = await start('steel tank for stationary storage, 45 MPa, 100 kg');
    expect(row.status).toBe('waiting_input');
    expect(row.question).toMatchObject({
      stage: 'parse-requirements', code: 'requirements_safety_conflict', details: { field: 'tankType', found: ['steel', 'Type II'], answerWith: { clarifications: { tankType: 'II' } } },
    });
    expect((row.question as { question: string }).question).toBe(
      "You asked for Type I (\"steel\"), but the safety rule 'steel-wall-h2-limit' picks Type II: An all-steel wall at 45 MPa with UTS capped at 950 MPa for hydrogen " +
        'is thick and fatigues faster in H2; above 30 MPa a hoop wrap carries part of the hoop load. Keep Type I, or use Type II?',
    );
    // No point decided before the question was answered.
    expect((await sg.runs.get(id)).decisions).toEqual([]);

    await sg.runs.answer(id, { clarifications: { tankType: 'I' } });
    expect((await sg.runs.wait(id)).status).toBe('completed');
    const view = await sg.runs.get(id);
    const type = decision(view, 'tank-type');
    expect(type).toMatchObject({ chosen: 'I', method: 'rule', confidence: 1 });
    expect(type.explanation).toContain('The requester asked for Type I ("Type I"), and confirmed it when asked');
    expect(type.explanation).toContain("Rules 'steel-wall-h2-limit' disagreed; settled by higher priority.");
    expect(type.alternatives.find((a) => a.option === 'II')).toMatchObject({ ruleIds: ['steel-wall-h2-limit'] });
  });
});
