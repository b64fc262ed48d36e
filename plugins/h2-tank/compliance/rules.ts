/**
 * Compliance rules: one rule per requirement per governing standard, each judged from
 * the analyses (stress, failure, and the optional thermal fast fill) against the limits
 * in limits.ts. A rule whose analysis is missing, or that cannot be judged without test
 * data, is `not-assessable` with the reason; it does not fail the design. When a rule
 * fails, `tighten` tells the optimiser how to tighten its constraints on the loop-back.
 */
import { z } from 'zod';
import { Design, DesignBasis, Standard } from '../schemas.ts';
import { CostResult } from '../analysis/cost.ts';
import { FailureResult } from '../analysis/failure.ts';
import { SourceTag, basisForDesign } from '../analysis/input.ts';
import { StressResult } from '../analysis/stress.ts';
import { ThermalResult } from '../analysis/thermal.ts';
import { deliveredStressFactor, linerMaterial } from '../engineering/materials.ts';
import { fatigueCycles } from '../engineering/steel-wall.ts';
import { BURST_RATIO } from '../decisions/materials.ts';
import { CYCLING_PROXY_STRESS_RATIO, STANDARD_LIMITS, fiberFamily, type StandardLimits } from './limits.ts';

/** The requirements every standard is checked for. */
export const RULE_KINDS = ['burst', 'service-temperature', 'fast-fill-gas-temperature', 'proof-pressure', 'pressure-cycling', 'permeation'] as const;
export const RuleKind = z.enum(RULE_KINDS);
export type RuleKind = z.infer<typeof RuleKind>;

export const Verdict = z.enum(['pass', 'fail', 'not-assessable']);
export type Verdict = z.infer<typeof Verdict>;

/** A number, or a [min, max] range. */
const Figure = z.union([z.number(), z.tuple([z.number(), z.number()])]).nullable();

/** One judged rule. `id` is `<standard>:<rule>`, e.g. `GTR13:burst`. */
export const ComplianceRule = z.object({
  id: z.string(),
  rule: RuleKind,
  standard: Standard,
  /** The test or clause the rule stands for (tests are named; no clause numbers are claimed). */
  clause: z.string(),
  requirement: z.string(),
  limit: Figure,
  measured: Figure,
  unit: z.string(),
  verdict: Verdict,
  note: z.string(),
  /** Source label of the limit (H2_REFERENCE). */
  source: SourceTag,
});
export type ComplianceRule = z.infer<typeof ComplianceRule>;

/** Input of `check-compliance`: the design and its analyses; thermal and cost may be missing when degraded. */
export const ComplianceInput = z.object({
  basis: DesignBasis,
  design: Design,
  stress: StressResult,
  failure: FailureResult,
  thermal: ThermalResult.nullable().optional(),
  cost: CostResult.nullable().optional(),
});
export type ComplianceInput = z.infer<typeof ComplianceInput>;

/** Output of `check-compliance`. */
export const ComplianceResult = z.object({
  rules: z.array(ComplianceRule),
  /** No rule failed (not-assessable rules do not fail a design). */
  passed: z.boolean(),
  failures: z.array(z.string()),
  notAssessable: z.array(z.string()),
  /** How the optimiser's constraints should be tightened on the loop-back, when something failed. */
  tighten: z.object({ burstRatioFactor: z.number().min(1).optional(), maxGasTempC: z.number().optional() }).optional(),
});
export type ComplianceResult = z.infer<typeof ComplianceResult>;

/** Margin added on top of a shortfall when tightening (5 %). */
export const TIGHTEN_MARGIN = 1.05;

type Draft = Omit<ComplianceRule, 'id' | 'standard' | 'source'> & { source?: SourceTag };

const atLeast = (measured: number, limit: number): Verdict => (measured >= limit * (1 - 1e-9) ? 'pass' : 'fail');
const atMost = (measured: number, limit: number): Verdict => (measured <= limit * (1 + 1e-9) ? 'pass' : 'fail');

/** Cycles a steel vessel must survive in the screening estimate: the GTR 13 figure, 22,000 to 125 % NWP [R], taken for every standard (conservative). */
export const STEEL_CYCLES_REQUIRED = 22_000;

/** Type I pressure cycling: Basquin-Morrow estimate of cycles to crack initiation at the bore, with a hydrogen knock-down (steel-wall.ts), reported as not assessable. */
function steelCycling(lim: StandardLimits, input: ComplianceInput): Draft {
  const { basis, design } = input;
  const liner = linerMaterial(basis.liner);
  const steel = { yieldMPa: liner.yieldStrengthMPa ?? liner.tensileStrengthMPa, tensileMPa: liner.tensileStrengthMPa };
  const cycles = fatigueCycles(design.geometry.innerRadiusMm, design.variables.linerThicknessMm, 1.25 * basis.requirements.pressureMPa, steel);
  return {
    rule: 'pressure-cycling', clause: lim.cyclingTest,
    requirement: `${lim.cycling.value}; screening: estimated cycles to 125 % NWP >= ${STEEL_CYCLES_REQUIRED}`,
    limit: STEEL_CYCLES_REQUIRED, measured: Math.round(Math.min(cycles, 1e9)), unit: 'cycles',
    // Reported, not judged: the estimate's constants are typical values [T] and its H2
    // knock-down a guess; a cycle test or an ISO 11114-4 / fracture-mechanics analysis decides.
    verdict: 'not-assessable',
    note: `Screening estimate ${Math.round(cycles)} cycles (${cycles >= STEEL_CYCLES_REQUIRED ? 'above' : 'BELOW'} ${STEEL_CYCLES_REQUIRED}): Basquin-Morrow on the Lamé bore von Mises stress, sigma_f' = Rm + 345 MPa, b = -0.09, stress amplitude doubled for hydrogen [T]; UTS ${steel.tensileMPa} MPa (<= 950 for H2, ISO 11114-1 [R]). Not the cycle test: a test or a fracture-mechanics analysis decides.`,
  };
}

/** The six rules of one standard. */
function rulesOf(standard: Standard, lim: StandardLimits, input: ComplianceInput): Draft[] {
  const { basis, stress, failure, thermal } = input;
  // Type I (no fiber): the steel burst ratio of the standard (decisions/materials.ts BURST_RATIO, metal).
  const burst = basis.fiber === 'none'
    ? { value: BURST_RATIO[standard].metal, basis: 'seamless steel burst ratio of the standard [R]' }
    : lim.burstRatio[fiberFamily(basis.fiber)];
  const family = basis.fiber === 'none' ? 'carbon' : fiberFamily(basis.fiber);
  const [tMin, tMax] = lim.serviceTempC.value;
  const req = basis.requirements.temperatureC;
  const hasComposite = stress.stressRatio !== null;
  const metalLiner = stress.liner.loadBearing;
  const drafts: Draft[] = [];

  drafts.push({
    rule: 'burst', clause: lim.burstTest,
    requirement: `predicted burst pressure >= ${burst.value} x NWP (${burst.basis})`,
    limit: burst.value, measured: failure.predictedBurstMPa / failure.nwpMPa, unit: 'x NWP',
    verdict: atLeast(failure.predictedBurstMPa / failure.nwpMPa, burst.value),
    note: `Predicted burst ${failure.predictedBurstMPa.toFixed(1)} MPa by ${failure.burstMethod} (${failure.criterion}).`,
  });

  const covered = req.min >= tMin && req.max <= tMax;
  drafts.push({
    rule: 'service-temperature', clause: `${lim.name}, service temperature range`,
    requirement: `application range within the qualified ${tMin} to ${tMax} C (${lim.serviceTempC.basis})`,
    limit: [tMin, tMax], measured: [req.min, req.max], unit: 'C', verdict: covered ? 'pass' : 'fail',
    note: covered ? 'The qualification range covers the required service range.' : 'The required service range exceeds what this standard qualifies the container for.',
  });

  drafts.push(thermal
    ? {
      rule: 'fast-fill-gas-temperature', clause: `${lim.name}, fueling gas temperature limit`,
      requirement: `peak gas temperature during fast fill <= ${tMax} C`,
      limit: tMax, measured: thermal.withHeatTransfer.peakGasTempC, unit: 'C',
      verdict: atMost(thermal.withHeatTransfer.peakGasTempC, tMax),
      note: `Lumped real-gas fill ${thermal.conditions.initialPressureMPa}->${thermal.conditions.finalPressureMPa} MPa in ${thermal.conditions.fillTimeS} s, inlet ${thermal.conditions.inletTempC} C (adiabatic bound ${thermal.adiabatic.peakGasTempC.toFixed(1)} C).`,
    }
    : {
      rule: 'fast-fill-gas-temperature', clause: `${lim.name}, fueling gas temperature limit`,
      requirement: `peak gas temperature during fast fill <= ${tMax} C`, limit: tMax, measured: null, unit: 'C',
      verdict: 'not-assessable', note: 'The thermal analysis did not run (degraded run): no fill temperature to judge.',
    });

  // Proof: composite fiber stress at proof vs 0.8 x strength; liner von Mises at proof vs yield.
  const proof = lim.proofRatio.value;
  const compositeUtil = hasComposite && basis.fiber !== 'none' ? proof / (deliveredStressFactor(basis.fiber) * (stress.stressRatio as number)) : 0;
  const linerUtil = (proof * stress.liner.vonMisesNwpMPa) / stress.liner.yieldMPa;
  const autofrettaged = metalLiner && hasComposite && linerUtil > 1;
  const proofMeasured = autofrettaged ? compositeUtil : Math.max(compositeUtil, linerUtil);
  drafts.push({
    rule: 'proof-pressure', clause: lim.proofTest,
    requirement: `elastic at ${proof} x NWP: fiber stress <= delivered fiber stress, liner von Mises <= yield (${lim.proofRatio.basis})`,
    limit: 1, measured: proofMeasured, unit: 'utilisation',
    verdict: autofrettaged ? 'not-assessable' : atMost(proofMeasured, 1),
    note: autofrettaged
      ? `Composite utilisation ${compositeUtil.toFixed(2)}; the metal liner exceeds yield at proof in the elastic model (${(linerUtil * 100).toFixed(0)} %): Type II/III liners are autofrettaged, which is not modelled.`
      : `Composite utilisation ${compositeUtil.toFixed(2)} (netting fiber stress), liner ${linerUtil.toFixed(2)} (strain-compatible CLT, linear).`,
  });

  const proxy = CYCLING_PROXY_STRESS_RATIO[family];
  drafts.push(hasComposite
    ? {
      rule: 'pressure-cycling', clause: lim.cyclingTest,
      requirement: `${lim.cycling.value}; engineering proxy: fiber stress ratio at NWP >= ${proxy}`,
      limit: proxy, measured: stress.stressRatio, unit: 'strength / stress',
      verdict: atLeast(stress.stressRatio as number, proxy),
      note: 'Proxy, not the cycle test: fiber strength / fiber stress at NWP against the stress ratio these standards set for the fiber (stress rupture and fatigue) [R]; liner fatigue not assessed.',
    }
    : basis.tankType === 'I'
      ? steelCycling(lim, input)
      : {
        rule: 'pressure-cycling', clause: lim.cyclingTest, requirement: lim.cycling.value, limit: null, measured: null, unit: '-',
        verdict: 'not-assessable', note: 'All-metal wall: cycle life needs a fatigue (S-N or fracture-mechanics) analysis of the metal, not done here.',
      });

  drafts.push({
    rule: 'permeation', clause: lim.permeationTest, requirement: lim.permeation.value, limit: null, measured: null, unit: 'mL/h/L',
    verdict: metalLiner ? 'pass' : 'not-assessable',
    note: metalLiner
      ? 'Metal liner: hydrogen permeation through the metal is negligible at these temperatures [T].'
      : `Polymer (${basis.liner}) liner: permeation depends on the liner grade and needs test data; not assessable by analysis.`,
  });
  return drafts;
}

/**
 * Checks a design against every governing standard of its basis.
 * @example checkCompliance({ basis, design, stress, failure, thermal: null }).failures // e.g. ['GTR13:burst']
 */
export function checkCompliance(input: ComplianceInput): ComplianceResult {
  input = { ...input, basis: basisForDesign(input.basis, input.design) };
  const rules: ComplianceRule[] = [];
  for (const standard of [...new Set(input.basis.standards)]) {
    for (const d of rulesOf(standard, STANDARD_LIMITS[standard], input)) {
      rules.push({ ...d, id: `${standard}:${d.rule}`, standard, source: d.source ?? '[R]' });
    }
  }
  const failing = rules.filter((r) => r.verdict === 'fail');
  const tighten = failing.length > 0 ? tightenFor(failing, input.basis) : undefined;
  return {
    rules,
    passed: failing.length === 0,
    failures: failing.map((r) => r.id),
    notAssessable: rules.filter((r) => r.verdict === 'not-assessable').map((r) => r.id),
    // Absent rather than `undefined`: the result lands in checkpoints and design.json, which drop undefined keys.
    ...(tighten ? { tighten } : {}),
  };
}

/**
 * Tightened optimiser constraints for failed rules: strength rules (burst, cycling proxy,
 * proof) raise the burst-ratio factor to the current one x the worst shortfall x 1.05;
 * a fill-temperature failure lowers the gas-temperature cap by 1.05 x the overshoot.
 * Undefined when no failed rule can be fixed by the optimiser.
 */
export function tightenFor(failing: ComplianceRule[], basis: DesignBasis): ComplianceResult['tighten'] {
  let shortfall = 1;
  let maxGasTempC: number | undefined;
  for (const r of failing) {
    if (typeof r.measured !== 'number' || typeof r.limit !== 'number') continue;
    if (r.rule === 'burst' || r.rule === 'pressure-cycling') shortfall = Math.max(shortfall, r.limit / r.measured);
    if (r.rule === 'proof-pressure') shortfall = Math.max(shortfall, r.measured / r.limit);
    if (r.rule === 'fast-fill-gas-temperature') {
      const cap = r.limit - TIGHTEN_MARGIN * (r.measured - r.limit);
      maxGasTempC = Math.min(maxGasTempC ?? Infinity, basis.tightening.maxGasTempC ?? Infinity, cap);
    }
  }
  const out: NonNullable<ComplianceResult['tighten']> = {};
  if (shortfall > 1) out.burstRatioFactor = basis.tightening.burstRatioFactor * shortfall * TIGHTEN_MARGIN;
  if (maxGasTempC !== undefined) out.maxGasTempC = maxGasTempC;
  // A failure the optimiser cannot act on (e.g. the service range) gives no tightening.
  return Object.keys(out).length > 0 ? out : undefined;
}
