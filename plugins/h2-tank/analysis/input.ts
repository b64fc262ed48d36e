/**
 * The input every h2-tank analysis stage reads: the settled design basis and one
 * evaluated design. Built from the shared schemas so a stage's input fits the
 * optimiser's output.
 */
import { z } from 'zod';
import { StagegraphError } from '../../../nodes/errors.ts';
import { Design, DesignBasis } from '../schemas.ts';

/**
 * The basis as it applies to one design: the optimiser may have chosen another fiber
 * grade or liner than the decided pair (`design.materials`), and every analysis must
 * see the materials the design was sized with.
 * @example basisForDesign(basis, design).fiber // 'T800S' when the design uses it
 */
export function basisForDesign(basis: DesignBasis, design: Design): DesignBasis {
  const fiber = design.materials?.fiber ?? design.variables.fiber ?? basis.fiber;
  const liner = design.materials?.liner ?? design.variables.liner ?? basis.liner;
  return fiber === basis.fiber && liner === basis.liner ? basis : { ...basis, fiber, liner };
}

/**
 * Input of `analyze-stress`, `analyze-failure`, `analyze-thermal`, `analyze-cost` and
 * `validate-design`.
 * @example AnalysisInput.parse({ basis, design })
 */
export const AnalysisInput = z.object({
  basis: DesignBasis,
  design: Design,
});
export type AnalysisInput = z.infer<typeof AnalysisInput>;

/** Where a figure comes from (H2_REFERENCE.md labels). */
export const SourceTag = z.enum(['[S]', '[C]', '[T]', '[R]']);
export type SourceTag = z.infer<typeof SourceTag>;

/** Throws the signal's reason when the run was paused, aborted or timed out. */
export function checkAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/** Hooks a pure analysis accepts so that a stage can cancel it and see its progress. */
export interface AnalysisHooks {
  /** Checked before and inside heavy loops. */
  signal?: AbortSignal;
  /** 0-100. */
  progress?: (pct: number, note?: string) => void;
}

/**
 * Runs a pure analysis for a stage: checks the signal first and turns an engineering
 * `RangeError` (a design the model cannot analyse) into `analysis_invalid_design`,
 * class `degradable` for an optional stage (skip and continue) and `fatal` otherwise.
 * Abort reasons and other errors pass through untouched.
 */
export function runAnalysis<T>(stage: string, designId: string, signal: AbortSignal, optional: boolean, fn: () => T): T {
  signal.throwIfAborted();
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new StagegraphError('analysis_invalid_design', `${stage}: design ${designId} cannot be analysed: ${e.message}`, {
      class: optional ? 'degradable' : 'fatal',
      details: { stage, designId },
      cause: e,
    });
  }
}
