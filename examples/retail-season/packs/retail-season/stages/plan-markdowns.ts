/**
 * `plan-markdowns`: markdown week and depth per category, from the price elasticity
 * and the sell-through target, within the window of the strategy the
 * `markdown-strategy` decision chose (see `methods/markdown.ts`).
 */
import { z } from 'zod';
import type { StagePlugin } from 'stagegraph';
import { planMarkdowns as plan } from '../methods/markdown.ts';
import { Allocation, MarkdownPlan, MarkdownStrategy, PriceContext, SeasonParameters } from '../schemas.ts';

export const MarkdownRequest = z.object({ params: SeasonParameters, allocation: Allocation, pricing: z.array(PriceContext).min(1), strategy: MarkdownStrategy });

export const planMarkdownsStage: StagePlugin<typeof MarkdownRequest, typeof MarkdownPlan> = {
  name: 'plan-markdowns',
  version: '0.1.0',
  description: 'Plans markdown timing and depth per category from price elasticity and the sell-through target',
  capabilities: ['pricing', 'markdowns'],
  input: MarkdownRequest,
  output: MarkdownPlan,
  policy: { estimateMs: 50, timeoutMs: 10_000 },
  async run({ params, allocation, pricing, strategy }, ctx) {
    ctx.signal.throwIfAborted();
    const result = plan(allocation, pricing, strategy, params.markdown.sellThroughTarget, params.markdown.allowed ? params.markdown.maxDepth : 0);
    ctx.progress(100, result.categories.map((c) => `${c.category}: ${c.markdownWeek ? `${Math.round(c.depth * 100)} % from week ${c.markdownWeek}` : 'none'}`).join(', '));
    return result;
  },
};
