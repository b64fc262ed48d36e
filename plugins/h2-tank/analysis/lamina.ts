/**
 * Unidirectional fiber/epoxy lamina: elastic constants from micromechanics and the
 * strengths a failure criterion needs. Units MPa.
 *
 * - E1, nu12: rule of mixtures. E2, G12: Halpin-Tsai (xi = 2 for E2, 1 for G12)
 *   (Halpin & Kardos, Polym. Eng. Sci. 16(5):344, 1976 — standard textbook micromechanics).
 * - Xt: fiber-governed, Xt = eta x fiber strength x E1 / Ef, i.e. the ply stress at which
 *   the fibers reach the delivered stress eta x sigma_f that netting theory sizes to
 *   (eta per grade, about 0.70 for T700S: engineering/knockdowns.ts, H2_REFERENCE
 *   "CORRECTION").
 * - Xc, Yt, Yc, S: typical UD/epoxy values at Vf about 0.6 [T] (textbook ranges; no
 *   source was checked for these figures, state them as assumptions).
 */
import type { Fiber } from '../schemas.ts';
import { EPOXY, deliveredStressFactor, fiberMaterial } from '../engineering/materials.ts';

/** Poisson ratio of the epoxy matrix [T] (E 3 GPa comes from the material table). */
export const EPOXY_POISSON = 0.35;

/** Through-thickness Poisson ratio nu23 of a UD lamina [T]. */
export const LAMINA_NU23 = 0.45;

/** The fiber's transverse behaviour and the lamina strengths that do not scale with the fiber. */
interface FiberClass {
  label: string;
  /** Transverse fiber modulus, MPa [T]. */
  transverseModulusMPa: number;
  /** Fiber in-plane shear modulus, MPa [T]. */
  shearModulusMPa: number;
  /** Fiber major Poisson ratio [T]. */
  poisson: number;
  /** Lamina compressive (fiber), transverse tensile, transverse compressive and in-plane shear strengths, MPa [T]. */
  XcMPa: number;
  YtMPa: number;
  YcMPa: number;
  SMPa: number;
}

/** [T]: carbon fiber is transversely soft (E2f ~15 GPa); glass is isotropic; aramid is very anisotropic. */
const CARBON: FiberClass = { label: 'carbon/epoxy', transverseModulusMPa: 15_000, shearModulusMPa: 15_000, poisson: 0.2, XcMPa: 1400, YtMPa: 55, YcMPa: 200, SMPa: 75 };
const GLASS: FiberClass = { label: 'E-glass/epoxy', transverseModulusMPa: 72_000, shearModulusMPa: 29_500, poisson: 0.22, XcMPa: 620, YtMPa: 40, YcMPa: 130, SMPa: 70 };
const ARAMID: FiberClass = { label: 'aramid/epoxy', transverseModulusMPa: 5_500, shearModulusMPa: 2_900, poisson: 0.35, XcMPa: 280, YtMPa: 30, YcMPa: 140, SMPa: 60 };

const CLASS_OF: Record<Fiber, FiberClass> = {
  T700S: CARBON,
  T800S: CARBON,
  T1000G: CARBON,
  'E-glass': GLASS,
  'aramid-K49': ARAMID,
};

/** Elastic constants of a UD lamina, MPa. */
export interface LaminaElastic {
  E1MPa: number;
  E2MPa: number;
  G12MPa: number;
  nu12: number;
  nu23: number;
}

/** Lamina strengths, MPa (all positive). */
export interface LaminaStrength {
  XtMPa: number;
  XcMPa: number;
  YtMPa: number;
  YcMPa: number;
  SMPa: number;
}

/** A lamina: elastic constants, strengths and the fiber figures they came from. */
export interface Lamina extends LaminaElastic {
  label: string;
  fiberModulusMPa: number;
  fiberStrengthMPa: number;
  strength: LaminaStrength;
}

/** Halpin-Tsai estimate of a matrix-dominated modulus. */
export function halpinTsai(fiberMPa: number, matrixMPa: number, fiberVolumeFraction: number, xi: number): number {
  const ratio = fiberMPa / matrixMPa;
  const eta = (ratio - 1) / (ratio + xi);
  return (matrixMPa * (1 + xi * eta * fiberVolumeFraction)) / (1 - eta * fiberVolumeFraction);
}

/**
 * A UD fiber/epoxy lamina at fiber volume fraction `Vf`, fiber figures from the
 * material table (engineering/materials.ts).
 * @example laminaFor('T700S', 0.6).E1MPa // 139 200
 */
export function laminaFor(fiber: Fiber, fiberVolumeFraction: number): Lamina {
  const cls = CLASS_OF[fiber];
  const mat = fiberMaterial(fiber);
  const data = { strengthMPa: mat.tensileStrengthMPa, modulusMPa: mat.modulusGPa * 1000 };
  const vf = fiberVolumeFraction;
  if (!(vf > 0 && vf < 1)) throw new RangeError(`fiber volume fraction must be in (0, 1), got ${vf}`);
  const Em = EPOXY.modulusGPa * 1000;
  const Gm = Em / (2 * (1 + EPOXY_POISSON));
  const E1MPa = vf * data.modulusMPa + (1 - vf) * Em;
  const E2MPa = halpinTsai(cls.transverseModulusMPa, Em, vf, 2);
  const G12MPa = halpinTsai(cls.shearModulusMPa, Gm, vf, 1);
  const nu12 = vf * cls.poisson + (1 - vf) * EPOXY_POISSON;
  const XtMPa = (deliveredStressFactor(fiber) * data.strengthMPa * E1MPa) / data.modulusMPa;
  return {
    label: cls.label,
    E1MPa, E2MPa, G12MPa, nu12, nu23: LAMINA_NU23,
    fiberModulusMPa: data.modulusMPa,
    fiberStrengthMPa: data.strengthMPa,
    strength: { XtMPa, XcMPa: cls.XcMPa, YtMPa: cls.YtMPa, YcMPa: cls.YcMPa, SMPa: cls.SMPa },
  };
}

/** Human-readable statement of the lamina assumptions, for an analysis's `assumptions` list. */
export function describeLamina(l: Lamina, fiberVolumeFraction: number): string {
  const s = l.strength;
  const f = (x: number) => x.toFixed(0);
  return `${l.label} lamina at Vf ${fiberVolumeFraction}: E1 ${f(l.E1MPa)}, E2 ${f(l.E2MPa)}, G12 ${f(l.G12MPa)} MPa, ` +
    `nu12 ${l.nu12.toFixed(3)} (rule of mixtures / Halpin-Tsai, fiber transverse constants [T]); strengths ` +
    `Xt ${f(s.XtMPa)} (= 0.8 x fiber strength x E1/Ef, NREL [S]), Xc ${f(s.XcMPa)}, Yt ${f(s.YtMPa)}, Yc ${f(s.YcMPa)}, ` +
    `S ${f(s.SMPa)} MPa [T]`;
}
