/**
 * Per-basis constants of the tank model, computed once per DesignBasis and material
 * pair: materials, delivered fiber stress (knockdowns.ts), required burst, H2 density
 * at the rating condition, duty class of the fittings. Every evaluation of a design
 * under the same basis and materials reads them from here.
 */
import type { BasisFiber, DesignBasis, Fiber, Liner, TankType } from '../schemas.ts';
import { densityKgM3 } from './eos.ts';
import { DELIVERED_STRESS_FACTOR, dutyClass } from './knockdowns.ts';
import { EPOXY, fiberMaterial, linerMaterial, type LinerMaterial, type Material } from './materials.ts';

/** Rating temperature of stored capacity, K: NWP at 15 C (schemas.ts Requirements; SAE J2601, H2_REFERENCE). */
export const RATING_TEMPERATURE_K = 288.15;

/** Processing cost factor on materials, x1.3 [T] (engineering/knockdowns.ts, where the figure lives). */
export { MANUFACTURING_COST_FACTOR } from './knockdowns.ts';

/**
 * Load-sharing limit of a Type III metal liner: it carries at most 0.21 x burst
 * (H2_REFERENCE "Liners", Type III Al 6061-T6 [S]).
 */
export const TYPE_III_LINER_SHARE = 0.21;

/**
 * Polar-opening (port) ratio r0/R of metal heads in Types I and II, where no helical
 * winding sets it: 0.12, inside the 0.10-0.15 R boss range [T] used for this project.
 */
export const METAL_HEAD_PORT_RATIO = 0.12;

/** Everything the tank model needs from a DesignBasis, resolved once. */
export interface DesignContext {
  tankType: TankType;
  nwpMPa: number;
  /** burstRatio x tightening.burstRatioFactor. */
  requiredBurstRatio: number;
  /** requiredBurstRatio x NWP, MPa. */
  requiredBurstMPa: number;
  /** The fiber's name; `none` for Type I. */
  fiberName: BasisFiber;
  linerName: Liner;
  /** The fiber's record (Type I: a zero-strength, zero-density placeholder that no formula reaches). */
  fiber: Material;
  resin: Material;
  liner: LinerMaterial;
  /** Delivered fiber stress in the vessel: factor x strand strength, MPa (knockdowns.ts; 0 for Type I). */
  allowableFiberStressMPa: number;
  /** Fittings class of the application: car or heavy duty (knockdowns.ts). */
  duty: 'car' | 'heavy';
  /** H2 density at NWP and 15 C from the real-gas fit, kg/m3 (not ideal gas). */
  h2DensityKgM3: number;
  /** True for Types III and IV: helical + hoop winding over isotensoid domes. */
  fullWrap: boolean;
  /** True for Types II and III: the metal liner carries load. */
  linerShares: boolean;
}

/** Type I has no fiber: a placeholder no formula reaches (the composite is zero). */
const NO_FIBER: Material = {
  name: 'none', kind: 'fiber', tensileStrengthMPa: 0, modulusGPa: 0, densityKgM3: 0, priceUsdPerKg: 0,
  source: 'T', priceSource: 'T', citation: 'Type I: no overwrap',
};

const contexts = new WeakMap<DesignBasis, Map<string, DesignContext>>();

/**
 * Resolves (and caches per basis object and material pair) the constants of the tank
 * model. `fiber` and `liner` default to the basis's.
 */
export function designContext(basis: DesignBasis, fiber?: Fiber, liner?: Liner): DesignContext {
  const fiberName: BasisFiber = basis.tankType === 'I' ? 'none' : fiber ?? basis.fiber;
  const linerName = liner ?? basis.liner;
  let byPair = contexts.get(basis);
  if (byPair === undefined) contexts.set(basis, (byPair = new Map()));
  const key = `${fiberName}/${linerName}`;
  const hit = byPair.get(key);
  if (hit !== undefined) return hit;
  const { tankType } = basis;
  const linerMat = linerMaterial(linerName);
  if ((tankType === 'I' || tankType === 'II' || tankType === 'III') && !linerMat.loadBearing) {
    throw new RangeError(`Type ${tankType} needs a metal liner; '${linerName}' is a polymer (Type IV only)`);
  }
  if (tankType !== 'I' && fiberName === 'none') throw new RangeError(`Type ${tankType} needs a fiber; the basis has none`);
  const nwpMPa = basis.requirements.pressureMPa;
  const factor = basis.tightening?.burstRatioFactor ?? 1;
  const requiredBurstRatio = basis.burstRatio * factor;
  const fiberMat = fiberName === 'none' ? NO_FIBER : fiberMaterial(fiberName);
  const ctx: DesignContext = {
    tankType,
    nwpMPa,
    requiredBurstRatio,
    requiredBurstMPa: requiredBurstRatio * nwpMPa,
    fiberName,
    linerName,
    fiber: fiberMat,
    resin: EPOXY,
    liner: linerMat,
    allowableFiberStressMPa: fiberName === 'none' ? 0 : DELIVERED_STRESS_FACTOR[fiberName] * fiberMat.tensileStrengthMPa,
    duty: dutyClass(basis.requirements.application),
    h2DensityKgM3: densityKgM3(RATING_TEMPERATURE_K, nwpMPa),
    fullWrap: tankType === 'III' || tankType === 'IV',
    linerShares: tankType === 'II' || tankType === 'III',
  };
  byPair.set(key, ctx);
  return ctx;
}
