/**
 * Netting theory (engineering/netting.ts): the H2_REFERENCE worked example and the
 * helical + hoop invariant.
 */
import { describe, expect, it } from 'vitest';
import {
  NETTING_ANGLE_DEG, compositeDensityKgM3, compositeThicknessMm, fiberMassFraction, fiberThicknessMm, helicalFiberThicknessMm,
  hoopFiberThicknessMm, hoopOnlyFiberThicknessMm,
} from '../../plugins/h2-tank/engineering/netting.ts';
import { allowableFiberStressMPa } from '../../plugins/h2-tank/engineering/materials.ts';
import { nextFloat, seedRng } from '../../plugins/h2-tank/optimize/prng.ts';

describe('netting theory', () => {
  it('delivered fiber stress of T700S is 0.70 x its 4900 MPa strand strength (H2_REFERENCE CORRECTION)', () => {
    expect(allowableFiberStressMPa('T700S')).toBeCloseTo(3430, 9);
  });

  it('worked example (algebra only, its sf is the old 3920 MPa): 70 MPa x 2.25, R 150 mm, 15 deg -> 3.23 + 5.81 = 9.04 mm fiber, 15.1 mm at Vf 0.6', () => {
    const sf = 3920;
    const t = fiberThicknessMm(70 * 2.25, 150, sf, 15);
    // H2_REFERENCE gives two decimals: +-0.005 mm.
    expect(Math.abs(t.helicalMm - 3.23)).toBeLessThan(0.005);
    expect(Math.abs(t.hoopMm - 5.81)).toBeLessThan(0.005);
    expect(Math.abs(t.totalMm - 9.04)).toBeLessThan(0.005);
    expect(Math.abs(compositeThicknessMm(t.totalMm, 0.6) - 15.1)).toBeLessThan(0.05);
  });

  it('t_helical + t_hoop = 1.5 Pb R / sf for 1000 random angles, pressures and radii', () => {
    const rng = seedRng(2024);
    for (let k = 0; k < 1000; k++) {
      const a = nextFloat(rng) * NETTING_ANGLE_DEG;
      const pb = 10 + nextFloat(rng) * 300;
      const R = 20 + nextFloat(rng) * 500;
      const sf = 1000 + nextFloat(rng) * 4000;
      const sum = helicalFiberThicknessMm(pb, R, sf, a) + hoopFiberThicknessMm(pb, R, sf, a);
      expect(Math.abs(sum / ((1.5 * pb * R) / sf) - 1)).toBeLessThan(1e-12);
    }
  });

  it('needs no hoop fiber at the netting angle 54.74 deg and never a negative one', () => {
    expect(NETTING_ANGLE_DEG).toBeCloseTo(54.7356, 4);
    expect(hoopFiberThicknessMm(157.5, 150, 3920, NETTING_ANGLE_DEG)).toBeLessThan(1e-12);
    expect(hoopFiberThicknessMm(157.5, 150, 3920, 60)).toBe(0);
  });

  it('hoop-only wrap carries the line load left by the liner', () => {
    // 100 MPa x 150 mm = 15000 N/mm; a liner carrying 5000 N/mm leaves 10000 N/mm for 3920 MPa fiber.
    expect(hoopOnlyFiberThicknessMm(10_000, 3920)).toBeCloseTo(2.551, 3);
    expect(hoopOnlyFiberThicknessMm(-1, 3920)).toBe(0);
  });

  it('composite density and fiber mass fraction by the rule of mixtures', () => {
    expect(compositeDensityKgM3(0.6, 1800, 1200)).toBeCloseTo(1560, 9);
    expect(fiberMassFraction(0.6, 1800, 1200)).toBeCloseTo(1080 / 1560, 12);
  });

  it('rejects bad inputs with RangeError', () => {
    expect(() => helicalFiberThicknessMm(100, 0, 3920, 15)).toThrow(RangeError);
    expect(() => compositeThicknessMm(5, 0)).toThrow(RangeError);
  });
});
