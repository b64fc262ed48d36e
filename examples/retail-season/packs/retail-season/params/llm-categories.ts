/**
 * The one thing parse-season may ask an LLM: which catalog categories product words
 * the rules do not know name ("swimwear and linen shirts"). Structured output through
 * zod, a 2 s time box, and every failure returned as a reason, so the stage asks the
 * person instead. Numbers (weeks, units, shares) are never asked of an LLM.
 */
import { z } from 'zod';
import type { StageContext } from 'stagegraph';
import { CATEGORIES, Category } from '../schemas.ts';

/** The time box for one LLM call, ms. @default 2000 */
export const LLM_TIMEOUT_MS = 2000;

export const LlmCategoriesAnswer = z.object({
  categories: z.array(Category).describe(`the catalog categories the products belong to, from ${CATEGORIES.join(', ')}; empty when none fits`),
  words: z.string().describe('the words of the request that name the products'),
});

export type LlmCategories = { ok: true; categories: Category[]; words: string } | { ok: false; reason: string };

const SYSTEM =
  `You map the products named in a retail season request to catalog categories: ${CATEGORIES.join(', ')}. ` +
  'Answer only with categories that clearly contain the products; an empty list when none does. Do not read numbers.';

/** Asks `llm` which categories `text` names; rethrows only when the stage's own `signal` aborted. */
export async function readCategoriesWithLlm(llm: NonNullable<StageContext['llm']>, text: string, signal: AbortSignal, timeoutMs = LLM_TIMEOUT_MS): Promise<LlmCategories> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, deadline]);
  try {
    const model = llm.withStructuredOutput(LlmCategoriesAnswer, { name: 'season_categories' });
    const raw = await model.invoke([['system', SYSTEM], ['human', text]], { signal: both });
    const answer = LlmCategoriesAnswer.safeParse(raw);
    if (!answer.success) return { ok: false, reason: 'the LLM answer did not match the schema' };
    if (!answer.data.categories.length) return { ok: false, reason: 'the LLM found no catalog category' };
    return { ok: true, categories: [...new Set(answer.data.categories)], words: answer.data.words };
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    if (deadline.aborted) return { ok: false, reason: `the LLM timed out after ${timeoutMs} ms` };
    return { ok: false, reason: `the LLM call failed (${e instanceof Error ? e.name : 'Error'})` };
  }
}
