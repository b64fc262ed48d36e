/**
 * The dashboard's run model (server/dashboard/src/model.ts) folds events strictly in
 * seq order: duplicates change nothing, gaps are reported for the caller to fill.
 * Literal event fixtures; no browser.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../client/index.ts';
import { applyEvent, latestDecisions, newRunModel, resyncStages, listRowChange } from '../server/dashboard/src/model.ts';
import { findCapabilities } from '../server/dashboard/src/api.ts';
import { leavesOf } from '../server/dashboard/src/recovery.ts';
import { layered } from '../server/dashboard/src/layout.ts';
import { niceTicks, tickLabel } from '../server/dashboard/src/charts.ts';

const RUN = '6f9f2c1e-0000-4000-8000-000000000001';
let seq = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
function ev<T extends RunEvent['type']>(type: T, payload: Extract<RunEvent, { type: T }>['payload'], s = ++seq): RunEvent {
  return { type, payload, runId: RUN, seq: s, at: at(s * 10) } as RunEvent;
}
const decision = (id: string, point: string, iteration: number, chosen: string) => ({
  id, point, iteration, chosen, alternatives: [], explanation: `Chose ${chosen}`, evidence: [], confidence: 0.9,
  method: 'rule' as const, inputs: {}, options: [chosen, 'other'], decidedAt: at(0),
});

describe('dashboard run model', () => {
  it('applies each seq once, in order, and reports gaps without applying them', () => {
    seq = 0;
    const m = newRunModel(RUN);
    const started = ev('workflow.started', { workflowId: 'w', request: 'x', owner: 'o' });
    const s1 = ev('workflow.stage_changed', { stage: 'a', change: 'started', attempt: 1 });
    const p1 = ev('workflow.progress_updated', { stage: 'a', stagePct: 50, progressPct: 25, etaMs: 1000, note: 'half' });
    const c1 = ev('workflow.stage_changed', { stage: 'a', change: 'completed', attempt: 1, durationMs: 12 });
    expect(applyEvent(m, started)).toBe('applied');
    expect(applyEvent(m, p1)).toBe('gap');
    expect(m.lastSeq).toBe(1);
    expect(applyEvent(m, s1)).toBe('applied');
    expect(m.stages.get('a')?.status).toBe('running');
    expect(applyEvent(m, s1)).toBe('duplicate');
    expect(applyEvent(m, p1)).toBe('applied');
    expect(m.progressPct).toBe(25);
    expect(m.etaAt).toBe(Date.parse(p1.at) + 1000);
    expect(applyEvent(m, c1)).toBe('applied');
    expect(applyEvent(m, started)).toBe('duplicate');
    expect(m).toMatchObject({ status: 'running', lastSeq: 4, applied: 4 });
    expect(m.stages.get('a')).toMatchObject({ status: 'completed', durationMs: 12, note: 'half', pct: 50 });
  });

  it('follows pause, input, resume, retry, skip and the terminal events', () => {
    seq = 0;
    const m = newRunModel(RUN);
    applyEvent(m, ev('workflow.started', { workflowId: 'w', request: {}, owner: 'o' }));
    applyEvent(m, ev('workflow.stage_changed', { stage: 'a', change: 'started', attempt: 1 }));
    applyEvent(m, ev('workflow.stage_changed', { stage: 'a', change: 'failed', attempt: 1, willRetry: true, error: { code: 'flaky', class: 'transient', message: 'x', details: {} } }));
    expect(m.stages.get('a')?.status).toBe('retrying');
    applyEvent(m, ev('workflow.paused', { reason: 'input', next: ['a'], question: { question: 'Which pressure?' } }));
    expect(m).toMatchObject({ status: 'waiting_input', question: { question: 'Which pressure?' } });
    applyEvent(m, ev('workflow.resumed', { from: 'waiting_input' }));
    expect(m).toMatchObject({ status: 'running', question: null });
    applyEvent(m, ev('workflow.stage_changed', { stage: 'b', change: 'skipped', warning: 'b skipped' }));
    applyEvent(m, ev('workflow.paused', { reason: 'pause', next: ['c'] }));
    expect(m.status).toBe('paused');
    applyEvent(m, ev('workflow.resumed', { from: 'paused' }));
    applyEvent(m, ev('workflow.failed', { stage: 'c', error: { code: 'boom', class: 'fatal', message: 'broke', details: {} } }));
    expect(m).toMatchObject({ status: 'failed', degraded: true, error: { code: 'boom' } });
    expect(m.stages.get('c')?.status).toBe('failed');
    applyEvent(m, ev('workflow.resumed', { from: 'restore', checkpointId: 'cp1' }));
    expect(m.needsResync).toBe(true);
    applyEvent(m, ev('workflow.stage_changed', { stage: 'd', change: 'completed', attempt: 1 })); // after the restore, before the resync
    resyncStages(m, { completed: ['a'], skipped: [] });
    expect([...m.stages].map(([k, v]) => [k, v.status])).toEqual([['a', 'completed'], ['b', 'pending'], ['c', 'pending'], ['d', 'completed']]);
    applyEvent(m, ev('workflow.completed', { degraded: false, warnings: [], durationMs: 50 }));
    expect(m).toMatchObject({ status: 'completed', progressPct: 100, etaAt: null, durationMs: 50 });
  });

  it('keeps every decision once and the latest iteration per point', () => {
    seq = 0;
    const m = newRunModel(RUN);
    const first = ev('workflow.decision_made', { decision: decision('d1', 'gate', 0, 'fail'), reused: false });
    applyEvent(m, first);
    applyEvent(m, ev('workflow.decision_made', { decision: decision('d1', 'gate', 0, 'fail'), reused: true }));
    applyEvent(m, ev('workflow.decision_made', { decision: decision('d2', 'gate', 1, 'pass'), reused: false }));
    expect(m.decisions.map((d) => d.id)).toEqual(['d1', 'd2']);
    expect(latestDecisions(m).get('gate')?.chosen).toBe('pass');
  });

  it('turns events into runs-list row patches', () => {
    seq = 0;
    expect(listRowChange(ev('workflow.progress_updated', { stage: 's', stagePct: 1, progressPct: 40, etaMs: 5 }))).toEqual({ percent: 40, stage: 's' });
    expect(listRowChange(ev('workflow.paused', { reason: 'input', next: [] }))).toEqual({ status: 'waiting_input' });
    expect(listRowChange(ev('workflow.completed', { degraded: false, warnings: [], durationMs: 1 }))).toEqual({ status: 'completed', percent: 100 });
    expect(listRowChange(ev('workflow.custom', { stage: 's', name: 'n', data: {} }))).toBeUndefined();
  });
});

describe('dashboard helpers', () => {
  it('finds the feedback and recovery endpoints (and the recovery actions) in an OpenAPI document', () => {
    const doc = {
      paths: {
        '/api/agent/{sessionId}/pause': { post: {} },
        '/api/decisions/{decisionId}/feedback': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
        '/api/agent/{sessionId}/recover': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/RecoverBody' } } } } } },
      },
      components: { schemas: { RecoverBody: { oneOf: [{ properties: { action: { const: 'retry' } } }, { properties: { action: { enum: ['skip', 'rollback'] } } }] } } },
    };
    expect(findCapabilities(doc)).toEqual({
      feedback: { path: '/api/decisions/{decisionId}/feedback', actions: [] },
      recover: { path: '/api/agent/{sessionId}/recover', actions: ['retry', 'skip', 'rollback'] },
    });
    expect(findCapabilities({ paths: { '/api/agent/{sessionId}/pause': { post: {} } } })).toEqual({});
  });

  it('reads the answer fields from the example patch of a question', () => {
    expect(leavesOf({ clarifications: { pressure: '70 MPa' } })).toEqual([{ path: ['clarifications', 'pressure'], example: '70 MPa' }]);
    expect(leavesOf({ a: 1, b: { c: true, d: [1] } })).toEqual([{ path: ['a'], example: 1 }, { path: ['b', 'c'], example: true }]);
  });

  it('lays a graph out in layers and routes a loop back through the side channel', () => {
    const l = layered([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], [
      { from: 'a', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'd' }, { from: 'c', to: 'd' }, { from: 'd', to: 'a' },
    ], { nodeW: 100 });
    expect(['a', 'b', 'c', 'd'].map((id) => l.pos.get(id)!.layer)).toEqual([0, 1, 1, 2]);
    expect([...l.back]).toEqual([4]);
    expect(l.pos.get('b')!.y).toBe(l.pos.get('c')!.y);
    expect(l.pos.get('b')!.x).toBeLessThan(l.pos.get('c')!.x);
  });

  it('picks round ticks and labels them with the decimals the step needs', () => {
    const t = niceTicks(1003.2, 1021.7);
    expect(t).toEqual([1005, 1010, 1015, 1020]);
    expect(t.map((v) => tickLabel(v, t))).toEqual(['1005', '1010', '1015', '1020']);
    const m = niceTicks(42.94, 43.02);
    expect(m.map((v) => tickLabel(v, m))).toEqual(['42.94', '42.96', '42.98', '43.00', '43.02']);
  });
});
