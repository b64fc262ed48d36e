/**
 * Drives a stage plugin the way the runtime does, without LangGraph: validates the
 * input, calls `run()` until it stops returning `continueLater`, passing each step's
 * scratch back as `ctx.resume` through a JSON round trip (as a checkpoint would), and
 * validates the output. Records progress notes.
 */
import type { z } from 'zod';
import { isContinue, type AnyStagePlugin, type StageContext } from '../nodes/types.ts';

export interface HarnessResult<T> {
  output: T;
  steps: number;
  progress: { pct: number; note?: string }[];
  /** The scratch of every intermediate step, as JSON. */
  scratches: string[];
}

/** A StageContext with a real AbortSignal and recorded progress. */
export function fakeContext(signal: AbortSignal, progress: { pct: number; note?: string }[], resume?: unknown, seed = 1): StageContext {
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    runId: 'test-run', stage: 'test', attempt: 1, signal, seed, resume, log,
    progress: (pct, note) => progress.push({ pct, note }),
    emit() {},
  };
}

export interface RunStageOptions {
  signal?: AbortSignal;
  /** @default 1000 */
  maxSteps?: number;
  /** `ctx.seed`. @default 1 */
  seed?: number;
  /** Called between steps of a stepped stage (it may abort the signal). */
  onStep?: (step: number) => void;
  /**
   * More of the stage's context, e.g. `{ llm }` (a chat model pointed at
   * `startOpenAIStub()`), a `runId` or an `emit` that records. Signal, seed, resume and
   * progress stay the harness's.
   */
  context?: Partial<Omit<StageContext, 'signal' | 'seed' | 'resume' | 'progress'>>;
}

/** Runs a (possibly multi-step) stage to its end. `onStep` may abort between steps. */
export async function runToEnd<T>(plugin: AnyStagePlugin, input: unknown, opts: RunStageOptions = {}): Promise<HarnessResult<T>> {
  const parsed = plugin.input.parse(input);
  const progress: { pct: number; note?: string }[] = [];
  const scratches: string[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  let resume: unknown;
  for (let step = 1; step <= (opts.maxSteps ?? 1000); step++) {
    const result = await plugin.run(parsed, { ...fakeContext(signal, progress, resume, opts.seed), ...opts.context });
    if (!isContinue(result)) return { output: plugin.output.parse(result) as T, steps: step, progress, scratches };
    const json = JSON.stringify(result.scratch);
    scratches.push(json);
    resume = JSON.parse(json);
    opts.onStep?.(step);
  }
  throw new Error(`stage ${plugin.name} did not finish within ${opts.maxSteps ?? 1000} steps`);
}

/**
 * `runToEnd` typed by the plugin: the input its schema accepts, the output it returns.
 * @example const { output, steps } = await runStage(readTicket, { text: 'Login broken' });
 */
export function runStage<P extends AnyStagePlugin>(plugin: P, input: z.input<P['input']>, opts: RunStageOptions = {}): Promise<HarnessResult<z.output<P['output']>>> {
  return runToEnd(plugin, input, opts);
}
