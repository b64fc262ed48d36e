/**
 * Stage `analyze-failure`: first-ply failure by the Hashin criterion, burst pressure by
 * progressive ply discount (fiber failure, 0.8 translation efficiency) and the burst
 * ratio against the basis's required ratio (analysis/failure.ts).
 */
import type { StagePlugin } from '../../../nodes/types.ts';
import { FailureResult, analyzeFailure } from '../analysis/failure.ts';
import { AnalysisInput, runAnalysis } from '../analysis/input.ts';

/** Output of `analyze-failure`. */
export const AnalyzeFailureOutput = FailureResult;

/**
 * The analyze-failure stage. Input `{ basis, design }`, output {@link FailureResult}.
 * Throws `analysis_invalid_design` (fatal) for a wall the model cannot analyse.
 * @example (await analyzeFailureStage.run({ basis, design }, ctx)).burstRatio // 2.27
 */
export const analyzeFailureStage: StagePlugin<typeof AnalysisInput, typeof AnalyzeFailureOutput> = {
  name: 'analyze-failure',
  version: '1.0.0',
  description: 'First-ply failure (Hashin) and fiber-failure burst pressure of the tank wall, with the burst-ratio check',
  capabilities: ['h2-tank', 'analysis', 'failure', 'burst', 'hashin', 'progressive-failure'],
  input: AnalysisInput,
  output: AnalyzeFailureOutput,
  // Measured about 1.5 ms per design (four CLT solves).
  policy: { estimateMs: 5, timeoutMs: 10_000 },
  async run({ basis, design }, ctx) {
    ctx.progress(0, `failure analysis of ${design.id}`);
    const result = runAnalysis('analyze-failure', design.id, ctx.signal, false, () => analyzeFailure(basis, design));
    ctx.progress(100, `burst ${result.predictedBurstMPa.toFixed(1)} MPa (${result.burstRatio.toFixed(2)} x NWP)`);
    return result;
  },
};
