/**
 * Per-basis constants of the tank model, computed once per DesignBasis: materials,
 * allowable fiber stress, required burst, H2 density at the rating condition.
 * Every evaluation of a design under the same basis reads them from here.
 */
import type { DesignBasis, TankType } from '../schemas.ts';
import { densityKgM3 } from './eos.ts';
import {
  EPOXY, TRANSLATION_EFFICIENCY, fiberMaterial, linerMaterial, type LinerMaterial, type Material,
} from './materials.ts';

/** Rating temperature of stored capacity, K: NWP at 15 C (schemas.ts Requirements; SAE J2601, H2_REFERENCE). */
export const RATING_TEMPERATURE_K = 288.15;

/**
 * Processing cost on top of raw materials (winding, cure, liner moulding, bosses,
 * inspection): +30 % [T]. Engineering assumption, not from H2_REFERENCE; consistent
 * with its note that carbon fiber is most of a 700 bar Type IV tank's cost [R].
 * Valves, regulators and mounting (balance of plant) are not included.
 */
export const MANUFACTURING_COST_FACTOR = 1.3;

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
  fiber: Material;
  resin: Material;
  liner: LinerMaterial;
  /** eta x fiber strength, MPa (eta = 0.8, NREL Tankinator [S]). */
  allowableFiberStressMPa: number;
  /** H2 density at NWP and 15 C from the real-gas fit, kg/m3 (not ideal gas). */
  h2DensityKgM3: number;
  /** True for Types III and IV: helical + hoop winding over isotensoid domes. */
  fullWrap: boolean;
  /** True for Types II and III: the metal liner carries load. */
  linerShares: boolean;
}

const contexts = new WeakMap<DesignBasis, DesignContext>();

/** Resolves (and caches per basis object) the constants of the tank model. */
export function designContext(basis: DesignBasis): DesignContext {
  const hit = contexts.get(basis);
  if (hit !== undefined) return hit;
  const { tankType } = basis;
  const liner = linerMaterial(basis.liner);
  if ((tankType === 'I' || tankType === 'II' || tankType === 'III') && !liner.loadBearing) {
    throw new RangeError(`Type ${tankType} needs a metal liner; '${basis.liner}' is a polymer (Type IV only)`);
  }
  const nwpMPa = basis.requirements.pressureMPa;
  const factor = basis.tightening?.burstRatioFactor ?? 1;
  const requiredBurstRatio = basis.burstRatio * factor;
  const ctx: DesignContext = {
    tankType,
    nwpMPa,
    requiredBurstRatio,
    requiredBurstMPa: requiredBurstRatio * nwpMPa,
    fiber: fiberMaterial(basis.fiber),
    resin: EPOXY,
    liner,
    allowableFiberStressMPa: TRANSLATION_EFFICIENCY * fiberMaterial(basis.fiber).tensileStrengthMPa,
    h2DensityKgM3: densityKgM3(RATING_TEMPERATURE_K, nwpMPa),
    fullWrap: tankType === 'III' || tankType === 'IV',
    linerShares: tankType === 'II' || tankType === 'III',
  };
  contexts.set(basis, ctx);
  return ctx;
}
