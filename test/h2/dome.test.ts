/**
 * Isotensoid dome (engineering/dome.ts): heights against H2_REFERENCE [C], the closed
 * forms at rho0 = 0, the cache, and an independent brute-force integration.
 */
import { describe, expect, it } from 'vitest';
import { computeDomeIntegrals, domeHeightRatio, domeIntegrals, domeProfile, turningRadiusSquared } from '../../plugins/h2-tank/engineering/dome.ts';

/** Brute force in rho with the original (singular) integrand, midpoint rule: O(sqrt(h)) at the ends. */
function bruteForceHeight(rho0: number, n: number): number {
  const x0 = rho0 * rho0;
  const re = Math.sqrt(turningRadiusSquared(rho0));
  const h = (1 - re) / n;
  let z = 0;
  for (let i = 0; i < n; i++) {
    const r = re + (i + 0.5) * h;
    z += (r ** 3 / Math.sqrt((r * r - x0) / (1 - x0) - r ** 6)) * h;
  }
  return z;
}

describe('isotensoid dome', () => {
  // H2_REFERENCE "Dome height z/R [C]", three decimals: tolerance +-0.002 as briefed.
  it.each([[0, 0.598], [0.1, 0.603], [0.2, 0.617], [0.3, 0.639], [0.4, 0.668]])('rho0 %d: z/R = %d', (rho0, z) => {
    expect(Math.abs(domeHeightRatio(rho0) - z)).toBeLessThanOrEqual(0.002);
  });

  it('matches the closed forms at rho0 = 0: z/R = B(3/4, 1/2)/4, area = pi^2/2 R^2', () => {
    // ∫0^1 x^2 / sqrt(1 - x^4) dx = B(3/4, 1/2)/4 = 0.599070117...; Γ values from Abramowitz & Stegun 6.1.
    const beta = (1.2254167024651776 * 1.7724538509055159) / 0.9064024770554771;
    const d = computeDomeIntegrals(0);
    expect(Math.abs(d.heightRatio - beta / 4)).toBeLessThan(1e-9);
    expect(Math.abs(d.areaRatio - Math.PI ** 2 / 2)).toBeLessThan(1e-9);
  });

  it('agrees with a brute-force integration of the singular integrand', () => {
    for (const rho0 of [0.15, 0.35]) {
      // 4e6 midpoints leave ~1e-4 of endpoint error in the brute force.
      expect(Math.abs(bruteForceHeight(rho0, 4_000_000) - domeHeightRatio(rho0))).toBeLessThan(3e-4);
    }
  });

  it('ends at a turning radius just above the polar opening', () => {
    for (const rho0 of [0.1, 0.3, 0.5, 0.7]) {
      const re = Math.sqrt(turningRadiusSquared(rho0));
      expect(re).toBeGreaterThan(rho0);
      expect(re).toBeLessThan(rho0 * 1.11);
    }
  });

  it('the cache interpolates to 2e-6 of the direct integrals (step 1/400)', () => {
    for (const rho0 of [0.1234, 0.2718, 0.4321]) {
      const a = domeIntegrals(rho0);
      const b = computeDomeIntegrals(rho0);
      for (const k of ['heightRatio', 'volumeRatio', 'areaRatio', 'helicalIntegral'] as const) {
        expect(Math.abs(a[k] / b[k] - 1)).toBeLessThan(2e-6);
      }
    }
  });

  it('profile runs from the equator to the top, monotonically, and ends at the dome height', () => {
    const p = domeProfile(0.25, 33);
    expect(p).toHaveLength(33);
    expect(p[0]).toEqual({ rho: 1, z: 0 });
    for (let i = 1; i < p.length; i++) {
      expect(p[i].z).toBeGreaterThan(p[i - 1].z);
      expect(p[i].rho).toBeLessThan(p[i - 1].rho);
    }
    expect(Math.abs(p[32].z - domeHeightRatio(0.25))).toBeLessThan(1e-9);
    expect(p[32].rho).toBeCloseTo(Math.sqrt(turningRadiusSquared(0.25)), 12);
  });

  it('rejects polar openings with no isotensoid dome', () => {
    expect(() => domeHeightRatio(0.9)).toThrow(RangeError);
    expect(() => domeHeightRatio(-0.1)).toThrow(RangeError);
  });
});
