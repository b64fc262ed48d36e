/**
 * Each pattern's example workflow end to end on real PostgreSQL through the runs API:
 * outcomes, the decisions each pattern records (dispatches, consensus with dissent,
 * gate verdicts), pause and resume in the middle of a supervisor loop, questions
 * escalated from a sub-workflow and from a quality gate, and a sub-workflow failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { END, START } from '../graph/index.ts';
import { assemble, handoff, patternsExamplePack, supervisor } from '../graph/patterns/index.ts';
import { runWorkflow, testStagegraph, type TestStagegraph } from '../testing/index.ts';
import { stage } from './fixtures/stages.ts';
import type { RunEvent } from '../graph/events/types.ts';
import { expectWellFormedLog, waitForEvent } from './support/runs.ts';

const completions = (events: RunEvent[]) =>
  events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => (e.payload as { stage: string }).stage);
const starts = (events: RunEvent[]) =>
  events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'started').map((e) => (e.payload as { stage: string }).stage);

describe('coordination patterns on PostgreSQL', () => {
  let t: TestStagegraph;
  const journal: string[] = [];

  beforeAll(async () => {
    t = await testStagegraph({ packs: [patternsExamplePack({ journal: (ev, stage) => journal.push(`${ev} ${stage}`), delayMs: { write: 150, gather: 150 } })] });
  });
  afterAll(async () => t?.close());

  it('sequential and parallel run to the end', async () => {
    const seq = await t.run({ workflowId: 'patterns-sequential', request: { rows: [1, 2, 3] } });
    expect(seq.status).toBe('completed');
    expect(seq.outputs.load).toEqual({ total: 12 });
    const par = await t.run({ workflowId: 'patterns-parallel', request: { files: ['a.ts', 'secrets.env'] } });
    expect(par.status).toBe('completed');
    expect(par.outputs.verdict).toEqual({ pass: false });
    expect(completions(par.events).slice(0, 3).sort()).toEqual(['audit', 'lint', 'unit']);
  });

  it('supervisor: every dispatch is a recorded, explained decision, bounded by maxIterations', async () => {
    const r = await t.run({ workflowId: 'patterns-supervisor', request: { topic: 'tides' } });
    expect(r.status).toBe('completed');
    expect(r.decisions.map((d) => d.chosen)).toEqual(['research', 'research', 'write', 'review', 'write', 'review', 'done']);
    expect(r.decisions.map((d) => d.iteration)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.decisions.every((d) => d.method === 'rule' && d.point === 'editor')).toBe(true);
    expect(r.decisions[2]!.explanation).toBe('Chose write: enough notes and no draft yet.');
    expect(r.decisions[4]!.explanation).toBe('Chose write: the review asked for changes.');
    expect(r.decisions[6]!.alternatives.map((a) => a.option)).toEqual(['research', 'write', 'review']);
    expect(r.outputs.write).toEqual({ draft: 'tides: note 1 on tides; note 2 on tides (v2)', version: 2 });
    const made = r.events.filter((e) => e.type === 'workflow.decision_made');
    expect(made).toHaveLength(7);
    const { rows } = await t.sg.db.pool.query('SELECT chosen FROM sg_decisions WHERE run_id = $1 ORDER BY iteration', [r.run.id]);
    expect(rows.map((x) => x.chosen)).toEqual(['research', 'research', 'write', 'review', 'write', 'review', 'done']);
    expectWellFormedLog(r.events);
  });

  it('supervisor: a loop that never says done stops at maxIterations with loop_exhausted', async () => {
    const busy = supervisor({ name: 'busy', workers: [stage('toil')], maxIterations: 3, then: END,
      rules: [{ id: 'always', when: () => true, choose: 'toil', because: 'there is always more', confidence: 0.5 }] });
    const r = await runWorkflow({ workflows: [assemble({ id: 'busy', description: 'never done', blocks: [busy], edges: [{ from: START, to: busy.entry }] })], request: { n: 0 } });
    expect(r.status).toBe('failed');
    expect(r.run.error).toMatchObject({ code: 'loop_exhausted', details: { iterations: { busy: 4 } } });
    expect(r.decisions.map((d) => d.chosen)).toEqual(['toil', 'toil', 'toil', 'toil']);
    expect(completions(r.events)).toEqual(['toil', 'toil', 'toil']);
  });

  it('supervisor: paused mid-loop, resumed, nothing redone', async () => {
    journal.length = 0;
    const run = await t.sg.runs.start({ workflowId: 'patterns-supervisor', request: { topic: 'reefs' } });
    // Pause while the first `write` runs (third dispatch): it lands at the checkpoint after it.
    await waitForEvent(t.sg, run.id, (e) => e.type === 'workflow.stage_changed' && e.payload.stage === 'write' && e.payload.change === 'started');
    await t.sg.runs.pause(run.id);
    expect((await t.sg.runs.get(run.id)).status).toBe('paused');
    const before = (await t.sg.runs.get(run.id)).decisions.length;
    expect(before).toBe(3);
    await t.sg.runs.resume(run.id);
    const end = await t.sg.runs.wait(run.id);
    expect(end.status).toBe('completed');
    const view = await t.sg.runs.get(run.id);
    expect(view.decisions.map((d) => d.chosen)).toEqual(['research', 'research', 'write', 'review', 'write', 'review', 'done']);
    const events = await t.sg.runs.eventsSince(run.id, 0);
    expect(completions(events)).toEqual(['research', 'research', 'write', 'review', 'write', 'review']);
    // Each decision was made once (none recalled), each stage ran once per dispatch.
    expect(events.filter((e) => e.type === 'workflow.decision_made').map((e) => (e.payload as { reused: boolean }).reused)).toEqual(Array(7).fill(false));
    expect(journal.filter((l) => l.startsWith('end'))).toEqual(['end research', 'end research', 'end write', 'end review', 'end write', 'end review']);
    expect(journal.filter((l) => l.startsWith('start'))).toEqual(['start research', 'start research', 'start write', 'start review', 'start write', 'start review']);
    expectWellFormedLog(events);
  });

  it('swarm: three voters in parallel, a majority, the dissent as an alternative', async () => {
    const r = await t.run({ workflowId: 'patterns-swarm', request: { text: 'checkout is slow', severity: 6 } });
    expect(r.status).toBe('completed');
    const [vote] = r.decisions;
    expect(vote).toMatchObject({ point: 'triage-vote', chosen: 'urgent', method: 'rule', confidence: 1 });
    expect(vote!.explanation).toBe('Chose urgent: 2 of 3 votes (classify-lenient, classify-balanced) chose urgent: a majority (more than 1.5).');
    expect(vote!.alternatives).toEqual([
      { option: 'routine', reason: 'dissent: 1 vote(s) by classify-strict' },
      { option: 'no-consensus', reason: 'the votes reached a consensus' },
    ]);
    expect(vote!.inputs).toEqual({ method: 'majority', votes: { 'classify-lenient': 'urgent', 'classify-balanced': 'urgent', 'classify-strict': 'routine' }, weights: { 'classify-lenient': 1, 'classify-balanced': 1, 'classify-strict': 1 } });
    expect(r.outputs['route-ticket']).toEqual({ queue: 'on-call' });
    // The three voters ran in one superstep: all started before any completed.
    const order = r.events.flatMap((e) => (e.type === 'workflow.stage_changed' && e.payload.stage.startsWith('classify') ? [e.payload.change] : []));
    expect(order.slice(0, 3)).toEqual(['started', 'started', 'started']);
  });

  it('handoff: a failed gate retries, then asks; the answer is gated too', async () => {
    const run = await t.sg.runs.start({ workflowId: 'patterns-handoff', request: { title: 'Faster sync' } });
    const waiting = await t.sg.runs.wait(run.id);
    expect(waiting.status).toBe('waiting_input');
    const view = await t.sg.runs.get(run.id);
    expect(view.question).toMatchObject({ stage: 'draft-review', code: 'gate_failed', details: { stage: 'draft', issues: ['long-enough: the summary is shorter than 20 characters', 'no-todo: the summary still says TODO'] } });
    expect(view.decisions.map((d) => `${d.point}:${d.chosen}`)).toEqual(['draft-gate:retry', 'draft-gate:retry']);
    expect(view.decisions[0]!.explanation).toBe("Chose retry: the output of 'draft' failed its gate: long-enough: the summary is shorter than 20 characters; no-todo: the summary still says TODO.");
    // An answer that still fails the gate is asked again.
    await t.sg.runs.answer(run.id, { output: { title: 'Faster sync', summary: 'TODO' } });
    expect((await t.sg.runs.wait(run.id)).status).toBe('waiting_input');
    await t.sg.runs.answer(run.id, { output: { title: 'Faster sync', summary: 'Sync is now twice as fast' } });
    expect((await t.sg.runs.wait(run.id)).status).toBe('completed');
    const done = await t.sg.runs.get(run.id);
    expect(done.partialResults.publish).toEqual({ published: '## Faster sync\nSync is now twice as fast' });
    expect(done.decisions.map((d) => `${d.point}:${d.chosen}`)).toEqual(['draft-gate:retry', 'draft-gate:retry', 'edit-gate:pass']);
    const events = await t.sg.runs.eventsSince(run.id, 0);
    expect(completions(events)).toEqual(['draft', 'draft', 'draft-review', 'edit', 'publish']);
    expectWellFormedLog(events);
  });

  it('handoff: a stage whose output varies passes its gate on the retry, from the same input', async () => {
    const inputs: unknown[] = [];
    // Like an LLM: a different answer on the second call.
    const flaky = stage('flaky', { run: async (input: { n: number }) => (inputs.push(input), { n: inputs.length === 1 ? -1 : input.n + 10 }) });
    const gated = handoff({ name: 'h', stages: [stage('first'), flaky, stage('last')], then: END,
      gates: { flaky: { rules: [{ id: 'positive', check: (o) => (o as { n: number }).n > 0, message: 'n must be positive' }] } } });
    const r = await runWorkflow({ workflows: [assemble({ id: 'flaky-handoff', description: 'retry passes', blocks: [gated], edges: [{ from: START, to: gated.entry }] })], request: { n: 0 } });
    expect(r.status).toBe('completed');
    expect(r.decisions.map((d) => `${d.point}:${d.chosen}`)).toEqual(['flaky-gate:retry', 'flaky-gate:pass']);
    expect(r.decisions[0]!.explanation).toBe("Chose retry: the output of 'flaky' failed its gate: positive: n must be positive.");
    // The retry started from the last good output (first's), not from the refused one.
    expect(inputs).toEqual([{ n: 1 }, { n: 1 }]);
    expect(r.outputs.last).toEqual({ n: 12 });
    expect(completions(r.events)).toEqual(['first', 'flaky', 'flaky', 'last']);
  });

  it('handoff: a good first draft passes every gate', async () => {
    const r = await t.run({ workflowId: 'patterns-handoff', request: { title: 'Faster sync', details: 'sync runs twice as fast on large folders' } });
    expect(r.status).toBe('completed');
    expect(r.decisions.map((d) => `${d.point}:${d.chosen}`)).toEqual(['draft-gate:pass', 'edit-gate:pass']);
    expect(completions(r.events)).toEqual(['draft', 'edit', 'publish']);
  });

  it("hierarchical: the child's question surfaces to the parent; the answer resumes the child where it stopped", async () => {
    journal.length = 0;
    const run = await t.sg.runs.start({ workflowId: 'patterns-hierarchical', request: { question: 'why do tides turn' } });
    expect((await t.sg.runs.wait(run.id)).status).toBe('waiting_input');
    const view = await t.sg.runs.get(run.id);
    expect(view.question).toMatchObject({ stage: 'verify', code: 'source_missing', question: 'Which source should verify the facts about "why do tides turn"? Answer { "source": "<citation>" }.' });
    // The child's checkpoints are in the run's record, under the sub-workflow's namespace.
    const { rows } = await t.sg.db.pool.query("SELECT DISTINCT split_part(checkpoint_ns, ':', 1) AS ns FROM checkpoints WHERE thread_id = $1 ORDER BY 1", [run.id]);
    expect(rows.map((r) => r.ns)).toEqual(['', 'research-team']);
    await t.sg.runs.answer(run.id, { source: 'NOAA tide tables' });
    expect((await t.sg.runs.wait(run.id)).status).toBe('completed');
    const done = await t.sg.runs.get(run.id);
    expect(done.partialResults.report).toEqual({ report: 'fact about why do tides turn; another fact about why do tides turn [NOAA tide tables]' });
    expect(done.completed).toEqual(['intake', 'research-team', 'report']);
    const events = await t.sg.runs.eventsSince(run.id, 0);
    expect(completions(events)).toEqual(['intake', 'gather', 'verify', 'summarize', 'research-team', 'report']);
    // gather ran once: the answer resumed the child at verify.
    expect(journal.filter((l) => l === 'start gather')).toHaveLength(1);
    expect(starts(events).filter((s) => s === 'gather')).toHaveLength(1);
    expectWellFormedLog(events);
  });

  it('hierarchical: paused inside the sub-workflow, resumed, the child goes on where it stopped', async () => {
    journal.length = 0;
    const run = await t.sg.runs.start({ workflowId: 'patterns-hierarchical', request: { question: 'what moves sand', source: 'USGS' } });
    await waitForEvent(t.sg, run.id, (e) => e.type === 'workflow.stage_changed' && e.payload.stage === 'gather' && e.payload.change === 'started');
    await t.sg.runs.pause(run.id);
    const paused = await t.sg.runs.get(run.id);
    expect(paused.status).toBe('paused');
    // The child drained with the parent: it stopped at its checkpoint after `gather`.
    expect(paused.completed).toEqual(['intake']);
    expect(completions(await t.sg.runs.eventsSince(run.id, 0))).toEqual(['intake', 'gather']);
    await t.sg.runs.resume(run.id);
    expect((await t.sg.runs.wait(run.id)).status).toBe('completed');
    const events = await t.sg.runs.eventsSince(run.id, 0);
    expect(completions(events)).toEqual(['intake', 'gather', 'verify', 'summarize', 'research-team', 'report']);
    expect(journal.filter((l) => l.startsWith('start'))).toEqual(['start intake', 'start gather', 'start verify', 'start summarize', 'start report']);
    expect(events.filter((e) => e.type === 'workflow.paused').map((e) => e.payload)).toMatchObject([{ reason: 'pause', next: ['research-team'] }]);
    expectWellFormedLog(events);
  });

  it("hierarchical: a child's failure fails the parent with the child's stage and error", async () => {
    const r = await t.run({ workflowId: 'patterns-hierarchical', request: { question: ' ' } });
    expect(r.status).toBe('failed');
    expect(r.run.error).toMatchObject({
      code: 'subworkflow_failed',
      details: { stage: 'research-team', workflow: 'research-team', childStage: 'gather', error: { code: 'empty_question', class: 'fatal' } },
    });
    expect(r.events.at(-1)).toMatchObject({ type: 'workflow.failed', payload: { stage: 'research-team', error: { code: 'subworkflow_failed' } } });
  });
});
