/**
 * The cylinder wall of an evaluated design as the analyses see it: bore radius, liner,
 * helical and hoop composite layers, and their materials. Stress, failure and the
 * thick-cylinder validation all build on this one model so they analyse the same wall.
 *
 * Geometry (from `Design`): bore = liner inner radius; composite thickness of a ply
 * family = its fiber thickness / Vf (H2_REFERENCE "Composite shell"). Units: mm, MPa.
 */
import type { Design, DesignBasis, Liner } from '../schemas.ts';
import { linerMaterial, type LinerMaterial } from '../engineering/materials.ts';
import type { CltLayer } from './clt.ts';
import { laminaFor, type Lamina } from './lamina.ts';

/** Poisson ratios of the liner materials [T] (not in the material table). */
export const LINER_POISSON: Readonly<Record<Liner, number>> = {
  HDPE: 0.46,
  PA6: 0.39,
  'Al6061-T6': 0.33,
  'steel-34CrMo4': 0.29,
};

/** Order of the composite layers from the liner outward. */
export type Stacking = 'hoop-first' | 'helical-first';

/** The wall of one tank's cylindrical section. */
export interface WallModel {
  boreRadiusMm: number;
  linerThicknessMm: number;
  helicalAngleDeg: number;
  /** Composite (fiber + matrix) thickness of the +/- helical pair, mm. */
  helicalCompositeMm: number;
  /** Composite thickness of the hoop layer, mm. */
  hoopCompositeMm: number;
  helicalFiberMm: number;
  hoopFiberMm: number;
  fiberVolumeFraction: number;
  /** Outer radius of the composite, mm. */
  outerRadiusMm: number;
  /** Radius of the middle of the whole wall (liner + composite), mm. */
  midWallRadiusMm: number;
  lamina: Lamina;
  liner: LinerMaterial & { poisson: number; modulusMPa: number; yieldMPa: number };
}

/** The wall model of a design. @throws RangeError when the design has no wall. */
export function wallModel(basis: DesignBasis, design: Design): WallModel {
  const v = design.variables;
  const vf = v.fiberVolumeFraction;
  const boreRadiusMm = design.geometry.innerRadiusMm;
  const helicalCompositeMm = design.layup.helicalFiberMm / vf;
  const hoopCompositeMm = design.layup.hoopFiberMm / vf;
  const outerRadiusMm = boreRadiusMm + v.linerThicknessMm + helicalCompositeMm + hoopCompositeMm;
  if (!(boreRadiusMm > 0) || !(outerRadiusMm > boreRadiusMm)) {
    throw new RangeError(`design ${design.id}: wall needs bore > 0 and some thickness`);
  }
  const mat = linerMaterial(basis.liner);
  return {
    boreRadiusMm,
    linerThicknessMm: v.linerThicknessMm,
    helicalAngleDeg: v.helicalAngleDeg,
    helicalCompositeMm,
    hoopCompositeMm,
    helicalFiberMm: design.layup.helicalFiberMm,
    hoopFiberMm: design.layup.hoopFiberMm,
    fiberVolumeFraction: vf,
    outerRadiusMm,
    midWallRadiusMm: (boreRadiusMm + outerRadiusMm) / 2,
    // Type I has no plies: the lamina is a placeholder no layer uses (wallLayers skips zero thickness).
    lamina: laminaFor(basis.fiber === 'none' ? 'T700S' : basis.fiber, vf),
    liner: {
      ...mat,
      poisson: LINER_POISSON[basis.liner],
      modulusMPa: mat.modulusGPa * 1000,
      yieldMPa: mat.yieldStrengthMPa ?? mat.tensileStrengthMPa,
    },
  };
}

/** Options for the CLT layer list of a wall. */
export interface WallLayerOptions {
  /** Include the liner as an isotropic layer (strain compatible). @default true */
  includeLiner?: boolean;
  /** Matrix-degraded plies by name: E2 and G12 multiplied by `residual`. */
  degraded?: ReadonlySet<string>;
  /** Retained fraction of E2 and G12 after matrix failure (ply discount [T]). @default 0.01 */
  residual?: number;
}

/** Names of the composite plies in the CLT model. */
export const PLY_NAMES = ['helical+', 'helical-', 'hoop'] as const;
export type PlyName = (typeof PLY_NAMES)[number];

/**
 * The wall as a CLT stack: liner, helical +a and -a (half the helical thickness each)
 * and hoop (90 deg). Layers of zero thickness are left out.
 */
export function wallLayers(w: WallModel, options: WallLayerOptions = {}): CltLayer[] {
  const residual = options.residual ?? 0.01;
  const layers: CltLayer[] = [];
  if (options.includeLiner ?? true) {
    layers.push({ kind: 'iso', name: 'liner', thicknessMm: w.linerThicknessMm, EMPa: w.liner.modulusMPa, nu: w.liner.poisson });
  }
  const ply = (name: PlyName, angleDeg: number, thicknessMm: number): void => {
    if (!(thicknessMm > 0)) return;
    const d = options.degraded?.has(name) ? residual : 1;
    const l = w.lamina;
    layers.push({ kind: 'ply', name, angleDeg, thicknessMm, E1MPa: l.E1MPa, E2MPa: l.E2MPa * d, G12MPa: l.G12MPa * d, nu12: l.nu12 });
  };
  ply('helical+', w.helicalAngleDeg, w.helicalCompositeMm / 2);
  ply('helical-', -w.helicalAngleDeg, w.helicalCompositeMm / 2);
  ply('hoop', 90, w.hoopCompositeMm);
  return layers;
}

/**
 * Netting-theory fiber stresses at pressure p, MPa (H2_REFERENCE "netting theory"
 * inverted): helical p R / (2 t_h cos^2 a), hoop p R (2 - tan^2 a) / (2 t_hoop), with
 * R the bore radius and t the fiber thicknesses. Zero where a family is absent.
 */
export function nettingFiberStressMPa(w: WallModel, pressureMPa: number): { helicalMPa: number; hoopMPa: number } {
  const a = (w.helicalAngleDeg * Math.PI) / 180;
  const R = w.boreRadiusMm;
  const helicalMPa = w.helicalFiberMm > 0 ? (pressureMPa * R) / (2 * w.helicalFiberMm * Math.cos(a) ** 2) : 0;
  const hoopMPa = w.hoopFiberMm > 0 ? (pressureMPa * R * (2 - Math.tan(a) ** 2)) / (2 * w.hoopFiberMm) : 0;
  return { helicalMPa, hoopMPa };
}
