/**
 * Stress analysis of the cylinder wall at NWP and at the design burst pressure:
 * netting-theory fiber stresses, ply stresses by classical lamination theory of the
 * [liner / +-a helical / 90 hoop] wall, and the strain-compatible liner stress.
 * Units: MPa, mm, N/mm.
 *
 * Stress ratio (as used here): fiber strength / fiber stress at NWP of the governing
 * (most stressed) fiber family, with the netting fiber stress for a full wrap and the
 * CLT fiber stress for a hoop wrap (Type II), where netting does not apply.
 */
import { z } from 'zod';
import { basisForDesign } from './input.ts';
import type { Design, DesignBasis } from '../schemas.ts';
import { cylinderLineLoads, layerStresses, membraneStrain, type LayerStress } from './clt.ts';
import { describeLamina } from './lamina.ts';
import { nettingFiberStressMPa, wallLayers, wallModel, type WallModel } from './wall.ts';

const PlyState = z.object({ sigma1MPa: z.number(), sigma2MPa: z.number(), tau12MPa: z.number() });

/** Ply stresses of one fiber family (the -a helical ply mirrors +a with tau12 of opposite sign). */
export const PlyStress = z.object({
  ply: z.enum(['helical', 'hoop']),
  angleDeg: z.number(),
  thicknessMm: z.number(),
  nwp: PlyState,
  burst: PlyState,
  /** Fiber stress at NWP from CLT: sigma1 x Ef / E1, MPa. */
  fiberStressNwpMPa: z.number(),
});
export type PlyStress = z.infer<typeof PlyStress>;

/** Result of the stress analysis (output of `analyze-stress`). */
export const StressResult = z.object({
  nwpMPa: z.number(),
  /** The design's burst pressure (`design.burstPressureMPa`), MPa. */
  designBurstMPa: z.number(),
  boreRadiusMm: z.number(),
  lineLoadsNwp: z.object({ nxNPerMm: z.number(), nyNPerMm: z.number() }),
  /** Membrane strains at NWP (CLT, intact laminate). */
  strainNwp: z.object({ axial: z.number(), hoop: z.number() }),
  /** Netting-theory fiber stresses, MPa. */
  netting: z.object({
    helicalNwpMPa: z.number(),
    hoopNwpMPa: z.number(),
    helicalBurstMPa: z.number(),
    hoopBurstMPa: z.number(),
  }),
  plies: z.array(PlyStress),
  liner: z.object({
    material: z.string(),
    thicknessMm: z.number(),
    axialNwpMPa: z.number(),
    hoopNwpMPa: z.number(),
    vonMisesNwpMPa: z.number(),
    yieldMPa: z.number(),
    loadBearing: z.boolean(),
    /** Von Mises stress at NWP below yield. */
    elasticAtNwp: z.boolean(),
  }),
  fiberStrengthMPa: z.number(),
  /** Fiber strength / largest fiber stress at NWP (netting; CLT for a hoop wrap); null without fiber. */
  stressRatio: z.number().nullable(),
  governingFamily: z.enum(['helical', 'hoop']).nullable(),
  assumptions: z.array(z.string()),
});
export type StressResult = z.infer<typeof StressResult>;

/** Von Mises stress of a plane biaxial state, MPa. */
export function vonMisesMPa(sx: number, sy: number, txy = 0): number {
  return Math.sqrt(sx * sx - sx * sy + sy * sy + 3 * txy * txy);
}

/** Layer stresses of a wall at pressure p (CLT, linear, intact unless `degraded`). */
export function wallStressesAt(w: WallModel, pressureMPa: number, layers = wallLayers(w)): { stresses: LayerStress[]; epsX: number; epsY: number } {
  const { nxNPerMm, nyNPerMm } = cylinderLineLoads(pressureMPa, w.boreRadiusMm, w.midWallRadiusMm);
  const strain = membraneStrain(layers, nxNPerMm, nyNPerMm);
  return { stresses: layerStresses(layers, strain), epsX: strain.epsX, epsY: strain.epsY };
}

const state = (s: LayerStress | undefined) => ({ sigma1MPa: s?.sigma1MPa ?? 0, sigma2MPa: s?.sigma2MPa ?? 0, tau12MPa: s?.tau12MPa ?? 0 });

/**
 * Stresses of a design at NWP and at its burst pressure.
 * @example analyzeStress(basis, design).stressRatio // e.g. 2.81 for a T700S wall sized to 2.25 x NWP
 */
export function analyzeStress(basis: DesignBasis, design: Design): StressResult {
  basis = basisForDesign(basis, design);
  const w = wallModel(basis, design);
  const nwp = basis.requirements.pressureMPa;
  const pb = design.burstPressureMPa;
  const atNwp = wallStressesAt(w, nwp);
  const atBurst = wallStressesAt(w, pb);
  const find = (r: { stresses: LayerStress[] }, name: string) => r.stresses.find((s) => s.name === name);

  const plies: PlyStress[] = [];
  const family = (ply: 'helical' | 'hoop', name: string, angleDeg: number, thicknessMm: number) => {
    const n = find(atNwp, name);
    if (n === undefined) return;
    plies.push({
      ply, angleDeg, thicknessMm,
      nwp: state(n), burst: state(find(atBurst, name)),
      fiberStressNwpMPa: (n.sigma1MPa * w.lamina.fiberModulusMPa) / w.lamina.E1MPa,
    });
  };
  family('helical', 'helical+', w.helicalAngleDeg, w.helicalCompositeMm);
  family('hoop', 'hoop', 90, w.hoopCompositeMm);

  const nNwp = nettingFiberStressMPa(w, nwp);
  const nBurst = nettingFiberStressMPa(w, pb);
  // Full wrap: netting fiber stress (liner neglected, conservative). Hoop wrap only
  // (Type II): netting does not apply (the liner carries the axial and part of the hoop
  // load), so the strain-compatible CLT fiber stress is used.
  const fiberNwp = w.helicalFiberMm > 0
    ? nNwp
    : { helicalMPa: 0, hoopMPa: plies.find((p) => p.ply === 'hoop')?.fiberStressNwpMPa ?? 0 };
  const maxFiber = Math.max(fiberNwp.helicalMPa, fiberNwp.hoopMPa);
  const liner = find(atNwp, 'liner');
  const vm = liner ? vonMisesMPa(liner.sigmaXMPa, liner.sigmaYMPa) : 0;
  const { nxNPerMm, nyNPerMm } = cylinderLineLoads(nwp, w.boreRadiusMm, w.midWallRadiusMm);
  return {
    nwpMPa: nwp,
    designBurstMPa: pb,
    boreRadiusMm: w.boreRadiusMm,
    lineLoadsNwp: { nxNPerMm, nyNPerMm },
    strainNwp: { axial: atNwp.epsX, hoop: atNwp.epsY },
    netting: { helicalNwpMPa: nNwp.helicalMPa, hoopNwpMPa: nNwp.hoopMPa, helicalBurstMPa: nBurst.helicalMPa, hoopBurstMPa: nBurst.hoopMPa },
    plies,
    liner: {
      material: basis.liner,
      thicknessMm: w.linerThicknessMm,
      axialNwpMPa: liner?.sigmaXMPa ?? 0,
      hoopNwpMPa: liner?.sigmaYMPa ?? 0,
      vonMisesNwpMPa: vm,
      yieldMPa: w.liner.yieldMPa,
      loadBearing: w.liner.loadBearing,
      elasticAtNwp: vm <= w.liner.yieldMPa,
    },
    fiberStrengthMPa: w.lamina.fiberStrengthMPa,
    stressRatio: maxFiber > 0 ? w.lamina.fiberStrengthMPa / maxFiber : null,
    governingFamily: maxFiber > 0 ? (fiberNwp.helicalMPa >= fiberNwp.hoopMPa ? 'helical' : 'hoop') : null,
    assumptions: [
      'Membrane state of the cylindrical section, away from the domes; CLT with the extensional stiffness A only (bending-extension coupling restrained by the closed shell).',
      'Line loads N_y = p R_i (bore radius), N_x = p R_i^2 / (2 R_mid); netting fiber stresses use R = bore radius (H2_REFERENCE, netting theory [T]).',
      'Liner modelled as an isotropic layer strained with the composite (strain compatibility); liner Poisson ratio [T].',
      'Ply stresses at burst are the linear-elastic, intact-laminate extrapolation (matrix cracking ignored here; see the failure analysis).',
      describeLamina(w.lamina, w.fiberVolumeFraction),
    ],
  };
}
