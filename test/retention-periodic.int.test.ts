/**
 * `createStagegraph({ gcEveryMs })` collects finished runs on its own: a completed run of
 * a workflow whose policy collects at once loses its stepped stage's intermediate
 * checkpoints, and still reads the same.
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { defineWorkflow, END, START } from '../graph/workflow.ts';
import { continueLater, type AnyStagePlugin } from '../nodes/types.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { until } from './support/runs.ts';

const N = z.object({ n: z.number() });
const count: AnyStagePlugin = {
  name: 'count', version: '1.0.0', description: 'counts to n + 5, one step at a time', capabilities: ['test'],
  input: N, output: N, policy: { stepped: true },
  async run({ n }: { n: number }, ctx) {
    const at = (ctx.resume as { at: number } | undefined)?.at ?? n;
    return at < n + 5 ? continueLater({ at: at + 1 }) : { n: at };
  },
};
const done: AnyStagePlugin = { name: 'done', version: '1.0.0', description: 'ends', capabilities: ['test'], input: N, output: N, run: async ({ n }: { n: number }) => ({ n: n + 1 }) };

describe('periodic retention', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase({ max: 4 });
    const wf = defineWorkflow({
      id: 'counted', description: 'a stepped stage, then done', stages: [count, done],
      edges: [{ from: START, to: 'count' }, { from: 'count', to: 'done' }, { from: 'done', to: END }],
      retention: { afterDays: 0 },
    });
    sg = await createStagegraph({ workflows: [wf], database: t.db, recover: false, gcEveryMs: 50 });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  it('drops the intermediate steps of a completed run by itself; the run reads the same', async () => {
    const run = await sg.runs.start({ workflowId: 'counted', request: { n: 1 } });
    expect((await sg.runs.wait(run.id)).status).toBe('completed');
    const before = await sg.runs.get(run.id);
    const all = (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1', [run.id])).rows[0]!.n;
    const kept = await until(async () => {
      const { rows } = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1', [run.id]);
      return rows[0]!.n < all ? rows[0]!.n : undefined;
    }, 10_000, 'the collector to drop checkpoints');
    // `count` steps five times; the checkpoints between its first and its last step (4) are what collection drops.
    expect(all - kept).toBe(4);
    const after = await sg.runs.get(run.id);
    expect(after).toEqual(before);
  });
});
