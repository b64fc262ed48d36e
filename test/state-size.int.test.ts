/**
 * How run state is stored (`graph/state.ts`): `outputs`, `decisions` and `decisionLog`
 * are delta channels, so a step stores what it adds, not everything so far again, and
 * every checkpoint still reads back exactly (loops overwrite in order, snapshots seed
 * replays, threads stored before the change resume). Real Postgres, our checkpointer.
 */
import { Annotation, StateGraph } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DecisionRecord } from '../graph/decisions/types.ts';
import { gc } from '../graph/retention/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { WorkflowState, type WorkflowStateValue } from '../graph/state.ts';
import { END, START, defineWorkflow, type WorkflowDefinition } from '../graph/workflow.ts';
import { continueLater, type AnyStagePlugin, type StageContext } from '../nodes/types.ts';
import { shapesWorkflow } from './fixtures/workflows.ts';
import { N, stage, type NValue } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

const PAD = 20_000;
const Padded = z.object({ n: z.number(), pad: z.string() });

/** `p1 -> ... -> p6`, each output carrying PAD bytes. */
function padded(): WorkflowDefinition {
  const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const stages = names.map((name, i) => stage(name, {
    input: i === 0 ? N : Padded,
    output: Padded,
    run: async ({ n }: NValue) => ({ n: n + 1, pad: name.padEnd(PAD, '.') }),
  }));
  return defineWorkflow({
    id: 'padded', description: 'six stages with 20 kB outputs', stages,
    edges: [{ from: START, to: 'p1' }, ...names.slice(1).map((to, i) => ({ from: names[i]!, to })), { from: 'p6', to: END }],
  });
}

/** `count` (stepped, 6 steps) then `p1 -> p2 -> p3`: snapshots fall between stages and steps. */
function stepped(): WorkflowDefinition {
  const count: AnyStagePlugin = {
    name: 'count', version: '1.0.0', description: 'counts to n + 5 in steps', capabilities: ['test'], input: N, output: N, policy: { stepped: true },
    async run({ n }: NValue, ctx: StageContext) {
      const at = (ctx.resume as { at: number } | undefined)?.at ?? n;
      return at < n + 5 ? continueLater({ at: at + 1 }) : { n: at };
    },
  };
  return defineWorkflow({
    id: 'stepped', description: 'a stepped stage, then three', stages: [count, stage('p1'), stage('p2'), stage('p3')],
    edges: [{ from: START, to: 'count' }, { from: 'count', to: 'p1' }, { from: 'p1', to: 'p2' }, { from: 'p2', to: 'p3' }, { from: 'p3', to: END }],
  });
}

describe('state storage', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [padded(), shapesWorkflow(), stepped()], database: t.db, recover: false });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function run(workflowId: string, request: unknown): Promise<string> {
    const row = await sg.runs.start({ workflowId, request });
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    return row.id;
  }

  /** The state at every checkpoint, oldest first. */
  async function history(workflowId: string, id: string): Promise<{ id: string; values: WorkflowStateValue }[]> {
    const out: { id: string; values: WorkflowStateValue }[] = [];
    for await (const s of sg.workflows.get(workflowId)!.graph.getStateHistory({ configurable: { thread_id: id } })) out.unshift({ id: s.config.configurable.checkpoint_id, values: s.values });
    return out;
  }

  const bytes = async (sql: string, id: string) => Number((await t.db.pool.query(sql, [id])).rows[0].n);

  it('a step stores the output it adds, not all outputs so far again', async () => {
    const id = await run('padded', { n: 0 });
    // No checkpoint stores a copy of the outputs, decisions or decision log...
    expect(await bytes(`SELECT coalesce(sum(octet_length(blob)), 0) AS n FROM checkpoint_blobs WHERE thread_id = $1 AND channel IN ('outputs', 'decisions', 'decisionLog')`, id)).toBe(0);
    // ...each output is stored once, as the write of the step that made it.
    const { rows } = await t.db.pool.query(`SELECT octet_length(blob) AS n FROM checkpoint_writes WHERE thread_id = $1 AND channel = 'outputs'`, [id]);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(Number(r.n)).toBeGreaterThan(PAD);
    for (const r of rows) expect(Number(r.n)).toBeLessThan(PAD + 100);
    // Everything the run stored: about one copy of the outputs (the full values would be 21 copies).
    const total = await bytes(`SELECT (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_blobs WHERE thread_id = $1)
      + (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_writes WHERE thread_id = $1)
      + (SELECT sum(octet_length(checkpoint::text) + octet_length(metadata::text)) FROM checkpoints WHERE thread_id = $1) AS n`, id);
    expect(total).toBeLessThan(6 * PAD + 20_000);

    // Every checkpoint reads back the outputs of the stages completed by then.
    const steps = await history('padded', id);
    expect(steps).toHaveLength(8);
    for (const { values } of steps) {
      expect(Object.keys(values.outputs)).toEqual(values.completed);
      for (const [name, out] of Object.entries(values.outputs)) expect(out).toEqual({ n: values.completed.indexOf(name) + 1, pad: name.padEnd(PAD, '.') });
    }
    expect((await sg.runs.get(id)).completed).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it('a loop overwrites an output in order, and the decision log keeps every decision in order, at every checkpoint', async () => {
    const id = await run('shapes', { n: 1 });
    const steps = await history('shapes', id);
    const end = steps.at(-1)!.values;
    expect(end.outputs).toEqual({ a: { n: 2 }, b: { x: 4 }, c: { y: 6 }, d: { n: 10 }, grow: { n: 30 } });
    expect(end.decisionLog.map((d: DecisionRecord) => `${d.point}:${d.chosen}`)).toEqual(['parity:even', 'enough:again', 'enough:again', 'enough:again', 'enough:again', 'enough:done']);
    expect(end.decisions['enough']!.chosen).toBe('done');
    const grows = [...new Set(steps.map((s) => (s.values.outputs['grow'] as NValue | undefined)?.n).filter((n) => n !== undefined))];
    expect(grows).toEqual([14, 18, 22, 26, 30]);
    for (const { values } of steps) {
      expect(end.decisionLog.slice(0, values.decisionLog.length)).toEqual(values.decisionLog);
      const growsSoFar = values.completed.filter((s) => s === 'grow').length;
      if (growsSoFar) expect(values.outputs['grow']).toEqual({ n: 10 + 4 * growsSoFar });
    }
  });

  it('with a full value snapshotted every 3 steps, reads are the same, and stay so after collection', async () => {
    const plain = await run('stepped', { n: 0 });
    const saved = process.env.LANGGRAPH_DELTA_MAX_SUPERSTEPS_SINCE_SNAPSHOT;
    process.env.LANGGRAPH_DELTA_MAX_SUPERSTEPS_SINCE_SNAPSHOT = '3';
    let snapped: string;
    try {
      snapped = await run('stepped', { n: 0 });
    } finally {
      if (saved === undefined) delete process.env.LANGGRAPH_DELTA_MAX_SUPERSTEPS_SINCE_SNAPSHOT;
      else process.env.LANGGRAPH_DELTA_MAX_SUPERSTEPS_SINCE_SNAPSHOT = saved;
    }
    const snapshots = `SELECT count(*) AS n FROM checkpoint_blobs WHERE thread_id = $1 AND channel = 'outputs' AND blob IS NOT NULL`;
    expect(await bytes(snapshots, plain)).toBe(0);
    expect(await bytes(snapshots, snapped)).toBeGreaterThan(0);
    const [a, b] = [await history('stepped', plain), await history('stepped', snapped)];
    const withoutRun = ({ run: _run, ...values }: WorkflowStateValue) => values;
    expect(b.map((s) => withoutRun(s.values))).toEqual(a.map((s) => withoutRun(s.values)));

    const finished = Date.parse((await sg.runs.get(snapped)).finishedAt!);
    const report = await gc(t.db, [stepped()], { now: new Date(finished + 8 * 86_400_000) });
    expect(report.runs.map((r) => r.runId).sort()).toEqual([plain, snapped].sort());
    for (const [id, was] of [[plain, a], [snapped, b]] as const) {
      const now = await history('stepped', id);
      expect(now.length).toBe(was.length - 4);
      for (const s of now) expect(s.values).toEqual(was.find((w) => w.id === s.id)!.values);
    }
  });

  it('a thread stored with full values (before delta channels) resumes and reads back under the delta layout', async () => {
    const merge = <T>(x: Record<string, T>, y: Record<string, T>) => ({ ...x, ...y });
    const Before = Annotation.Root({
      ...WorkflowState.spec,
      outputs: Annotation<Record<string, unknown>>({ reducer: merge, default: () => ({}) }),
      decisions: Annotation<Record<string, unknown>>({ reducer: merge, default: () => ({}) }),
      decisionLog: Annotation<unknown[]>({ reducer: (x, y) => x.concat(y), default: () => [] }),
    });
    const node = (name: string) => () => ({ outputs: { [name]: { n: name.length } }, decisionLog: [{ point: name }], completed: [name] });
    const build = (state: typeof Before | typeof WorkflowState) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const g: any = new StateGraph(state as typeof WorkflowState);
      g.addNode('one', node('one')).addNode('two', node('two')).addNode('three', node('three'));
      g.addEdge(START, 'one').addEdge('one', 'two').addEdge('two', 'three').addEdge('three', END);
      return g.compile({ checkpointer: sg.saver, interruptBefore: ['three'] });
    };
    const config = { configurable: { thread_id: 'before-delta' } };
    await build(Before).invoke({ request: 'x' }, config);
    const { rows } = await t.db.pool.query(`SELECT count(*) AS n FROM checkpoint_blobs WHERE thread_id = 'before-delta' AND channel = 'outputs' AND blob IS NOT NULL`);
    expect(Number(rows[0].n)).toBe(2);

    const after = build(WorkflowState);
    const paused = await after.getState(config);
    expect(paused.next).toEqual(['three']);
    expect(paused.values.outputs).toEqual({ one: { n: 3 }, two: { n: 3 } });
    await after.invoke(null, config);
    const end = await after.getState(config);
    expect(end.values.outputs).toEqual({ one: { n: 3 }, two: { n: 3 }, three: { n: 5 } });
    expect(end.values.decisionLog).toEqual([{ point: 'one' }, { point: 'two' }, { point: 'three' }]);
    expect(end.values.completed).toEqual(['one', 'two', 'three']);
  });
});
