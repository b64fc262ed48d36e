/**
 * Real-gas hydrogen: the Lemmon-Huber-Leachman compressibility fit and the caloric
 * properties derived from it. Pressures in MPa, temperatures in K, energies per kg.
 *
 * Source: H2_REFERENCE.md "Hydrogen density" — Lemmon, Huber & Leachman, J. Res. NIST
 * 113(6):341 (2008), doi:10.6028/jres.113.028. The fit is within 0.01 % of the
 * reference EOS at 220-1000 K up to 70 MPa and 0.1 % at 200-1000 K up to 200 MPa.
 *
 * Caloric properties: with Z(T, p) explicit in T and p, the residual (departure)
 * enthalpy is h - h_ig = -R T^2 ∫0^p (∂Z/∂T)_p dp/p. Each term of the fit,
 * t_i = a_i (100/T)^b_i p^c_i, has (∂t_i/∂T)_p = -b_i t_i / T, so the integral is
 * closed-form: h_res = R T Σ (b_i / c_i) t_i and u_res = h_res - R T (Z - 1).
 */
import { cpIdealJPerMolK, enthalpyIdealJPerMol } from './h2-ideal-gas.ts';

/** Universal gas constant used by the fit, J/(mol K) (H2_REFERENCE, Lemmon 2008). */
export const R_J_PER_MOL_K = 8.314472;
/** Molar mass of H2, kg/mol (2.01588 g/mol, H2_REFERENCE, Lemmon 2008). */
export const M_KG_PER_MOL = 2.01588e-3;

// Fit coefficients a_i, b_i, c_i (H2_REFERENCE table, Lemmon 2008 Table 4).
const A = [0.0588846, -0.06136111, -0.002650473, 0.002731125, 0.001802374, -0.001150707, 0.9588528e-4, -0.110904e-6, 0.1264403e-9];
const B = [1.325, 1.87, 2.5, 2.8, 2.938, 3.14, 3.37, 3.75, 4.0];
const C = [1.0, 1.0, 2.0, 2.0, 2.42, 2.63, 3.0, 4.0, 5.0];
const N_TERMS = 9;

/**
 * Sums of the fit's terms t_i and weighted forms; written into a reused scratch so the
 * hot path does not allocate. Index: 0 Σt, 1 Σ c t, 2 Σ b t, 3 Σ (b/c) t,
 * 4 Σ (b/c)(1-b) t, 5 Σ (b/c - 1) t, 6 Σ (b/c - 1)(1 - b) t, 7 Σ (b - c) t.
 */
const S = new Float64Array(8);

function termSums(temperatureK: number, pressureMPa: number): Float64Array {
  S.fill(0);
  const tau = 100 / temperatureK;
  const lnTau = Math.log(tau);
  const lnP = Math.log(pressureMPa);
  for (let i = 0; i < N_TERMS; i++) {
    const b = B[i];
    const c = C[i];
    const t = A[i] * Math.exp(b * lnTau + c * lnP);
    const bc = b / c;
    S[0] += t;
    S[1] += c * t;
    S[2] += b * t;
    S[3] += bc * t;
    S[4] += bc * (1 - b) * t;
    S[5] += (bc - 1) * t;
    S[6] += (bc - 1) * (1 - b) * t;
    S[7] += (b - c) * t;
  }
  return S;
}

function checkState(temperatureK: number, pressureMPa: number): void {
  if (!(temperatureK > 0) || !(pressureMPa >= 0) || !Number.isFinite(temperatureK) || !Number.isFinite(pressureMPa)) {
    throw new RangeError(`H2 state out of range: T = ${temperatureK} K, p = ${pressureMPa} MPa`);
  }
}

/** Compressibility factor Z = p v / (R T) of normal hydrogen. */
export function compressibility(temperatureK: number, pressureMPa: number): number {
  checkState(temperatureK, pressureMPa);
  if (pressureMPa === 0) return 1;
  return 1 + termSums(temperatureK, pressureMPa)[0];
}

/** Molar density, mol/L (= kmol/m3). @example molarDensityMolL(300, 10) // 3.78267048 */
export function molarDensityMolL(temperatureK: number, pressureMPa: number): number {
  const z = compressibility(temperatureK, pressureMPa);
  return (pressureMPa * 1e6) / (z * R_J_PER_MOL_K * temperatureK) / 1000;
}

/** Mass density, kg/m3. @example densityKgM3(288.15, 70) // ≈ 40.17 */
export function densityKgM3(temperatureK: number, pressureMPa: number): number {
  return molarDensityMolL(temperatureK, pressureMPa) * 1000 * M_KG_PER_MOL;
}

/** Residual molar enthalpy h - h_ig, J/mol (closed-form integral of the fit). */
export function residualEnthalpyJPerMol(temperatureK: number, pressureMPa: number): number {
  checkState(temperatureK, pressureMPa);
  if (pressureMPa === 0) return 0;
  return R_J_PER_MOL_K * temperatureK * termSums(temperatureK, pressureMPa)[3];
}

/** Residual molar internal energy u - u_ig = h_res - R T (Z - 1), J/mol. */
export function residualInternalEnergyJPerMol(temperatureK: number, pressureMPa: number): number {
  checkState(temperatureK, pressureMPa);
  if (pressureMPa === 0) return 0;
  return R_J_PER_MOL_K * temperatureK * termSums(temperatureK, pressureMPa)[5];
}

/**
 * Specific enthalpy, J/kg. Reference: ideal gas at 298.15 K has h = 0 (the Shomate
 * convention, see h2-ideal-gas.ts); real-gas departure from the fit.
 */
export function specificEnthalpy(temperatureK: number, pressureMPa: number): number {
  return (enthalpyIdealJPerMol(temperatureK) + residualEnthalpyJPerMol(temperatureK, pressureMPa)) / M_KG_PER_MOL;
}

/**
 * Specific internal energy u = h - p v, J/kg, on the same reference as
 * {@link specificEnthalpy} (so u_ig(298.15 K) = -R·298.15/M).
 */
export function specificInternalEnergy(temperatureK: number, pressureMPa: number): number {
  const hIg = enthalpyIdealJPerMol(temperatureK);
  return (hIg - R_J_PER_MOL_K * temperatureK + residualInternalEnergyJPerMol(temperatureK, pressureMPa)) / M_KG_PER_MOL;
}

/** Isobaric specific heat capacity c_p(T, p), J/(kg K): c_p,ig + ∂h_res/∂T. */
export function isobaricHeatCapacity(temperatureK: number, pressureMPa: number): number {
  checkState(temperatureK, pressureMPa);
  const res = pressureMPa === 0 ? 0 : R_J_PER_MOL_K * termSums(temperatureK, pressureMPa)[4];
  return (cpIdealJPerMolK(temperatureK) + res) / M_KG_PER_MOL;
}

/** Partial derivatives of a state at (T, p), SI per kg; used by the Newton solvers. */
export interface StateDerivatives {
  densityKgM3: number;
  /** (∂rho/∂T)_p, kg/(m3 K). */
  dRhoDT: number;
  /** (∂rho/∂p)_T, kg/(m3 MPa). */
  dRhoDp: number;
  internalEnergyJPerKg: number;
  /** (∂u/∂T)_p, J/(kg K). */
  dUDT: number;
  /** (∂u/∂p)_T, J/(kg MPa). */
  dUDp: number;
}

/** Density, internal energy and their analytic (T, p) derivatives. */
export function stateDerivatives(temperatureK: number, pressureMPa: number): StateDerivatives {
  checkState(temperatureK, pressureMPa);
  const T = temperatureK;
  const p = pressureMPa;
  const R = R_J_PER_MOL_K;
  const s = termSums(T, p);
  const z = 1 + s[0];
  const dZdp = s[1] / p; // per MPa
  const dZdT = -s[2] / T;
  const rhoMol = (p * 1e6) / (z * R * T); // mol/m3
  const rho = rhoMol * M_KG_PER_MOL;
  const dRhoDp = rho * (1 / p - dZdp / z);
  const dRhoDT = rho * (-1 / T - dZdT / z);
  const uMol = enthalpyIdealJPerMol(T) - R * T + R * T * s[5];
  const dUDTMol = cpIdealJPerMolK(T) - R + R * s[6];
  const dUDpMol = (R * T * s[7]) / p;
  return {
    densityKgM3: rho,
    dRhoDT,
    dRhoDp,
    internalEnergyJPerKg: uMol / M_KG_PER_MOL,
    dUDT: dUDTMol / M_KG_PER_MOL,
    dUDp: dUDpMol / M_KG_PER_MOL,
  };
}

export { pressureFromDensity, stateFromDensityAndEnergy, temperatureFromDensityAndEnergy } from './eos-inverse.ts';
