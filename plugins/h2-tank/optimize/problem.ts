/**
 * The tank-sizing problem NSGA-II solves: decision variables, bounds, objectives
 * (system mass and cost, both minimised) and constraints of a DesignBasis.
 *
 * Searched variables (x index): 0 count (integer 1-4), 1 innerRadiusMm,
 * 2 helicalAngleDeg, 3 linerThicknessMm, 4 fiberVolumeFraction, 5 burstFactor.
 * The cylinder length is not searched: it is solved from the capacity requirement
 * (tank-model.ts cylinderLengthForVolumeMm), because the capacity constraint is always
 * active at a mass or cost optimum. Searching it freely leaves NSGA-II on a thin ridge
 * (R up needs L down in proportion) where it stalls well short of the optimum; solving
 * for it makes every sample meet capacity unless the domes alone exceed it.
 * Constraints, each a normalised violation >= 0 (0 = met), summed for Deb's
 * constraint-domination:
 *   capacity   stored H2 (all tanks, NWP and 15 C) >= h2MassKg, and/or water volume >= waterVolumeL
 *   diameter   outer diameter <= envelope.maxDiameterMm
 *   length     overall length <= envelope.maxLengthMm
 *   burst      predicted burst >= burstRatio x burstRatioFactor x NWP
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { Design, DesignBasis, DesignVariables } from '../schemas.ts';
import { designContext, type DesignContext } from '../engineering/design-context.ts';
import { designFromFigures } from '../engineering/evaluate-design.ts';
import { computeTank, cylinderLengthForVolumeMm, emptyTankFigures, type TankFigures } from '../engineering/tank-model.ts';
import type { Nsga2Problem } from './nsga2.ts';

/** Names of the constraints, in the order of `constraintViolations`. */
export const CONSTRAINTS = ['capacity', 'diameter', 'length', 'burst'] as const;
/** One of the tank problem's constraints. */
export type ConstraintName = (typeof CONSTRAINTS)[number];

/** Polar opening ratio bounds r0/R = sin a for Types III/IV: boss >= 0.1 R (project assumption [T]); <= 0.5 R keeps the head stiff [T]. */
const RHO0_MIN = 0.1;
const RHO0_MAX = 0.5;
/** Fiber volume fraction range, Vf 0.55-0.65 (H2_REFERENCE netting theory [T]). */
const VF_RANGE = [0.55, 0.65] as const;
/** Burst factor range (schemas.ts DesignVariables). */
const BURST_FACTOR_RANGE = [1, 1.6] as const;
/** Smallest liner inner radius searched, mm [T] (a 1 L tank is about 60 mm radius). */
const MIN_RADIUS_MM = 40;
/** Tank count range (schemas.ts DesignVariables). */
const COUNT_RANGE = [1, 4] as const;
/** Relative slack for round-off when the solved length exactly meets the capacity. */
const CAPACITY_TOLERANCE = 1e-9;

/** The tank problem: an Nsga2Problem plus decoding and diagnostics. */
export interface TankProblem extends Nsga2Problem {
  basis: DesignBasis;
  /** Required total water volume, L (from h2MassKg at NWP and 15 C, or waterVolumeL). */
  requiredWaterVolumeL: number;
  /** burstRatio x burstRatioFactor x NWP, MPa. */
  requiredBurstMPa: number;
  decode(x: readonly number[]): DesignVariables;
  design(x: readonly number[]): Design;
  /** Per-constraint normalised violations of x (0 = met). */
  constraintViolations(x: readonly number[]): Record<ConstraintName, number>;
}

const DEG = 180 / Math.PI;

function requiredVolumeL(basis: DesignBasis, ctx: DesignContext): number {
  const r = basis.requirements;
  const fromMass = r.h2MassKg !== undefined ? (r.h2MassKg / ctx.h2DensityKgM3) * 1000 : 0;
  const volume = Math.max(fromMass, r.waterVolumeL ?? 0);
  if (!(volume > 0)) {
    throw new StagegraphError('missing_capacity', 'Requirements give neither h2MassKg nor waterVolumeL; the tank cannot be sized', {
      class: 'validation',
      details: { question: 'How much hydrogen should the system store (kg at NWP and 15 C), or what water volume (L)?' },
    });
  }
  return volume;
}

/** Builds the tank problem of a basis, with bounds scaled to its required volume and envelope. */
export function tankProblem(basis: DesignBasis): TankProblem {
  const ctx = designContext(basis);
  const req = basis.requirements;
  const volumeL = requiredVolumeL(basis, ctx);
  // Radius of a sphere holding the whole volume: no useful tank is wider.
  const sphereRadiusMm = Math.cbrt((3 * volumeL * 1e6) / (4 * Math.PI));
  let rMax = Math.max(1.2 * sphereRadiusMm, 2 * MIN_RADIUS_MM);
  if (req.envelope.maxDiameterMm !== undefined) rMax = Math.max(MIN_RADIUS_MM * 1.05, Math.min(rMax, req.envelope.maxDiameterMm / 2));
  const [tMin, tMax] = ctx.liner.thicknessRangeMm;
  // Types I/II have no helical winding: the angle is fixed and unused (metal heads, design-context.ts).
  const angle = ctx.fullWrap ? [Math.asin(RHO0_MIN) * DEG, Math.asin(RHO0_MAX) * DEG] : [15, 15];
  // Type I has no composite: Vf and burst factor do nothing, so they are fixed (no duplicate designs).
  const composite = ctx.tankType !== 'I';
  const vf = composite ? VF_RANGE : [0.6, 0.6];
  const bf = composite ? BURST_FACTOR_RANGE : [1, 1];
  const lower = [COUNT_RANGE[0], MIN_RADIUS_MM, angle[0], tMin, vf[0], bf[0]];
  const upper = [COUNT_RANGE[1], rMax, angle[1], tMax, vf[1], bf[1]];
  const figures: TankFigures = emptyTankFigures();
  const violations = new Float64Array(CONSTRAINTS.length);

  const lengthMm = (x: readonly number[]): number => cylinderLengthForVolumeMm(ctx, x[1], x[2], volumeL / Math.round(x[0]));
  const run = (x: readonly number[]): TankFigures => computeTank(ctx, x[1], lengthMm(x), x[2], x[3], x[4], x[5], figures);

  const measure = (x: readonly number[]): Float64Array => {
    const f = run(x);
    const n = Math.round(x[0]);
    let capacity = 0;
    if (req.h2MassKg !== undefined) capacity = Math.max(0, 1 - CAPACITY_TOLERANCE - (n * f.storedH2Kg) / req.h2MassKg);
    if (req.waterVolumeL !== undefined) capacity += Math.max(0, 1 - CAPACITY_TOLERANCE - (n * f.waterVolumeL) / req.waterVolumeL);
    violations[0] = capacity;
    violations[1] = req.envelope.maxDiameterMm !== undefined ? Math.max(0, (2 * f.outerRadiusMm) / req.envelope.maxDiameterMm - 1) : 0;
    violations[2] = req.envelope.maxLengthMm !== undefined ? Math.max(0, f.overallLengthMm / req.envelope.maxLengthMm - 1) : 0;
    violations[3] = Math.max(0, 1 - f.burstPressureMPa / f.requiredBurstMPa);
    return violations;
  };

  const decode = (x: readonly number[]): DesignVariables => ({
    count: Math.round(x[0]),
    innerRadiusMm: x[1],
    cylinderLengthMm: lengthMm(x),
    helicalAngleDeg: x[2],
    linerThicknessMm: x[3],
    fiberVolumeFraction: x[4],
    burstFactor: x[5],
  });

  return {
    basis,
    requiredWaterVolumeL: volumeL,
    requiredBurstMPa: ctx.requiredBurstMPa,
    lower,
    upper,
    integer: [0],
    objectives: 2,
    evaluate(x, out) {
      const v = measure(x);
      const n = Math.round(x[0]);
      out[0] = n * figures.massKg;
      out[1] = n * figures.costUsd;
      return v[0] + v[1] + v[2] + v[3];
    },
    decode,
    design: (x) => designFromFigures(decode(x), run(x)),
    constraintViolations(x) {
      const v = measure(x);
      return { capacity: v[0], diameter: v[1], length: v[2], burst: v[3] };
    },
  };
}
