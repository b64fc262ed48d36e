/**
 * Recovery actions through the runs API on real Postgres: invalid stage input waits
 * for a person and `provide_input` completes it; retry reruns the failed stage from
 * the last checkpoint; skip is for optional stages only; rollback compensates the
 * stages after the stable checkpoint in reverse order and continues from there;
 * compensations are retried, reported when they keep failing and done once per
 * completion; partial packages for failed and aborted runs; invalid transitions.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import type { PartialPackage } from '../graph/recovery/partial.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { degradableWorkflow, sagaCounts, sagaWorkflow, validationWorkflow, type SagaControl } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { rejectionOf } from './support/runs.ts';

const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
const changes = (events: RunEvent[], change: string) =>
  ofType(events, 'workflow.stage_changed').filter((e) => e.payload.change === change).map((e) => e.payload.stage);

describe('recovery actions', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  let dir: string;
  let journal: string;
  const seen: unknown[] = [];
  const control: SagaControl = { fail: new Set(), compensationFailures: new Map([['b', 2], ['a', Infinity]]) };
  const optionalControl: SagaControl = { fail: new Set() };
  const degradableAttempts: number[] = [];

  beforeAll(async () => {
    t = await testDatabase();
    dir = await mkdtemp(join(tmpdir(), 'sg-recovery-'));
    journal = join(dir, 'journal.log');
    sg = await createStagegraph({
      workflows: [validationWorkflow(seen), sagaWorkflow(journal, control), sagaWorkflow(journal, optionalControl, true), degradableWorkflow(degradableAttempts)],
      database: t.db,
      compensation: { attempts: 3, backoffMs: 10 },
    });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (workflowId: string, request: unknown) => {
    const row = await sg.runs.start({ workflowId, request, options: { outRoot: join(dir, 'out') } });
    await sg.runs.wait(row.id);
    return sg.runs.get(row.id);
  };

  it('invalid stage input waits for input with a question from the field; provide_input completes the run', async () => {
    const waiting = await start('validation', { n: -3 });
    expect(waiting.status).toBe('waiting_input');
    expect(waiting.completed).toEqual(['prepare']);
    expect(waiting.partialResults).toEqual({ prepare: { n: -3 } });
    expect(waiting.question).toMatchObject({ stage: 'label', code: 'stage_input_invalid', details: { field: 'n' } });
    const question = (waiting.question as { question: string }).question;
    expect(question).toContain("'n'");
    expect(question).toContain("'label'");

    await sg.runs.recover(waiting.id, { action: 'provide_input', by: 'ana', reason: 'typo in the request', input: { n: 4, label: 'tank' } });
    expect((await sg.runs.wait(waiting.id)).status).toBe('completed');
    const end = await sg.runs.get(waiting.id);
    expect(end.partialResults).toEqual({ prepare: { n: -3 }, label: { n: 40, label: 'tank' } });
    expect(seen).toEqual([{ n: 4, label: 'tank' }]);
    const resumed = ofType(await sg.runs.eventsSince(waiting.id), 'workflow.resumed');
    expect(resumed.map((e) => e.payload)).toEqual([{ from: 'waiting_input', action: 'provide_input', by: 'ana', reason: 'typo in the request' }]);
  });

  it('a degradable failure of an optional stage: 2 attempts, then skipped with a warning, the run completes degraded', async () => {
    const end = await start('degradable', { n: 1 });
    expect(degradableAttempts).toEqual([1, 2]);
    expect(end.status).toBe('completed');
    expect(end.degraded).toBe(true);
    expect(end.partialResults).toEqual({ first: { n: 2 }, last: { n: 3 } });
    const events = await sg.runs.eventsSince(end.id);
    expect(ofType(events, 'workflow.error').map((e) => [e.payload.error.class, e.payload.willRetry])).toEqual([['degradable', true], ['degradable', false]]);
    const skipped = ofType(events, 'workflow.stage_changed').find((e) => e.payload.change === 'skipped');
    expect(skipped?.payload).toMatchObject({ stage: 'extra', error: { code: 'enrichment_unavailable', class: 'degradable' }, warning: "optional stage 'extra' skipped: the enrichment service answers in reduced mode" });
    expect(ofType(events, 'workflow.completed')[0]?.payload).toMatchObject({ degraded: true, warnings: ["optional stage 'extra' skipped: the enrichment service answers in reduced mode"] });
    const pkg = await sg.runs.partialPackage(end.id);
    expect(pkg.missing).toEqual([{ stage: 'extra', why: 'skipped', error: { code: 'enrichment_unavailable', class: 'degradable', message: "optional stage 'extra' skipped: the enrichment service answers in reduced mode" } }]);
  });

  let failedId: string;

  it('a fatal failure fails the run with partial results kept; its partial package names the error', async () => {
    control.fail = new Set(['d']);
    const failed = await start('saga', { n: 0 });
    failedId = failed.id;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'stage_broken', class: 'fatal' });
    expect(failed.partialResults).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
    expect(sagaCounts(journal, failed.id).runs).toEqual({ a: 1, b: 1, c: 1, d: 1 });

    const pkg = await sg.runs.partialPackage(failed.id);
    expect(pkg.path).toBe(join(dir, 'out', failed.id, 'partial.json'));
    const written = JSON.parse(await readFile(pkg.path, 'utf8')) as PartialPackage;
    expect(written.status).toBe('failed');
    expect(written.completed.map((c) => [c.stage, c.output, c.compensated])).toEqual([['a', { n: 1 }, false], ['b', { n: 2 }, false], ['c', { n: 3 }, false]]);
    expect(written.missing).toEqual([{ stage: 'd', why: 'failed', error: { code: 'stage_broken', class: 'fatal', message: 'stage d is broken' } }]);
    expect(written.warnings).toEqual([]);
    expect(written.decisions).toEqual([]);
  });

  it('retry reruns the failed stage from the last checkpoint: completed stages are not run again', async () => {
    control.fail = new Set(['d']);
    await sg.runs.recover(failedId, { action: 'retry', by: 'ana', reason: 'flaky disk' });
    expect((await sg.runs.wait(failedId)).status).toBe('failed');
    control.fail = new Set();
    const row = await sg.runs.recover(failedId, { action: 'retry', by: 'ana', reason: 'disk replaced' });
    expect(row.status).toBe('running');
    const end = await sg.runs.wait(failedId);
    expect(end.status).toBe('completed');
    expect(end.error).toBeNull();
    expect(sagaCounts(journal, failedId).runs).toEqual({ a: 1, b: 1, c: 1, d: 3 });
    const resumed = ofType(await sg.runs.eventsSince(failedId), 'workflow.resumed').map((e) => e.payload);
    expect(resumed).toEqual([
      { from: 'failed', action: 'retry', by: 'ana', reason: 'flaky disk', stage: 'd' },
      { from: 'failed', action: 'retry', by: 'ana', reason: 'disk replaced', stage: 'd' },
    ]);
  });

  it('skip of a required stage is skip_not_allowed; an optional stage asking a question may be skipped (degraded)', async () => {
    control.fail = new Set(['c']);
    const failed = await start('saga', { n: 0 });
    const e = await rejectionOf(sg.runs.recover(failed.id, { action: 'skip', by: 'ana', reason: 'not needed' }));
    expect(e.code).toBe('skip_not_allowed');
    expect(e.details).toMatchObject({ runId: failed.id, stage: 'c', optional: false });
    expect((await sg.runs.get(failed.id)).status).toBe('failed');

    const asking = await start('saga-optional', { n: 0 });
    expect(asking.status).toBe('waiting_input');
    expect(asking.next).toEqual(['e']);
    await sg.runs.recover(asking.id, { action: 'skip', by: 'ana', reason: 'no variant needed' });
    const end = await sg.runs.wait(asking.id);
    expect(end.status).toBe('completed');
    expect(end.degraded).toBe(true);
    const view = await sg.runs.get(asking.id);
    expect(view.skipped).toEqual(['e']);
    expect(view.warnings.map((w) => w.stage)).toEqual(['e']);
    const events = await sg.runs.eventsSince(asking.id);
    const skipped = ofType(events, 'workflow.stage_changed').find((x) => x.payload.change === 'skipped');
    expect(skipped?.payload).toMatchObject({ stage: 'e', by: 'ana', warning: "optional stage 'e' skipped: Which variant should e use?" });
    expect(ofType(events, 'workflow.resumed').map((x) => x.payload)).toMatchObject([{ from: 'waiting_input', action: 'skip', by: 'ana', reason: 'no variant needed', stage: 'e' }]);
    expect(ofType(events, 'workflow.completed')[0]?.payload).toMatchObject({ degraded: true });
  });

  let rolledId: string;

  it('rollback to before a stage compensates the stages completed after it, newest first, and continues from there', async () => {
    control.fail = new Set(['d']);
    const failed = await start('saga', { n: 10 });
    rolledId = failed.id;
    const checkpointsBefore = await sg.runs.checkpoints(failed.id);
    control.fail = new Set();
    await sg.runs.recover(failed.id, { action: 'rollback', by: 'ana', reason: 'b used a bad table', stage: 'b' });
    const end = await sg.runs.wait(failed.id);
    expect(end.status).toBe('completed');

    const counts = sagaCounts(journal, failed.id);
    // c's compensation ran at once; b's failed twice (transient) and then succeeded.
    expect(counts.compensations).toEqual(['c', 'b']);
    expect(counts.runs).toEqual({ a: 1, b: 2, c: 2, d: 2 });
    const view = await sg.runs.get(failed.id);
    expect(view.completed).toEqual(['a', 'b', 'c', 'd']);
    expect(view.partialResults).toEqual({ a: { n: 11 }, b: { n: 12 }, c: { n: 13 }, d: { n: 14 } });

    const events = await sg.runs.eventsSince(failed.id);
    const target = checkpointsBefore.find((c) => c.next[0] === 'b' && c.completed.length === 1)!;
    const resumed = ofType(events, 'workflow.resumed');
    expect(resumed.map((e) => e.payload)).toEqual([{
      from: 'restore', action: 'rollback', by: 'ana', reason: 'b used a bad table', stage: 'b',
      checkpointId: target.checkpointId, fromCheckpointId: checkpointsBefore[0]!.checkpointId,
    }]);
    // The rollback is logged before its compensations; each failed attempt is a workflow.error.
    const after = events.filter((e) => e.seq > resumed[0]!.seq);
    expect(changes(after, 'compensated')).toEqual(['c', 'b']);
    expect(ofType(after, 'workflow.error').map((e) => [e.payload.stage, e.payload.error.code, e.payload.willRetry])).toEqual([['b', 'undo_failed', true], ['b', 'undo_failed', true]]);
    const keys = ofType(after, 'workflow.stage_changed').filter((e) => e.payload.change === 'compensated').map((e) => e.payload.completion);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it('abort compensates each completion once, newest first; a compensation that keeps failing is reported, and asked again, finished', async () => {
    control.fail = new Set(['d']);
    const failed = await start('saga', { n: 20 });
    // Back to before c: c's completion is compensated, c runs again, d fails again.
    await sg.runs.recover(failed.id, { action: 'rollback', by: 'ana', reason: 'redo c', stage: 'c' });
    expect((await sg.runs.wait(failed.id)).status).toBe('failed');
    expect(sagaCounts(journal, failed.id)).toEqual({ runs: { a: 1, b: 1, c: 2, d: 2 }, compensations: ['c'] });

    // A completed run cannot be aborted.
    const refused = await rejectionOf(sg.runs.recover(rolledId, { action: 'abort', by: 'ana', reason: 'too late' }));
    expect(refused.code).toBe('invalid_transition');

    // a's compensation always fails: retried, then reported, and the abort still finishes.
    const aborted = await sg.runs.recover(failed.id, { action: 'abort', by: 'ana', reason: 'give up' });
    expect(aborted.status).toBe('aborted');
    expect(aborted.error).toMatchObject({ code: 'run_aborted', message: 'give up', details: { by: 'ana', compensation: 'failed' } });
    // The second run of c is a completion of its own: compensated once more; b once.
    expect(sagaCounts(journal, failed.id).compensations).toEqual(['c', 'c', 'b']);
    let events = await sg.runs.eventsSince(failed.id);
    let last = events[events.length - 1]!;
    expect(last.type).toBe('workflow.aborted');
    expect(last.payload).toEqual({ reason: 'give up', by: 'ana', compensated: ['c', 'b'], failed: ['a'] });
    const failedComp = ofType(events, 'workflow.stage_changed').find((e) => e.payload.change === 'compensation_failed');
    expect(failedComp?.payload).toMatchObject({ stage: 'a', attempt: 3, error: { code: 'undo_failed' } });
    expect(ofType(events, 'workflow.error').filter((e) => e.payload.stage === 'a').map((e) => e.payload.willRetry)).toEqual([true, true, false]);
    const keys = ofType(events, 'workflow.stage_changed').filter((e) => e.payload.change === 'compensated').map((e) => e.payload.completion);
    expect(new Set(keys).size).toBe(3);

    // Asked again once the cause is fixed: only what failed runs.
    control.compensationFailures = new Map();
    const again = await sg.runs.recover(failed.id, { action: 'abort', by: 'ana', reason: 'give up' });
    expect(again.error).toMatchObject({ details: { compensation: 'done' } });
    expect(sagaCounts(journal, failed.id).compensations).toEqual(['c', 'c', 'b', 'a']);
    events = await sg.runs.eventsSince(failed.id);
    last = events[events.length - 1]!;
    expect(last.payload).toEqual({ reason: 'give up', by: 'ana', compensated: ['c', 'b', 'a'] });
    // Now there is nothing left to finish.
    expect((await rejectionOf(sg.runs.recover(failed.id, { action: 'abort', by: 'ana', reason: 'again' }))).code).toBe('invalid_transition');

    const pkg = await sg.runs.partialPackage(failed.id);
    expect(pkg.status).toBe('aborted');
    expect(pkg.completed.map((c) => [c.stage, c.output, c.compensated])).toEqual([['a', { n: 21 }, true], ['b', { n: 22 }, true], ['c', { n: 23 }, true]]);
    expect(pkg.missing).toEqual([{ stage: 'd', why: 'aborted' }]);
  });

  it('a rollback whose compensation keeps failing fails the run; asked again, it goes back to the same checkpoint', async () => {
    control.fail = new Set(['d']);
    const failed = await start('saga', { n: 30 });
    control.compensationFailures = new Map([['c', Infinity]]);
    await sg.runs.recover(failed.id, { action: 'rollback', by: 'ana', reason: 'redo from b', stage: 'b' });
    const stopped = await sg.runs.wait(failed.id);
    expect(stopped.status).toBe('failed');
    expect(stopped.error).toMatchObject({ code: 'compensation_failed', class: 'fatal', details: { stages: ['c'] } });
    expect(sagaCounts(journal, failed.id).compensations).toEqual([]);

    control.compensationFailures = new Map();
    control.fail = new Set();
    await sg.runs.recover(failed.id, { action: 'rollback', by: 'ana', reason: 'undo service fixed' });
    expect((await sg.runs.wait(failed.id)).status).toBe('completed');
    expect(sagaCounts(journal, failed.id)).toEqual({ runs: { a: 1, b: 2, c: 2, d: 2 }, compensations: ['c', 'b'] });
    const rollbacks = ofType(await sg.runs.eventsSince(failed.id), 'workflow.resumed').map((e) => e.payload);
    expect(rollbacks).toHaveLength(2);
    expect(rollbacks[1]).toMatchObject({ action: 'rollback', stage: 'b', checkpointId: rollbacks[0]!.checkpointId, fromCheckpointId: rollbacks[0]!.fromCheckpointId });
  });

  it('every action is valid only where the transition table allows it', async () => {
    const done = await start('validation', { n: 2, label: 'ok' });
    expect(done.status).toBe('completed');
    for (const action of ['retry', 'skip', 'provide_input', 'rollback', 'abort'] as const) {
      const e = await rejectionOf(sg.runs.recover(done.id, { action, by: 'ana', reason: 'why not', input: {} }));
      expect(e.code).toBe('invalid_transition');
      expect(e.details).toMatchObject({ runId: done.id, status: 'completed', action });
      expect(e.message).toContain(`cannot ${action}`);
    }
    const waiting = await start('validation', { n: 0, label: 'x' });
    const retry = await rejectionOf(sg.runs.recover(waiting.id, { action: 'retry', by: 'ana', reason: 'no' }));
    expect(retry.details).toMatchObject({ status: 'waiting_input', action: 'retry' });
    const skip = await rejectionOf(sg.runs.recover(waiting.id, { action: 'skip', by: 'ana', reason: 'no' }));
    expect(skip.code).toBe('skip_not_allowed');
    expect(skip.details).toMatchObject({ stage: 'label', optional: false });
    expect((await rejectionOf(sg.runs.recover(waiting.id, { action: 'provide_input', by: 'ana', reason: 'no input' }))).code).toBe('input_required');
    expect((await rejectionOf(sg.runs.recover(waiting.id, { action: 'rollback', by: 'ana', reason: 'x', checkpointId: '1ef00000-0000-6000-8000-000000000000' }))).code).toBe('checkpoint_not_found');
    expect((await rejectionOf(sg.runs.recover(waiting.id, { action: 'rollback', by: 'ana', reason: 'x', stage: 'nowhere' }))).code).toBe('stage_not_reached');
    expect((await sg.runs.get(waiting.id)).status).toBe('waiting_input');
  });
});
