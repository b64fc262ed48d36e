/**
 * Fencing between executors. Two stagegraphs on one database stand for two processes:
 * each holds its own lease (advisory lock on its own connection). Pause and abort of a
 * run reach the process executing it; a process that loses its lease stops its runs,
 * another takes them over, and the old execution's writes are refused by the fence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { Counter, stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog, rejectionOf, stageStarted, until, waitForEvent } from './support/runs.ts';

describe('fencing between executors', () => {
  let t: TestDatabase;
  let a: Stagegraph;
  let b: Stagegraph;
  const runs = new Counter();
  const compensated = new Counter();

  // `slow` runs until its signal aborts or 400 ms pass: long enough to act on it mid-stage.
  const workflow = () =>
    sequence('fenced', [
      stage('one', { compensate: async (_o, ctx) => void compensated.hit(`${ctx.runId}:one`) }),
      stage('slow', {
        ms: 400,
        run: async ({ n }: { n: number }, ctx) => {
          runs.hit(`${ctx.runId}:slow`);
          await new Promise<void>((done, fail) => {
            const timer = setTimeout(done, 400);
            ctx.signal.addEventListener('abort', () => (clearTimeout(timer), fail(ctx.signal.reason)), { once: true });
          });
          return { n: n + 1 };
        },
      }),
      stage('three'),
    ]);

  beforeAll(async () => {
    t = await testDatabase({ max: 6 });
    // Recovery sweeps are driven by the tests (recover: false), so that nothing races them.
    a = await createStagegraph({ workflows: [workflow()], database: t.db, recover: false });
    b = await createStagegraph({ workflows: [workflow()], database: t.db, recover: false });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await t?.drop();
  });

  it('a pause asked of another process pauses the run where it executes; the other process resumes it to the end', async () => {
    const run = await a.runs.start({ workflowId: 'fenced', request: { n: 0 } });
    await waitForEvent(a, run.id, stageStarted('slow'));
    const paused = await b.runs.pause(run.id, 'bob');
    expect(paused.status).toBe('paused');
    expect(paused.executor).toBeNull();
    expect((await a.runs.wait(run.id)).status).toBe('paused');

    await b.runs.resume(run.id, 'bob');
    const end = await b.runs.wait(run.id);
    expect(end.status).toBe('completed');
    const events = await b.runs.eventsSince(run.id);
    expectWellFormedLog(events);
    const pause = events.find((e) => e.type === 'workflow.paused');
    expect(pause?.payload).toMatchObject({ reason: 'pause', by: 'bob' });
    expect(events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => e.type === 'workflow.stage_changed' && e.payload.stage)).toEqual(['one', 'slow', 'three']);
  });

  it('an abort asked of another process aborts the run there and compensates once', async () => {
    const run = await a.runs.start({ workflowId: 'fenced', request: { n: 0 } });
    await waitForEvent(a, run.id, stageStarted('slow'));
    const aborted = await b.runs.abort(run.id, 'changed my mind', 'bob');
    expect(aborted.status).toBe('aborted');
    expect(aborted.error?.details.compensation).toBe('done');
    expect(compensated.get(`${run.id}:one`)).toBe(1);
    const events = await b.runs.eventsSince(run.id);
    expectWellFormedLog(events);
    expect(events.at(-1)).toMatchObject({ type: 'workflow.aborted', payload: { reason: 'changed my mind', by: 'bob', compensated: ['one'] } });
  });

  it('a process that loses its lease stops its runs; another takes them over and the old writes are fenced out', async () => {
    const run = await a.runs.start({ workflowId: 'fenced', request: { n: 0 } });
    await waitForEvent(a, run.id, stageStarted('slow'));
    const key = (await t.db.pool.query('SELECT executor FROM sg_runs WHERE id = $1', [run.id])).rows[0].executor as number;
    // Kill A's lease connection: Postgres releases its lock, as when a process dies.
    const { rows: killed } = await t.db.pool.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND classid = 21319 AND objid = $1::int::oid AND objsubid = 2`,
      [key],
    );
    expect(killed).toEqual([{ ok: true }]);
    // A stops the run without writing: it is left `running`, by a dead lease.
    await a.runs.wait(run.id);
    const left = await t.db.pool.query('SELECT status, executor FROM sg_runs WHERE id = $1', [run.id]);
    expect(left.rows[0]).toEqual({ status: 'running', executor: key });

    // A's recorder still thinks it holds the run: once B has taken it, its writes are refused.
    const stale = a.runs.events.recorder(run.id);
    const taken = await until(async () => ((await b.runs.recover()).includes(run.id) ? true : undefined), 10_000, 'B to take the run over');
    expect(taken).toBe(true);
    stale.hold({ fence: '1', lastSeq: 3 });
    stale.push({ type: 'workflow.custom', payload: { stage: 'slow', name: 'late', data: {} } });
    expect((await rejectionOf(stale.flush())).code).toBe('run_fenced');
    stale.letGo();

    const end = await b.runs.wait(run.id);
    expect(end.status).toBe('completed');
    const events = await b.runs.eventsSince(run.id);
    expectWellFormedLog(events);
    expect(events.some((e) => e.type === 'workflow.custom')).toBe(false);
    expect(events.find((e) => e.type === 'workflow.resumed')?.payload).toMatchObject({ from: 'crash' });
    // `one` completed before the loss and is not run again; `slow` was in flight and is.
    expect(events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').length).toBe(3);
    expect(runs.get(`${run.id}:slow`)).toBe(2);
  });
});
