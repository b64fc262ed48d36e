/**
 * Policy per error class without a database: each class's own backoff through
 * LangGraph's retryPolicy (timed on a fake clock, also with two runs of one node
 * failing in different classes at the same time), bad retry specs rejected at build
 * time, classification by type and cause, and the stage input question.
 */
import { Command, MemorySaver } from '@langchain/langgraph';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildWorkflow } from '../graph/compile.ts';
import type { WorkflowStateValue } from '../graph/state.ts';
import { StagegraphError, classify } from '../nodes/errors.ts';
import { DEFAULT_POLICY, backoffDelay, normalizePolicy } from '../nodes/policy.ts';
import type { RetrySpec, StageContext } from '../nodes/types.ts';
import { stage, type NValue } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';

const transient: Required<RetrySpec> = { maxAttempts: 5, initialIntervalMs: 50, backoffFactor: 2, maxIntervalMs: 200, jitter: false };
const degradable: Required<RetrySpec> = { maxAttempts: 3, initialIntervalMs: 300, backoffFactor: 1, maxIntervalMs: 300, jitter: false };

/**
 * Runs `fn` on a fake clock (timers and `performance.now()`), advancing it only when
 * nothing else can happen: the time between attempts is then exactly the backoff
 * asked for, whatever the load of the machine.
 */
async function onFakeClock<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
  try {
    const settled = fn().then((value) => ({ value }), (error: unknown) => ({ error }));
    await vi.runAllTimersAsync();
    const r = await settled;
    if ('error' in r) throw r.error;
    return r.value;
  } finally {
    vi.useRealTimers();
  }
}

const transientError = () => Object.assign(new Error('reset'), { code: 'ECONNRESET' });
const degradableError = () => new StagegraphError('service_degraded', 'degraded', { class: 'degradable' });

/** A stage that fails with `errors[i]` on attempt i + 1 and records when each attempt started. */
function timed(errors: Record<string, (() => unknown)[]>, starts: Record<string, number[]>) {
  return stage('flaky', {
    policy: { retry: { transient, degradable } },
    run: async ({ n }: NValue, ctx: StageContext) => {
      const key = String(n);
      (starts[key] ??= []).push(performance.now());
      const fail = errors[key]?.[ctx.attempt - 1];
      if (fail) throw fail();
      return { n };
    },
  });
}

const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

function expectGaps(actual: number[], expected: number[]): void {
  expect(actual).toEqual(expected);
}

describe('backoff per error class (scaled delays, jitter off)', () => {
  it('transient: 50 ms doubling, capped at 200 ms', async () => {
    const starts: Record<string, number[]> = {};
    const graph = buildWorkflow(sequence('b', [timed({ 1: [transientError, transientError, transientError, transientError] }, starts)])).compile();
    await onFakeClock(() => graph.invoke({ request: { n: 1 } }));
    expectGaps(gaps(starts['1']!), [50, 100, 200, 200]);
    expect([1, 2, 3, 4].map((r) => backoffDelay(transient, r))).toEqual([50, 100, 200, 200]);
  });

  it('degradable waits its own 300 ms, not the transient backoff, and stops after its own 3 attempts', async () => {
    const starts: Record<string, number[]> = {};
    const graph = buildWorkflow(sequence('b', [timed({ 2: [degradableError, degradableError, degradableError] }, starts)])).compile();
    const e = await onFakeClock(() => graph.invoke({ request: { n: 2 } })).then(() => undefined, (x: unknown) => x);
    expect((e as StagegraphError).code).toBe('service_degraded');
    expectGaps(gaps(starts['2']!), [300, 300]);
  });

  it('a class change between attempts switches the backoff', async () => {
    const starts: Record<string, number[]> = {};
    const graph = buildWorkflow(sequence('b', [timed({ 3: [transientError, degradableError, transientError] }, starts)])).compile();
    await onFakeClock(() => graph.invoke({ request: { n: 3 } }));
    // LangGraph counts retries of the node: retry r waits initial * factor^(r - 1) of the failing class.
    expectGaps(gaps(starts['3']!), [backoffDelay(transient, 1), backoffDelay(degradable, 2), backoffDelay(transient, 3)]);
  });

  it('two runs of one node failing in different classes at once keep their own backoff', async () => {
    const starts: Record<string, number[]> = {};
    const graph = buildWorkflow(sequence('b', [timed({ 4: [transientError, transientError, transientError], 5: [degradableError, degradableError] }, starts)])).compile();
    await onFakeClock(() => Promise.all([graph.invoke({ request: { n: 4 } }), graph.invoke({ request: { n: 5 } })]));
    expectGaps(gaps(starts['4']!), [50, 100, 200]);
    expectGaps(gaps(starts['5']!), [300, 300]);
  });

  it('defaults: transient 5 attempts 1 s doubling to 16 s with jitter; degradable 2 attempts', () => {
    expect(DEFAULT_POLICY.retry.transient).toEqual({ maxAttempts: 5, initialIntervalMs: 1000, backoffFactor: 2, maxIntervalMs: 16_000, jitter: true });
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(DEFAULT_POLICY.retry.transient!, r))).toEqual([1000, 2000, 4000, 8000, 16_000, 16_000]);
    expect(DEFAULT_POLICY.retry.degradable?.maxAttempts).toBe(2);
    expect(DEFAULT_POLICY.retry.fatal).toBeUndefined();
    expect(DEFAULT_POLICY.retry.validation).toBeUndefined();
    // A plugin overrides one class; the others keep their defaults.
    const p = normalizePolicy({ retry: { transient: { maxAttempts: 2 } } });
    expect(p.retry.transient).toEqual({ ...DEFAULT_POLICY.retry.transient, maxAttempts: 2 });
    expect(p.retry.degradable).toEqual(DEFAULT_POLICY.retry.degradable);
  });

  it('a retry spec that cannot work is rejected when the workflow is compiled, before any run', () => {
    const bad = (retry: Record<string, RetrySpec>) => () => buildWorkflow(sequence('b', [stage('s', { policy: { retry } })])).compile();
    expect(bad({ transient: { maxAttempts: 0 } })).toThrow('policy.retry.transient.maxAttempts must be an integer >= 1, got 0');
    expect(bad({ degradable: { maxAttempts: 2, backoffFactor: 0.5 } })).toThrow('policy.retry.degradable.backoffFactor must be >= 1, got 0.5');
    expect(bad({ transient: { maxAttempts: 2, initialIntervalMs: 100, maxIntervalMs: 10 } })).toThrow('policy.retry.transient.maxIntervalMs must be >= initialIntervalMs (100), got 10');
  });
});

describe('classify() by type and cause', () => {
  it('LLM and HTTP client connection errors are transient by name; statuses also from error.response', () => {
    expect(classify(Object.assign(new Error('x'), { name: 'APIConnectionError' }))).toBe('transient');
    expect(classify(Object.assign(new Error('x'), { name: 'APIConnectionTimeoutError' }))).toBe('transient');
    expect(classify(Object.assign(new Error('x'), { response: { status: 502 } }))).toBe('transient');
    expect(classify(Object.assign(new Error('x'), { response: { status: 422 } }))).toBe('fatal');
    expect(classify(Object.assign(new Error('x'), { response: null }))).toBe('fatal');
  });

  it('an AggregateError is transient only when every part is', () => {
    const reset = () => Object.assign(new Error('r'), { code: 'ECONNREFUSED' });
    expect(classify(new AggregateError([reset(), reset()]))).toBe('transient');
    expect(classify(new AggregateError([reset(), new TypeError('bug')]))).toBe('fatal');
    expect(classify(new AggregateError([]))).toBe('fatal');
  });

  it('a cause cycle ends as fatal, not in a loop', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classify(a)).toBe('fatal');
  });

  it('a fast fail of an open breaker is transient', () => {
    expect(classify(new StagegraphError('circuit_open', 'open', { class: 'transient' }))).toBe('transient');
  });
});

describe('a stage input that does not fit its schema asks a person', () => {
  const Labelled = z.object({ n: z.number().int().positive(), label: z.string() });
  const seen: unknown[] = [];
  const graph = buildWorkflow(sequence('v', [stage('label', {
    input: Labelled,
    output: Labelled,
    run: async (input: z.infer<typeof Labelled>) => {
      seen.push(input);
      return input;
    },
  })])).compile(new MemorySaver());

  it('interrupts with a question naming the fields, and the answer is merged into the input', async () => {
    const config = { configurable: { thread_id: 'ask-input' } };
    await graph.invoke({ request: { n: -2, label: 'tank', extra: true } }, config);
    let state = await graph.getState(config);
    const question = state.tasks[0]?.interrupts[0]?.value as { code: string; question: string; details: { field: string } };
    expect(question.code).toBe('stage_input_invalid');
    expect(question.details.field).toBe('n');
    expect(question.question).toContain("'n'");
    expect(state.next).toEqual(['label']);

    // Still not right: asked again.
    await graph.invoke(new Command({ resume: { n: 2.5 } }), config);
    state = await graph.getState(config);
    expect((state.tasks[0]?.interrupts[0]?.value as { code: string }).code).toBe('stage_input_invalid');

    const end: WorkflowStateValue = await graph.invoke(new Command({ resume: { n: 3 } }), config);
    expect(end.outputs).toEqual({ label: { n: 3, label: 'tank' } });
    expect(seen).toEqual([{ n: 3, label: 'tank' }]);
  });

  it('an output that does not fit (a plugin bug) fails and is never asked about', async () => {
    const bug = buildWorkflow(sequence('o', [stage('bug', { run: async () => ({ n: 'seven' }) })])).compile(new MemorySaver());
    const config = { configurable: { thread_id: 'bad-output' } };
    const e = await bug.invoke({ request: { n: 1 } }, config).then(() => undefined, (x: unknown) => x);
    expect((e as StagegraphError).code).toBe('stage_output_invalid');
    expect((await bug.getState(config)).tasks[0]?.interrupts ?? []).toEqual([]);
  });
});
