/** Every stage of the pack passes stagegraph/testing's stage contract, on inputs from the real data. */
import { beforeAll, describe, it } from 'vitest';
import { stageContract } from 'stagegraph/testing';
import { allocateInventory, assembleContextStage, backtestForecasts, exportPlan, forecastDemand, parseSeason, planMarkdownsStage } from '../packs/retail-season/index.ts';
import { samples } from './samples.ts';

let s: Awaited<ReturnType<typeof samples>>;
beforeAll(async () => {
  s = await samples();
});

const cases = [
  [parseSeason, () => ({ text: s.text })],
  [assembleContextStage, () => s.season],
  [backtestForecasts, () => s.context],
  [forecastDemand, () => s.forecastIn],
  [allocateInventory, () => s.allocationIn],
  [planMarkdownsStage, () => s.markdownIn],
  [exportPlan, () => s.exportIn],
] as const;

for (const [plugin, input] of cases) {
  describe(`${plugin.name} contract`, () => {
    for (const check of stageContract(plugin, { input })) it(check.name, check.run);
  });
}
