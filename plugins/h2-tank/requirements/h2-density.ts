/**
 * Hydrogen density from the Lemmon-Huber-Leachman compressibility fit, used by the
 * requirements reader to turn a usable mass into a stored mass and to check that a
 * stated H2 mass fits a stated water volume.
 *
 * Source: J. Res. NIST 113(6):341 (2008), doi:10.6028/jres.113.028 (H2_REFERENCE.md
 * "Hydrogen density" [S]): within 0.01 % of the reference equation of state at
 * 220-1000 K up to 70 MPa, 0.1 % at 200-1000 K up to 200 MPa.
 */

/** Coefficients a_i, b_i, c_i of Z = 1 + sum a_i (100/T)^b_i (p/MPa)^c_i (H2_REFERENCE.md [S]). */
const LEMMON: ReadonlyArray<readonly [number, number, number]> = [
  [0.0588846, 1.325, 1.0],
  [-0.06136111, 1.87, 1.0],
  [-0.002650473, 2.5, 2.0],
  [0.002731125, 2.8, 2.0],
  [0.001802374, 2.938, 2.42],
  [-0.001150707, 3.14, 2.63],
  [0.9588528e-4, 3.37, 3.0],
  [-0.110904e-6, 3.75, 4.0],
  [0.1264403e-9, 4.0, 5.0],
];

/** Molar gas constant, J/(mol K) (H2_REFERENCE.md [S]). */
const R_GAS = 8.314472;
/** Molar mass of H2, kg/mol (H2_REFERENCE.md [S]). */
const M_H2 = 2.01588e-3;

/**
 * Compressibility factor Z of normal hydrogen.
 * @param pressureMPa absolute pressure, MPa (0-200)
 * @param temperatureK temperature, K (200-1000)
 * @example compressibility(10, 300) // 1.05985 (NIST check point)
 */
export function compressibility(pressureMPa: number, temperatureK: number): number {
  let z = 1;
  for (const [a, b, c] of LEMMON) z += a * (100 / temperatureK) ** b * pressureMPa ** c;
  return z;
}

/**
 * Density of hydrogen gas, kg/m3 (numerically g/L).
 * @example h2DensityKgM3(70, 15) // 40.17 (H2_REFERENCE.md [C])
 */
export function h2DensityKgM3(pressureMPa: number, temperatureC: number): number {
  const t = temperatureC + 273.15;
  return (pressureMPa * 1e6 * M_H2) / (compressibility(pressureMPa, t) * R_GAS * t);
}

/**
 * Pressure left in a tank counted as empty, MPa. A fuel-cell system stops drawing
 * at a minimum inlet pressure; 2 MPa is a typical residual for 35/70 MPa systems [T].
 * @default 2
 */
export const RESIDUAL_PRESSURE_MPA = 2;

/**
 * The stored mass (at NWP and 15 C) that yields `usableKg` when the tank is drawn
 * down to the residual pressure at 15 C: stored = usable / (1 - rho(residual) / rho(NWP)).
 * @example storedFromUsableKg(4.6, 70) // 4.80 (rho 40.17 vs 1.66 kg/m3)
 */
export function storedFromUsableKg(usableKg: number, pressureMPa: number, residualMPa = RESIDUAL_PRESSURE_MPA): number {
  const residual = Math.min(residualMPa, pressureMPa / 2);
  const fraction = 1 - h2DensityKgM3(residual, 15) / h2DensityKgM3(pressureMPa, 15);
  return usableKg / fraction;
}

/** H2 mass stored in `waterVolumeL` litres at NWP and 15 C, kg. */
export function storedInVolumeKg(waterVolumeL: number, pressureMPa: number): number {
  return (h2DensityKgM3(pressureMPa, 15) * waterVolumeL) / 1000;
}
