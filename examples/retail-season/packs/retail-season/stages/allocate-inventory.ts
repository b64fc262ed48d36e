/**
 * `allocate-inventory`: splits the season's units over categories, initial allocation
 * and holdback, stores and replenishment weeks (see `methods/allocation.ts`). The
 * output schema checks that units are conserved at every level and no stock goes
 * negative.
 */
import { z } from 'zod';
import type { StagePlugin } from 'stagegraph';
import { allocate } from '../methods/allocation.ts';
import { Allocation, DemandForecast, SeasonParameters, ServiceLevel, StoreInScope } from '../schemas.ts';

export const AllocationRequest = z.object({ params: SeasonParameters, forecast: DemandForecast, stores: z.array(StoreInScope).min(1), serviceLevel: ServiceLevel });

export const allocateInventory: StagePlugin<typeof AllocationRequest, typeof Allocation> = {
  name: 'allocate-inventory',
  version: '0.1.0',
  description: 'Allocates season units to categories, stores and replenishment, with safety stock by replenishment strategy',
  capabilities: ['inventory', 'allocation'],
  input: AllocationRequest,
  output: Allocation,
  policy: { estimateMs: 30, timeoutMs: 10_000 },
  async run({ params, forecast, stores, serviceLevel }, ctx) {
    ctx.signal.throwIfAborted();
    ctx.progress(0, `allocating ${params.totalUnits} units`);
    const allocation = allocate({ totalUnits: params.totalUnits, holdbackShare: params.holdbackShare, replenishment: params.replenishment, serviceLevel, forecast, stores });
    const held = allocation.categories.reduce((s, c) => s + c.holdback, 0);
    ctx.progress(100, `${params.totalUnits - held} units to ${stores.length} stores, ${held} held back`);
    return allocation;
  },
};
