/**
 * Edge cases of the step record: a stage's output LangGraph cannot serialise fails the
 * run (never the process); a sibling that finished before another stage failed keeps
 * its completion (written at once, logged once, not run again on retry); `async` durability logs the same
 * outcomes in the same order as `sync`.
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { defineWorkflow, END, START } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { Counter, N, sleep, stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog } from './support/runs.ts';

const completions = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'workflow.stage_changed' && e.payload.change === 'completed' ? [e.payload.stage] : []));

describe('the step record', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  const ran = new Counter();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await testDatabase({ max: 6 });
    // A value whose serialisation throws: a getter that throws (LangGraph's serializer writes a
    // placeholder for cycles, BigInt and a throwing toJSON, but reading this property throws).
    const cyclic = stage('cyclic', {
      output: z.object({ n: z.any() }),
      run: async () => ({ n: Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('cannot serialise'); } }) }),
    });
    // `a` fans out to `quick` (finishes at once) and `broken` (fails for good, later, the first time), joined by `end`.
    const failedOnce = new Set<string>();
    const fanned = defineWorkflow({
      id: 'fanned', description: 'one sibling fails while the other finishes',
      stages: [
        stage('a'),
        stage('quick', { output: z.object({ s: z.number() }), run: async ({ n }: { n: number }, ctx) => (ran.hit(`${ctx.runId}:quick`), { s: n }) }),
        stage('broken', {
          output: z.object({ b: z.number() }),
          run: async ({ n }: { n: number }, ctx) => {
            ran.hit(`${ctx.runId}:broken`);
            await sleep(150);
            if (!failedOnce.has(ctx.runId)) {
              failedOnce.add(ctx.runId);
              throw new StagegraphError('widget_broken', 'broken the first time', { class: 'fatal', details: { stage: 'broken' } });
            }
            return { b: n };
          },
        }),
        stage('end', { input: z.object({ s: z.number(), b: z.number() }), run: async ({ s, b }: { s: number; b: number }) => ({ n: s + b }) }),
      ],
      edges: [{ from: START, to: 'a' }, { from: 'a', to: ['quick', 'broken'] }, { from: ['quick', 'broken'], to: 'end' }, { from: 'end', to: END }],
    });
    sg = await createStagegraph({
      workflows: [sequence('unserialisable', [stage('a'), cyclic]), fanned, sequence('five', ['a', 'b', 'c', 'd', 'e'].map((n) => stage(n)))],
      database: t.db, recover: false,
    });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sg?.close();
    await t?.drop();
  });

  it('an output that cannot be serialised fails the run with its terminal event, and the process goes on', async () => {
    const run = await sg.runs.start({ workflowId: 'unserialisable', request: { n: 1 } });
    const end = await sg.runs.wait(run.id);
    expect(end.status).toBe('failed');
    const events = await sg.runs.eventsSince(run.id);
    expectWellFormedLog(events);
    expect(completions(events)).toEqual(['a']);
    expect(events.at(-1)?.type).toBe('workflow.failed');
    expect(unhandled).toEqual([]);
  });

  it('a sibling that finished while the other failed keeps its completion: logged once, not run again on retry', async () => {
    const run = await sg.runs.start({ workflowId: 'fanned', request: { n: 1 } });
    expect((await sg.runs.wait(run.id)).status).toBe('failed');
    await sg.runs.recover(run.id, { action: 'retry', by: 'test', reason: 'fixed' });
    const end = await sg.runs.wait(run.id);
    expect(end.status).toBe('completed');
    const events = await sg.runs.eventsSince(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(completions(events).sort()).toEqual(['a', 'broken', 'end', 'quick']);
    expect(ran.get(`${run.id}:broken`)).toBe(2);
    expect(ran.get(`${run.id}:quick`)).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it('async durability logs the same outcomes, in the same order, as sync', async () => {
    const logs: string[][] = [];
    for (const durability of ['sync', 'async'] as const) {
      const run = await sg.runs.start({ workflowId: 'five', request: { n: 0 }, options: { durability } });
      expect((await sg.runs.wait(run.id)).status).toBe('completed');
      const events = await sg.runs.eventsSince(run.id);
      expectWellFormedLog(events);
      logs.push(completions(events));
    }
    expect(logs[0]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(logs[1]).toEqual(logs[0]);
  });

  it('refuses an unknown durability with invalid_input and starts nothing', async () => {
    const before = (await sg.runs.list({ limit: 1000 })).length;
    await expect(sg.runs.start({ workflowId: 'five', request: { n: 0 }, options: { durability: 'exit' as never } })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await sg.runs.list({ limit: 1000 })).length).toBe(before);
  });
});
