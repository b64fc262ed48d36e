/**
 * Stage `analyze-stress`: netting-theory fiber stresses, CLT ply stresses of the
 * [liner / +-a / 90] wall at NWP and at the design burst pressure, the strain-compatible
 * liner stress and the fiber stress ratio (analysis/stress.ts). MPa throughout.
 */
import type { StagePlugin } from '../../../nodes/types.ts';
import { AnalysisInput, runAnalysis } from '../analysis/input.ts';
import { StressResult, analyzeStress } from '../analysis/stress.ts';

/** Output of `analyze-stress`. */
export const AnalyzeStressOutput = StressResult;

/**
 * The analyze-stress stage. Input `{ basis, design }`, output {@link StressResult}.
 * Throws `analysis_invalid_design` (fatal) for a wall the model cannot analyse.
 * @example await analyzeStressStage.run({ basis, design }, ctx) // { stressRatio: 2.81, ... }
 */
export const analyzeStressStage: StagePlugin<typeof AnalysisInput, typeof AnalyzeStressOutput> = {
  name: 'analyze-stress',
  version: '1.0.0',
  description: 'Fiber, ply (CLT) and liner stresses of the tank wall at NWP and at burst pressure, and the fiber stress ratio',
  capabilities: ['h2-tank', 'analysis', 'stress', 'netting-theory', 'classical-lamination-theory'],
  input: AnalysisInput,
  output: AnalyzeStressOutput,
  // Measured about 1 ms per design (warm, shared 2-core machine); the cap is generous.
  policy: { estimateMs: 5, timeoutMs: 10_000 },
  async run({ basis, design }, ctx) {
    ctx.progress(0, `stresses of ${design.id}`);
    const result = runAnalysis('analyze-stress', design.id, ctx.signal, false, () => analyzeStress(basis, design));
    ctx.progress(100, `stress ratio ${result.stressRatio?.toFixed(2) ?? 'n/a'}`);
    return result;
  },
};
