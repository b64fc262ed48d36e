/**
 * The run queue (pg-boss) with API-only and worker stagegraphs on one database, in one
 * test process (the multi-process claims are in test/scale-out.int.test.ts): runs
 * started on the API side execute on a worker, and so do resume, answer, retry and
 * restore asked there; under a saturated worker, high priority
 * runs start before low priority runs queued earlier; a run scheduled 2 s ahead starts
 * after 2 s; a per-workflow limit of 3 and a rate of 2 per second are never exceeded
 * across two workers; a queued
 * run aborted never starts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StagegraphError } from '../nodes/errors.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import type { RunRow } from '../graph/runs/row.ts';
import { stage } from './fixtures/stages.ts';
import { flakyWorkflow, sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

/** When each run's first stage started, and how many runs of `limited` run at once (at most). */
const startedAt = new Map<string, number>();
let running = 0;
let mostRunning = 0;

const first = stage('first', { run: async ({ n }: { n: number }, ctx) => (startedAt.set(ctx.runId, Date.now()), { n: n + 1 }) });
const hold = (ms: number) => stage('hold', { ms });
const quick = sequence('quick', [first, hold(150)]);
const limited = sequence('limited', [
  stage('enter', { run: async ({ n }: { n: number }) => ((running++, (mostRunning = Math.max(mostRunning, running))), { n }) }),
  stage('work', { ms: 120 }),
  stage('leave', { run: async ({ n }: { n: number }) => (running--, { n }) }),
]);

/** Asks once: throws a question until `ok` is in its input. */
const asker = sequence('ask', [stage('ask', {
  input: z.object({ n: z.number(), ok: z.boolean().optional() }),
  run: async (input: { n: number; ok?: boolean }) => {
    if (!input.ok) throw new StagegraphError('needs_confirmation', 'confirm n', { class: 'validation', details: { question: 'proceed?', answerWith: { ok: true } } });
    return { n: input.n };
  },
})]);
const flaky = flakyWorkflow();
const slow = sequence('slow', [stage('s1', { ms: 150 }), stage('s2', { ms: 150 }), stage('s3', { ms: 150 }), stage('s4', { ms: 150 })]);

let t: TestDatabase;
const open: Stagegraph[] = [];

async function stagegraph(concurrency: number, limits?: Record<string, number>, rates?: Record<string, { runs: number; perSeconds: number }>): Promise<Stagegraph> {
  const sg = await createStagegraph({ database: t.db, workflows: [quick, limited, asker, slow, flaky], queue: { concurrency, limits, rates }, onError: () => undefined });
  open.push(sg);
  return sg;
}

async function until(sg: Stagegraph, ids: string[], status: RunRow['status'] = 'completed'): Promise<RunRow[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await Promise.all(ids.map((id) => sg.runs.get(id)));
    if (rows.every((r) => r.status === status)) return rows;
    if (Date.now() > deadline) throw new Error(`not all ${status}: ${rows.map((r) => r.status).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The states of the pg-boss jobs of run `id`. */
async function jobStates(id: string): Promise<string[]> {
  const { rows } = await t.db.pool.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE data->>'runId' = $1`, [id]);
  return rows.map((r) => r.state);
}

beforeAll(async () => {
  t = await testDatabase({ max: 20 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((sg) => sg.close()));
});
afterAll(() => t?.drop());

describe('the run queue', () => {
  it('resume, answer, retry and restore asked of an API-only stagegraph are queued and a worker carries them out', async () => {
    const api = await stagegraph(0);
    const worker = await stagegraph(2);
    // answer
    const asked = await api.runs.start({ workflowId: 'ask', request: { n: 1 } });
    await until(api, [asked.id], 'waiting_input');
    const answering = await api.runs.answer(asked.id, { ok: true });
    expect(answering.status).toBe('queued');
    await until(api, [asked.id]);
    // pause (reaches the worker) and resume (queued again)
    const run = await api.runs.start({ workflowId: 'slow', request: { n: 1 } });
    await until(api, [run.id], 'running');
    await api.runs.pause(run.id);
    await until(api, [run.id], 'paused');
    expect((await api.runs.resume(run.id)).status).toBe('queued');
    await until(api, [run.id]);
    const resumed = (await api.runs.eventsSince(run.id)).filter((e) => e.type === 'workflow.resumed');
    expect(resumed.map((e) => e.payload)).toEqual([{ from: 'paused' }]);
    // retry (a recovery action)
    const failing = await api.runs.start({ workflowId: 'flaky', request: { n: 1 } });
    await until(api, [failing.id], 'failed');
    expect((await api.runs.recover(failing.id, { action: 'retry', by: 'ops', reason: 'fixed the widget' })).status).toBe('queued');
    await until(api, [failing.id]);
    // restore a completed run from its first checkpoint with a stage after it
    const checkpoints = await api.runs.checkpoints(failing.id);
    const from = checkpoints.find((c) => c.next.includes('c'))!;
    expect((await api.runs.restore(failing.id, from.checkpointId, 'ops')).status).toBe('queued');
    await until(api, [failing.id]);
    const restored = (await api.runs.eventsSince(failing.id)).filter((e) => e.type === 'workflow.resumed').map((e) => e.payload);
    expect(restored).toEqual([
      { from: 'failed', action: 'retry', by: 'ops', reason: 'fixed the widget' },
      { from: 'restore', checkpointId: from.checkpointId, by: 'ops' },
    ]);
    // the executions were the worker's, never the API's
    expect(api.runs.executing()).toBe(0);
    expect(worker.runs.executing()).toBe(0);
    // a resume of a run that is not paused is refused as before
    await expect(api.runs.resume(run.id)).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('a run started on an API-only stagegraph is queued, then a worker executes it', async () => {
    const api = await stagegraph(0);
    const row = await api.runs.start({ workflowId: 'quick', request: { n: 1 } });
    expect(row.status).toBe('queued');
    expect(await jobStates(row.id)).toEqual(['created']); // its job waits: nobody executes runs here
    await stagegraph(1);
    const [done] = await until(api, [row.id]);
    expect(done!.status).toBe('completed');
    expect(await jobStates(row.id)).toEqual(['completed']);
    const types = (await api.runs.eventsSince(row.id)).map((e) => e.type);
    expect(types[0]).toBe('workflow.started');
    expect(types.at(-1)).toBe('workflow.completed');
  });

  it('under a saturated worker, high priority runs start before low priority runs queued earlier', async () => {
    const api = await stagegraph(0);
    const low = [];
    for (let i = 0; i < 4; i++) low.push((await api.runs.start({ workflowId: 'quick', request: { n: i }, options: { priority: 'low' } })).id);
    const high = [];
    for (let i = 0; i < 3; i++) high.push((await api.runs.start({ workflowId: 'quick', request: { n: i }, options: { priority: 'high' } })).id);
    const urgent = (await api.runs.start({ workflowId: 'quick', request: { n: 9 }, options: { priority: 'urgent' } })).id;
    await stagegraph(1); // one slot: one run at a time, in the queue's order
    await until(api, [...low, ...high, urgent]);
    const order = [...low, ...high, urgent].sort((a, b) => startedAt.get(a)! - startedAt.get(b)!);
    expect(order[0]).toBe(urgent);
    expect(new Set(order.slice(1, 4))).toEqual(new Set(high));
    expect(new Set(order.slice(4))).toEqual(new Set(low));
  });

  it('a run scheduled 2 s ahead starts after 2 s, not before', async () => {
    const api = await stagegraph(0);
    await stagegraph(2);
    const now = (await api.runs.start({ workflowId: 'quick', request: { n: 1 } })).id;
    const asked = Date.now();
    const later = await api.runs.start({ workflowId: 'quick', request: { n: 1 }, options: { startAfter: 2 } });
    await until(api, [now]);
    expect((await api.runs.get(later.id)).status).toBe('queued');
    await until(api, [later.id]);
    expect(startedAt.get(later.id)! - asked).toBeGreaterThanOrEqual(2000);
  });

  it('a per-workflow limit of 3 is never exceeded, across two workers', async () => {
    running = 0;
    mostRunning = 0;
    const api = await stagegraph(0);
    await stagegraph(4, { limited: 3 });
    await stagegraph(4, { limited: 3 });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await api.runs.start({ workflowId: 'limited', request: { n: i } })).id);
    await until(api, ids);
    expect(mostRunning).toBe(3);
  });

  it('a rate of 2 runs per second is never exceeded, across two workers', async () => {
    const api = await stagegraph(0);
    await stagegraph(4, undefined, { quick: { runs: 2, perSeconds: 1 } });
    await stagegraph(4, undefined, { quick: { runs: 2, perSeconds: 1 } });
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await api.runs.start({ workflowId: 'quick', request: { n: i } })).id);
    await until(api, ids);
    // The database's own take times: in any window of 1 s at most 2 takes.
    const { rows } = await t.db.pool.query<{ ms: number }>('SELECT extract(epoch FROM taken_at) * 1000 AS ms FROM sg_runs WHERE id = ANY($1::uuid[]) ORDER BY taken_at', [ids]);
    const taken = rows.map((r) => Number(r.ms));
    for (let i = 2; i < taken.length; i++) expect(taken[i]! - taken[i - 2]!, `takes ${i - 2} and ${i}`).toBeGreaterThanOrEqual(1000);
  });

  it('a queued run aborted never starts; bad dispatch options are refused', async () => {
    const api = await stagegraph(0);
    const row = await api.runs.start({ workflowId: 'quick', request: { n: 1 }, options: { startAfter: 1 } });
    await api.runs.abort(row.id, 'changed my mind');
    await stagegraph(2);
    // Once due, a worker fetches its job, finds the run no longer queued and completes the job.
    for (const deadline = Date.now() + 30_000; (await jobStates(row.id))[0] !== 'completed'; ) {
      if (Date.now() > deadline) throw new Error(`job still ${(await jobStates(row.id)).join(',')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await api.runs.get(row.id);
    expect(after.status).toBe('aborted');
    expect(startedAt.has(row.id)).toBe(false);
    await expect(api.runs.start({ workflowId: 'quick', request: { n: 1 }, options: { priority: 'asap' } })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(api.runs.start({ workflowId: 'quick', request: { n: 1 }, options: { startAfter: 'tomorrow' } })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
