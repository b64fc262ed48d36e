/**
 * Real-gas hydrogen (engineering/eos.ts): the Lemmon-Huber-Leachman fit against its
 * published check points, the [C] densities of H2_REFERENCE, thermodynamic consistency
 * of the derived caloric properties, the inverse solvers, and the [C] fast-fill check.
 */
import { describe, expect, it } from 'vitest';
import {
  M_KG_PER_MOL, R_J_PER_MOL_K, compressibility, densityKgM3, isobaricHeatCapacity, molarDensityMolL, pressureFromDensity,
  specificEnthalpy, specificInternalEnergy, stateDerivatives, stateFromDensityAndEnergy, temperatureFromDensityAndEnergy,
} from '../../plugins/h2-tank/engineering/eos.ts';
import { cpIdealJPerMolK, enthalpyIdealJPerMol } from '../../plugins/h2-tank/engineering/h2-ideal-gas.ts';

const rel = (a: number, b: number) => Math.abs(a / b - 1);
const K = (c: number) => c + 273.15;

describe('Lemmon-Huber-Leachman Z(T, p)', () => {
  // H2_REFERENCE "Published check points" (Lemmon et al. 2008): T K, p MPa -> Z, rho mol/L.
  const checkPoints: [number, number, number, number][] = [
    [200, 1, 1.0067545, 0.59732645],
    [300, 10, 1.05985282, 3.78267048],
    [400, 50, 1.24304763, 12.09449023],
    [500, 200, 1.74461629, 27.57562673],
    [200, 200, 2.85953449, 42.06006952],
  ];
  it.each(checkPoints)('%d K, %d MPa: Z and rho to 1e-6 relative', (T, p, z, rho) => {
    expect(rel(compressibility(T, p), z)).toBeLessThan(1e-6);
    expect(rel(molarDensityMolL(T, p), rho)).toBeLessThan(1e-6);
  });

  // H2_REFERENCE densities [C], kg/m3, to 0.1 %.
  const densities: [number, number, number][] = [
    [35, -40, 28.62], [35, 15, 23.99], [35, 85, 19.95],
    [70, -40, 46.37], [70, 15, 40.17], [70, 85, 34.37],
  ];
  it.each(densities)('%d MPa, %d C: %d kg/m3 to 0.1 %', (p, c, rho) => {
    expect(rel(densityKgM3(K(c), p), rho)).toBeLessThan(1e-3);
  });

  it('the ideal-gas law overstates 70 MPa / 15 C by 47 % (H2_REFERENCE)', () => {
    const ideal = (70e6 * M_KG_PER_MOL) / (R_J_PER_MOL_K * K(15));
    expect(ideal / densityKgM3(K(15), 70) - 1).toBeCloseTo(0.47, 2);
  });

  it('is the ideal gas at zero pressure and rejects impossible states', () => {
    expect(compressibility(300, 0)).toBe(1);
    expect(() => compressibility(-1, 10)).toThrow(RangeError);
    expect(() => densityKgM3(300, Number.NaN)).toThrow(RangeError);
  });
});

describe('ideal-gas cp (NIST Shomate)', () => {
  it('gives 28.836 J/(mol K) at 298.15 K (NIST-JANAF) and h = 0 there', () => {
    expect(cpIdealJPerMolK(298.15)).toBeCloseTo(28.836, 2);
    expect(enthalpyIdealJPerMol(298.15)).toBe(0);
  });
  it('enthalpy is the integral of cp (midpoint rule, 233 -> 358 K)', () => {
    let h = 0;
    const n = 2000;
    const dT = (358.15 - 233.15) / n;
    for (let i = 0; i < n; i++) h += cpIdealJPerMolK(233.15 + (i + 0.5) * dT) * dT;
    expect(rel(enthalpyIdealJPerMol(358.15) - enthalpyIdealJPerMol(233.15), h)).toBeLessThan(1e-7);
  });
});

describe('caloric properties from the fit', () => {
  const states: [number, number][] = [[233.15, 35], [288.15, 70], [358.15, 87.5], [300, 5]];

  it.each(states)('(∂h/∂T)_p = cp and u = h - p v at %d K, %d MPa', (T, p) => {
    const dT = 1e-3;
    const cpNum = (specificEnthalpy(T + dT, p) - specificEnthalpy(T - dT, p)) / (2 * dT);
    expect(rel(isobaricHeatCapacity(T, p), cpNum)).toBeLessThan(1e-7);
    const pv = (p * 1e6) / densityKgM3(T, p);
    expect(specificEnthalpy(T, p) - specificInternalEnergy(T, p)).toBeCloseTo(pv, 6);
  });

  it.each(states)('Maxwell relation (∂h/∂p)_T = v - T (∂v/∂T)_p at %d K, %d MPa', (T, p) => {
    const dp = 1e-4;
    const dT = 1e-3;
    const dhdp = (specificEnthalpy(T, p + dp) - specificEnthalpy(T, p - dp)) / (2 * dp * 1e6); // J/kg per Pa
    const v = (t: number) => 1 / densityKgM3(t, p);
    const rhs = v(T) - (T * (v(T + dT) - v(T - dT))) / (2 * dT);
    expect(rel(dhdp, rhs)).toBeLessThan(1e-6);
  });

  it.each(states)('analytic derivatives match finite differences at %d K, %d MPa', (T, p) => {
    const d = stateDerivatives(T, p);
    const h = 1e-4;
    expect(rel(d.dRhoDT, (densityKgM3(T + h, p) - densityKgM3(T - h, p)) / (2 * h))).toBeLessThan(1e-6);
    expect(rel(d.dRhoDp, (densityKgM3(T, p + h) - densityKgM3(T, p - h)) / (2 * h))).toBeLessThan(1e-6);
    expect(rel(d.dUDT, (specificInternalEnergy(T + h, p) - specificInternalEnergy(T - h, p)) / (2 * h))).toBeLessThan(1e-6);
    expect(rel(d.dUDp, (specificInternalEnergy(T, p + h) - specificInternalEnergy(T, p - h)) / (2 * h))).toBeLessThan(1e-5);
  });

  it('H2 warms on throttling at room temperature (negative Joule-Thomson coefficient)', () => {
    // Same h: expanding 70 -> 2 MPa from 288.15 K must end warmer (H2 above its inversion temperature).
    const h = specificEnthalpy(288.15, 70);
    let lo = 250;
    let hi = 400;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (specificEnthalpy(mid, 2) > h) hi = mid;
      else lo = mid;
    }
    expect(lo).toBeGreaterThan(288.15);
  });
});

describe('inverse solvers', () => {
  it.each([[233.15, 2], [288.15, 70], [358.15, 87.5], [500, 150]])('round-trips (T, p) = (%d K, %d MPa)', (T, p) => {
    expect(rel(pressureFromDensity(T, densityKgM3(T, p)), p)).toBeLessThan(1e-10);
    const s = stateFromDensityAndEnergy(densityKgM3(T, p), specificInternalEnergy(T, p));
    expect(rel(s.temperatureK, T)).toBeLessThan(1e-10);
    expect(rel(s.pressureMPa, p)).toBeLessThan(1e-9);
    expect(s.iterations).toBeLessThan(10);
    expect(rel(temperatureFromDensityAndEnergy(densityKgM3(T, p), specificInternalEnergy(T, p), 250), T)).toBeLessThan(1e-10);
  });

  it('rejects a non-positive density', () => {
    expect(() => pressureFromDensity(300, 0)).toThrow(RangeError);
  });
});

describe('H2_REFERENCE fast-fill check [C]', () => {
  it('122.4 L, 2 -> 70 MPa, start 15 C, inlet -40 C ends at 74.5 C with 4.30 kg (adiabatic)', () => {
    // Lumped adiabatic fill: d(m u) = h_in dm, inlet enthalpy at -40 C and the tank pressure.
    const V = 0.1224;
    let T = K(15);
    let p = 2;
    let m = densityKgM3(T, p) * V;
    let U = m * specificInternalEnergy(T, p);
    const dm = 0.0005;
    while (p < 70) {
      const hIn = specificEnthalpy(K(-40), p);
      m += dm;
      U += dm * hIn;
      const s = stateFromDensityAndEnergy(m / V, U / m, T);
      T = s.temperatureK;
      p = s.pressureMPa;
    }
    // Tolerances: 0.5 K and 0.01 kg cover the 0.5 g mass step and the reference's rounding.
    expect(Math.abs(T - 273.15 - 74.5)).toBeLessThan(0.5);
    expect(Math.abs(m - 4.3)).toBeLessThan(0.01);
  });
});
