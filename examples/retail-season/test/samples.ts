/**
 * Realistic stage inputs for the tests: each stage's output for one season request,
 * computed by the stages themselves (`runStage`) from the example's data.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStage } from 'stagegraph/testing';
import { allocateInventory, assembleContextStage, backtestForecasts, forecastDemand, parseSeason, planMarkdownsStage, resolveSeason } from '../packs/retail-season/index.ts';
import type { SeasonParameters } from '../packs/retail-season/index.ts';

export const ALL_CATEGORIES_REQUEST = 'Standard summer season of 16 weeks, 120,000 units across all categories, all stores, restock every two weeks, sell-through target 95%';

export function params(text: string): SeasonParameters {
  const r = resolveSeason({ text });
  if (!r.ok) throw new Error(`not a complete request: ${r.issue.question}`);
  return r.params;
}

export async function samples(text = ALL_CATEGORIES_REQUEST) {
  const season = (await runStage(parseSeason, { text })).output;
  const context = (await runStage(assembleContextStage, season)).output;
  const backtest = (await runStage(backtestForecasts, context)).output;
  const forecastIn = { context, backtest, method: 'holt-winters-multiplicative' as const };
  const forecast = (await runStage(forecastDemand, forecastIn)).output;
  const allocationIn = { params: season, forecast, stores: context.inventory.stores, serviceLevel: 'standard-95' as const };
  const allocation = (await runStage(allocateInventory, allocationIn)).output;
  const markdownIn = { params: season, allocation, pricing: context.pricing, strategy: 'early-shallow' as const };
  const markdowns = (await runStage(planMarkdownsStage, markdownIn)).output;
  const exportIn = { outDir: join(tmpdir(), 'retail-season-contract'), runId: 'contract', params: season, forecast, allocation, markdowns, decisions: [] };
  return { text, season, context, backtest, forecastIn, forecast, allocationIn, allocation, markdownIn, markdowns, exportIn };
}
