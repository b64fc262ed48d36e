/**
 * The tank model and the optimiser against a published tank: the first-generation
 * Toyota Mirai (two Type IV tanks, 70 MPa, 60.0 + 62.4 L water volume, about 5.0 kg H2,
 * 87.5 kg for the tanks, 5.7 wt %; H2_REFERENCE "A published tank"), the bands a
 * 70 MPa Type IV T700-class design must land in ("What makes a design buildable"), and
 * the lightest design checked against an independent hand calculation with every
 * knock-down (engineering/knockdowns.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DesignBasis, type Design } from '../../plugins/h2-tank/schemas.ts';
import { optimizeStage, type OptimizeOutput } from '../../plugins/h2-tank/stages/optimize.ts';
import { evaluateDesign } from '../../plugins/h2-tank/engineering/evaluate-design.ts';
import { designContext } from '../../plugins/h2-tank/engineering/design-context.ts';
import { cylinderLengthForVolumeMm } from '../../plugins/h2-tank/engineering/tank-model.ts';
import { runToEnd } from './stage-harness.ts';

const MIRAI = { waterVolumeL: 122.4, tanksL: [60.0, 62.4], storedH2Kg: 5.0, tankMassKg: 87.5, gravimetricPct: 5.7 };

const basis = DesignBasis.parse({
  requirements: {
    pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'JP', temperatureC: { min: -40, max: 85 },
    envelope: {}, standards: ['GTR13'], priorities: ['lightest'], assumptions: [], parsedBy: 'structured',
  },
  tankType: 'IV', liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, standards: ['GTR13'],
  goal: 'min-mass', tightening: { burstRatioFactor: 1 }, seed: 2015,
});

/** One Mirai-like tank of `volumeL`: the lightest over inner radii 100-180 mm that fits the car OD of 400 mm (25 mm boss port, HDPE 5 mm, BP0/BPmin 1.10). */
function lightestTank(volumeL: number): Design {
  const ctx = designContext(basis);
  let best: Design | undefined;
  for (let R = 100; R <= 180; R += 1) {
    const a = (Math.asin(Math.min(0.5, Math.max(0.1, 25 / R))) * 180) / Math.PI;
    const d = evaluateDesign({
      count: 1, innerRadiusMm: R, cylinderLengthMm: cylinderLengthForVolumeMm(ctx, R, a, volumeL), helicalAngleDeg: a,
      linerThicknessMm: 5, fiberVolumeFraction: 0.6, burstFactor: 1.1,
    }, basis);
    if (2 * d.geometry.outerRadiusMm <= 400 && (best === undefined || d.massKg.total < best.massKg.total)) best = d;
  }
  return best!;
}

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

  it('weighs the Mirai gen 1 pair (60.0 + 62.4 L, T700S) within 20 % of its 87.5 kg', () => {
    // Tolerance: the knock-downs are stated defaults inside published ranges (delivered
    // fiber stress 0.62-0.80 x strand, dome over-design 1.10-1.25, BP0/BPmin 1.10-1.20;
    // H2_REFERENCE), which together move the composite, about 3/4 of the tank, by about
    // +-20 %. Outside that band the model, not the ranges, is wrong. Before the
    // correction the model weighed 0.40-0.70 of the Mirai.
    const pair = MIRAI.tanksL.map(lightestTank);
    const mass = pair[0].massKg.total + pair[1].massKg.total;
    expect(Math.abs(mass / MIRAI.tankMassKg - 1)).toBeLessThan(0.2);
    const h2 = pair[0].storedH2Kg + pair[1].storedH2Kg;
    expect(Math.abs(h2 - 122.4 * 0.04017)).toBeLessThan(0.01); // 4.92 kg at 15 C (H2_REFERENCE check)
  });

  it('lands the lightest design in the 70 MPa Type IV T700-class bands, tank only', () => {
    // H2_REFERENCE "What makes a design buildable": 4.5-6.5 wt % (Mirai 5.7), NWP x V / mass
    // 750-1,150 bar L/kg (Mirai 979). Above 6.5 % the model beats every production tank: an error.
    expect(best.totals.gravimetricPct).toBeGreaterThanOrEqual(4.5);
    expect(best.totals.gravimetricPct).toBeLessThanOrEqual(6.5);
    const pvPerKg = (700 * best.totals.waterVolumeL) / best.totals.massKg;
    expect(pvPerKg).toBeGreaterThanOrEqual(750);
    expect(pvPerKg).toBeLessThanOrEqual(1150);
    // Every T700S design on the front, not only the lightest.
    for (const d of out.front.filter((x) => x.materials?.fiber === 'T700S')) {
      expect(d.totals.gravimetricPct).toBeGreaterThanOrEqual(4.5);
      expect(d.totals.gravimetricPct).toBeLessThanOrEqual(6.5);
    }
  });

  it('packages 5 kg in the car envelope in two or three tanks: one does not fit', () => {
    expect([2, 3]).toContain(best.variables.count);
    for (const d of out.front) {
      expect(2 * d.geometry.outerRadiusMm).toBeLessThanOrEqual(400 + 1e-6);
      expect(d.packaging!.lengthMm).toBeLessThanOrEqual(1500 + 1e-6);
      expect(d.packaging!.fits).toBe(true);
    }
    // One tank at the full 400 mm OD needs more than the 1,500 mm length, bosses included.
    expect(out.packagingNotes).toEqual([expect.stringMatching(/^1 tank: \d+ mm long at 400 mm OD, over the 1500 mm length limit$/)]);
  });

  it('reports tank-only and system figures apart: system = tanks + 2.5 kg and 300 USD of valves per tank', () => {
    const n = best.variables.count;
    expect(best.totals.massKg).toBeCloseTo(n * best.massKg.total, 9);
    expect(best.totals.system!.massKg).toBeCloseTo(best.totals.massKg + 2.5 * n, 9);
    expect(best.totals.system!.costUsd).toBeCloseTo(best.totals.costUsd + 300 * n, 9);
    expect(best.totals.system!.gravimetricPct).toBeLessThan(best.totals.gravimetricPct);
  });

  it('matches a hand calculation of the lightest design to 0.2 %', () => {
    const v = best.variables;
    const n = v.count;
    const R = v.innerRadiusMm;
    const L = v.cylinderLengthMm;
    const a = (v.helicalAngleDeg * Math.PI) / 180;
    const vf = v.fiberVolumeFraction;
    const tl = v.linerThicknessMm;
    const pb = 2.25 * 70 * v.burstFactor; // MPa, burst target (BP0 = 1.10 x BPmin)
    const sf = 0.7 * 4900; // MPa, delivered stress of T700S (H2_REFERENCE CORRECTION)
    const tHel = (pb * R) / (2 * sf * Math.cos(a) ** 2); // mm fiber
    const tHoop = (pb * R * (2 - Math.tan(a) ** 2)) / (2 * sf);
    const tc = (tHel + tHoop) / vf; // mm composite
    const rhoC = vf * 1800 + (1 - vf) * 1200; // kg/m3
    const Rl = R + tl;
    const Ro = Rl + tc;
    const m3 = 1e-9; // per mm3
    const dome = bruteDome(Math.sin(a));
    // Composite x 1.15 for polar build-up and dome reinforcement (knock-down).
    const cylComposite = 1.15 * Math.PI * (Ro ** 2 - Rl ** 2) * L * m3 * rhoC;
    // Helical layers over both domes: 2 x 2 pi t_R R^2 cos a ∫ds/cos a (fiber conservation + Clairaut).
    const domeComposite = 1.15 * 2 * 2 * Math.PI * (tHel / vf) * Rl ** 2 * Math.cos(a) * dome.helical * m3 * rhoC;
    const liner = (Math.PI * (Rl ** 2 - R ** 2) * L + 2 * dome.area * (R + tl / 2) ** 2 * tl) * m3 * 950;
    // Bosses: Al disc radius 2 r0, t = r0 sqrt(3 (3 + 0.33) pb / (8 x 276)) (Roark 11.2-10a).
    const r0 = Math.sin(a) * Rl;
    const tBoss = r0 * Math.sqrt((3 * 3.33 * pb) / (8 * 276));
    const bosses = 2 * Math.max(Math.PI * (2 * r0) ** 2 * tBoss * m3 * 2700, 0.8); // >= 0.8 kg each (car)
    // 1.5 mm glass/epoxy over the composite (cylinder + both domes), 1,900 kg/m3; 0.4 kg foam cap per dome.
    const protection = (2 * Math.PI * Ro * L + 2 * dome.area * Ro ** 2) * 1.5 * m3 * 1900;
    const hand = n * (cylComposite + domeComposite + liner + bosses + protection + 2 * 0.4);
    expect(Math.abs(best.layup.helicalFiberMm / tHel - 1)).toBeLessThan(1e-9);
    expect(Math.abs(best.layup.compositeMm / tc - 1)).toBeLessThan(1e-9);
    expect(Math.abs(best.massKg.liner / liner - 1)).toBeLessThan(2e-3);
    expect(Math.abs(best.massKg.composite / (cylComposite + domeComposite) - 1)).toBeLessThan(2e-3);
    expect(Math.abs(best.totals.massKg / hand - 1)).toBeLessThan(2e-3);
    // Stored H2: water volume x 40.17 kg/m3 ([C] density at 70 MPa, 15 C; 0.1 %).
    expect(Math.abs(best.totals.storedH2Kg / ((best.totals.waterVolumeL / 1000) * 40.17) - 1)).toBeLessThan(1e-3);
  });
});
