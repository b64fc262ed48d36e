/**
 * The server's pure parts with literal inputs: the timeline derived from an event
 * log (retries, steps, skips, loops, pauses), the one status table, the token bucket,
 * option checks, and RunStream's exactly-once merge of catch-up and live events.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunEventDraft } from '../graph/events/types.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { RateLimiter } from '../server/auth/rate-limit.ts';
import { errorResponse, statusOf, toStagegraphError } from '../server/errors.ts';
import { RunStream, type StreamSink } from '../server/hub/run-stream.ts';
import { normalizeAuth, normalizeLimits } from '../server/options.ts';
import { buildTimeline } from '../server/views/timeline.ts';
import { until } from './support/runs.ts';

const RUN = '00000000-0000-4000-8000-000000000001';
const err = { code: 'boom', class: 'transient' as const, message: 'boom', details: {} };

/** Events one second apart, seq from 1. */
function log(drafts: RunEventDraft[]): RunEvent[] {
  return drafts.map((d, i) => ({ ...d, runId: RUN, seq: i + 1, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }) as RunEvent);
}
const changed = (stage: string, change: 'started' | 'step' | 'completed' | 'failed' | 'skipped', attempt = 1): RunEventDraft =>
  ({ type: 'workflow.stage_changed', payload: { stage, change, attempt } });

describe('timeline', () => {
  it('derives executions, attempts, steps, skips, loops, handoffs and pauses from events alone', () => {
    const events = log([
      { type: 'workflow.started', payload: { workflowId: 'w', request: {}, owner: 'o' } },
      changed('a', 'started'),
      { type: 'workflow.error', payload: { stage: 'a', error: err, willRetry: true } },
      changed('a', 'started', 2),
      changed('a', 'completed', 2),
      changed('opt', 'started'),
      changed('opt', 'step'),
      { type: 'workflow.paused', payload: { reason: 'pause', next: ['opt'] } },
      { type: 'workflow.resumed', payload: { from: 'paused' } },
      changed('opt', 'started'),
      changed('opt', 'step'),
      changed('opt', 'started'),
      changed('opt', 'completed'),
      changed('maybe', 'started'),
      { type: 'workflow.error', payload: { stage: 'maybe', error: err, willRetry: false } },
      changed('maybe', 'failed'),
      changed('maybe', 'skipped'),
      changed('a', 'started'),
      changed('a', 'completed'),
      { type: 'workflow.completed', payload: { degraded: true, warnings: [], durationMs: 18_000 } },
    ]);
    const t = buildTimeline(RUN, 'completed', events);
    expect(t.stages.map((s) => [s.stage, s.execution, s.status, s.attempts.map((a) => a.outcome).join(','), s.steps])).toEqual([
      ['a', 0, 'completed', 'retried,completed', 0],
      ['opt', 0, 'completed', 'step,step,completed', 2],
      ['maybe', 0, 'skipped', 'failed', 0],
      ['a', 1, 'completed', 'completed', 0],
    ]);
    expect(t.stages[0]!.attempts[0]!.error?.code).toBe('boom');
    expect(t.stages[0]!.durationMs).toBe(3000);
    expect(t.handoffs.map((h) => `${h.from}>${h.to}:${h.gapMs}`)).toEqual(['a>opt:1000', 'opt>maybe:1000', 'maybe>a:1000']);
    expect(t.interruptions).toEqual([{ reason: 'pause', at: events[7]!.at, resumedAt: events[8]!.at }]);
    expect(t.durationMs).toBe(19_000);
  });

  it('marks executions still open at abort as interrupted', () => {
    const t = buildTimeline(RUN, 'aborted', log([
      changed('a', 'started'),
      { type: 'workflow.aborted', payload: { reason: 'x', compensated: [] } },
    ]));
    expect(t.stages[0]).toMatchObject({ status: 'interrupted', attempts: [{ outcome: 'interrupted' }] });
  });
});

describe('errors', () => {
  it('decides the HTTP status from the code, else from the class', () => {
    expect(statusOf('run_not_found')).toBe(404);
    expect(statusOf('invalid_transition')).toBe(409);
    expect(statusOf('rate_limited')).toBe(429);
    expect(statusOf('stage_input_invalid', 'validation')).toBe(400);
    expect(statusOf('llm_down', 'transient')).toBe(503);
    expect(statusOf('whatever', 'fatal')).toBe(500);
  });

  it('hides the cause of unknown errors and maps http-errors by status and type', () => {
    const r = errorResponse(new Error('secret connection string postgres://u:p@h'), 'rid');
    expect(r).toMatchObject({ status: 500, body: { error: { code: 'internal', message: 'internal error', details: {}, requestId: 'rid' } } });
    expect(errorResponse(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'r').status).toBe(503);
    expect(toStagegraphError(Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large', expose: true })).code).toBe('payload_too_large');
    expect(toStagegraphError(Object.assign(new Error('bad'), { status: 400, type: 'entity.parse.failed', expose: true })).code).toBe('invalid_json');
    const own = new StagegraphError('run_not_found', 'run x not found', { class: 'validation', hint: 'h' });
    expect(errorResponse(own, 'r').body.error).toEqual({ code: 'run_not_found', message: 'run x not found', details: {}, hint: 'h', requestId: 'r' });
  });
});

describe('rate limiter', () => {
  it('allows a burst, then refills at the rate, per subject', () => {
    let t = 0;
    const rl = new RateLimiter({ perSecond: 2, burst: 3 }, () => t);
    for (let i = 0; i < 3; i++) rl.take('a');
    expect(() => rl.take('a')).toThrow(expect.objectContaining({ code: 'rate_limited', details: expect.objectContaining({ retryAfterMs: 500 }) }));
    rl.take('b');
    t = 500;
    rl.take('a');
    expect(() => rl.take('a')).toThrow();
  });
});

describe('options', () => {
  it('rejects bad configuration with an exact message', () => {
    expect(() => normalizeLimits({ bodyBytes: 0 })).toThrow('limits.bodyBytes must be a positive number, got 0');
    expect(() => normalizeAuth({ mode: 'token', jwt: { secret: 'short' } })).toThrow('auth.jwt.secret must be at least 32 bytes for HS256, got 5');
    expect(() => normalizeAuth({ mode: 'token', apiKeys: false })).toThrow("auth.mode 'token' needs apiKeys or jwt");
    expect(normalizeLimits({}).heartbeatMs).toBe(30_000);
    expect(normalizeAuth()).toMatchObject({ mode: 'token', apiKeys: true });
  });
});

describe('RunStream', () => {
  const ev = (seq: number): RunEvent => ({ runId: RUN, seq, at: '', type: 'workflow.custom', payload: { stage: 's', name: 'n', data: {} } });

  function harness(logged: number[]) {
    const sent: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sink: StreamSink = { send: (f) => (sent.push(JSON.parse(String(f)).event.seq), true), writable: async () => true, delivered: () => undefined, fail: () => undefined };
    const logReader = { since: async (_id: string, since: number) => (await gate, logged.filter((s) => s > since).map(ev)) };
    return { sent, release, sink, logReader };
  }

  it('merges events held during catch-up with the log, each once and in order', async () => {
    const h = harness([1, 2, 3, 4]);
    const s = new RunStream(RUN, 1, h.logReader, h.sink);
    s.start();
    for (const seq of [4, 5, 3, 6]) s.offer(ev(seq));
    h.release();
    await until(async () => (h.sent.at(-1) === 6 ? true : undefined), 5_000, 'the catch-up to merge');
    s.offer(ev(6));
    s.offer(ev(7));
    expect(h.sent).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('reads the log when a live event leaves a gap', async () => {
    const h = harness([1, 2, 3]);
    h.release();
    const s = new RunStream(RUN, 0, h.logReader, h.sink);
    s.offer(ev(3));
    await until(async () => (h.sent.at(-1) === 3 ? true : undefined), 5_000, 'the gap to be read from the log');
    s.offer(ev(4));
    expect(h.sent).toEqual([1, 2, 3, 4]);
  });
});
