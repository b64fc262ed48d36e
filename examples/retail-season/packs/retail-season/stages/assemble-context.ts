/**
 * `assemble-context`: reads the example's sales history and stores table (CSV, cached)
 * and assembles the demand, inventory and pricing contexts for the stores in scope.
 */
import type { StagePlugin } from 'stagegraph';
import { assembleContext } from '../data/contexts.ts';
import { loadSales } from '../data/load.ts';
import { SeasonContext, SeasonParameters } from '../schemas.ts';

export const assembleContextStage: StagePlugin<typeof SeasonParameters, typeof SeasonContext> = {
  name: 'assemble-context',
  version: '0.1.0',
  description: 'Assembles demand, inventory and pricing contexts from the sales history and stores table',
  capabilities: ['data-loading', 'context-assembly'],
  input: SeasonParameters,
  output: SeasonContext,
  policy: { estimateMs: 200, timeoutMs: 10_000 },
  async run(params, ctx) {
    ctx.signal.throwIfAborted();
    ctx.progress(0, 'reading sales history');
    const tables = loadSales();
    ctx.signal.throwIfAborted();
    const context = assembleContext(params, tables);
    ctx.progress(100, `${context.inventory.stores.length} stores, ${context.demand.length} category x cluster series, ${context.history.weeks} weeks`);
    return context;
  },
};
