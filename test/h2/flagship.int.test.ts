/**
 * The flagship h2-tank workflow end to end through the public entry point
 * (`createStagegraph` with the built-in workflows, real Postgres, no LLM): the demo
 * request against H2_REFERENCE.md, questions asked and answered (missing and
 * contradictory pressure), and degradation: an optional analysis that fails is
 * skipped, a required one fails the run with the Pareto front kept.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../../graph/runtime.ts';
import type { RunView } from '../../graph/runs/view.ts';
import { defineWorkflow, type WorkflowDefinition } from '../../graph/workflow.ts';
import { StagegraphError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import { builtinWorkflows } from '../../plugins/index.ts';
import { h2TankWorkflow } from '../../plugins/h2-tank/workflow.ts';
import type { Design, Requirements } from '../../plugins/h2-tank/schemas.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { expectWellFormedLog } from '../support/runs.ts';

/** H2 density at 70 MPa and 15 C from the Lemmon-Huber-Leachman fit, kg/m3 (H2_REFERENCE.md [C]). */
const RHO_70MPA_15C = 40.17;
const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const ARTIFACTS = ['design.json', 'report.pdf', 'tank.step', 'tank.svg'];

/**
 * A copy of `stage` (same name, schemas and policy) whose `run()` always throws `error`.
 * Retries keep the default attempt budgets (transient 5, degradable 2) 10 ms apart;
 * LangGraph takes one backoff for every class, the transient one.
 */
function failingStage(stage: AnyStagePlugin, error: () => StagegraphError): AnyStagePlugin {
  const quick = { initialIntervalMs: 10, backoffFactor: 1, maxIntervalMs: 10, jitter: false };
  return {
    ...stage,
    policy: { ...stage.policy, retry: { transient: { maxAttempts: 5, ...quick }, degradable: { maxAttempts: 2, ...quick } } },
    run: async () => {
      throw error();
    },
  };
}

/** h2TankWorkflow under another id with one stage replaced. */
function variant(id: string, replaced: AnyStagePlugin): WorkflowDefinition {
  expect(h2TankWorkflow.stages.some((s) => s.name === replaced.name)).toBe(true);
  return defineWorkflow({ ...h2TankWorkflow, id, stages: h2TankWorkflow.stages.map((s) => (s.name === replaced.name ? replaced : s)) });
}

const stageOf = (name: string) => h2TankWorkflow.stages.find((s) => s.name === name)!;

const thermalFails = variant('h2-tank-thermal-fails', failingStage(stageOf('analyze-thermal'), () =>
  new StagegraphError('thermal_model_unavailable', 'the fill model is unavailable', { class: 'degradable' })));
const stressFails = variant('h2-tank-stress-fails', failingStage(stageOf('analyze-stress'), () =>
  new StagegraphError('stress_model_broken', 'the stress model is broken', { class: 'fatal' })));

type Events<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>[];
const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) => events.filter((e) => e.type === type) as Events<T>;

describe('h2-tank flagship workflow', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  let outRoot: string;

  beforeAll(async () => {
    outRoot = await mkdtemp(join(tmpdir(), 'sg-flagship-'));
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [...builtinWorkflows(), thermalFails, stressFails], database: t.db, recover: false });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
    if (outRoot) await rm(outRoot, { recursive: true, force: true });
  });

  async function start(request: unknown, workflowId = 'h2-tank') {
    const row = await sg.runs.start({ workflowId, request, options: { outRoot, seed: 1 } });
    return { id: row.id, row: await sg.runs.wait(row.id) };
  }

  function chosenDesign(view: RunView): Design {
    const designs = (view.partialResults['evaluate-front'] as { designs: Design[] }).designs;
    const id = view.decisions.find((d) => d.point === 'design-choice')!.chosen;
    return designs.find((d) => d.id === id)!;
  }

  describe('(a) the demo request', () => {
    let id: string;
    let view: RunView;
    let events: RunEvent[];

    beforeAll(async () => {
      const run = await start(DEMO);
      id = run.id;
      view = await sg.runs.get(id);
      events = await sg.runs.eventsSince(id);
    });

    it('completes, not degraded, with every stage run once', () => {
      expect(view.status).toBe('completed');
      expect(view.degraded).toBe(false);
      expect(view.error).toBeNull();
      expect(view.progress).toBe(100);
      expect(view.skipped).toEqual([]);
      expect(view.missing).toEqual([]);
      expect([...view.completed].sort()).toEqual(h2TankWorkflow.stages.map((s) => s.name).sort());
      const req = view.partialResults['parse-requirements'] as Requirements;
      expect(req).toMatchObject({ pressureMPa: 70, h2MassKg: 5, application: 'automotive', parsedBy: 'rules' });
    });

    it('the chosen design stores >= 5 kg at 70 MPa / 15 C, consistent with the real-gas density 40.17 kg/m3 (±0.5 %)', () => {
      const d = chosenDesign(view);
      expect(d).toBeDefined();
      expect(d.totals.storedH2Kg).toBeGreaterThanOrEqual(5);
      expect(d.totals.waterVolumeL).toBeCloseTo(d.variables.count * d.geometry.waterVolumeL, 6);
      const expected = (d.totals.waterVolumeL / 1000) * RHO_70MPA_15C;
      expect(Math.abs(d.totals.storedH2Kg / expected - 1)).toBeLessThan(0.005);
      // The ideal-gas law would claim 47 % more (H2_REFERENCE.md): the model is not ideal-gas.
      expect(d.totals.storedH2Kg / d.totals.waterVolumeL).toBeLessThan(0.0405);
      expect(d.burstPressureMPa / 70).toBeGreaterThanOrEqual(2.25 - 1e-9);
      expect((view.partialResults['check-compliance'] as { passed: boolean }).passed).toBe(true);
    });

    it('decides every decision point exactly once, by rule', () => {
      const points = (h2TankWorkflow.decisions ?? []).map((p) => p.name);
      expect(view.decisions.map((d) => d.point).sort()).toEqual([...points].sort());
      for (const d of view.decisions) {
        expect(d.method, `${d.point} was decided by ${d.method}`).toBe('rule');
        expect(d.iteration).toBe(0);
        expect(d.options).toContain(d.chosen);
      }
      const made = ofType(events, 'workflow.decision_made');
      expect(made.map((e) => e.payload.decision.point).sort()).toEqual([...points].sort());
      expect(made.every((e) => !e.payload.reused)).toBe(true);
      expect(view.decisions.find((d) => d.point === 'compliance-gate')!.chosen).toBe('pass');
    });

    it('logs well-formed events: seq 1..N, one terminal workflow.completed, each stage started and completed', () => {
      expectWellFormedLog(events);
      expect(events.at(-1)!.type).toBe('workflow.completed');
      expect(ofType(events, 'workflow.completed')[0]!.payload).toMatchObject({ degraded: false, warnings: [] });
      expect(ofType(events, 'workflow.failed')).toEqual([]);
      const changes = ofType(events, 'workflow.stage_changed');
      for (const s of h2TankWorkflow.stages) {
        expect(changes.filter((e) => e.payload.stage === s.name && e.payload.change === 'completed'), s.name).toHaveLength(1);
      }
      expect(changes.filter((e) => e.payload.stage === 'optimize' && e.payload.change === 'step')).toHaveLength(7);
    });

    it('writes design.json, report.pdf and tank.step, with the hashes the stage reported', async () => {
      const out = view.partialResults['export-package'] as { outDir: string; files: { name: string; path: string; bytes: number; sha256: string }[] };
      expect(out.outDir).toBe(join(outRoot, id));
      expect(out.files.map((f) => f.name)).toEqual(ARTIFACTS);
      for (const f of out.files) {
        const bytes = await readFile(join(outRoot, id, f.name));
        expect(bytes.byteLength, f.name).toBe(f.bytes);
        expect(bytes.byteLength, f.name).toBeGreaterThan(1000);
        expect(createHash('sha256').update(bytes).digest('hex'), f.name).toBe(f.sha256);
      }
      const doc = JSON.parse(await readFile(join(outRoot, id, 'design.json'), 'utf8')) as { design: { id: string }; provenance: { runId: string } };
      expect(doc.design.id).toBe(chosenDesign(view).id);
      expect(doc.provenance.runId).toBe(id);
      expect((await readFile(join(outRoot, id, 'report.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
      expect(await readFile(join(outRoot, id, 'tank.step'), 'utf8')).toMatch(/^ISO-10303-21;/);
    });
  });

  it('(b) a request without a pressure asks for it, and the answer 350 bar completes the run at 35 MPa', async () => {
    const { id, row } = await start('a hydrogen tank for a bus, 20 kg');
    expect(row.status).toBe('waiting_input');
    expect(row.question).toMatchObject({ stage: 'parse-requirements', code: 'requirements_incomplete', details: { field: 'pressure' } });
    expect((row.question as { question: string }).question).toEqual(expect.any(String));
    const paused = ofType(await sg.runs.eventsSince(id), 'workflow.paused');
    expect(paused.map((e) => e.payload.reason)).toEqual(['input']);

    await sg.runs.answer(id, { clarifications: { pressure: '350 bar' } });
    const done = await sg.runs.wait(id);
    expect(done.status).toBe('completed');
    const view = await sg.runs.get(id);
    expect(view.partialResults['parse-requirements']).toMatchObject({ pressureMPa: 35, h2MassKg: 20, application: 'bus' });
    expect(chosenDesign(view).totals.storedH2Kg).toBeGreaterThanOrEqual(20);
    const events = await sg.runs.eventsSince(id);
    expectWellFormedLog(events);
    expect(ofType(events, 'workflow.resumed').map((e) => e.payload.from)).toEqual(['waiting_input']);
  });

  describe('(c) degradation', () => {
    it('an optional analysis that throws (analyze-thermal) is skipped: completed, degraded, with a warning naming it', async () => {
      const { id, row } = await start(DEMO, thermalFails.id);
      expect(row.status).toBe('completed');
      expect(row.degraded).toBe(true);
      const view = await sg.runs.get(id);
      expect(view.skipped).toEqual(['analyze-thermal']);
      expect(view.completed).not.toContain('analyze-thermal');
      expect(view.completed).toContain('export-package');
      expect(view.warnings).toEqual([expect.objectContaining({ stage: 'analyze-thermal', code: 'thermal_model_unavailable', class: 'degradable' })]);
      expect(view.warnings[0]!.message).toContain('analyze-thermal');

      const events = await sg.runs.eventsSince(id);
      expectWellFormedLog(events);
      const completed = ofType(events, 'workflow.completed')[0]!.payload;
      expect(completed.degraded).toBe(true);
      expect(completed.warnings.some((w) => w.includes('analyze-thermal'))).toBe(true);
      // Two attempts (degradable: 2), then skipped.
      const errors = ofType(events, 'workflow.error').filter((e) => e.payload.stage === 'analyze-thermal');
      expect(errors.map((e) => e.payload.willRetry)).toEqual([true, false]);
      expect(ofType(events, 'workflow.stage_changed').filter((e) => e.payload.stage === 'analyze-thermal').map((e) => e.payload.change)).toContain('skipped');
      // Compliance saw no thermal result: the fill-temperature rules cannot be assessed.
      const compliance = view.partialResults['check-compliance'] as { notAssessable: string[] };
      expect(compliance.notAssessable.some((r) => r.includes('fast-fill'))).toBe(true);
    });

    it('a required analysis that throws a fatal error (analyze-stress) fails the run and keeps the Pareto front', async () => {
      const { id, row } = await start(DEMO, stressFails.id);
      expect(row.status).toBe('failed');
      expect(row.error).toMatchObject({ code: 'stress_model_broken', class: 'fatal' });
      const view = await sg.runs.get(id);
      const front = view.partialResults['evaluate-front'] as { designs: { id: string; rank: number }[]; paretoCount: number };
      expect(front.designs.length).toBeGreaterThan(0);
      expect(front.designs.filter((d) => d.rank === 0)).toHaveLength(front.paretoCount);
      expect(front.paretoCount).toBeGreaterThan(0);
      expect(view.partialResults['optimize']).toBeDefined();
      expect(view.completed).not.toContain('analyze-stress');
      expect(view.missing).toEqual(expect.arrayContaining(['analyze-stress', 'check-compliance', 'validate-design', 'export-package']));

      const events = await sg.runs.eventsSince(id);
      expectWellFormedLog(events);
      expect(ofType(events, 'workflow.failed')[0]!.payload).toMatchObject({ stage: 'analyze-stress', error: { code: 'stress_model_broken' } });
      // Fatal: no retry.
      expect(ofType(events, 'workflow.error').filter((e) => e.payload.stage === 'analyze-stress').map((e) => e.payload.willRetry)).toEqual([false]);
    });
  });

  it('(d) a contradictory pressure (70 MPa and 350 bar) asks which one, and the answer completes the run', async () => {
    const { id, row } = await start('70 MPa hydrogen tank, 350 bar, 5 kg, for a car');
    expect(row.status).toBe('waiting_input');
    expect(row.question).toMatchObject({ stage: 'parse-requirements', code: 'requirements_contradictory', details: { field: 'pressure' } });

    await sg.runs.answer(id, { clarifications: { pressure: '70 MPa' } });
    const done = await sg.runs.wait(id);
    expect(done.status).toBe('completed');
    const view = await sg.runs.get(id);
    expect(view.partialResults['parse-requirements']).toMatchObject({ pressureMPa: 70, h2MassKg: 5, application: 'automotive' });
    expectWellFormedLog(await sg.runs.eventsSince(id));
  });
});
