/**
 * Error classes: `classify()` by type and structured fields only, stage schema
 * validation errors, LangGraph's retryPolicy driven by the class, and optional stages
 * skipped on failure.
 */
import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildWorkflow } from '../graph/compile.ts';
import type { WorkflowStateValue } from '../graph/state.ts';
import { StagegraphError, classify, isStagegraphError, serializeError } from '../nodes/errors.ts';
import type { StageContext } from '../nodes/types.ts';
import { stage, type NValue } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
const withStatus = (status: number) => Object.assign(new Error('http'), { status });

describe('classify()', () => {
  it('takes a StagegraphError at its class', () => {
    for (const cls of ['transient', 'validation', 'degradable', 'fatal'] as const) {
      expect(classify(new StagegraphError('x', 'x', { class: cls }))).toBe(cls);
    }
    expect(classify(new StagegraphError('x', 'x'))).toBe('fatal');
  });

  it('a LangGraph node timeout is transient, by name', () => {
    const e = new Error('whatever');
    e.name = 'NodeTimeoutError';
    expect(classify(e)).toBe('transient');
    expect(serializeError(e).code).toBe('stage_timeout');
  });

  it('network failures are transient, by error.code', () => {
    expect(classify(withCode('ECONNRESET'))).toBe('transient');
    expect(classify(withCode('UND_ERR_SOCKET'))).toBe('transient');
    expect(classify(withCode('EACCES'))).toBe('fatal');
  });

  it('HTTP 429 and 5xx are transient, other statuses are not', () => {
    expect(classify(withStatus(429))).toBe('transient');
    expect(classify(withStatus(503))).toBe('transient');
    expect(classify(withStatus(500))).toBe('transient');
    expect(classify(withStatus(404))).toBe('fatal');
    expect(classify(withStatus(400))).toBe('fatal');
  });

  it('a ZodError is a validation error', () => {
    const parsed = z.object({ n: z.number() }).safeParse({ n: 'x' });
    expect(parsed.success).toBe(false);
    expect(classify(parsed.error)).toBe('validation');
  });

  it('follows the cause chain', () => {
    expect(classify(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe('transient');
    expect(classify(new Error('outer', { cause: new Error('inner', { cause: withStatus(503) }) }))).toBe('transient');
    const self = new Error('loop') as Error & { cause?: unknown };
    self.cause = self;
    expect(classify(self)).toBe('fatal');
  });

  it('never reads the message text; unknown errors are fatal', () => {
    expect(classify(new Error('ECONNRESET: 503 Service Unavailable, rate limit (429), timeout'))).toBe('fatal');
    expect(classify(new TypeError('x is undefined'))).toBe('fatal');
    expect(classify('ECONNRESET')).toBe('fatal');
    expect(classify(undefined)).toBe('fatal');
    expect(classify(null)).toBe('fatal');
  });

  it('isStagegraphError guards by code', () => {
    const e = new StagegraphError('run_not_found', 'gone', { class: 'validation', details: { runId: 'r' } });
    expect(isStagegraphError(e, 'run_not_found')).toBe(true);
    expect(isStagegraphError(e, 'other')).toBe(false);
    expect(isStagegraphError(withCode('run_not_found'))).toBe(false);
    expect(serializeError(e)).toEqual({ code: 'run_not_found', class: 'validation', message: 'gone', details: { runId: 'r' }, hint: undefined });
  });
});

async function failureOf(promise: Promise<unknown>): Promise<StagegraphError> {
  const e = await promise.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(StagegraphError);
  return e as StagegraphError;
}

describe('stage schema validation', () => {
  it('an input that does not fit is stage_input_invalid, naming stage and field', async () => {
    const graph = buildWorkflow(sequence('v', [stage('first')])).compile();
    const e = await failureOf(graph.invoke({ request: { n: 'seven' } }));
    expect(e.code).toBe('stage_input_invalid');
    expect(e.class).toBe('validation');
    expect(e.details).toMatchObject({ stage: 'first', side: 'input', field: 'n' });
  });

  it('an output that does not fit is stage_output_invalid, naming stage and nested field', async () => {
    const Out = z.object({ n: z.number(), parts: z.array(z.object({ mm: z.number().positive() })) });
    const bad = stage('bad-output', { output: Out, run: async ({ n }: NValue) => ({ n, parts: [{ mm: 1 }, { mm: -2 }] }) });
    const graph = buildWorkflow(sequence('v', [bad])).compile();
    const e = await failureOf(graph.invoke({ request: { n: 1 } }));
    expect(e.code).toBe('stage_output_invalid');
    expect(e.class).toBe('validation');
    expect(e.details).toMatchObject({ stage: 'bad-output', side: 'output', field: 'parts[1].mm' });
  });
});

describe('retry by error class (LangGraph retryPolicy)', () => {
  const fast = { initialIntervalMs: 5, backoffFactor: 1, jitter: false };

  function flaky(name: string, failures: number, error: () => unknown, attempts: number[], policy = {}) {
    return stage(name, {
      policy: { retry: { transient: { maxAttempts: 3, ...fast } }, ...policy },
      run: async ({ n }: NValue, ctx: StageContext) => {
        attempts.push(ctx.attempt);
        if (attempts.length <= failures) throw error();
        return { n: n + 1 };
      },
    });
  }

  it('a transient failure is retried and the stage then succeeds', async () => {
    const attempts: number[] = [];
    const graph = buildWorkflow(sequence('r', [flaky('net', 2, () => withCode('ECONNRESET'), attempts)])).compile();
    const s: WorkflowStateValue = await graph.invoke({ request: { n: 1 } });
    expect(attempts).toEqual([1, 2, 3]);
    expect(s.outputs).toEqual({ net: { n: 2 } });
  });

  it('a transient failure stops after maxAttempts and fails with the last error', async () => {
    const attempts: number[] = [];
    const graph = buildWorkflow(sequence('r', [flaky('net', 99, () => withStatus(503), attempts)])).compile();
    const e = await graph.invoke({ request: { n: 1 } }).then(() => undefined, (x: unknown) => x);
    expect((e as { status?: number }).status).toBe(503);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('a fatal failure is not retried', async () => {
    const attempts: number[] = [];
    const graph = buildWorkflow(sequence('r', [flaky('bug', 99, () => new StagegraphError('broken', 'a bug'), attempts)])).compile();
    const e = await failureOf(graph.invoke({ request: { n: 1 } }));
    expect(e.code).toBe('broken');
    expect(attempts).toEqual([1]);
  });

  it('a validation failure is not retried', async () => {
    const attempts: number[] = [];
    const graph = buildWorkflow(sequence('r', [flaky('strict', 99, () => new StagegraphError('bad_input', 'no', { class: 'validation' }), attempts)])).compile();
    expect((await failureOf(graph.invoke({ request: { n: 1 } }))).code).toBe('bad_input');
    expect(attempts).toEqual([1]);
  });

  it('each class is retried only within its own budget', async () => {
    const attempts: number[] = [];
    const policy = { retry: { transient: { maxAttempts: 4, ...fast }, degradable: { maxAttempts: 2 } } };
    const graph = buildWorkflow(sequence('r', [flaky('deg', 99, () => new StagegraphError('meh', 'meh', { class: 'degradable' }), attempts, policy)])).compile();
    expect((await failureOf(graph.invoke({ request: { n: 1 } }))).code).toBe('meh');
    expect(attempts).toEqual([1, 2]);
  });
});

describe('optional stages', () => {
  it('an optional stage that fails is skipped and the run continues degraded', async () => {
    const attempts: number[] = [];
    const extra = stage('extra', {
      policy: { optional: true, retry: { transient: { maxAttempts: 2, initialIntervalMs: 5, jitter: false } } },
      run: async (_: NValue, ctx: StageContext) => {
        attempts.push(ctx.attempt);
        throw withCode('ECONNRESET');
      },
    });
    const after = stage('after', { input: z.object({ n: z.number() }) });
    const graph = buildWorkflow(sequence('o', [stage('first'), extra, after], {
      inputs: { after: (s) => s.outputs['first'] },
    })).compile(new MemorySaver());
    const config = { configurable: { thread_id: 'opt' } };
    await graph.invoke({ request: { n: 1 } }, config);
    const s = (await graph.getState(config)).values as WorkflowStateValue;
    expect(attempts).toEqual([1, 2]);
    expect(s.skipped).toEqual(['extra']);
    expect(s.completed).toEqual(['first', 'after']);
    expect(s.outputs).toEqual({ first: { n: 2 }, after: { n: 3 } });
    expect(s.warnings).toEqual([{ stage: 'extra', code: 'ECONNRESET', class: 'transient', message: "optional stage 'extra' skipped: boom" }]);
  });

  it('a skipped optional branch of a fan-out still reaches the join, once', async () => {
    const joined: unknown[] = [];
    const b = stage('b', { output: z.object({ x: z.number() }), run: async ({ n }: NValue) => ({ x: n }) });
    const opt = stage('opt', { output: z.object({ y: z.number() }), policy: { optional: true }, run: async () => { throw new StagegraphError('unavailable', 'no', { class: 'fatal' }); } });
    const d = stage('d', { input: z.object({ x: z.number(), y: z.number().optional() }), run: async (i: { x: number; y?: number }) => { joined.push(i); return { n: i.x }; } });
    const graph = buildWorkflow(defineWorkflow({
      id: 'join', description: 'optional branch', stages: [stage('a'), b, opt, d],
      edges: [{ from: START, to: 'a' }, { from: 'a', to: ['b', 'opt'] }, { from: ['b', 'opt'], to: 'd' }, { from: 'd', to: END }],
    })).compile();
    const s: WorkflowStateValue = await graph.invoke({ request: { n: 1 } });
    expect(joined).toEqual([{ x: 2 }]);
    expect(s.skipped).toEqual(['opt']);
    expect(s.outputs['d']).toEqual({ n: 2 });
  });

  it('a required stage that fails the same way fails the run', async () => {
    const required = stage('required', { run: async () => { throw new StagegraphError('broken', 'a bug'); } });
    const graph = buildWorkflow(sequence('o', [stage('first'), required])).compile();
    expect((await failureOf(graph.invoke({ request: { n: 1 } }))).code).toBe('broken');
  });
});
