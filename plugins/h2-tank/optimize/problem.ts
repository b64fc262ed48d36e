/**
 * The tank-sizing problem NSGA-II solves: what a designer actually trades, under the
 * capacity, packaging and burst constraints of a DesignBasis.
 *
 * Searched variables (x index): 0 tank count (integer, the packaging's range),
 * 1 liner inner radius, mm (the diameter within the envelope), 2 fiber grade (index
 * into the basis's fiber options), 3 burst margin level BP0 / BPmin (index into
 * knockdowns.ts BURST_MARGIN_LEVELS), 4 liner (index into the liner options).
 * Fixed by the process or by rule, not searched (knockdowns.ts): Vf 0.60; polymer and
 * aluminium liners at their minimum wall; a Type II steel liner carries the axial load
 * (t = Pb R / (2 UTS)); a Type I wall follows the steel rules (steel-wall.ts); the
 * polar opening is the boss port, 25 mm (car) or 40 mm (heavy duty) radius [T], so the
 * helical angle is asin(r0 / R) within sin a 0.1-0.5.
 * The cylinder length is solved from the capacity requirement (tank-model.ts
 * cylinderLengthForVolumeMm), so every sample meets capacity unless the domes alone
 * exceed it.
 * Objectives (all minimised): system mass (tanks + valves), system cost (tanks + valves,
 * so an extra tank costs money), packaged volume (sum of the tanks' bounding boxes, L)
 * and the burst margin BP0 / BPmin, negated (more margin is better). Without the margin
 * as an objective its level would always sit at the minimum and never be a choice.
 * Constraints, each a normalised violation >= 0 (0 = met), summed for Deb's
 * constraint-domination:
 *   capacity   stored H2 (all tanks, NWP and 15 C) >= h2MassKg, and/or water volume >= waterVolumeL
 *   diameter   outer diameter <= packaging.maxDiameterMm
 *   length     packaged length (overall + boss necks) <= packaging.maxLengthMm
 *   burst      predicted burst >= burstRatio x burstRatioFactor x NWP
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { Design, DesignBasis, DesignVariables, Fiber, Liner, Packaging } from '../schemas.ts';
import { designContext, type DesignContext } from '../engineering/design-context.ts';
import { designFromFigures, packagedLengthMm } from '../engineering/evaluate-design.ts';
import { BURST_MARGIN_LEVELS, LINER_MIN_MM, PROCESS_VF, VALVES_PER_TANK } from '../engineering/knockdowns.ts';
import { packagingFor } from '../engineering/packaging.ts';
import { typeIWallMm } from '../engineering/steel-wall.ts';
import { computeTank, cylinderLengthForVolumeMm, emptyTankFigures, type TankFigures } from '../engineering/tank-model.ts';
import type { Nsga2Problem } from './nsga2.ts';

/** Names of the constraints, in the order of `constraintViolations`. */
export const CONSTRAINTS = ['capacity', 'diameter', 'length', 'burst'] as const;
/** One of the tank problem's constraints. */
export type ConstraintName = (typeof CONSTRAINTS)[number];

/** Names of the objectives, in the order NSGA-II minimises them (the margin negated: more is better). */
export const OBJECTIVES = ['systemMassKg', 'systemCostUsd', 'envelopeL', 'burstMargin'] as const;

/** Polar opening ratio bounds r0/R = sin a for Types III/IV: boss >= 0.1 R [T]; <= 0.5 R keeps the head stiff [T]. */
const RHO0_MIN = 0.1;
const RHO0_MAX = 0.5;
/** Boss port radius, mm [T]: the valve thread sets it, not the optimiser. */
const PORT_RADIUS_MM = { car: 25, heavy: 40 } as const;
/** Smallest liner inner radius searched, mm [T] (a 1 L tank is about 60 mm radius). */
const MIN_RADIUS_MM = 40;
/** Relative slack for round-off when the solved length exactly meets the capacity. */
const CAPACITY_TOLERANCE = 1e-9;

/** The tank problem: an Nsga2Problem plus decoding and diagnostics. */
export interface TankProblem extends Nsga2Problem {
  basis: DesignBasis;
  /** The packaging limits searched under (the basis's, or derived from its requirements). */
  packaging: Packaging;
  /** Fiber grades and liners the indices 2 and 4 select from. */
  fibers: readonly Fiber[];
  liners: readonly Liner[];
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

/** Liner wall of a design, mm, by tank type (see the module comment). */
function linerWallMm(ctx: DesignContext, innerRadiusMm: number, burstTargetMPa: number): number {
  const min = LINER_MIN_MM[ctx.linerName];
  const steel = { yieldMPa: ctx.liner.yieldStrengthMPa ?? ctx.liner.tensileStrengthMPa, tensileMPa: ctx.liner.tensileStrengthMPa };
  if (ctx.tankType === 'I') return Math.max(min, typeIWallMm(innerRadiusMm, ctx.nwpMPa, burstTargetMPa, steel));
  if (ctx.tankType === 'II') return Math.max(min, (burstTargetMPa * innerRadiusMm) / (2 * ctx.liner.tensileStrengthMPa));
  return min;
}

/** Builds the tank problem of a basis, with bounds from its packaging and material options. */
export function tankProblem(basis: DesignBasis): TankProblem {
  const base = designContext(basis);
  const req = basis.requirements;
  const packaging = basis.packaging ?? packagingFor(req);
  const fibers: Fiber[] = basis.tankType === 'I' || basis.fiber === 'none' ? ['T700S'] : [...(basis.fiberOptions ?? [basis.fiber])];
  const liners: Liner[] = [...(basis.linerOptions ?? [basis.liner])];
  // Type I has no fiber: index 2 is fixed and the context ignores it.
  const contexts = fibers.map((f) => liners.map((l) => designContext(basis, basis.tankType === 'I' ? undefined : f, l)));
  const volumeL = requiredVolumeL(basis, base);
  // Radius of a sphere holding the whole volume: no useful tank is wider.
  const sphereRadiusMm = Math.cbrt((3 * volumeL * 1e6) / (4 * Math.PI));
  let rMax = Math.max(1.2 * sphereRadiusMm, 2 * MIN_RADIUS_MM);
  if (packaging.maxDiameterMm !== null) rMax = Math.max(MIN_RADIUS_MM * 1.05, Math.min(rMax, packaging.maxDiameterMm / 2));
  const port = PORT_RADIUS_MM[base.duty];
  const composite = basis.tankType !== 'I';
  const lower = [packaging.minCount, MIN_RADIUS_MM, 0, 0, 0];
  const upper = [packaging.maxCount, rMax, composite ? fibers.length - 1 : 0, composite ? BURST_MARGIN_LEVELS.length - 1 : 0, liners.length - 1];
  const figures: TankFigures = emptyTankFigures();
  const violations = new Float64Array(CONSTRAINTS.length);

  const pick = (i: number, n: number): number => Math.min(n - 1, Math.max(0, Math.round(i)));
  const ctxOf = (x: readonly number[]): DesignContext => contexts[pick(x[2], fibers.length)][pick(x[4], liners.length)];
  // Type I: the margin level scales the steel's burst target too; composite levels otherwise.
  const margin = (x: readonly number[]): number => BURST_MARGIN_LEVELS[pick(x[3], BURST_MARGIN_LEVELS.length)];
  const angleDeg = (ctx: DesignContext, R: number): number => (ctx.fullWrap ? Math.asin(Math.min(RHO0_MAX, Math.max(RHO0_MIN, port / R))) * DEG : 15);
  const vars = (x: readonly number[]): DesignVariables => {
    const ctx = ctxOf(x);
    const n = Math.round(x[0]);
    const R = x[1];
    const a = angleDeg(ctx, R);
    const m = margin(x);
    return {
      count: n,
      innerRadiusMm: R,
      cylinderLengthMm: cylinderLengthForVolumeMm(ctx, R, a, volumeL / n),
      helicalAngleDeg: a,
      linerThicknessMm: linerWallMm(ctx, R, ctx.requiredBurstMPa * m),
      fiberVolumeFraction: PROCESS_VF,
      burstFactor: m,
      ...(composite ? { fiber: ctx.fiberName as Fiber } : {}),
      liner: ctx.linerName,
    };
  };
  const run = (v: DesignVariables, ctx: DesignContext): TankFigures =>
    computeTank(ctx, v.innerRadiusMm, v.cylinderLengthMm, v.helicalAngleDeg, v.linerThicknessMm, v.fiberVolumeFraction, v.burstFactor, figures);

  const measure = (f: TankFigures, n: number, ctx: DesignContext): Float64Array => {
    let capacity = 0;
    if (req.h2MassKg !== undefined) capacity = Math.max(0, 1 - CAPACITY_TOLERANCE - (n * f.storedH2Kg) / req.h2MassKg);
    if (req.waterVolumeL !== undefined) capacity += Math.max(0, 1 - CAPACITY_TOLERANCE - (n * f.waterVolumeL) / req.waterVolumeL);
    violations[0] = capacity;
    violations[1] = packaging.maxDiameterMm !== null ? Math.max(0, (2 * f.outerRadiusMm) / packaging.maxDiameterMm - 1) : 0;
    violations[2] = packaging.maxLengthMm !== null ? Math.max(0, packagedLengthMm(ctx, f.overallLengthMm) / packaging.maxLengthMm - 1) : 0;
    violations[3] = Math.max(0, 1 - f.burstPressureMPa / f.requiredBurstMPa);
    return violations;
  };

  return {
    basis,
    packaging,
    fibers,
    liners,
    requiredWaterVolumeL: volumeL,
    requiredBurstMPa: base.requiredBurstMPa,
    lower,
    upper,
    integer: [0, 2, 3, 4],
    objectives: OBJECTIVES.length,
    evaluate(x, out) {
      const v = vars(x);
      const ctx = ctxOf(x);
      const f = run(v, ctx);
      const m = measure(f, v.count, ctx);
      out[0] = v.count * (f.massKg + VALVES_PER_TANK.massKg);
      out[1] = v.count * (f.costUsd + VALVES_PER_TANK.costUsd);
      out[2] = (v.count * 4 * f.outerRadiusMm * f.outerRadiusMm * packagedLengthMm(ctx, f.overallLengthMm)) / 1e6;
      out[3] = -v.burstFactor;
      return m[0] + m[1] + m[2] + m[3];
    },
    decode: vars,
    design: (x) => {
      const v = vars(x);
      const ctx = ctxOf(x);
      return designFromFigures(v, run(v, ctx), ctx, packaging);
    },
    constraintViolations(x) {
      const v = vars(x);
      const ctx = ctxOf(x);
      const m = measure(run(v, ctx), v.count, ctx);
      return { capacity: m[0], diameter: m[1], length: m[2], burst: m[3] };
    },
  };
}
