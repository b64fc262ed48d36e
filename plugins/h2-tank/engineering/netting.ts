/**
 * Netting theory for filament-wound pressure vessels: the fibers carry all membrane
 * load, the matrix none. Source: H2_REFERENCE.md "Composite shell: netting theory"
 * (Pb burst pressure, R radius the pressure acts on, a helical angle to the axis,
 * sf allowable fiber stress = eta x fiber strength):
 *
 *   t_helical = Pb R / (2 sf cos^2 a)
 *   t_hoop    = Pb R (2 - tan^2 a) / (2 sf)
 *   t_helical + t_hoop = 1.5 Pb R / sf          (independent of a)
 *
 * Helical layers carry the axial line load Pb R / 2 and part of the hoop load; hoop
 * layers carry the rest of the hoop load Pb R. At tan^2 a = 2 (a = 54.74 deg) the
 * helicals carry everything and no hoop layer is needed.
 */

/** Fiber thicknesses of a netting-theory cylinder wall, mm. */
export interface FiberThicknessMm {
  helicalMm: number;
  hoopMm: number;
  totalMm: number;
}

/** The angle where hoop fiber vanishes, tan^2 a = 2 (netting optimum, 54.7356 deg). */
export const NETTING_ANGLE_DEG = (Math.atan(Math.SQRT2) * 180) / Math.PI;

function checkLoad(pressureMPa: number, radiusMm: number, allowableFiberStressMPa: number): void {
  if (!(pressureMPa >= 0) || !(radiusMm > 0) || !(allowableFiberStressMPa > 0)) {
    throw new RangeError(
      `netting: need p >= 0, R > 0, sf > 0; got p = ${pressureMPa} MPa, R = ${radiusMm} mm, sf = ${allowableFiberStressMPa} MPa`,
    );
  }
}

/** Helical fiber thickness, mm: Pb R / (2 sf cos^2 a) (H2_REFERENCE, netting theory). */
export function helicalFiberThicknessMm(burstPressureMPa: number, radiusMm: number, allowableFiberStressMPa: number, helicalAngleDeg: number): number {
  checkLoad(burstPressureMPa, radiusMm, allowableFiberStressMPa);
  const c = Math.cos((helicalAngleDeg * Math.PI) / 180);
  return (burstPressureMPa * radiusMm) / (2 * allowableFiberStressMPa * c * c);
}

/**
 * Hoop fiber thickness, mm: Pb R (2 - tan^2 a) / (2 sf) (H2_REFERENCE, netting
 * theory). Zero (never negative) above the netting angle of 54.74 deg.
 */
export function hoopFiberThicknessMm(burstPressureMPa: number, radiusMm: number, allowableFiberStressMPa: number, helicalAngleDeg: number): number {
  checkLoad(burstPressureMPa, radiusMm, allowableFiberStressMPa);
  const tan = Math.tan((helicalAngleDeg * Math.PI) / 180);
  return Math.max(0, (burstPressureMPa * radiusMm * (2 - tan * tan)) / (2 * allowableFiberStressMPa));
}

/**
 * Helical and hoop fiber thicknesses of a cylinder wall sized to burst at
 * `burstPressureMPa`. Below the netting angle their sum is 1.5 Pb R / sf.
 * @example fiberThicknessMm(157.5, 150, 3920, 15) // { helicalMm: 3.23, hoopMm: 5.81, totalMm: 9.04 }
 */
export function fiberThicknessMm(burstPressureMPa: number, radiusMm: number, allowableFiberStressMPa: number, helicalAngleDeg: number): FiberThicknessMm {
  const helicalMm = helicalFiberThicknessMm(burstPressureMPa, radiusMm, allowableFiberStressMPa, helicalAngleDeg);
  const hoopMm = hoopFiberThicknessMm(burstPressureMPa, radiusMm, allowableFiberStressMPa, helicalAngleDeg);
  return { helicalMm, hoopMm, totalMm: helicalMm + hoopMm };
}

/** Hoop fiber thickness of a hoop-only wrap (Type II) carrying line load `hoopLineLoadNPerMm` = p R - liner share. */
export function hoopOnlyFiberThicknessMm(hoopLineLoadNPerMm: number, allowableFiberStressMPa: number): number {
  if (!(allowableFiberStressMPa > 0)) throw new RangeError(`netting: sf must be > 0, got ${allowableFiberStressMPa} MPa`);
  return Math.max(0, hoopLineLoadNPerMm) / allowableFiberStressMPa;
}

/**
 * Composite (fiber + matrix) thickness, mm = fiber thickness / Vf
 * (H2_REFERENCE; Vf 0.55-0.65 [T]).
 */
export function compositeThicknessMm(fiberMm: number, fiberVolumeFraction: number): number {
  if (!(fiberVolumeFraction > 0 && fiberVolumeFraction <= 1)) {
    throw new RangeError(`netting: fiber volume fraction must be in (0, 1], got ${fiberVolumeFraction}`);
  }
  return fiberMm / fiberVolumeFraction;
}

/**
 * Composite density, kg/m3 = Vf rho_f + (1 - Vf) rho_m (rule of mixtures, H2_REFERENCE).
 * @example compositeDensityKgM3(0.6, 1800, 1200) // 1560
 */
export function compositeDensityKgM3(fiberVolumeFraction: number, fiberDensityKgM3: number, matrixDensityKgM3: number): number {
  return fiberVolumeFraction * fiberDensityKgM3 + (1 - fiberVolumeFraction) * matrixDensityKgM3;
}

/** Fiber mass fraction of a composite, Vf rho_f / rho_c (to split composite mass into fiber and resin for cost). */
export function fiberMassFraction(fiberVolumeFraction: number, fiberDensityKgM3: number, matrixDensityKgM3: number): number {
  return (fiberVolumeFraction * fiberDensityKgM3) / compositeDensityKgM3(fiberVolumeFraction, fiberDensityKgM3, matrixDensityKgM3);
}
