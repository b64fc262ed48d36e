/**
 * The flagship h2-tank workflow end to end on Postgres, no LLM: the demo request
 * ("I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity") through
 * `createStagegraph()` with the built-in workflows, timed from `runs.start` to
 * `runs.wait` resolved. One warm-up run, then BENCH_RUNS (10) runs; medians.
 *
 * Also reported: per-stage median durations from each run's `workflow.stage_changed`
 * completed events (a stepped stage's figure is the sum of its steps); the optimize
 * stage alone, driven through its steps in-process (scratch through JSON, as from a
 * checkpoint) on the warm-up run's design basis; and, as a diagnostic, the parts of
 * export-package (STEP, design.json, PDF) on the warm-up run's export input.
 *
 * Target: end to end < 2 s (median).
 *
 * Usage: `npm run bench:flagship` (env: DATABASE_URL, else embedded; BENCH_RUNS=10).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStagegraph } from '../graph/runtime.ts';
import type { WorkflowStateValue } from '../graph/state.ts';
import { isContinue, type StageContext } from '../nodes/types.ts';
import { h2TankWorkflow } from '../plugins/h2-tank/workflow.ts';
import { buildDesignDocument, serializeDesignDocument } from '../plugins/h2-tank/export/design-json.ts';
import { renderReport } from '../plugins/h2-tank/export/report-pdf.ts';
import { tankStep } from '../plugins/h2-tank/export/step.ts';
import { DesignBasis } from '../plugins/h2-tank/schemas.ts';
import { ExportInput } from '../plugins/h2-tank/stages/export-package.ts';
import { optimizeStage } from '../plugins/h2-tank/stages/optimize.ts';
import { builtinWorkflows } from '../plugins/index.ts';
import { openBenchDatabase } from './database.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const REQUEST = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 2000;

const quiet = () => {};
const context = (resume: unknown): StageContext => ({
  runId: 'bench', stage: 'optimize', attempt: 1, signal: new AbortController().signal, seed: 1, resume,
  progress: quiet, emit: quiet, log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
});

/** One optimisation, every step's scratch passed through JSON as a checkpoint would. */
async function optimizeOnce(basis: DesignBasis): Promise<number> {
  const t0 = performance.now();
  let resume: unknown;
  for (;;) {
    const result = await optimizeStage.run(basis, context(resume));
    if (!isContinue(result)) return performance.now() - t0;
    resume = JSON.parse(JSON.stringify(result.scratch));
  }
}

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const db = await openBenchDatabase();
const outRoot = await mkdtemp(join(tmpdir(), 'stagegraph-bench-flagship-'));
const sg = await createStagegraph({ workflows: builtinWorkflows(), database: db, recover: false });
const load0 = loadavg()[0]!;

async function flagshipRun(): Promise<{ id: string; ms: number; stages: Map<string, number> }> {
  const t0 = performance.now();
  const row = await sg.runs.start({ workflowId: 'h2-tank', request: REQUEST, options: { outRoot, seed: 1 } });
  const done = await sg.runs.wait(row.id);
  const wall = performance.now() - t0;
  if (done.status !== 'completed') throw new Error(`run ${row.id} ended ${done.status}: ${JSON.stringify(done.error ?? done.question)}`);
  const stages = new Map<string, number>();
  for (const e of await sg.runs.eventsSince(row.id)) {
    if (e.type === 'workflow.stage_changed' && e.payload.change === 'completed') stages.set(e.payload.stage, e.payload.durationMs ?? Number.NaN);
  }
  return { id: row.id, ms: wall, stages };
}

try {
  const warm = await flagshipRun();
  const state = (await sg.workflows.get('h2-tank')!.graph.getState({ configurable: { thread_id: warm.id } })).values as WorkflowStateValue;

  const runs: { ms: number; stages: Map<string, number> }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await flagshipRun());

  const basis = DesignBasis.parse(state.outputs['design-basis']);
  await optimizeOnce(basis); // warm-up
  const optimize: number[] = [];
  for (let i = 0; i < RUNS; i++) optimize.push(await optimizeOnce(basis));

  // Diagnostic: export-package by part, on the warm-up run's input.
  const input = ExportInput.parse(h2TankWorkflow.inputs!['export-package']!(state));
  const parts = { step: [] as number[], json: [] as number[], pdf: [] as number[] };
  for (let i = 0; i <= RUNS; i++) {
    const createdAt = '2026-01-01T00:00:00.000Z';
    const meta = { stagegraphVersion: 'bench', plugin: { name: 'export-package', version: 'bench' }, createdAt, exportAssumptions: [] };
    const step = await time(() => tankStep(input.design.geometry, { name: input.design.id, timestamp: createdAt.slice(0, 19), system: 'bench' }));
    const doc = buildDesignDocument(input, meta);
    const json = await time(() => serializeDesignDocument(buildDesignDocument(input, meta)));
    const pdf = await time(() => renderReport(doc));
    if (i === 0) continue; // warm-up
    parts.step.push(step);
    parts.json.push(json);
    parts.pdf.push(pdf);
  }

  const e2e = runs.map((r) => r.ms);
  const e2eMedian = median(e2e);
  const stageNames = h2TankWorkflow.stages.map((s) => s.name);
  const rows: string[][] = [['Stage', 'median ms', 'min', 'max']];
  for (const name of stageNames) {
    const v = runs.map((r) => r.stages.get(name) ?? Number.NaN);
    rows.push([name, ms(median(v)), ms(Math.min(...v)), ms(Math.max(...v))]);
  }
  const stageSum = median(runs.map((r) => [...r.stages.values()].reduce((a, b) => a + b, 0)));

  console.log(`flagship h2-tank: "${REQUEST}"`);
  console.log(`database: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}; ${RUNS} runs after 1 warm-up; load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}\n`);
  console.log(table(rows));
  console.log(`\n(sum of stage medians is not the wall time: the four analyses run in parallel; median sum per run ${ms(stageSum)} ms)\n`);
  console.log(table([
    ['Measure', 'median ms', 'p90', 'min', 'max', 'target', 'verdict'],
    ['end to end (runs.start -> runs.wait)', ms(e2eMedian), ms(quantile(e2e, 0.9)), ms(Math.min(...e2e)), ms(Math.max(...e2e)), `< ${TARGET_MS}`, verdict(e2eMedian < TARGET_MS)],
    ['optimize alone (in-process, 8 steps)', ms(median(optimize)), ms(quantile(optimize, 0.9)), ms(Math.min(...optimize)), ms(Math.max(...optimize)), '-', '-'],
    ['export: tank.step', ms(median(parts.step)), ms(quantile(parts.step, 0.9)), ms(Math.min(...parts.step)), ms(Math.max(...parts.step)), '-', '-'],
    ['export: design.json (build + serialize)', ms(median(parts.json)), ms(quantile(parts.json, 0.9)), ms(Math.min(...parts.json)), ms(Math.max(...parts.json)), '-', '-'],
    ['export: report.pdf', ms(median(parts.pdf)), ms(quantile(parts.pdf, 0.9)), ms(Math.min(...parts.pdf)), ms(Math.max(...parts.pdf)), '-', '-'],
  ]));
  console.log(`\n${verdict(e2eMedian < TARGET_MS)}: flagship end to end median ${ms(e2eMedian)} ms (target < ${TARGET_MS} ms)`);
} finally {
  await sg.close();
  await db.close();
  await rm(outRoot, { recursive: true, force: true });
}
