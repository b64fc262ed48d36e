/**
 * Hydrogen density for the requirements reader: turns a usable mass into a stored
 * mass and checks that a stated H2 mass fits a stated water volume. The density is the
 * Lemmon-Huber-Leachman fit of engineering/eos.ts (H2_REFERENCE.md [S]).
 */
import { densityKgM3 } from '../engineering/eos.ts';

/**
 * Density of hydrogen gas, kg/m3 (numerically g/L), at a pressure and a Celsius
 * temperature, from the pack's one equation of state (engineering/eos.ts).
 * @example h2DensityKgM3(70, 15) // 40.17 (H2_REFERENCE.md [C])
 */
export function h2DensityKgM3(pressureMPa: number, temperatureC: number): number {
  return densityKgM3(temperatureC + 273.15, pressureMPa);
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
