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
 * - `massKg.total` = liner + composite + bosses + protective layer + dome caps: one
 *   tank as delivered. `totals` are the tanks only (mass, cost, wt %); `totals.system`
 *   adds the valves and fittings of every tank (knockdowns.ts). The two are never mixed.
 * - `packaging`: each tank's bounding box OD^2 x packaged length (boss necks included), summed, and the H2 it holds per
 *   litre of that envelope; `fits` against the basis's packaging limits (packaging.ts).
 * The model itself and its approximations are documented in tank-model.ts.
 */
import type { Design, DesignBasis, DesignVariables, Packaging } from '../schemas.ts';
import { designContext, type DesignContext } from './design-context.ts';
import { BOSS_NECK_MM, VALVES_PER_TANK } from './knockdowns.ts';
import { packagingFor } from './packaging.ts';
import { MAX_RHO0 } from './dome.ts';
import { computeTank, emptyTankFigures, type TankFigures } from './tank-model.ts';

/**
 * A stable id for a set of design variables: FNV-1a (32 bit) over the variables
 * rounded to 1e-6, so equal designs found twice share an id.
 */
export function designId(vars: DesignVariables): string {
  const numbers = [vars.count, vars.innerRadiusMm, vars.cylinderLengthMm, vars.helicalAngleDeg, vars.linerThicknessMm,
    vars.fiberVolumeFraction, vars.burstFactor].map((v) => Math.round(v * 1e6)).join('|');
  const key = vars.fiber === undefined && vars.liner === undefined ? numbers : `${numbers}|${vars.fiber ?? ''}|${vars.liner ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `tank-${h.toString(16).padStart(8, '0')}`;
}

/** Slack on the packaging limits for round-off, mm. */
const FIT_SLACK_MM = 1e-6;

/**
 * Length one tank takes in its envelope, mm: overall length plus the boss necks of a
 * wrapped tank (knockdowns.ts BOSS_NECK_MM); a steel cylinder's neck is in its head.
 */
export function packagedLengthMm(ctx: DesignContext, overallLengthMm: number): number {
  return overallLengthMm + (ctx.fullWrap ? 2 * BOSS_NECK_MM[ctx.duty] : 0);
}

/** True when one tank of outer radius and packaged length fits the packaging limits. */
export function fitsPackaging(p: Packaging | undefined, outerRadiusMm: number, packagedLength: number): boolean {
  if (p === undefined) return true;
  return (p.maxDiameterMm === null || 2 * outerRadiusMm <= p.maxDiameterMm + FIT_SLACK_MM)
    && (p.maxLengthMm === null || packagedLength <= p.maxLengthMm + FIT_SLACK_MM);
}

/** Builds the `Design` record from evaluated figures (one allocation per design). */
export function designFromFigures(vars: DesignVariables, f: TankFigures, ctx: DesignContext, packaging?: Packaging): Design {
  const n = vars.count;
  const totalMassKg = n * f.massKg;
  const totalH2Kg = n * f.storedH2Kg;
  const totalWaterL = n * f.waterVolumeL;
  const systemMassKg = totalMassKg + n * VALVES_PER_TANK.massKg;
  const od = 2 * f.outerRadiusMm;
  const lengthMm = packagedLengthMm(ctx, f.overallLengthMm);
  const envelopeL = (n * od * od * lengthMm) / 1e6;
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
    massKg: {
      liner: f.linerMassKg, composite: f.compositeMassKg, total: f.massKg,
      bosses: f.bossMassKg, protection: f.protectionMassKg, domeCaps: f.domeCapsMassKg,
    },
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
      system: {
        massKg: systemMassKg,
        costUsd: n * (f.costUsd + VALVES_PER_TANK.costUsd),
        gravimetricPct: (100 * totalH2Kg) / systemMassKg,
        valvesKgPerTank: VALVES_PER_TANK.massKg,
        valvesUsdPerTank: VALVES_PER_TANK.costUsd,
      },
    },
    materials: { fiber: ctx.fiberName, liner: ctx.linerName },
    packaging: {
      lengthMm,
      envelopeL,
      h2KgPerEnvelopeL: totalH2Kg / envelopeL,
      fits: fitsPackaging(packaging, f.outerRadiusMm, lengthMm),
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
  const ctx = designContext(basis, vars.fiber, vars.liner);
  checkVariables(vars, ctx);
  return evaluateWithContext(vars, ctx, basis.packaging ?? packagingFor(basis.requirements));
}

/** As {@link evaluateDesign}, with the per-basis context already resolved. */
export function evaluateWithContext(vars: DesignVariables, ctx: DesignContext, packaging?: Packaging): Design {
  const f = computeTank(ctx, vars.innerRadiusMm, vars.cylinderLengthMm, vars.helicalAngleDeg, vars.linerThicknessMm,
    vars.fiberVolumeFraction, vars.burstFactor, emptyTankFigures());
  return designFromFigures(vars, f, ctx, packaging);
}
