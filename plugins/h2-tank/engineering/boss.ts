/**
 * Boss (polar fitting) of a Type III/IV tank: the metal insert at each pole that
 * closes the polar opening, carries the valve thread and takes the pressure load on
 * the opening. Its mass grows with the cube of the opening radius, which is what keeps
 * the optimiser from choosing wide polar openings (high helical angles).
 *
 * Model (a sizing approximation, not a boss design): a solid Al 6061-T6 disc of outer
 * radius 2 r0 (flange bearing on the composite around the opening [T]), sized as a
 * simply supported circular plate of radius r0 under the burst pressure, with the peak
 * stress at the yield strength:
 *   sigma_max = 3 (3 + nu) q a^2 / (8 t^2)   =>   t = a sqrt(3 (3 + nu) q / (8 sigma))
 * (Roark's Formulas for Stress and Strain, 7th ed., Table 11.2 case 10a, uniform load,
 * edge simply supported). The valve bore and neck are neglected.
 */
import { LINER_MATERIALS } from './materials.ts';

/** Boss material: Al 6061-T6 (materials.ts [S]); aluminium bosses are usual in Type IV tanks [T]. */
export const BOSS_MATERIAL = LINER_MATERIALS['Al6061-T6'];
/** Poisson ratio of aluminium, 0.33 [T]. */
export const ALUMINIUM_POISSON = 0.33;
/** Flange outer radius / polar opening radius [T]. */
export const BOSS_FLANGE_RATIO = 2;

const YIELD_MPA = BOSS_MATERIAL.yieldStrengthMPa ?? BOSS_MATERIAL.tensileStrengthMPa;
const THICKNESS_PER_RADIUS_AT_1MPA = Math.sqrt((3 * (3 + ALUMINIUM_POISSON)) / (8 * YIELD_MPA));

/**
 * Boss plate thickness, mm, for an opening of radius `openingRadiusMm` at
 * `burstPressureMPa` (Roark Table 11.2 case 10a, sigma_max = yield of Al 6061-T6).
 * @example bossThicknessMm(30, 157.5) // ≈ 25.3
 */
export function bossThicknessMm(openingRadiusMm: number, burstPressureMPa: number): number {
  if (!(openingRadiusMm >= 0) || !(burstPressureMPa >= 0)) {
    throw new RangeError(`boss: need r0 >= 0 and p >= 0, got r0 = ${openingRadiusMm} mm, p = ${burstPressureMPa} MPa`);
  }
  return openingRadiusMm * THICKNESS_PER_RADIUS_AT_1MPA * Math.sqrt(burstPressureMPa);
}

/** Mass of one boss, kg: a disc of radius 2 r0 and the plate thickness above. */
export function bossMassKg(openingRadiusMm: number, burstPressureMPa: number): number {
  const t = bossThicknessMm(openingRadiusMm, burstPressureMPa);
  const flange = BOSS_FLANGE_RATIO * openingRadiusMm;
  return (Math.PI * flange * flange * t * BOSS_MATERIAL.densityKgM3) / 1e9;
}
