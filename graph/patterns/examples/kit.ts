/**
 * What the pattern examples share: a stage helper that can journal its start and end
 * and take its time (so tests can count invocations from outside the process and kill
 * it mid-stage), and the options every example factory takes.
 */
import type { z } from 'zod';
import type { AnyStagePlugin, StageContext } from '../../../nodes/types.ts';

export interface ExampleOptions {
  /** Called when a stage starts and ends (tests journal these to a file that survives a kill). */
  journal?: (event: 'start' | 'end', stage: string, runId: string) => void;
  /** How long each stage takes, by stage name. @default 0 */
  delayMs?: Record<string, number>;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal.aborted) return fail(signal.reason);
    const t = setTimeout(() => (signal.removeEventListener('abort', stop), done()), ms);
    const stop = () => (clearTimeout(t), fail(signal.reason));
    signal.addEventListener('abort', stop, { once: true });
  });
}

/** A small example stage: journals, waits its delay, then computes. */
export function exampleStage<I extends z.ZodType, O extends z.ZodType>(
  name: string,
  description: string,
  schemas: { input: I; output: O },
  compute: (input: z.output<I>, ctx: StageContext) => z.input<O> | Promise<z.input<O>>,
  options: ExampleOptions = {},
): AnyStagePlugin {
  return {
    name,
    version: '1.0.0',
    description,
    capabilities: ['example'],
    input: schemas.input,
    output: schemas.output,
    policy: { estimateMs: options.delayMs?.[name] ?? 5 },
    async run(input, ctx) {
      options.journal?.('start', name, ctx.runId);
      const ms = options.delayMs?.[name] ?? 0;
      if (ms > 0) await sleep(ms, ctx.signal);
      const out = await compute(input, ctx);
      options.journal?.('end', name, ctx.runId);
      return out;
    },
  };
}
