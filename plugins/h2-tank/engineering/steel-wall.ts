/**
 * Wall of a seamless steel cylinder (Type I) and of the steel liner of a hoop-wrapped
 * Type II, as thick-walled cylinders (Lamé). Units: mm, MPa.
 *
 * - Design wall (ISO 9809-1 form [R]): the von Mises stress at the bore of a closed-end
 *   Lamé cylinder, sqrt(3) p Ro^2 / (Ro^2 - Ri^2), is held to F x Re at the test
 *   pressure Ph = 1.5 x NWP, with F = min(0.65 / (Re / Rm), 0.85). Solved for the wall
 *   from the bore: t = Ri (1 / sqrt(1 - sqrt(3) Ph / (F Re)) - 1).
 * - Burst (Faupel, thick cylinder [T]): pb = (2/sqrt 3) Re (2 - Re/Rm) ln(Ro/Ri); the
 *   wall is also sized so pb reaches the required burst target.
 * - Hydrogen: Rm capped at 950 MPa for 34CrMo4 (ISO 11114-1 [R], materials.ts).
 * - Fatigue: Basquin with Morrow's mean-stress correction on the bore von Mises stress
 *   of a 0 -> NWP cycle: sigma_a = (sigma_f' - sigma_m)(2N)^b, sigma_f' = Rm + 345 MPa,
 *   b = -0.09 [T] (Morrow / Manson estimates for Q&T steels), with a hydrogen knock-down
 *   of 0.5 on life-governing stress amplitude [T] (H2 accelerates crack growth).
 * - Heads: a shoulder at 1.5 x and a concave base at 2 x the wall (ISO 9809-1 base
 *   >= 2 x wall [R]), taken as 1.75 x the wall over both heads.
 */

/** Steel properties the wall rules need, MPa. */
export interface SteelGrade {
  yieldMPa: number;
  tensileMPa: number;
}

/** Test pressure / working pressure for transportable cylinders (ISO 9809-1 [R]). */
export const TEST_PRESSURE_RATIO = 1.5;
/** Head mass factor on the wall over the head area (shoulder 1.5 x, base 2 x) [R]/[T]. */
export const HEAD_WALL_FACTOR = 1.75;
/** Basquin exponent of Q&T steel [T]. */
export const BASQUIN_EXPONENT = -0.09;
/** Fatigue strength coefficient offset, sigma_f' = Rm + 345 MPa (Morrow estimate [T]). */
export const FATIGUE_COEFFICIENT_OFFSET_MPA = 345;
/** Stress-amplitude knock-down for hydrogen service in the fatigue estimate [T]. */
export const H2_FATIGUE_KNOCKDOWN = 0.5;

/** ISO 9809-1 design stress factor F = min(0.65 / (Re/Rm), 0.85) [R]. */
export function designStressFactor(s: SteelGrade): number {
  return Math.min(0.65 / (s.yieldMPa / s.tensileMPa), 0.85);
}

/** Wall, mm, that holds the bore von Mises stress to F Re at 1.5 x NWP. @throws RangeError when no wall can. */
export function testPressureWallMm(innerRadiusMm: number, nwpMPa: number, s: SteelGrade): number {
  const k = (Math.sqrt(3) * TEST_PRESSURE_RATIO * nwpMPa) / (designStressFactor(s) * s.yieldMPa);
  if (!(k < 1)) throw new RangeError(`steel wall: ${nwpMPa} MPa is beyond what the steel can hold at any wall (sqrt 3 Ph / F Re = ${k.toFixed(2)})`);
  return innerRadiusMm * (1 / Math.sqrt(1 - k) - 1);
}

/** Faupel burst pressure of a thick steel cylinder, MPa. */
export function faupelBurstMPa(innerRadiusMm: number, wallMm: number, s: SteelGrade): number {
  return (2 / Math.sqrt(3)) * s.yieldMPa * (2 - s.yieldMPa / s.tensileMPa) * Math.log((innerRadiusMm + wallMm) / innerRadiusMm);
}

/** Wall, mm, whose Faupel burst is `burstMPa`. */
export function burstWallMm(innerRadiusMm: number, burstMPa: number, s: SteelGrade): number {
  return innerRadiusMm * (Math.exp(burstMPa / ((2 / Math.sqrt(3)) * s.yieldMPa * (2 - s.yieldMPa / s.tensileMPa))) - 1);
}

/** Design wall of a Type I cylinder, mm: the larger of the test-pressure and the burst rule. */
export function typeIWallMm(innerRadiusMm: number, nwpMPa: number, burstTargetMPa: number, s: SteelGrade): number {
  return Math.max(testPressureWallMm(innerRadiusMm, nwpMPa, s), burstWallMm(innerRadiusMm, burstTargetMPa, s));
}

/** Lamé von Mises stress at the bore of a closed-end cylinder, MPa. */
export function boreVonMisesMPa(innerRadiusMm: number, wallMm: number, pressureMPa: number): number {
  const ro = innerRadiusMm + wallMm;
  return (Math.sqrt(3) * pressureMPa * ro * ro) / (ro * ro - innerRadiusMm * innerRadiusMm);
}

/**
 * Estimated pressure cycles 0 -> NWP to crack initiation at the bore (Basquin-Morrow,
 * hydrogen knock-down; see the module comment). A screening figure, not a fatigue design.
 */
export function fatigueCycles(innerRadiusMm: number, wallMm: number, nwpMPa: number, s: SteelGrade): number {
  const vm = boreVonMisesMPa(innerRadiusMm, wallMm, nwpMPa);
  const amplitude = vm / 2 / H2_FATIGUE_KNOCKDOWN;
  const mean = vm / 2;
  const coefficient = s.tensileMPa + FATIGUE_COEFFICIENT_OFFSET_MPA - mean;
  if (!(coefficient > amplitude)) return 0;
  return 0.5 * (amplitude / coefficient) ** (1 / BASQUIN_EXPONENT);
}
