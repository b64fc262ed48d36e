/**
 * Recovery, partial packages, decision explanations, feedback and preferences over
 * REST, through the typed client against a real server: a failing test workflow is
 * retried with `POST /recover` and completes; the flagship's decisions are explained
 * and disagreed with; an unknown decision is `404 decision_not_found`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type Client } from '../client/index.ts';
import { h2TankWorkflow } from '../plugins/index.ts';
import { stage } from './fixtures/stages.ts';
import { flakyWorkflow, sequence } from './fixtures/workflows.ts';
import { startHarness, type Harness } from './server-fixtures.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let h: Harness;
let api: Client;

async function until(id: string, status: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const run = await api.getRun(id);
    if (run.status === status) return;
    if (Date.now() > end) throw new Error(`run ${id} is ${run.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

beforeAll(async () => {
  h = await startHarness({ workflows: [flakyWorkflow(), h2TankWorkflow], outRoot: mkdtempSync(join(tmpdir(), 'sg-recovery-')) });
  api = createClient({ baseUrl: h.url, token: await h.key('alice') });
});
afterAll(async () => h?.close());

describe('recovery and decisions over REST', () => {
  it('retries a failed run with POST /recover, and packages its partial results as partial.json', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'flaky', request: { n: 0 } });
    await until(sessionId, 'failed');

    const bad = await failure(api.call('recover', { params: { sessionId }, body: { action: 'explode' as never } }));
    expect([bad.status, bad.code]).toEqual([400, 'invalid_request']);
    const early = await api.partialPackage(sessionId);
    expect(early).toMatchObject({ sessionId, status: 'failed', artifact: 'partial.json', href: `/api/agent/${sessionId}/artifacts/partial.json` });
    expect(early.completed.map((c) => c.stage)).toEqual(['a']);
    expect(early.missing).toContainEqual({ stage: 'b', why: 'failed' });
    const file = JSON.parse(await (await api.artifact(sessionId, 'partial.json')).text()) as { runId: string; status: string };
    expect(file).toMatchObject({ runId: sessionId, status: 'failed' });

    const res = await api.recover(sessionId, { action: 'retry', reason: 'the widget is fixed' });
    expect(res).toMatchObject({ sessionId, action: 'recover' });
    await until(sessionId, 'completed');
    const run = await api.getRun(sessionId);
    expect(run.completed).toEqual(['a', 'b', 'c']);
    const events = (await api.eventsSince(sessionId)).events;
    expect(JSON.stringify(events)).toContain('the widget is fixed');

    // Not a failed run any more: the transition table refuses another retry.
    const again = await failure(api.recover(sessionId, { action: 'retry' }));
    expect([again.status, again.code]).toEqual([409, 'invalid_transition']);
  });

  it('explains a decision, records feedback on it, and shows and resets the learned preferences', async () => {
    const { sessionId } = await api.orchestrate({ workflow: h2TankWorkflow.id, request: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' });
    await until(sessionId, 'completed');
    const tankType = (await api.decisions(sessionId)).decisions.find((d) => d.point === 'tank-type')!;
    expect(tankType).toBeDefined();

    const why = await api.explainDecision(tankType.id);
    expect(why).toMatchObject({ decisionId: tankType.id, runId: sessionId, point: 'tank-type', chosen: tankType.chosen });
    expect(why.text.length).toBeGreaterThan(10);

    const preferred = tankType.options.find((o) => o !== tankType.chosen)!;
    const fb = await api.decisionFeedback(tankType.id, { verdict: 'disagree', preferred, reason: 'fleet runs at -50 C' });
    expect(fb).toMatchObject({ decisionId: tankType.id, point: 'tank-type', replaced: false });
    expect(fb.weights.options[preferred]).toBeGreaterThan(0);
    const { rows } = await h.sg.db.pool.query('SELECT verdict, preferred, reason FROM sg_feedback WHERE decision_id = $1 AND owner = $2', [tankType.id, 'alice']);
    expect(rows).toEqual([{ verdict: 'disagree', preferred, reason: 'fleet runs at -50 C' }]);

    expect((await api.preferences()).preferences['tank-type']?.options[preferred]).toBeGreaterThan(0);
    // Another owner sees none of it.
    const bob = createClient({ baseUrl: h.url, token: await h.key('bob') });
    expect((await bob.preferences()).preferences).toEqual({});
    const hidden = await failure(bob.explainDecision(tankType.id));
    expect([hidden.status, hidden.code]).toEqual([404, 'decision_not_found']);

    const reset = await api.resetPreferences('tank-type');
    expect(reset.point).toBe('tank-type');
    expect(reset.reset).toBeGreaterThan(0);
    expect((await api.preferences()).preferences['tank-type']).toBeUndefined();
  });

  it('answers 404 decision_not_found for an unknown decision, and 400 for an invalid verdict', async () => {
    const unknown = crypto.randomUUID();
    // One request at a time: a second promise created up front rejects before it is awaited (an unhandled rejection).
    for (const request of [() => api.explainDecision(unknown), () => api.decisionFeedback(unknown, { verdict: 'agree' })]) {
      const e = await failure(request());
      expect([e.status, e.code]).toEqual([404, 'decision_not_found']);
    }
    const bad = await failure(api.call('decisionFeedback', { params: { decisionId: unknown }, body: { verdict: 'maybe' as never } }));
    expect([bad.status, bad.code]).toEqual([400, 'invalid_request']);
  });

  it('exposes circuit breaker state on /metrics', async () => {
    const text = await api.metrics();
    expect(text).toContain('# TYPE stagegraph_breaker_state gauge');
    expect(text).toContain('# TYPE stagegraph_breaker_consecutive_failures gauge');
  });
});
