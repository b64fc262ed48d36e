/**
 * A run killed before its input checkpoint was durable has a row and a started event but
 * no checkpoint. Recovery starts it again from its request (LangGraph alone would fail
 * with "no input writes for __start__"); from the input checkpoint on, LangGraph resumes.
 * The states are made the way a kill leaves them: the rows a later commit would have
 * added are removed, and the run is left `running` by a dead executor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog } from './support/runs.ts';

describe('recovery of a run killed before its first checkpoint', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase({ max: 4 });
    sg = await createStagegraph({ workflows: [sequence('early', [stage('a'), stage('b'), stage('c')])], database: t.db, recover: false });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  /** A completed run cut back to `keep`, with its log cut back to `workflow.started`, left running by a dead process. */
  async function leftBehind(keep: 'nothing' | 'input checkpoint'): Promise<string> {
    const run = await sg.runs.start({ workflowId: 'early', request: { n: 1 } });
    await sg.runs.wait(run.id);
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT checkpoint_id AS id FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id LIMIT 1', [run.id]);
    const first = keep === 'nothing' ? '' : rows[0]!.id;
    await t.db.pool.query('DELETE FROM checkpoints WHERE thread_id = $1 AND checkpoint_id <> $2', [run.id, first]);
    await t.db.pool.query('DELETE FROM checkpoint_writes WHERE thread_id = $1', [run.id]);
    await t.db.pool.query('DELETE FROM sg_events WHERE run_id = $1 AND seq > 1', [run.id]);
    await t.db.pool.query(`UPDATE sg_runs SET status = 'running', executor = 2147483000, last_seq = 1, finished_at = NULL, progress = 0 WHERE id = $1`, [run.id]);
    return run.id;
  }

  for (const keep of ['nothing', 'input checkpoint'] as const) {
    it(`with ${keep} durable, it completes with the outputs of an uncrashed run and a well-formed log`, async () => {
      const id = await leftBehind(keep);
      expect(await sg.runs.recover()).toContain(id);
      const end = await sg.runs.wait(id);
      expect(end.status).toBe('completed');
      const state = await sg.workflows.get('early')!.graph.getState({ configurable: { thread_id: id } });
      expect(state.values.outputs).toEqual({ a: { n: 2 }, b: { n: 3 }, c: { n: 4 } });
      const events = await sg.runs.eventsSince(id);
      expectWellFormedLog(events);
      expect(events[1]).toMatchObject({ type: 'workflow.resumed', payload: { from: 'crash' } });
      expect(events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => e.type === 'workflow.stage_changed' && e.payload.stage)).toEqual(['a', 'b', 'c']);
    });
  }
});
