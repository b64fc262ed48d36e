/**
 * Stage `analyze-cost` (optional): materials plus winding-time manufacturing cost of
 * the tanks, USD per kWh of stored H2 (LHV 33.3 kWh/kg) against the DOE targets
 * (analysis/cost.ts). When it fails the run continues degraded.
 */
import type { StagePlugin } from '../../../nodes/types.ts';
import { CostResult, analyzeCost } from '../analysis/cost.ts';
import { AnalysisInput, runAnalysis } from '../analysis/input.ts';

/** Output of `analyze-cost`. */
export const AnalyzeCostOutput = CostResult;

/**
 * The analyze-cost stage. Input `{ basis, design }`, output {@link CostResult}.
 * Throws `analysis_invalid_design` (degradable) when the design cannot be costed.
 * @example (await analyzeCostStage.run({ basis, design }, ctx)).system.usdPerKwh
 */
export const analyzeCostStage: StagePlugin<typeof AnalysisInput, typeof AnalyzeCostOutput> = {
  name: 'analyze-cost',
  version: '1.0.0',
  description: 'Material and manufacturing cost of the tanks, USD/kWh of stored hydrogen against the DOE targets',
  capabilities: ['h2-tank', 'analysis', 'cost'],
  input: AnalysisInput,
  output: AnalyzeCostOutput,
  // Measured about 0.02 ms per design.
  policy: { estimateMs: 2, timeoutMs: 10_000, optional: true },
  async run({ basis, design }, ctx) {
    ctx.progress(0, `cost of ${design.id}`);
    const result = runAnalysis('analyze-cost', design.id, ctx.signal, true, () => analyzeCost(basis, design));
    ctx.progress(100, `${result.system.usdPerKwh.toFixed(1)} USD/kWh`);
    return result;
  },
};
