/**
 * `parse-season`: plain English and/or structured fields in, `SeasonParameters` out.
 * Rules read the request; the LLM (`ctx.llm`, when configured) is asked only which
 * categories unknown product words name. A required field that is missing,
 * contradictory or out of range stops the run with the exact question (class
 * `validation`, `details.question`); the answer, e.g. `{ seasonWeeks: 12 }`, is merged
 * into this stage's input and the request is read again.
 */
import type { StagePlugin } from 'stagegraph';
import { ParseSeasonInput } from '../params/input.ts';
import { readCategoriesWithLlm } from '../params/llm-categories.ts';
import { seasonError } from '../params/questions.ts';
import { resolveSeason } from '../params/resolve.ts';
import { SeasonParameters } from '../schemas.ts';

export const parseSeason: StagePlugin<typeof ParseSeasonInput, typeof SeasonParameters> = {
  name: 'parse-season',
  version: '0.1.0',
  description: 'Reads a season request (plain English or fields) into validated season parameters, asking what it cannot read',
  capabilities: ['season-parameters', 'clarification'],
  input: ParseSeasonInput,
  output: SeasonParameters,
  policy: { estimateMs: 20, timeoutMs: 10_000 },
  async run(input, ctx) {
    ctx.signal.throwIfAborted();
    ctx.progress(0, 'reading the season request');
    const first = resolveSeason(input);
    if (first.ok) {
      ctx.progress(100, `${first.params.seasonWeeks} weeks, ${first.params.categories.join(', ')}`);
      return first.params;
    }
    // Only unknown product words go to the LLM, and only when the rules found no category.
    const words = first.productWords.join(', ') || (input.categories === undefined ? '' : String(input.categories));
    if (first.issue.field !== 'categories' || ctx.llm === undefined || words === '') throw seasonError(first.issue);
    ctx.progress(40, 'asking the LLM which categories the products belong to');
    const reading = await readCategoriesWithLlm(ctx.llm, words, ctx.signal);
    if (!reading.ok) {
      ctx.log.warn('LLM reading of the categories not used', { reason: reading.reason });
      throw seasonError(first.issue);
    }
    const again = resolveSeason({ ...input, categories: reading.categories });
    if (!again.ok) throw seasonError(again.issue);
    const params = {
      ...again.params,
      stated: again.params.stated.filter((s) => s !== 'categories' || input.categories !== undefined),
      assumptions: [`Categories read as ${reading.categories.join(', ')} by the LLM from '${reading.words}'`, ...again.params.assumptions],
      parsedBy: 'rules+llm' as const,
    };
    ctx.progress(100, `${params.seasonWeeks} weeks, ${params.categories.join(', ')}`);
    return params;
  },
};
