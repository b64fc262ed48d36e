/**
 * Ideal-gas heat capacity and enthalpy of normal hydrogen (Shomate equation).
 *
 * Source: NIST Chemistry WebBook, "Hydrogen", gas-phase Shomate constants
 * (Chase, NIST-JANAF Thermochemical Tables, 4th ed., J. Phys. Chem. Ref. Data
 * Monograph 9, 1998), fitted for 298-1000 K and 1000-2500 K:
 *   cp = A + B t + C t^2 + D t^3 + E / t^2            J/(mol K), t = T / 1000
 *   H - H(298.15) = A t + B t^2/2 + C t^3/3 + D t^4/4 - E/t + F - H     kJ/mol
 * Below 298 K the low-range fit is extrapolated: at 200 K it gives 27.26 J/(mol K)
 * against 27.45 in the JANAF table [R] (-0.7 %), at 250 K 28.36 against 28.34 [R];
 * the fast-fill range (-40 to +85 C) stays within 0.5 %.
 */

/** Shomate constants [A, B, C, D, E, F, H] for 298-1000 K (NIST WebBook, Chase 1998). */
const LOW = [33.066178, -11.363417, 11.432816, -2.772874, -0.158558, -9.980797, 0.0] as const;
/** Shomate constants [A, B, C, D, E, F, H] for 1000-2500 K (NIST WebBook, Chase 1998). */
const HIGH = [18.563083, 12.257357, -2.859786, 0.268238, 1.97799, -1.147438, 0.0] as const;
/** Switch between the two ranges, K (NIST WebBook). */
const T_SWITCH_K = 1000;
/** Reference temperature of the enthalpy zero, K. */
export const T_REF_K = 298.15;

function coefficients(temperatureK: number): readonly number[] {
  return temperatureK < T_SWITCH_K ? LOW : HIGH;
}

/** Ideal-gas molar isobaric heat capacity of H2, J/(mol K). @example cpIdealJPerMolK(298.15) // ≈ 28.836 */
export function cpIdealJPerMolK(temperatureK: number): number {
  const [a, b, c, d, e] = coefficients(temperatureK);
  const t = temperatureK / 1000;
  return a + b * t + c * t * t + d * t * t * t + e / (t * t);
}

function shomateEnthalpyKJPerMol(temperatureK: number, k: readonly number[]): number {
  const t = temperatureK / 1000;
  return k[0] * t + (k[1] * t * t) / 2 + (k[2] * t * t * t) / 3 + (k[3] * t * t * t * t) / 4 - k[4] / t + k[5] - k[6];
}

const H_LOW_AT_REF = shomateEnthalpyKJPerMol(T_REF_K, LOW);
// Continuity at 1000 K: offset the high range so that h is continuous across the switch.
const HIGH_OFFSET = shomateEnthalpyKJPerMol(T_SWITCH_K, LOW) - shomateEnthalpyKJPerMol(T_SWITCH_K, HIGH);

/**
 * Ideal-gas molar enthalpy of H2 relative to the ideal gas at 298.15 K, J/mol
 * (exactly 0 at 298.15 K).
 */
export function enthalpyIdealJPerMol(temperatureK: number): number {
  const kJ = temperatureK < T_SWITCH_K
    ? shomateEnthalpyKJPerMol(temperatureK, LOW) - H_LOW_AT_REF
    : shomateEnthalpyKJPerMol(temperatureK, HIGH) + HIGH_OFFSET - H_LOW_AT_REF;
  return kJ * 1000;
}
