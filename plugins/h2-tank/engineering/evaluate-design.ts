/**
 * `evaluateDesign`: the public entry point of the tank model. Turns design variables
 * under a design basis into a fully evaluated `Design` (schemas.ts): one tank's
 * geometry, layup, masses, cost, capacity and burst margin, plus system totals for
 * `count` identical tanks.
 *
 * Conventions (stated because published figures differ):
 * - Gravimetric capacity is H2 / tank mass (not H2 / (H2 + tanks)); Toyota's 5.7 wt %
 *   for the first Mirai is 5.0 kg / 87.5 kg (H2_REFERENCE "A published tank").
 * - Volumetric capacity is H2 / water volume, kg/L (not per external volume).
 * - Capacity is at NWP and 15 C from the real-gas fit (eos.ts), never the ideal-gas law,
 *   which overstates it by 47 % at 70 MPa (H2_REFERENCE).
 * - `massKg.total` = liner + composite + bosses; the two bosses of a Type III/IV tank
 *   are in the total only (the Design schema has no field of their own).
 * The model itself and its approximations are documented in tank-model.ts.
 */
import type { Design, DesignBasis, DesignVariables } from '../schemas.ts';
import { designContext, type DesignContext } from './design-context.ts';
import { MAX_RHO0 } from './dome.ts';
import { computeTank, emptyTankFigures, type TankFigures } from './tank-model.ts';

/**
 * A stable id for a set of design variables: FNV-1a (32 bit) over the variables
 * rounded to 1e-6, so equal designs found twice share an id.
 */
export function designId(vars: DesignVariables): string {
  const key = [vars.count, vars.innerRadiusMm, vars.cylinderLengthMm, vars.helicalAngleDeg, vars.linerThicknessMm,
    vars.fiberVolumeFraction, vars.burstFactor].map((v) => Math.round(v * 1e6)).join('|');
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `tank-${h.toString(16).padStart(8, '0')}`;
}

/** Builds the `Design` record from evaluated figures (one allocation per design). */
export function designFromFigures(vars: DesignVariables, f: TankFigures): Design {
  const n = vars.count;
  const totalMassKg = n * f.massKg;
  const totalH2Kg = n * f.storedH2Kg;
  const totalWaterL = n * f.waterVolumeL;
  return {
    id: designId(vars),
    variables: { ...vars },
    geometry: {
      innerRadiusMm: f.innerRadiusMm,
      outerRadiusMm: f.outerRadiusMm,
      cylinderLengthMm: f.cylinderLengthMm,
      domeHeightMm: f.domeHeightMm,
      overallLengthMm: f.overallLengthMm,
      polarOpeningRadiusMm: f.polarOpeningRadiusMm,
      waterVolumeL: f.waterVolumeL,
    },
    layup: {
      helicalFiberMm: f.helicalFiberMm,
      hoopFiberMm: f.hoopFiberMm,
      compositeMm: f.compositeMm,
      compositeDensityKgM3: f.compositeDensityKgM3,
    },
    massKg: { liner: f.linerMassKg, composite: f.compositeMassKg, total: f.massKg },
    costUsd: f.costUsd,
    storedH2Kg: f.storedH2Kg,
    burstPressureMPa: f.burstPressureMPa,
    safetyMargin: f.safetyMargin,
    totals: {
      waterVolumeL: totalWaterL,
      storedH2Kg: totalH2Kg,
      massKg: totalMassKg,
      costUsd: n * f.costUsd,
      gravimetricPct: (100 * totalH2Kg) / totalMassKg,
      volumetricKgPerL: totalH2Kg / totalWaterL,
    },
  };
}

/** Largest helical angle the dome model accepts, deg (sin a = MAX_RHO0). */
const MAX_HELICAL_DEG = (Math.asin(MAX_RHO0) * 180) / Math.PI;

function checkVariables(vars: DesignVariables, ctx: DesignContext): void {
  const bad: string[] = [];
  if (!Number.isInteger(vars.count) || vars.count < 1) bad.push(`count = ${vars.count} (integer >= 1)`);
  if (!(vars.innerRadiusMm > 0)) bad.push(`innerRadiusMm = ${vars.innerRadiusMm} (> 0)`);
  if (!(vars.cylinderLengthMm >= 0)) bad.push(`cylinderLengthMm = ${vars.cylinderLengthMm} (>= 0)`);
  if (!(vars.linerThicknessMm > 0)) bad.push(`linerThicknessMm = ${vars.linerThicknessMm} (> 0)`);
  if (!(vars.fiberVolumeFraction > 0 && vars.fiberVolumeFraction < 1)) bad.push(`fiberVolumeFraction = ${vars.fiberVolumeFraction} (0-1)`);
  if (!(vars.burstFactor >= 1)) bad.push(`burstFactor = ${vars.burstFactor} (>= 1)`);
  // Types III/IV: r0/R = sin a must stay within the dome model's range (dome.ts MAX_RHO0).
  if (ctx.fullWrap && !(vars.helicalAngleDeg > 0 && Math.sin((vars.helicalAngleDeg * Math.PI) / 180) <= MAX_RHO0)) {
    bad.push(`helicalAngleDeg = ${vars.helicalAngleDeg} (0-${MAX_HELICAL_DEG.toFixed(2)}, sin a <= ${MAX_RHO0})`);
  }
  if (bad.length > 0) throw new RangeError(`evaluateDesign: invalid design variables: ${bad.join('; ')}`);
}

/**
 * Evaluates one design: one tank plus totals for `vars.count` tanks.
 * @example
 * const d = evaluateDesign({ count: 2, innerRadiusMm: 160, cylinderLengthMm: 700, helicalAngleDeg: 12,
 *   linerThicknessMm: 4, fiberVolumeFraction: 0.6, burstFactor: 1 }, basis);
 * d.totals.storedH2Kg; // kg at NWP and 15 C
 */
export function evaluateDesign(vars: DesignVariables, basis: DesignBasis): Design {
  const ctx = designContext(basis);
  checkVariables(vars, ctx);
  return evaluateWithContext(vars, ctx);
}

/** As {@link evaluateDesign}, with the per-basis context already resolved. */
export function evaluateWithContext(vars: DesignVariables, ctx: DesignContext): Design {
  const f = computeTank(ctx, vars.innerRadiusMm, vars.cylinderLengthMm, vars.helicalAngleDeg, vars.linerThicknessMm,
    vars.fiberVolumeFraction, vars.burstFactor, emptyTankFigures());
  return designFromFigures(vars, f);
}
