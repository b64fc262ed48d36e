/** The retail-season pack: season parameters, demand, inventory and pricing agents, and their decisions, as one unit. */
import { definePack } from 'stagegraph';
import { retailSeasonWorkflow } from './workflow.ts';

export const retailSeasonPack = definePack({
  id: 'retail-season',
  version: '0.1.0',
  stagegraph: '^0.1',
  description: 'Retail season planning: demand forecast, inventory allocation and markdown pricing from a merchant request',
  workflows: [retailSeasonWorkflow],
});

export { retailSeasonWorkflow };
export { parseSeason } from './stages/parse-season.ts';
export { assembleContextStage } from './stages/assemble-context.ts';
export { backtestForecasts } from './stages/backtest-forecasts.ts';
export { forecastDemand } from './stages/forecast-demand.ts';
export { allocateInventory } from './stages/allocate-inventory.ts';
export { planMarkdownsStage } from './stages/plan-markdowns.ts';
export { exportPlan } from './stages/export-plan.ts';
export { forecastMethod } from './decisions/forecast-method.ts';
export { serviceLevel } from './decisions/service-level.ts';
export { markdownStrategy } from './decisions/markdown-strategy.ts';
export { resolveSeason } from './params/resolve.ts';
export * from './schemas.ts';
