/**
 * The LLM fallback inside runs on real Postgres: whatever the model does (answers,
 * strays outside the options, garbles, stalls, fails with 500 or 429), the run goes on
 * to completion with the documented method and confidence; and a paused-and-resumed or
 * restored run never asks the LLM again for a decision it already made (requests are
 * counted at the stub server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIDENCE } from '../graph/decisions/decide.ts';
import { chatModelFromEnv, llmFallback } from '../graph/decisions/llm.ts';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { stage, type NValue } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { startOpenAIStub, type OpenAIStub, type StubReply } from './support/openai-stub.ts';
import { stageStarted, waitForEvent } from './support/runs.ts';

/** No rule covers small numbers: the LLM (or the default) picks the lane. */
const lane: DecisionPoint<{ n: number }> = {
  name: 'lane',
  description: 'which lane the number takes',
  options: ['left', 'right'],
  inputs: (s) => ({ n: (s.outputs['a'] as NValue).n }),
  rules: [{ id: 'big-left', when: (i) => i.n > 100, choose: 'left', because: 'big numbers keep left', confidence: 0.9 }],
  default: 'left',
};

const lanes = defineWorkflow({
  id: 'lanes',
  description: 'a -> lane -> (left | right) -> z',
  stages: [stage('a'), stage('left', { ms: 300 }), stage('right', { ms: 300 }), stage('z')],
  decisions: [lane],
  edges: [
    { from: START, to: 'a' },
    { from: 'a', to: 'lane' },
    { from: 'lane', routes: { left: 'left', right: 'right' } },
    { from: 'left', to: 'z' },
    { from: 'right', to: 'z' },
    { from: 'z', to: END },
  ],
  inputs: { left: (s) => s.outputs['a'], right: (s) => s.outputs['a'], z: (s) => s.outputs['left'] ?? s.outputs['right'] },
});

const good = { choice: 'right', confidence: 0.8, reasoning: 'right is free', alternatives: [{ option: 'left', reason: 'busy' }] };
const decisionEvents = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'workflow.decision_made' }> => e.type === 'workflow.decision_made');

describe('LLM fallback in runs', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  let stub: OpenAIStub;
  let timeBoxed = false;

  beforeAll(async () => {
    stub = await startOpenAIStub({ answer: good });
    t = await testDatabase();
    const model = chatModelFromEnv({ STAGEGRAPH_LLM_BASE_URL: stub.baseURL, STAGEGRAPH_LLM_MODEL: 'stub-model' })!;
    // The slow-answer case swaps in a 200 ms time box; the others get room for a cold first call on a busy machine.
    const patient = llmFallback(model, { timeoutMs: 5000 });
    const strict = llmFallback(model, { timeoutMs: 200 });
    sg = await createStagegraph({ workflows: [lanes], database: t.db, deps: { fallback: (...args) => (timeBoxed ? strict : patient)(...args) } });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
    await stub?.close();
  });

  const cases: [string, StubReply, string, 'llm' | 'default', number][] = [
    ['a good answer', { answer: good }, 'right', 'llm', 0.8],
    ['an answer outside the options', { answer: { ...good, choice: 'up' } }, 'left', 'default', DEFAULT_CONFIDENCE],
    ['a malformed answer', { raw: 'not json at all' }, 'left', 'default', DEFAULT_CONFIDENCE],
    ['a slow answer past the time box', { answer: good, delayMs: 2000 }, 'left', 'default', DEFAULT_CONFIDENCE],
    ['HTTP 500', { status: 500 }, 'left', 'default', DEFAULT_CONFIDENCE],
    ['HTTP 429', { status: 429 }, 'left', 'default', DEFAULT_CONFIDENCE],
  ];
  for (const [name, reply, chosen, method, confidence] of cases) {
    it(`${name}: the run completes, decided by ${method} (confidence ${confidence})`, async () => {
      stub.reply(reply);
      timeBoxed = 'delayMs' in reply;
      const before = stub.count;
      const row = await sg.runs.start({ workflowId: 'lanes', request: { n: 1 } });
      expect((await sg.runs.wait(row.id)).status).toBe('completed');
      const view = await sg.runs.get(row.id);
      expect(view.completed).toEqual(['a', chosen, 'z']);
      expect(view.decisions.map((d) => [d.chosen, d.method, d.confidence])).toEqual([[chosen, method, confidence]]);
      if (method === 'default') expect(view.decisions[0]!.notes?.[1]).toMatch(/^LLM fallback failed: /);
      expect(stub.count - before).toBe(1);
      const [stored] = await sg.ledger.forRun(row.id);
      expect(stored).toEqual(view.decisions[0]);
    });
  }

  it('pause/resume and restore never ask the LLM again for a decision already made', async () => {
    stub.reply({ answer: good });
    timeBoxed = false;
    const before = stub.count;
    const row = await sg.runs.start({ workflowId: 'lanes', request: { n: 2 } });
    await waitForEvent(sg, row.id, stageStarted('right'));
    expect((await sg.runs.pause(row.id, 'tester')).status).toBe('paused');
    expect(stub.count - before).toBe(1);

    await sg.runs.resume(row.id, 'tester');
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    expect(stub.count - before).toBe(1);

    const fork = (await sg.runs.checkpoints(row.id)).find((c) => c.next.length === 1 && c.next[0] === 'lane');
    expect(fork).toBeDefined();
    await sg.runs.restore(row.id, fork!.checkpointId, 'tester');
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    expect(stub.count - before).toBe(1);

    const view = await sg.runs.get(row.id);
    expect(view.completed).toEqual(['a', 'right', 'z']);
    const made = decisionEvents(await sg.runs.eventsSince(row.id));
    expect(made.map((e) => [e.payload.decision.method, e.payload.reused])).toEqual([['llm', false], ['llm', true]]);
    expect(made[1]!.payload.decision.id).toBe(made[0]!.payload.decision.id);
    const { rows } = await t.db.pool.query('SELECT point, iteration, branch, method FROM sg_decisions WHERE run_id = $1', [row.id]);
    expect(rows).toEqual([{ point: 'lane', iteration: 0, branch: '', method: 'llm' }]);
  });
});
