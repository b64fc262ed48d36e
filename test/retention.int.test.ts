/**
 * Retention through the public entry points on real Postgres: `gc()` and `stagegraph gc`
 * as a real process. A collected run reads the same (`runs.get`, `runs.checkpoints`, the
 * partial package, events, decisions, the state at every kept checkpoint), keeps its
 * stage and decision boundaries, restores from a kept checkpoint to the same result as a
 * run that was never collected, and is collected only when its workflow's policy says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import type { RunEvent } from '../graph/events/types.ts';
import { gc, normalizeRetention, type GcReport } from '../graph/retention/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow, type WorkflowDefinition } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { continueLater, type AnyStagePlugin, type StageContext } from '../nodes/types.ts';
import { h2TankWorkflow } from '../plugins/h2-tank/workflow.ts';
import { N, sleep, stage, type NValue } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraphDone } from './support/processes.ts';
import { rejectionOf, stageStarted, waitForEvent } from './support/runs.ts';

const DAY = 86_400_000;
const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';

/** Invocations and compensations per run and stage. */
const calls = new Map<string, number>();
const compensated: string[] = [];
const count = (runId: string, stage: string) => calls.get(`${runId}/${stage}`) ?? 0;
const called = (ctx: StageContext) => calls.set(`${ctx.runId}/${ctx.stage}`, count(ctx.runId, ctx.stage) + 1);

/** Counts from n to n + 5, one step at a time: 6 steps, so 6 checkpoints about to run it. */
const counter: AnyStagePlugin = {
  name: 'count', version: '1.0.0', description: 'counts to n + 5 in steps', capabilities: ['test'],
  input: N, output: N, policy: { stepped: true },
  async run({ n }: NValue, ctx: StageContext) {
    called(ctx);
    const at = (ctx.resume as { at: number } | undefined)?.at ?? n;
    return at < n + 5 ? continueLater({ at: at + 1 }) : { n: at };
  },
  async compensate(_output: NValue, ctx: StageContext) {
    compensated.push(`${ctx.runId}/count`);
  },
};

const size: DecisionPoint<{ n: number }> = {
  name: 'size',
  description: 'big from 5 on',
  options: ['big', 'small'],
  inputs: (s) => ({ n: (s.outputs['count'] as NValue).n }),
  rules: [{ id: 'at-least-5', when: (i) => i.n >= 5, choose: 'big', because: (i) => `n = ${i.n} >= 5`, confidence: 0.9 }],
  default: 'small',
};

type Finish = 'ok' | 'hold' | 'fail' | 'ask';

/** `count (stepped) -> size -> finish`; `finish` completes, holds until aborted, fails or asks. */
function tally(id: string, finish: Finish, extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  const last = stage('finish', {
    run: async ({ n }: NValue, ctx: StageContext) => {
      called(ctx);
      if (finish === 'hold') await sleep(60_000, ctx.signal);
      if (finish === 'fail') throw new StagegraphError('finish_broken', 'finish is broken', { class: 'fatal' });
      if (finish === 'ask') throw new StagegraphError('need_label', 'which label?', { class: 'validation', details: { question: 'Which label?' } });
      return { n: n * 2 };
    },
  });
  return defineWorkflow({
    id, description: `tally (${finish})`, stages: [counter, last], decisions: [size],
    edges: [
      { from: START, to: 'count' }, { from: 'count', to: 'size' },
      { from: 'size', routes: { big: 'finish', small: 'finish' } }, { from: 'finish', to: END },
    ],
    inputs: { finish: (s) => s.outputs['count'] },
    ...extra,
  });
}

const talliesWorkflows = [
  tally('tally', 'ok'),
  tally('tally-forever', 'ok', { retention: { afterDays: Infinity } }),
  tally('tally-holds', 'hold'),
  tally('tally-fails', 'fail'),
  tally('tally-fails-collected', 'fail', { retention: { statuses: ['failed'] } }),
  tally('tally-asks', 'ask'),
];
const flagship = h2TankWorkflow;
const flagshipForever = defineWorkflow({ ...h2TankWorkflow, id: 'h2-tank-forever', retention: { afterDays: Infinity } });

describe('retention', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [...talliesWorkflows, flagship, flagshipForever], database: t.db, recover: false });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function run(workflowId: string, request: unknown): Promise<string> {
    const row = await sg.runs.start({ workflowId, request, options: { seed: 1, outRoot: `out/test-retention` } });
    await sg.runs.wait(row.id);
    return row.id;
  }

  /** Everything a reader of the run sees, and the state at each of its checkpoints. */
  async function reads(id: string) {
    const { generatedAt: _at, path: _path, ...partial } = await sg.runs.partialPackage(id);
    const view = await sg.runs.get(id);
    const { graph } = sg.workflows.get(view.workflowId)!;
    const checkpoints = await sg.runs.checkpoints(id);
    const states = new Map<string, unknown>();
    for (const c of checkpoints) states.set(c.checkpointId, (await graph.getState({ configurable: { thread_id: id, checkpoint_id: c.checkpointId } })).values);
    return { view, partial, checkpoints, states, events: await sg.runs.eventsSince(id), decisions: await sg.ledger.forRun(id) };
  }

  type Reads = Awaited<ReturnType<typeof reads>>;

  /** After collection: the same reads, over the kept checkpoints only; `dropped` are gone. */
  function expectSameReads(before: Reads, after: Reads, dropped: string[]): void {
    expect(after.view).toEqual(before.view);
    expect(after.partial).toEqual(before.partial);
    expect(after.events).toEqual(before.events);
    expect(after.decisions).toEqual(before.decisions);
    const kept = before.checkpoints.filter((c) => !dropped.includes(c.checkpointId));
    expect(after.checkpoints.map((c) => c.checkpointId)).toEqual(kept.map((c) => c.checkpointId));
    // The line stays connected: each kept checkpoint's parent is its nearest kept ancestor.
    const parentOf = new Map(before.checkpoints.map((c) => [c.checkpointId, c.parentCheckpointId]));
    for (const c of after.checkpoints) {
      let p = parentOf.get(c.checkpointId);
      while (p !== undefined && dropped.includes(p)) p = parentOf.get(p);
      expect(c.parentCheckpointId).toBe(p);
      const { parentCheckpointId: _a, ...rest } = c;
      const { parentCheckpointId: _b, ...was } = kept.find((k) => k.checkpointId === c.checkpointId)!;
      expect(rest).toEqual(was);
      expect(after.states.get(c.checkpointId)).toEqual(before.states.get(c.checkpointId));
    }
  }

  /** Checkpoints about to run `stage` (newest first), e.g. the steps of a stepped stage. */
  const about = (r: Reads, stage: string) => r.checkpoints.filter((c) => c.next.length === 1 && c.next[0] === stage).map((c) => c.checkpointId);
  /** The steps of a stepped stage between its first and its last: what collection drops. */
  const between = (r: Reads, stage: string) => about(r, stage).slice(1, -1);
  const finishedAt = async (id: string) => Date.parse((await sg.runs.get(id)).finishedAt!);
  const ids = (r: GcReport) => r.runs.map((x) => x.runId).sort();

  it('collects completed and aborted runs old enough by their workflow policy; failed, waiting, recent and never-collected runs keep everything', async () => {
    const completed = await run('tally', { n: 0 });
    const forever = await run('tally-forever', { n: 0 });
    const failed = await run('tally-fails', { n: 0 });
    const failedCollected = await run('tally-fails-collected', { n: 0 });
    const waiting = await run('tally-asks', { n: 0 });
    const held = await sg.runs.start({ workflowId: 'tally-holds', request: { n: 0 }, options: { seed: 1 } });
    await waitForEvent(sg, held.id, stageStarted('finish'));
    expect((await sg.runs.abort(held.id, 'enough', 'tester')).status).toBe('aborted');
    const aborted = held.id;
    expect(compensated).toEqual([`${aborted}/count`]);
    const statuses = await Promise.all([completed, forever, failed, failedCollected, waiting, aborted].map(async (id) => (await sg.runs.get(id)).status));
    expect(statuses).toEqual(['completed', 'completed', 'failed', 'failed', 'waiting_input', 'aborted']);

    const all = [completed, forever, failed, failedCollected, waiting, aborted];
    const before = new Map<string, Reads>();
    for (const id of all) before.set(id, await reads(id));
    for (const id of all) expect(about(before.get(id)!, 'count')).toHaveLength(6);
    const latest = Math.max(...(await Promise.all([completed, forever, failed, failedCollected, aborted].map(finishedAt))));

    // Six days on, the default seven have not passed.
    const early = await gc(t.db, talliesWorkflows, { now: new Date(latest + 6 * DAY) });
    expect(early).toEqual({ dryRun: false, examined: 0, runs: [], dropped: { checkpoints: { rows: 0, bytes: 0 }, blobs: { rows: 0, bytes: 0 }, writes: { rows: 0, bytes: 0 }, bytes: 0 } });

    // `olderThanMs` overrides the age (not `Infinity`); a dry run drops nothing.
    const dry = await gc(t.db, talliesWorkflows, { now: new Date(latest + 2 * DAY), olderThanMs: DAY, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(ids(dry)).toEqual([completed, failedCollected, aborted].sort());
    expect(dry.examined).toBe(3);
    for (const r of dry.runs) {
      expect(r.kept).toBe(before.get(r.runId)!.checkpoints.length - 4);
      expect(r.dropped.checkpoints.rows).toBe(4);
      expect(r.dropped.writes.rows).toBeGreaterThanOrEqual(4);
      expect(r.dropped.blobs.rows).toBeGreaterThanOrEqual(4);
    }
    for (const id of all) expect((await sg.runs.checkpoints(id)).length).toBe(before.get(id)!.checkpoints.length);

    const real = await gc(t.db, talliesWorkflows, { now: new Date(latest + 8 * DAY) });
    expect({ ...real, dryRun: true }).toEqual(dry);
    for (const id of all) {
      const collected = [completed, failedCollected, aborted].includes(id);
      const b = before.get(id)!;
      expectSameReads(b, await reads(id), collected ? between(b, 'count') : []);
    }

    // Collecting again drops nothing.
    const again = await gc(t.db, talliesWorkflows, { now: new Date(latest + 9 * DAY) });
    expect(again.runs).toEqual([]);
    expect(again.examined).toBe(3);

    // A collected failed run can still be retried: from its final checkpoint, count is not run again.
    const steps = count(failedCollected, 'count');
    await sg.runs.recover(failedCollected, { action: 'retry', by: 'tester', reason: 'try again' });
    const retried = await sg.runs.wait(failedCollected);
    expect(retried.status).toBe('failed');
    expect(count(failedCollected, 'count')).toBe(steps);
    expect(count(failedCollected, 'finish')).toBe(2);
  });

  it('a restore from a kept checkpoint of a collected run completes like one of a run never collected', async () => {
    const a = await run('tally', { n: 1 });
    const b = await run('tally-forever', { n: 1 });
    const before = await reads(a);
    await gc(t.db, talliesWorkflows, { now: new Date((await finishedAt(b)) + 8 * DAY) });
    const collected = await reads(a);
    expectSameReads(before, collected, between(before, 'count'));

    // The checkpoint before the stepped stage's first step, and the one before the decision.
    const bReads = await reads(b);
    for (const pick of [(r: Reads) => about(r, 'count').at(-1)!, (r: Reads) => about(r, 'size')[0]!]) {
      const [fromA, fromB] = [pick(collected), pick(bReads)];
      expect(collected.checkpoints.some((c) => c.checkpointId === fromA)).toBe(true);
      const seqA = (await sg.runs.eventsSince(a)).length;
      const seqB = (await sg.runs.eventsSince(b)).length;
      await sg.runs.restore(a, fromA, 'tester');
      await sg.runs.restore(b, fromB, 'tester');
      const [endA, endB] = [await sg.runs.wait(a), await sg.runs.wait(b)];
      expect(endA.status).toBe('completed');
      expect(endB.status).toBe('completed');
      const [viewA, viewB] = [await sg.runs.get(a), await sg.runs.get(b)];
      expect(viewA.partialResults).toEqual(viewB.partialResults);
      expect(viewA.partialResults).toEqual(before.view.partialResults);
      expect(viewA.completed).toEqual(viewB.completed);
      expect(viewA.decisions.map((d) => [d.point, d.chosen])).toEqual(viewB.decisions.map((d) => [d.point, d.chosen]));
      const shape = (events: RunEvent[]) => events.map((e) => (e.type === 'workflow.stage_changed' ? `${e.type}:${e.payload.stage}:${e.payload.change}` : e.type));
      expect(shape((await sg.runs.eventsSince(a, seqA)))).toEqual(shape(await sg.runs.eventsSince(b, seqB)));
    }
  });

  it('a flagship run: the optimize steps between its first and last are dropped, the rest reads the same, and `stagegraph gc` reports it', async () => {
    const a = await run('h2-tank', DEMO);
    const b = await run('h2-tank-forever', DEMO);
    const before = await reads(a);
    const dropped = between(before, 'optimize');
    // 8 optimize steps: the first follows design-basis, the last precedes its output.
    expect(about(before, 'optimize')).toHaveLength(8);
    expect(dropped).toHaveLength(6);

    // The command, in a process of its own (built-in workflows only), sees the same.
    const cli = await stagegraphDone(['gc', '--dry-run', '--older-than', '0s', '--json'], t.childEnv);
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as GcReport;
    const now = new Date((await finishedAt(b)) + 8 * DAY);
    const dry = await gc(t.db, [flagship, flagshipForever], { now, dryRun: true });
    expect(ids(dry)).toEqual([a]);
    expect(fromCli).toEqual(dry);
    const text = await stagegraphDone(['gc', '--dry-run', '--older-than', '0s'], t.childEnv);
    expect(text.stdout).toContain(`would collect 1 of 1 finished runs old enough: 6 checkpoints`);
    expect(text.stdout).toContain(`${a}  h2-tank  completed  kept ${before.checkpoints.length - 6} checkpoints, dropped 6`);

    const real = await gc(t.db, [flagship, flagshipForever], { now });
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect(real.dropped.checkpoints.rows).toBe(6);
    const after = await reads(a);
    expectSameReads(before, after, dropped);
    // What is left of the scratch: the versions kept checkpoints reference, nothing else.
    const { rows } = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM checkpoint_blobs b WHERE thread_id = $1 AND NOT EXISTS
         (SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id AND c.checkpoint->'channel_versions'->>b.channel = b.version)`, [a]);
    expect(rows[0].n).toBe(0);
    const { rows: left } = await t.db.pool.query('SELECT count(*)::int AS n FROM checkpoint_writes WHERE thread_id = $1 AND checkpoint_id = ANY($2)', [a, dropped]);
    expect(left[0].n).toBe(0);

    // Restored from the checkpoint before optimize, it ends as the uncollected twin does.
    const fromA = about(after, 'optimize').at(-1)!;
    const fromB = about(await reads(b), 'optimize').at(-1)!;
    await sg.runs.restore(a, fromA, 'tester');
    await sg.runs.restore(b, fromB, 'tester');
    const [endA, endB] = [await sg.runs.wait(a), await sg.runs.wait(b)];
    expect([endA.status, endB.status]).toEqual(['completed', 'completed']);
    const [viewA, viewB] = [await sg.runs.get(a), await sg.runs.get(b)];
    const { 'export-package': exportA, ...outputsA } = viewA.partialResults as Record<string, { files?: { name: string }[] }>;
    const { 'export-package': exportB, ...outputsB } = viewB.partialResults as Record<string, { files?: { name: string }[] }>;
    expect(outputsA).toEqual(outputsB);
    const { 'export-package': _e, ...was } = before.view.partialResults;
    expect(outputsA).toEqual(was);
    expect(exportA!.files!.map((f) => f.name)).toEqual(exportB!.files!.map((f) => f.name));
    expect(viewA.completed).toEqual(viewB.completed);
  }, 240_000);

  it('a bad policy fails with workflow_invalid_retention naming the field, before anything is collected', async () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StagegraphError);
        return e as StagegraphError;
      }
      throw new Error('did not throw');
    };
    expect(thrown(() => normalizeRetention('w', { afterDays: -1 }))).toMatchObject({ code: 'workflow_invalid_retention', details: { workflowId: 'w', field: 'afterDays', got: -1 } });
    expect(thrown(() => normalizeRetention('w', { statuses: ['running' as never] }))).toMatchObject({ code: 'workflow_invalid_retention', details: { workflowId: 'w', field: 'statuses', got: 'running' } });
    expect(normalizeRetention('w')).toEqual({ afterMs: 7 * DAY, statuses: ['completed', 'aborted'] });
    const e = await rejectionOf(gc(t.db, [tally('tally', 'ok'), tally('bad', 'ok', { retention: { afterDays: Number.NaN } })], { now: new Date(Date.now() + 30 * DAY) }));
    expect(e.code).toBe('workflow_invalid_retention');
    const bad = await stagegraphDone(['gc', '--older-than', '7 days'], t.childEnv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error [invalid_duration]');
  });
});
