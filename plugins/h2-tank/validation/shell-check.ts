/**
 * Independent check of the analytic shell stresses of a design: the cylinder wall is
 * solved again as a layered thick-walled, cylindrically orthotropic cylinder
 * (thick-cylinder.ts, Lekhnitskii) and its thickness-averaged and peak hoop and axial
 * stresses at NWP are compared with the CLT membrane result of the stress analysis.
 *
 * Layer stiffness in 3-D: a UD ply is transversely isotropic (E1; E2 = E3; nu12 = nu13;
 * nu23, lamina.ts); rotated by +-a about the radial axis, the +a and -a plies are smeared
 * into one orthotropic layer by averaging their stiffness (the shear couplings cancel).
 * Units: MPa, mm.
 */
import { z } from 'zod';
import type { Design, DesignBasis } from '../schemas.ts';
import { wallStressesAt } from '../analysis/stress.ts';
import { wallModel, type Stacking, type WallModel } from '../analysis/wall.ts';
import { basisForDesign } from '../analysis/input.ts';
import type { Lamina } from '../analysis/lamina.ts';
import { isotropicStiffness, solveLayeredCylinder, solveLinear, type CylLayer, type CylStiffness } from './thick-cylinder.ts';

/** Default flag threshold on the mean-stress deviation, fraction. */
export const DEFAULT_TOLERANCE = 0.1;

/**
 * 3-D stiffness, in (r, theta, z), of a UD ply wound at `angleDeg` from the axis (the
 * same for +a and -a once the shear couplings are dropped).
 */
export function plyCylStiffness(l: Lamina, angleDeg: number): CylStiffness {
  const s12 = -l.nu12 / l.E1MPa;
  const s23 = -l.nu23 / l.E2MPa;
  const S = [
    [1 / l.E1MPa, s12, s12],
    [s12, 1 / l.E2MPa, s23],
    [s12, s23, 1 / l.E2MPa],
  ];
  const col = (j: number) => solveLinear(S, [0, 1, 2].map((i) => (i === j ? 1 : 0)));
  const [c1, c2, c3] = [col(0), col(1), col(2)];
  const [C11, C12, C13, C22, C23, C33] = [c1[0], c1[1], c1[2], c2[1], c2[2], c3[2]];
  const C66 = l.G12MPa;
  const a = (angleDeg * Math.PI) / 180;
  const m2 = Math.cos(a) ** 2;
  const n2 = Math.sin(a) ** 2;
  return {
    rr: C33,
    rt: C13 * n2 + C23 * m2,
    rz: C13 * m2 + C23 * n2,
    tt: C11 * n2 * n2 + 2 * (C12 + 2 * C66) * m2 * n2 + C22 * m2 * m2,
    tz: (C11 + C22 - 4 * C66) * m2 * n2 + C12 * (m2 * m2 + n2 * n2),
    zz: C11 * m2 * m2 + 2 * (C12 + 2 * C66) * m2 * n2 + C22 * n2 * n2,
  };
}

/** The wall of a design as contiguous cylinder layers from the bore outward. */
export function wallCylLayers(w: WallModel, stacking: Stacking = 'hoop-first'): CylLayer[] {
  const layers: CylLayer[] = [];
  let r = w.boreRadiusMm;
  const add = (name: string, t: number, stiffness: CylStiffness) => {
    if (!(t > 0)) return;
    layers.push({ name, innerRadiusMm: r, outerRadiusMm: r + t, stiffness });
    r += t;
  };
  add('liner', w.linerThicknessMm, isotropicStiffness(w.liner.modulusMPa, w.liner.poisson));
  const helical = () => add('helical', w.helicalCompositeMm, plyCylStiffness(w.lamina, w.helicalAngleDeg));
  const hoop = () => add('hoop', w.hoopCompositeMm, plyCylStiffness(w.lamina, 90));
  if (stacking === 'hoop-first') { hoop(); helical(); } else { helical(); hoop(); }
  return layers;
}

const Deviation = z.number().nullable();

const LayerCheck = z.object({
  layer: z.enum(['liner', 'helical', 'hoop']),
  innerRadiusMm: z.number(),
  outerRadiusMm: z.number(),
  clt: z.object({ hoopMPa: z.number(), axialMPa: z.number() }),
  thick: z.object({ meanHoopMPa: z.number(), meanAxialMPa: z.number(), peakHoopMPa: z.number(), peakAxialMPa: z.number() }),
  /** (thick - CLT) / |CLT|, fractions; null where the CLT stress is under 1 % of the largest in the wall. */
  deviation: z.object({ meanHoop: Deviation, meanAxial: Deviation, peakHoop: Deviation, peakAxial: Deviation }),
  /** The direction the layer's fibers mainly carry (larger CLT stress of the two). */
  dominant: z.enum(['hoop', 'axial']),
});

/** Result of the validation (output of `validate-design`). */
export const ValidationResult = z.object({
  method: z.literal('layered cylindrically orthotropic thick cylinder (Lekhnitskii), generalised plane strain, closed ends'),
  stacking: z.enum(['hoop-first', 'helical-first']),
  pressureMPa: z.number(),
  axialStrain: z.number(),
  /** Axial strain of the CLT membrane solution, for comparison. */
  cltAxialStrain: z.number(),
  layers: z.array(LayerCheck),
  /** Largest |mean deviation| of a composite layer's dominant stress, fraction. */
  maxMeanDeviation: z.number(),
  /** Largest |peak deviation| of a composite layer's dominant stress (thick-wall gradient included), fraction. */
  maxPeakDeviation: z.number(),
  /** Largest 3-D von Mises stress in the liner (radial stress included, which CLT drops), MPa. */
  linerVonMises3dMPa: z.number().nullable(),
  tolerance: z.number(),
  /** True when the mean deviation is beyond the tolerance: the membrane analysis is not to be trusted for this wall. */
  flagged: z.boolean(),
  assumptions: z.array(z.string()),
});
export type ValidationResult = z.infer<typeof ValidationResult>;

/** Options of {@link validateDesign}. */
export interface ValidationOptions {
  /** @default 0.1 */
  tolerance?: number;
  /** Order of the composite layers from the liner outward. @default 'hoop-first' */
  stacking?: Stacking;
}

/**
 * Thick-cylinder check of a design's shell stresses at NWP.
 * @example validateDesign(basis, design).maxMeanDeviation // e.g. 0.03
 */
export function validateDesign(basis: DesignBasis, design: Design, options: ValidationOptions = {}): ValidationResult {
  basis = basisForDesign(basis, design);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const stacking = options.stacking ?? 'hoop-first';
  const w = wallModel(basis, design);
  const p = basis.requirements.pressureMPa;
  const thick = solveLayeredCylinder(wallCylLayers(w, stacking), p);
  const clt = wallStressesAt(w, p);
  const cltOf = (name: string) => clt.stresses.find((s) => s.name === (name === 'helical' ? 'helical+' : name));
  const scale = Math.max(...clt.stresses.map((s) => Math.max(Math.abs(s.sigmaXMPa), Math.abs(s.sigmaYMPa))));
  const dev = (t: number, c: number) => (Math.abs(c) < 0.01 * scale ? null : (t - c) / Math.abs(c));
  const peak = (xs: number[]) => xs.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);

  const layers = thick.layers.map((t) => {
    const c = cltOf(t.name);
    const hoopMPa = c?.sigmaYMPa ?? 0;
    const axialMPa = c?.sigmaXMPa ?? 0;
    const peakAxialMPa = peak(t.sigmaZMPa);
    return {
      layer: t.name as 'liner' | 'helical' | 'hoop',
      innerRadiusMm: t.radiiMm[0],
      outerRadiusMm: t.radiiMm[t.radiiMm.length - 1],
      clt: { hoopMPa, axialMPa },
      thick: { meanHoopMPa: t.meanHoopMPa, meanAxialMPa: t.meanAxialMPa, peakHoopMPa: t.peakHoopMPa, peakAxialMPa },
      deviation: {
        meanHoop: dev(t.meanHoopMPa, hoopMPa), meanAxial: dev(t.meanAxialMPa, axialMPa),
        peakHoop: dev(t.peakHoopMPa, hoopMPa), peakAxial: dev(peakAxialMPa, axialMPa),
      },
      dominant: (Math.abs(hoopMPa) >= Math.abs(axialMPa) ? 'hoop' : 'axial') as 'hoop' | 'axial',
    };
  });
  const composite = layers.filter((l) => l.layer !== 'liner');
  const absMax = (xs: (number | null)[]) => Math.max(0, ...xs.filter((x): x is number => x !== null).map(Math.abs));
  const maxMeanDeviation = absMax(composite.map((l) => (l.dominant === 'hoop' ? l.deviation.meanHoop : l.deviation.meanAxial)));
  const maxPeakDeviation = absMax(composite.map((l) => (l.dominant === 'hoop' ? l.deviation.peakHoop : l.deviation.peakAxial)));
  const liner = thick.layers.find((t) => t.name === 'liner');
  const vm3 = (i: number, t: NonNullable<typeof liner>) => {
    const [r, h, a] = [t.sigmaRMPa[i], t.sigmaThetaMPa[i], t.sigmaZMPa[i]];
    return Math.sqrt(((r - h) ** 2 + (h - a) ** 2 + (a - r) ** 2) / 2);
  };
  const linerVonMises3dMPa = liner ? Math.max(...liner.radiiMm.map((_, i) => vm3(i, liner))) : null;
  return {
    method: 'layered cylindrically orthotropic thick cylinder (Lekhnitskii), generalised plane strain, closed ends',
    stacking,
    pressureMPa: p,
    axialStrain: thick.axialStrain,
    cltAxialStrain: clt.epsX,
    layers,
    maxMeanDeviation,
    maxPeakDeviation,
    linerVonMises3dMPa,
    tolerance,
    flagged: maxMeanDeviation > tolerance,
    assumptions: [
      `Stacking ${stacking} from the liner outward; the +a/-a helical plies are smeared into one orthotropic layer (stiffness average).`,
      'UD plies transversely isotropic in 3-D (E3 = E2, nu13 = nu12, nu23 [T]); radial stress and the through-thickness gradient are what CLT leaves out.',
      'Cylindrical section far from the domes; closed-end axial force p pi R_i^2 carried by the whole wall.',
    ],
  };
}
