/**
 * Drives a stage plugin the way the runtime does, without LangGraph: validates the
 * input, calls `run()` until it stops returning `continueLater`, passing each step's
 * scratch back as `ctx.resume` through a JSON round trip (as a checkpoint would), and
 * validates the output. Records progress notes.
 */
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

/** Runs a (possibly multi-step) stage to its end. `onStep` may abort between steps. */
export async function runToEnd<T>(
  plugin: AnyStagePlugin, input: unknown, opts: { signal?: AbortSignal; maxSteps?: number; seed?: number; onStep?: (step: number) => void } = {},
): Promise<HarnessResult<T>> {
  const parsed = plugin.input.parse(input);
  const progress: { pct: number; note?: string }[] = [];
  const scratches: string[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  let resume: unknown;
  for (let step = 1; step <= (opts.maxSteps ?? 1000); step++) {
    const result = await plugin.run(parsed, fakeContext(signal, progress, resume, opts.seed));
    if (!isContinue(result)) return { output: plugin.output.parse(result) as T, steps: step, progress, scratches };
    const json = JSON.stringify(result.scratch);
    scratches.push(json);
    resume = JSON.parse(json);
    opts.onStep?.(step);
  }
  throw new Error(`stage ${plugin.name} did not finish within ${opts.maxSteps ?? 1000} steps`);
}
