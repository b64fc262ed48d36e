/**
 * The run lifecycle through the runs API on real Postgres: pause/resume, abort with
 * compensation, restore from a checkpoint (without re-deciding), invalid transitions,
 * waiting for input, degraded completion, the event log and the decision ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import type { RunView } from '../graph/runs/view.ts';
import { Journal, askWorkflow, degradedWorkflow, lifecycleWorkflow } from './fixtures/journal.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog, rejectionOf, stageStarted, until, waitForEvent } from './support/runs.ts';

describe('run lifecycle', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  const journal = new Journal();
  /** The final view of an uninterrupted run of `lifecycle` for `{ n: 0 }`. */
  let baseline: RunView;

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [lifecycleWorkflow(journal), askWorkflow(journal), degradedWorkflow()], database: t.db });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function runToEnd(workflowId: string, request: unknown): Promise<RunView> {
    const row = await sg.runs.start({ workflowId, request });
    await sg.runs.wait(row.id);
    return sg.runs.get(row.id);
  }

  const decisionEvents = (events: RunEvent[]) =>
    events.filter((e): e is Extract<RunEvent, { type: 'workflow.decision_made' }> => e.type === 'workflow.decision_made');

  it('an uninterrupted run completes with the expected outputs', async () => {
    baseline = await runToEnd('lifecycle', { n: 0 });
    expect(baseline.status).toBe('completed');
    expect(baseline.progress).toBe(100);
    expect(baseline.completed).toEqual(['a', 'b', 'c', 'd']);
    expect(baseline.partialResults).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 }, d: { n: 4 } });
    expect(baseline.decisions.map((d) => [d.point, d.chosen, d.method])).toEqual([['pick', 'up', 'rule']]);
    expect(baseline.missing).toEqual(['x']);
  });

  it('pause mid-run, then resume, ends in the same state as an uninterrupted run', async () => {
    const row = await sg.runs.start({ workflowId: 'lifecycle', request: { n: 0 } });
    await waitForEvent(sg, row.id, stageStarted('b'));
    const paused = await sg.runs.pause(row.id, 'tester');
    expect(paused.status).toBe('paused');
    const mid = await sg.runs.get(row.id);
    expect(mid.completed).toEqual(['a', 'b']);
    expect(mid.next).toEqual(['pick']);

    const pausedEvent = await waitForEvent(sg, row.id, (e) => e.type === 'workflow.paused');
    expect(pausedEvent.payload).toMatchObject({ reason: 'pause', by: 'tester', next: ['pick'] });

    await sg.runs.resume(row.id, 'tester');
    await sg.runs.wait(row.id);
    const end = await sg.runs.get(row.id);
    expect(end.status).toBe('completed');
    expect(end.partialResults).toEqual(baseline.partialResults);
    expect(end.completed).toEqual(baseline.completed);
    expect(end.decisions.map((d) => d.chosen)).toEqual(baseline.decisions.map((d) => d.chosen));
    for (const s of ['a', 'b', 'c', 'd']) expect(journal.count(row.id, s)).toBe(1);
    const resumed = await waitForEvent(sg, row.id, (e) => e.type === 'workflow.resumed');
    expect(resumed.payload).toEqual({ from: 'paused', by: 'tester' });
  });

  it('abort stops in-flight work, compensates completed stages in reverse order and keeps partial results', async () => {
    const row = await sg.runs.start({ workflowId: 'lifecycle', request: { n: 0 } });
    await waitForEvent(sg, row.id, stageStarted('c'));
    const aborted = await sg.runs.abort(row.id, 'changed my mind', 'tester');
    expect(aborted.status).toBe('aborted');
    expect(journal.compensated(row.id)).toEqual(['b', 'a']);
    expect(journal.compensations.filter((c) => c.runId === row.id).map((c) => c.output)).toEqual([{ n: 2 }, { n: 1 }]);

    const view = await sg.runs.get(row.id);
    expect(view.partialResults).toEqual({ a: { n: 1 }, b: { n: 2 } });
    expect(view.completed).toEqual(['a', 'b']);
    expect(journal.count(row.id, 'd')).toBe(0);

    const events = await sg.runs.eventsSince(row.id);
    const last = events[events.length - 1]!;
    expect(last.type).toBe('workflow.aborted');
    expect(last.payload).toEqual({ reason: 'changed my mind', by: 'tester', compensated: ['b', 'a'] });
    const compensatedEvents = events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'compensated');
    expect(compensatedEvents.map((e) => (e.payload as { stage: string }).stage)).toEqual(['b', 'a']);
  });

  it('restore from a checkpoint before the decision: earlier stages are not re-run, later ones are, the decision is reused', async () => {
    const id = baseline.id;
    const checkpoints = await sg.runs.checkpoints(id);
    const fork = checkpoints.find((c) => c.next.length === 1 && c.next[0] === 'b');
    expect(fork).toBeDefined();
    expect(fork!.completed).toEqual(['a']);
    const before = decisionEvents(await sg.runs.eventsSince(id));
    expect(before).toHaveLength(1);
    expect(before[0]!.payload.reused).toBe(false);

    await sg.runs.restore(id, fork!.checkpointId, 'tester');
    await sg.runs.wait(id);
    const end = await sg.runs.get(id);
    expect(end.error).toBeNull();
    expect(end.status).toBe('completed');
    expect(end.completed).toEqual(['a', 'b', 'c', 'd']);
    expect(end.partialResults).toEqual(baseline.partialResults);
    expect([journal.count(id, 'a'), journal.count(id, 'b'), journal.count(id, 'c'), journal.count(id, 'd')]).toEqual([1, 2, 2, 2]);

    const decisions = decisionEvents(await sg.runs.eventsSince(id));
    expect(decisions).toHaveLength(2);
    expect(decisions[1]!.payload.reused).toBe(true);
    expect(decisions[1]!.payload.decision.id).toBe(decisions[0]!.payload.decision.id);
    const { rows } = await t.db.pool.query('SELECT point, iteration, chosen FROM sg_decisions WHERE run_id = $1', [id]);
    expect(rows).toEqual([{ point: 'pick', iteration: 0, chosen: 'up' }]);
  });

  it('restore from a checkpoint after the decision re-runs only what follows it', async () => {
    const row = await sg.runs.start({ workflowId: 'lifecycle', request: { n: 0 } });
    await sg.runs.wait(row.id);
    const fork = (await sg.runs.checkpoints(row.id)).find((c) => c.next[0] === 'd');
    expect(fork?.completed).toEqual(['a', 'b', 'c']);
    await sg.runs.restore(row.id, fork!.checkpointId);
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    expect(['a', 'b', 'c', 'd'].map((s) => journal.count(row.id, s))).toEqual([1, 1, 1, 2]);
    expect(decisionEvents(await sg.runs.eventsSince(row.id))).toHaveLength(1);
    expect((await sg.runs.get(row.id)).partialResults).toEqual(baseline.partialResults);
  });

  it('invalid transitions fail with invalid_transition and change nothing', async () => {
    const expectRefused = async (id: string, call: () => Promise<unknown>, status: string, action: string) => {
      const rowBefore = await sg.runs.get(id);
      const eventsBefore = (await sg.runs.eventsSince(id)).length;
      const e = await rejectionOf(call());
      expect(e.code).toBe('invalid_transition');
      expect(e.details).toMatchObject({ runId: id, status, action });
      const rowAfter = await sg.runs.get(id);
      expect(rowAfter.status).toBe(rowBefore.status);
      if (rowBefore.status !== 'running') {
        expect(rowAfter.updatedAt).toBe(rowBefore.updatedAt);
        expect((await sg.runs.eventsSince(id)).length).toBe(eventsBefore);
      }
    };

    // A completed run.
    const done = baseline.id;
    await expectRefused(done, () => sg.runs.resume(done), 'completed', 'resume');
    await expectRefused(done, () => sg.runs.pause(done), 'completed', 'pause');
    await expectRefused(done, () => sg.runs.abort(done), 'completed', 'abort');
    await expectRefused(done, () => sg.runs.answer(done, { n: 1 }), 'completed', 'answer');

    // A running run.
    const row = await sg.runs.start({ workflowId: 'lifecycle', request: { n: 0 } });
    await waitForEvent(sg, row.id, stageStarted('a'));
    await expectRefused(row.id, () => sg.runs.answer(row.id, { n: 1 }), 'running', 'answer');
    await expectRefused(row.id, () => sg.runs.resume(row.id), 'running', 'resume');
    const fork = (await sg.runs.checkpoints(row.id))[0]!;
    await expectRefused(row.id, () => sg.runs.restore(row.id, fork.checkpointId), 'running', 'restore');

    // A paused run.
    expect((await sg.runs.pause(row.id)).status).toBe('paused');
    await expectRefused(row.id, () => sg.runs.pause(row.id), 'paused', 'pause');
    await expectRefused(row.id, () => sg.runs.answer(row.id, { n: 1 }), 'paused', 'answer');

    // Nothing above disturbed it: it resumes and completes as usual.
    await sg.runs.resume(row.id);
    const end = await sg.runs.wait(row.id);
    expect(end.status).toBe('completed');
    expect((await sg.runs.get(row.id)).partialResults).toEqual(baseline.partialResults);

    const e = await rejectionOf(sg.runs.restore(row.id, '1ef00000-0000-6000-8000-000000000000'));
    expect(e.code).toBe('checkpoint_not_found');
    expect((await rejectionOf(sg.runs.get('00000000-0000-4000-8000-000000000000'))).code).toBe('run_not_found');
  });

  it('a validation error with a question waits for input; the answer is merged into the stage input', async () => {
    const row = await sg.runs.start({ workflowId: 'ask', request: { n: 0, label: 'tank' } });
    expect((await sg.runs.wait(row.id)).status).toBe('waiting_input');
    const waiting = await sg.runs.get(row.id);
    expect(waiting.question).toMatchObject({ stage: 'ask', code: 'need_positive_n', question: 'Which positive n should be used?' });
    expect(waiting.next).toEqual(['ask']);
    const asked = await waitForEvent(sg, row.id, (e) => e.type === 'workflow.paused');
    expect(asked.payload).toMatchObject({ reason: 'input', next: ['ask'], question: { question: 'Which positive n should be used?' } });

    // An answer that is still not good enough asks again.
    await sg.runs.answer(row.id, { n: -1 }, 'tester');
    expect((await sg.runs.wait(row.id)).status).toBe('waiting_input');
    expect((await sg.runs.get(row.id)).question).toMatchObject({ details: { got: -1 } });

    await sg.runs.answer(row.id, { n: 7 }, 'tester');
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    const end = await sg.runs.get(row.id);
    expect(end.partialResults).toEqual({ ask: { n: 70, label: 'tank' } });
    expect(end.question).toBeNull();
    const inputs = journal.calls.filter((c) => c.runId === row.id).map((c) => c.input);
    expect(inputs[inputs.length - 1]).toEqual({ n: 7, label: 'tank' });
    expect(inputs.filter((i) => (i as { n: number }).n === 7)).toHaveLength(1);
  });

  it('an optional stage that fails is skipped and the run completes degraded', async () => {
    const view = await runToEnd('degraded', { n: 1 });
    expect(view.status).toBe('completed');
    expect(view.degraded).toBe(true);
    expect(view.skipped).toEqual(['extra']);
    expect(view.completed).toEqual(['first', 'last']);
    expect(view.partialResults).toEqual({ first: { n: 2 }, last: { n: 3 } });
    const events = await sg.runs.eventsSince(view.id);
    const skipped = events.find((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'skipped');
    expect(skipped?.payload).toMatchObject({ stage: 'extra', error: { code: 'service_down', class: 'fatal' } });
    const completed = events[events.length - 1]!;
    expect(completed.type).toBe('workflow.completed');
    expect(completed.payload).toMatchObject({ degraded: true, warnings: ["optional stage 'extra' skipped: the extra service is down"] });
  });

  it('every run has a gap-free event log that ends each line in exactly one terminal event', async () => {
    const runs = await sg.runs.list({ limit: 100 });
    expect(runs).toHaveLength(7);
    for (const run of runs) {
      expect(['completed', 'aborted']).toContain(run.status);
      expectWellFormedLog(await sg.runs.eventsSince(run.id));
    }
  });

  it('a decision point lands in sg_decisions exactly once per point and run', async () => {
    const { rows } = await t.db.pool.query<{ run_id: string; point: string; n: number }>(
      `SELECT r.id AS run_id, d.point, count(d.id)::int AS n FROM sg_runs r LEFT JOIN sg_decisions d ON d.run_id = r.id
        WHERE r.workflow_id = 'lifecycle' GROUP BY r.id, d.point`,
    );
    expect(rows).toHaveLength(5);
    const aborted = (await sg.runs.list({ status: 'aborted' })).map((r) => r.id);
    for (const r of rows) {
      expect(r.point).toBe('pick');
      expect(r.n).toBe(1);
    }
    // Each run reached the point (the aborted one stopped after it).
    expect(rows.filter((r) => aborted.includes(r.run_id))).toHaveLength(1);
    const rec = await sg.ledger.forRun(baseline.id);
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ point: 'pick', chosen: 'up', method: 'rule', inputs: { n: 2 }, confidence: 0.8 });
  });
});
