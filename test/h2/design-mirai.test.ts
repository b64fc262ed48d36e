/**
 * The optimiser against a published tank: the first-generation Toyota Mirai (two Type
 * IV tanks, 70 MPa, 122.4 L water volume in all, about 5.0 kg H2, 87.5 kg for the
 * tanks, 5.7 wt %; H2_REFERENCE "A published tank"), and the lightest design checked
 * against an independent hand calculation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DesignBasis, type Design } from '../../plugins/h2-tank/schemas.ts';
import { optimizeStage, type OptimizeOutput } from '../../plugins/h2-tank/stages/optimize.ts';
import { evaluateDesign } from '../../plugins/h2-tank/engineering/evaluate-design.ts';
import { designContext } from '../../plugins/h2-tank/engineering/design-context.ts';
import { cylinderLengthForVolumeMm } from '../../plugins/h2-tank/engineering/tank-model.ts';
import { runToEnd } from './stage-harness.ts';

const MIRAI = { waterVolumeL: 122.4, storedH2Kg: 5.0, tankMassKg: 87.5, gravimetricPct: 5.7 };

const basis = DesignBasis.parse({
  requirements: {
    pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'JP', temperatureC: { min: -40, max: 85 },
    envelope: {}, standards: ['GTR13'], priorities: ['lightest'], assumptions: [], parsedBy: 'structured',
  },
  tankType: 'IV', liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, standards: ['GTR13'],
  goal: 'min-mass', tightening: { burstRatioFactor: 1 }, seed: 2015,
});

/** Brute-force meridian integrals in rho (midpoint rule), independent of dome.ts: area / R^2 and ∫ds/cos a / R. */
function bruteDome(rho0: number): { area: number; helical: number } {
  const x0 = rho0 * rho0;
  const k = 1 / (1 - x0);
  const re = Math.sqrt((Math.sqrt(4 * k - 3) - 1) / 2); // where the radicand of dz/drho vanishes
  const n = 2_000_000;
  const h = (1 - re) / n;
  let area = 0;
  let helical = 0;
  for (let i = 0; i < n; i++) {
    const r = re + (i + 0.5) * h;
    const dz = r ** 3 / Math.sqrt((r * r - x0) / (1 - x0) - r ** 6);
    const ds = Math.sqrt(1 + dz * dz) * h;
    area += 2 * Math.PI * r * ds;
    helical += ds / Math.sqrt(1 - x0 / (r * r));
  }
  return { area, helical };
}

describe('optimiser vs Toyota Mirai (gen 1), 70 MPa, 5 kg, Type IV, HDPE, T700S, min-mass', () => {
  let out: OptimizeOutput;
  let best: Design;
  beforeAll(async () => {
    out = (await runToEnd<OptimizeOutput>(optimizeStage, basis)).output;
    best = out.front[0];
  });

  it('finds a feasible front sorted by mass', () => {
    expect(out.feasible).toBe(true);
    expect(out.front.length).toBeGreaterThan(10);
    for (let i = 1; i < out.front.length; i++) expect(out.front[i].totals.massKg).toBeGreaterThanOrEqual(out.front[i - 1].totals.massKg);
    expect(out.evaluations).toBe(100 * 201);
  });

  it('stores the required hydrogen and no more, at the real-gas density (system totals)', () => {
    // >= 5 kg is a constraint; the optimiser has no reason to oversize: within 0.1 %.
    expect(best.totals.storedH2Kg).toBeGreaterThanOrEqual(5 - 1e-9);
    expect(best.totals.storedH2Kg).toBeLessThan(5 * 1.001);
    // Mirai "about 5.0 kg": within 5 %.
    expect(Math.abs(best.totals.storedH2Kg / MIRAI.storedH2Kg - 1)).toBeLessThan(0.05);
    // Water volume: 5.0 kg / 40.17 kg/m3 = 124.5 L vs the Mirai's 122.4 L (which holds 4.92 kg
    // at 15 C, H2_REFERENCE check): within 3 %, the gap being the Mirai's rounded "5.0 kg".
    expect(Math.abs(best.totals.waterVolumeL / MIRAI.waterVolumeL - 1)).toBeLessThan(0.03);
    // Volumetric on water volume = real-gas density at 70 MPa, 15 C (40.17 g/L [C]).
    expect(Math.abs(best.totals.volumetricKgPerL / 0.04017 - 1)).toBeLessThan(1e-3);
  });

  it('is lighter than the Mirai by the margin expected of a netting-theory minimum', () => {
    // The model sizes fibers exactly to burst at 2.25 x NWP with eta = 0.8 (netting theory,
    // H2_REFERENCE), which is the pressure-vessel minimum 3 p V / sigma, plus liner and bosses.
    // The Mirai's 87.5 kg also carries dome and transition reinforcement, impact protection,
    // fittings, a design burst margin above the 2.25 minimum and fatigue-driven layup; wound
    // tanks commonly weigh 1.5-2x the netting minimum [R]. So the model must come out at
    // 0.40-0.70 of the Mirai: a factor-2 error either way in the composite leaves this band.
    const ratio = best.totals.massKg / MIRAI.tankMassKg;
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.7);
    // Gravimetric (H2 / tank mass, the Mirai's 5.7 wt % convention) follows: above the Mirai's.
    expect(best.totals.gravimetricPct).toBeGreaterThan(MIRAI.gravimetricPct);
    expect(best.totals.gravimetricPct).toBeLessThan(MIRAI.gravimetricPct / 0.4);
  });

  it('two tanks, as in the Mirai, cost the model under 10 % more mass than its optimum', () => {
    // Same section, half the volume each: more dome, liner and boss per litre.
    const v = best.variables;
    const ctx = designContext(basis);
    const perTankL = best.totals.waterVolumeL / 2;
    const radius = Math.min(v.innerRadiusMm, 200);
    const length = cylinderLengthForVolumeMm(ctx, radius, v.helicalAngleDeg, perTankL);
    const two = evaluateDesign({ ...v, count: 2, innerRadiusMm: radius, cylinderLengthMm: length }, basis);
    expect(Math.abs(two.totals.waterVolumeL / best.totals.waterVolumeL - 1)).toBeLessThan(1e-9);
    expect(two.totals.massKg).toBeGreaterThan(best.totals.massKg);
    expect(two.totals.massKg / best.totals.massKg - 1).toBeLessThan(0.1);
  });

  it('matches a hand calculation of the lightest design to 0.2 %', () => {
    const v = best.variables;
    const n = v.count;
    const R = v.innerRadiusMm;
    const L = v.cylinderLengthMm;
    const a = (v.helicalAngleDeg * Math.PI) / 180;
    const vf = v.fiberVolumeFraction;
    const tl = v.linerThicknessMm;
    const pb = 2.25 * 70 * v.burstFactor; // MPa, burst target
    const sf = 0.8 * 4900; // MPa, eta x T700S strength
    const tHel = (pb * R) / (2 * sf * Math.cos(a) ** 2); // mm fiber
    const tHoop = (pb * R * (2 - Math.tan(a) ** 2)) / (2 * sf);
    const tc = (tHel + tHoop) / vf; // mm composite
    const rhoC = vf * 1800 + (1 - vf) * 1200; // kg/m3
    const Rl = R + tl;
    const Ro = Rl + tc;
    const m3 = 1e-9; // per mm3
    const dome = bruteDome(Math.sin(a));
    const cylComposite = Math.PI * (Ro ** 2 - Rl ** 2) * L * m3 * rhoC;
    // Helical layers over both domes: 2 x 2 pi t_R R^2 cos a ∫ds/cos a (fiber conservation + Clairaut).
    const domeComposite = 2 * 2 * Math.PI * (tHel / vf) * Rl ** 2 * Math.cos(a) * dome.helical * m3 * rhoC;
    const liner = (Math.PI * (Rl ** 2 - R ** 2) * L + 2 * dome.area * (R + tl / 2) ** 2 * tl) * m3 * 950;
    // Bosses: Al disc radius 2 r0, t = r0 sqrt(3 (3 + 0.33) pb / (8 x 276)) (Roark 11.2-10a).
    const r0 = Math.sin(a) * Rl;
    const tBoss = r0 * Math.sqrt((3 * 3.33 * pb) / (8 * 276));
    const bosses = 2 * Math.PI * (2 * r0) ** 2 * tBoss * m3 * 2700;
    const hand = n * (cylComposite + domeComposite + liner + bosses);
    expect(Math.abs(best.layup.helicalFiberMm / tHel - 1)).toBeLessThan(1e-9);
    expect(Math.abs(best.layup.compositeMm / tc - 1)).toBeLessThan(1e-9);
    expect(Math.abs(best.massKg.liner / liner - 1)).toBeLessThan(2e-3);
    expect(Math.abs(best.massKg.composite / (cylComposite + domeComposite) - 1)).toBeLessThan(2e-3);
    expect(Math.abs(best.totals.massKg / hand - 1)).toBeLessThan(2e-3);
    // Stored H2: water volume x 40.17 kg/m3 ([C] density at 70 MPa, 15 C; 0.1 %).
    expect(Math.abs(best.totals.storedH2Kg / ((best.totals.waterVolumeL / 1000) * 40.17) - 1)).toBeLessThan(1e-3);
  });
});
