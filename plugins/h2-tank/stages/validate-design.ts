/**
 * Stage `validate-design`: an independent numerical check of the analytic shell
 * stresses. The wall is solved as a layered, cylindrically orthotropic thick cylinder
 * (Lekhnitskii, generalised plane strain) and compared with the CLT membrane stresses
 * at NWP; a design whose mean stress deviation exceeds the tolerance (10 %) is flagged
 * (validation/shell-check.ts).
 */
import type { StagePlugin } from '../../../nodes/types.ts';
import { AnalysisInput, runAnalysis } from '../analysis/input.ts';
import { ValidationResult, validateDesign } from '../validation/shell-check.ts';

/** Output of `validate-design`. */
export const ValidateDesignOutput = ValidationResult;

/**
 * The validate-design stage. Input `{ basis, design }`, output {@link ValidationResult}.
 * Throws `analysis_invalid_design` (fatal) for a wall the model cannot analyse.
 * @example (await validateDesignStage.run({ basis, design }, ctx)).flagged // false
 */
export const validateDesignStage: StagePlugin<typeof AnalysisInput, typeof ValidateDesignOutput> = {
  name: 'validate-design',
  version: '1.0.0',
  description: 'Checks the analytic shell stresses against a layered anisotropic thick-cylinder solution and flags large deviations',
  capabilities: ['h2-tank', 'validation', 'thick-cylinder', 'lekhnitskii'],
  input: AnalysisInput,
  output: ValidateDesignOutput,
  // Measured about 3 ms per design (a 7 x 7 linear solve, one CLT solve, sampling).
  policy: { estimateMs: 5, timeoutMs: 10_000 },
  async run({ basis, design }, ctx) {
    ctx.progress(0, `thick-cylinder check of ${design.id}`);
    const result = runAnalysis('validate-design', design.id, ctx.signal, false, () => validateDesign(basis, design));
    ctx.progress(100, `max deviation ${(100 * result.maxMeanDeviation).toFixed(1)} %${result.flagged ? ' (flagged)' : ''}`);
    return result;
  },
};
