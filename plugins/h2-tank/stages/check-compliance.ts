/**
 * Stage `check-compliance`: one rule per requirement per governing standard (burst,
 * service temperature, fast-fill gas temperature, proof pressure, pressure cycling by
 * a stress-ratio proxy, permeation), each with limit, measured value, verdict and the
 * test it stands for (compliance/rules.ts). A failed rule yields `tighten`, the
 * constraints for the optimiser's loop-back.
 */
import type { StagePlugin } from '../../../nodes/types.ts';
import { ComplianceInput, ComplianceResult, checkCompliance } from '../compliance/rules.ts';

/** Input of `check-compliance`: `{ basis, design, stress, failure, thermal?, cost? }` (thermal/cost null when degraded). */
export const CheckComplianceInput = ComplianceInput;
/** Output of `check-compliance`: `{ rules, passed, failures, notAssessable, tighten? }`. */
export const CheckComplianceOutput = ComplianceResult;

/**
 * The check-compliance stage.
 * @example (await checkComplianceStage.run({ basis, design, stress, failure, thermal: null }, ctx)).failures
 */
export const checkComplianceStage: StagePlugin<typeof CheckComplianceInput, typeof CheckComplianceOutput> = {
  name: 'check-compliance',
  version: '1.0.0',
  description: 'Checks a tank design against GTR 13 / UN R134 / SAE J2579, EC 79, ISO 19881 and ISO 11119-3 requirements',
  capabilities: ['h2-tank', 'compliance', 'standards', 'loop-back'],
  input: CheckComplianceInput,
  output: CheckComplianceOutput,
  // Measured about 0.3 ms (18 rules, table look-ups).
  policy: { estimateMs: 2, timeoutMs: 10_000 },
  async run(input, ctx) {
    ctx.signal.throwIfAborted();
    ctx.progress(0, `checking ${input.basis.standards.join(', ')}`);
    const result = checkCompliance(input);
    if (!result.passed) ctx.log.info('compliance failed', { failures: result.failures, tighten: result.tighten });
    ctx.progress(100, result.passed ? 'all assessable rules pass' : `${result.failures.length} rule(s) fail`);
    return result;
  },
};
