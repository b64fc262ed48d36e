/**
 * Compliance verdicts per standard for passing and failing designs, not-assessable
 * rules when an optional analysis is missing, and the loop-back tightening.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFailure } from '../../plugins/h2-tank/analysis/failure.ts';
import { analyzeStress } from '../../plugins/h2-tank/analysis/stress.ts';
import { analyzeThermal, type ThermalResult } from '../../plugins/h2-tank/analysis/thermal.ts';
import { checkCompliance, type ComplianceInput, type ComplianceResult } from '../../plugins/h2-tank/compliance/rules.ts';
import type { DesignBasis } from '../../plugins/h2-tank/schemas.ts';
import { checkComplianceStage } from '../../plugins/h2-tank/stages/check-compliance.ts';
import { abortedSignal, basisFor, designFor, stageContext, type BasisOptions } from './analysis-fixtures.ts';

/** Analyses a design sized under `sizing` and judges it under `judged` (defaults: the same basis). */
function inputFor(sizing: BasisOptions, judged: BasisOptions = sizing, thermal = true): ComplianceInput {
  const sizingBasis = basisFor(sizing);
  const basis: DesignBasis = basisFor(judged);
  const design = designFor(sizingBasis);
  return {
    basis,
    design,
    stress: analyzeStress(basis, design),
    failure: analyzeFailure(basis, design),
    thermal: thermal ? analyzeThermal(basis, design) : null,
    cost: null,
  };
}

const rule = (r: ComplianceResult, id: string) => {
  const found = r.rules.find((x) => x.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

describe('check-compliance', () => {
  it('passes a 70 MPa Type IV T700S design sized to 2.25 x NWP under GTR 13', () => {
    const r = checkCompliance(inputFor({}));
    expect(r.rules.map((x) => x.rule)).toEqual(['burst', 'service-temperature', 'fast-fill-gas-temperature', 'proof-pressure', 'pressure-cycling', 'permeation']);
    expect(r.passed).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.tighten).toBeUndefined();
    expect(rule(r, 'GTR13:burst').limit).toBe(2.25);
    expect(rule(r, 'GTR13:pressure-cycling').measured).toBeCloseTo(2.25 / 0.7, 9); // 4900 / 1524.4, delivered stress 0.70 x strand
    expect(rule(r, 'GTR13:fast-fill-gas-temperature').verdict).toBe('pass');
    expect(rule(r, 'GTR13:permeation').verdict).toBe('not-assessable');
    expect(r.rules.every((x) => x.source === '[R]')).toBe(true);
  });

  it('fails `burst` for a design with burst ratio 2.0 under GTR 13 and asks for 1.05 x the shortfall', () => {
    const r = checkCompliance(inputFor({ burstRatio: 2.0 }, {}));
    const burst = rule(r, 'GTR13:burst');
    expect(burst.verdict).toBe('fail');
    expect(burst.measured as number).toBeCloseTo(2.0, 1);
    expect(r.passed).toBe(false);
    expect(r.failures).toContain('GTR13:burst');
    expect(r.tighten?.burstRatioFactor).toBeCloseTo((2.25 / (burst.measured as number)) * 1.05, 9);
  });

  it('marks the fill-temperature rule not-assessable when the thermal stage is missing', () => {
    const r = checkCompliance(inputFor({}, {}, false));
    const fill = rule(r, 'GTR13:fast-fill-gas-temperature');
    expect(fill.verdict).toBe('not-assessable');
    expect(fill.measured).toBeNull();
    expect(r.notAssessable).toContain('GTR13:fast-fill-gas-temperature');
    expect(r.passed).toBe(true);
  });

  it('fails a fill that ends at 90 C and lowers the gas-temperature cap by 1.05 x the overshoot', () => {
    const input = inputFor({});
    const t = input.thermal as ThermalResult;
    const hot: ThermalResult = { ...t, withHeatTransfer: { ...t.withHeatTransfer, peakGasTempC: 90, finalGasTempC: 90 } };
    const r = checkCompliance({ ...input, thermal: hot });
    expect(r.failures).toEqual(['GTR13:fast-fill-gas-temperature']);
    expect(r.tighten).toEqual({ maxGasTempC: 85 - 1.05 * 5 });
  });

  it('requires 3.5 x NWP for glass, so a glass layup sized to 2.25 fails', () => {
    const r = checkCompliance(inputFor({ fiber: 'E-glass', burstRatio: 2.25 }, { fiber: 'E-glass', burstRatio: 3.5 }));
    expect(rule(r, 'GTR13:burst').limit).toBe(3.5);
    expect(r.failures).toEqual(expect.arrayContaining(['GTR13:burst', 'GTR13:pressure-cycling']));
  });

  it('judges every governing standard: ISO 11119-3 needs 3 x NWP and qualifies only to 65 C', () => {
    const r = checkCompliance(inputFor({ standards: ['GTR13', 'EC79', 'ISO11119-3'] }));
    expect(r.rules).toHaveLength(18);
    expect(rule(r, 'EC79:burst').verdict).toBe('pass');
    expect(rule(r, 'ISO11119-3:burst').limit).toBe(3);
    expect(r.failures).toEqual(['ISO11119-3:burst', 'ISO11119-3:service-temperature']);
    expect(rule(r, 'ISO11119-3:service-temperature').measured).toEqual([-40, 85]);
  });

  it('fails the service range when the application needs -50 C', () => {
    const r = checkCompliance(inputFor({ temperatureC: { min: -50, max: 85 } }));
    expect(r.failures).toEqual(['GTR13:service-temperature']);
    expect(r.tighten).toBeUndefined(); // nothing the optimiser can change
  });

  it('treats a Type III metal liner: permeation passes, proof is not assessable (autofrettage)', () => {
    const r = checkCompliance(inputFor({ tankType: 'III', liner: 'Al6061-T6' }));
    expect(rule(r, 'GTR13:permeation').verdict).toBe('pass');
    expect(rule(r, 'GTR13:proof-pressure').verdict).toBe('not-assessable');
    expect(r.passed).toBe(true);
  });

  it('stage: accepts missing thermal and cost, validates its output, honours the signal', async () => {
    const { thermal: _t, cost: _c, ...rest } = inputFor({});
    const parsed = checkComplianceStage.input.parse(rest);
    const ctx = stageContext();
    const out = checkComplianceStage.output.parse(await checkComplianceStage.run(parsed, ctx));
    expect(rule(out, 'GTR13:fast-fill-gas-temperature').verdict).toBe('not-assessable');
    expect(ctx.reports.at(-1)).toBe(100);
    const { signal, reason } = abortedSignal();
    await expect(checkComplianceStage.run(parsed, stageContext(signal))).rejects.toBe(reason);
  });
});
