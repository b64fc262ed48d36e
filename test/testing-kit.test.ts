/**
 * `stagegraph/testing`'s stage harness: `runStage` gives the stage the context a test
 * asks for (an LLM, a run id, a recording `emit`) on top of its own signal, seed and
 * progress, and types the output by the plugin.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StagePlugin } from '../nodes/types.ts';
import { runStage } from '../testing/index.ts';

const In = z.object({ text: z.string() });
const Out = z.object({ said: z.string(), runId: z.string(), seed: z.number() });
const echo: StagePlugin<typeof In, typeof Out> = {
  name: 'echo', version: '1.0.0', description: 'asks its LLM and says what it answered', capabilities: ['echo'],
  input: In, output: Out, policy: { estimateMs: 1, timeoutMs: 100 },
  async run({ text }, ctx) {
    const answer = ctx.llm ? String((await ctx.llm.invoke(text)).content) : 'no llm';
    ctx.emit('asked', { text });
    return { said: answer, runId: ctx.runId, seed: ctx.seed };
  },
};

describe('runStage', () => {
  it('passes the context a test gives (llm, runId, emit) and keeps its own seed', async () => {
    const emitted: unknown[] = [];
    const llm = { invoke: async (q: string) => ({ content: `echo: ${q}` }) } as unknown as NonNullable<Parameters<typeof echo.run>[1]['llm']>;
    const { output } = await runStage(echo, { text: 'hi' }, { seed: 7, context: { llm, runId: 'r-1', emit: (name, data) => emitted.push([name, data]) } });
    expect(output).toEqual({ said: 'echo: hi', runId: 'r-1', seed: 7 });
    expect(emitted).toEqual([['asked', { text: 'hi' }]]);
  });

  it('without one, the stage sees no LLM', async () => {
    expect((await runStage(echo, { text: 'hi' })).output.said).toBe('no llm');
  });
});
