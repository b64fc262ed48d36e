/**
 * The numeric tank model: geometry, layup, masses, cost and capacity of one tank from
 * its design variables. Allocation-free: it writes into a caller-owned TankFigures,
 * because the optimiser calls it ~20,000 times per run.
 *
 * Model (each step cites H2_REFERENCE.md unless stated):
 * - Geometry: cylinder of liner inner radius R and length L, closed by two isotensoid
 *   domes (dome.ts). Types III/IV: geodesic winding fixes the polar opening,
 *   r0 = R_mandrel sin a (Clairaut, "Geodesic winding"). Types I/II: metal heads with
 *   the same meridian and r0 = 0.12 R (design-context.ts).
 * - Loads: the membrane line loads are exact by equilibrium, N_hoop = Pb R, N_axial = Pb R / 2,
 *   with R the radius the gas pressure acts on (the liner's inner radius).
 * - Layup: netting theory (netting.ts) at the burst target Pb = burstRatio x
 *   burstRatioFactor x burstFactor x NWP, burstFactor being the mean burst over the
 *   minimum, BP0 / BPmin (knockdowns.ts), and the fiber at its DELIVERED stress (about
 *   0.70 x strand for T700S, knockdowns.ts), not the strand strength. Type IV: liner
 *   carries nothing. Type III: the metal liner carries min(UTS t / R, 0.21 Pb) [S] and
 *   the composite the rest. Type II: hoop wrap only; the liner carries all axial load
 *   (burst <= 2 UTS t / R). Type I: no composite; burst by Faupel (steel-wall.ts).
 * - Dome composite: the helical layers continue over both domes with thickness growing by
 *   Clairaut and fiber conservation (dome.ts helicalIntegral); hoop layers stop at the
 *   cylinder ends. Types III/IV: the whole composite mass x 1.15 for polar build-up,
 *   dome reinforcement and hoop-first burst (knockdowns.ts DOME_OVER_DESIGN).
 * - Bosses (Types III/IV): two Al 6061-T6 polar fittings sized to the burst pressure
 *   on the polar opening (boss.ts), at least 0.8 kg (car) or 2 kg (heavy duty) each.
 * - Types III/IV also carry a 1.5 mm glass/epoxy protective layer (adds to the OD) and
 *   foam/impact caps on both domes (knockdowns.ts).
 * - Steel (Types I, II): the heads weigh 1.75 x the wall over their area (steel-wall.ts).
 * - Cost of one tank: 1.3 x materials + a fixed cost per tank (knockdowns.ts); valves
 *   are system items (evaluate-design.ts).
 * - Outer length: L + 2 x (dome height + liner + cylinder composite thickness; the
 *   composite only for Types III/IV), excluding the boss protrusion.
 * - Capacity: real-gas density at NWP and 15 C (eos.ts) x water volume.
 */
import { BOSS_MATERIAL, bossMassKg as bossMassKgOf } from './boss.ts';
import { domeIntegrals, type DomeIntegrals } from './dome.ts';
import { METAL_HEAD_PORT_RATIO, TYPE_III_LINER_SHARE, type DesignContext } from './design-context.ts';
import {
  BOSS_MIN_KG, DOME_CAP_KG, DOME_OVER_DESIGN, FIXED_COST_PER_TANK_USD, MANUFACTURING_COST_FACTOR, PROTECTIVE_LAYER,
} from './knockdowns.ts';
import { HEAD_WALL_FACTOR, faupelBurstMPa } from './steel-wall.ts';

/** The numeric result of one tank (lengths mm, masses kg, volumes L, cost USD). */
export interface TankFigures {
  innerRadiusMm: number;
  outerRadiusMm: number;
  cylinderLengthMm: number;
  domeHeightMm: number;
  overallLengthMm: number;
  polarOpeningRadiusMm: number;
  waterVolumeL: number;
  helicalFiberMm: number;
  hoopFiberMm: number;
  compositeMm: number;
  compositeDensityKgM3: number;
  linerMassKg: number;
  compositeMassKg: number;
  /** Both bosses (Types III/IV; 0 for metal heads). */
  bossMassKg: number;
  /** Protective outer layer (Types III/IV). */
  protectionMassKg: number;
  /** Foam / impact caps on both domes (Types III/IV). */
  domeCapsMassKg: number;
  /** Liner + composite + bosses + protection + dome caps: the tank as delivered. */
  massKg: number;
  costUsd: number;
  storedH2Kg: number;
  /** Predicted burst pressure of the tank as laid up, MPa. */
  burstPressureMPa: number;
  /** Required burst pressure, MPa. */
  requiredBurstMPa: number;
  /** burstPressure / requiredBurst - 1. */
  safetyMargin: number;
}

/** A zeroed TankFigures to reuse across calls. */
export function emptyTankFigures(): TankFigures {
  return {
    innerRadiusMm: 0, outerRadiusMm: 0, cylinderLengthMm: 0, domeHeightMm: 0, overallLengthMm: 0, polarOpeningRadiusMm: 0,
    waterVolumeL: 0, helicalFiberMm: 0, hoopFiberMm: 0, compositeMm: 0, compositeDensityKgM3: 0, linerMassKg: 0,
    compositeMassKg: 0, bossMassKg: 0, protectionMassKg: 0, domeCapsMassKg: 0, massKg: 0, costUsd: 0, storedH2Kg: 0, burstPressureMPa: 0, requiredBurstMPa: 0, safetyMargin: 0,
  };
}

const DEG = Math.PI / 180;
const MM3_PER_L = 1e6;
const MM3_PER_M3 = 1e9;
const dome: DomeIntegrals = { rho0: 0, rhoEnd: 0, heightRatio: 0, volumeRatio: 0, areaRatio: 0, helicalIntegral: 0 };

/** Polar-opening ratio r0/R of the heads: sin a for Types III/IV (geodesic), 0.12 for metal heads. */
export function portRatio(ctx: DesignContext, helicalAngleDeg: number): number {
  return ctx.fullWrap ? Math.sin(helicalAngleDeg * DEG) : METAL_HEAD_PORT_RATIO;
}

/**
 * Cylinder length, mm, that gives one tank of liner inner radius `innerRadiusMm` the
 * water volume `waterVolumeL` (0 when the two domes alone hold more).
 */
export function cylinderLengthForVolumeMm(ctx: DesignContext, innerRadiusMm: number, helicalAngleDeg: number, waterVolumeL: number): number {
  domeIntegrals(portRatio(ctx, helicalAngleDeg), dome);
  const R = innerRadiusMm;
  return Math.max(0, (waterVolumeL * MM3_PER_L - 2 * dome.volumeRatio * R * R * R) / (Math.PI * R * R));
}

/**
 * Evaluates one tank into `out`. Lengths in mm; `fiberVolumeFraction` Vf;
 * `burstFactor` >= 1 scales the burst target above the required ratio.
 */
export function computeTank(
  ctx: DesignContext,
  innerRadiusMm: number,
  cylinderLengthMm: number,
  helicalAngleDeg: number,
  linerThicknessMm: number,
  fiberVolumeFraction: number,
  burstFactor: number,
  out: TankFigures,
): TankFigures {
  const R = innerRadiusMm;
  const L = cylinderLengthMm;
  const tl = linerThicknessMm;
  const vf = fiberVolumeFraction;
  const liner = ctx.liner;
  const sf = ctx.allowableFiberStressMPa;
  const target = ctx.requiredBurstMPa * burstFactor;
  const linerRingMPa = (liner.tensileStrengthMPa * tl) / R; // UTS t / R, burst of the liner alone
  const mandrel = R + tl;

  // Layup (fiber thickness, mm) and predicted burst, by tank type.
  let helical = 0;
  let hoop = 0;
  let burst = target;
  const rho0 = portRatio(ctx, helicalAngleDeg);
  let cosA = 1;
  if (ctx.fullWrap) {
    const sinA = rho0;
    cosA = Math.cos(helicalAngleDeg * DEG);
    const linerShare = ctx.linerShares ? Math.min(linerRingMPa, TYPE_III_LINER_SHARE * target) : 0;
    const pc = target - linerShare;
    helical = (pc * R) / (2 * sf * cosA * cosA);
    hoop = Math.max(0, (pc * R * (2 - (sinA * sinA) / (cosA * cosA))) / (2 * sf));
  } else if (ctx.tankType === 'II') {
    hoop = Math.max(0, target * R - liner.tensileStrengthMPa * tl) / sf;
    burst = Math.min(Math.max(target, linerRingMPa), 2 * linerRingMPa);
  } else {
    burst = faupelBurstMPa(R, tl, { yieldMPa: liner.yieldStrengthMPa ?? liner.tensileStrengthMPa, tensileMPa: liner.tensileStrengthMPa });
  }
  const compositeMm = (helical + hoop) / vf;
  const rhoF = ctx.fiber.densityKgM3;
  const rhoM = ctx.resin.densityKgM3;
  const rhoC = vf * rhoF + (1 - vf) * rhoM;
  const protectionMm = ctx.fullWrap ? PROTECTIVE_LAYER.thicknessMm : 0;
  const outer = mandrel + compositeMm + protectionMm;
  const compositeOuter = mandrel + compositeMm;

  // Geometry: the dome meridian scales with R (liner inside) and with the mandrel (composite).
  domeIntegrals(rho0, dome);
  const domeHeightMm = dome.heightRatio * R;
  const waterMm3 = Math.PI * R * R * L + 2 * dome.volumeRatio * R * R * R;

  // Masses, kg (densities kg/m3, volumes mm3).
  const linerMid = R + tl / 2;
  // Steel heads (Types I, II) are thicker than the wall: shoulder and base (steel-wall.ts).
  const headFactor = ctx.tankType === 'I' || ctx.tankType === 'II' ? HEAD_WALL_FACTOR : 1;
  const linerMm3 = Math.PI * (mandrel * mandrel - R * R) * L + 2 * headFactor * dome.areaRatio * linerMid * linerMid * tl;
  const cylCompositeMm3 = Math.PI * (compositeOuter * compositeOuter - mandrel * mandrel) * L;
  // Helical composite over one dome: 2π t_R R^2 cos a_R ∫ds/cos a (dome.ts module doc).
  const domeCompositeMm3 = ctx.fullWrap ? 2 * Math.PI * (helical / vf) * mandrel * mandrel * cosA * dome.helicalIntegral : 0;
  const linerMassKg = (linerMm3 / MM3_PER_M3) * liner.densityKgM3;
  const overDesign = ctx.fullWrap ? DOME_OVER_DESIGN : 1;
  const compositeMassKg = overDesign * ((cylCompositeMm3 + 2 * domeCompositeMm3) / MM3_PER_M3) * rhoC;
  // Two bosses sized to the burst target on the polar opening (boss.ts), at least the duty minimum.
  const bossMassKg = ctx.fullWrap ? 2 * Math.max(bossMassKgOf(rho0 * mandrel, target), BOSS_MIN_KG[ctx.duty]) : 0;
  // Protective layer over the cylinder and both domes (dome area scales with the composite outer radius).
  const protectionMassKg = ctx.fullWrap
    ? ((2 * Math.PI * compositeOuter * L + 2 * dome.areaRatio * compositeOuter * compositeOuter) * protectionMm / MM3_PER_M3) * PROTECTIVE_LAYER.densityKgM3
    : 0;
  const domeCapsMassKg = ctx.fullWrap ? 2 * DOME_CAP_KG[ctx.duty] : 0;
  const fiberMassKg = (compositeMassKg * vf * rhoF) / rhoC;
  const resinMassKg = compositeMassKg - fiberMassKg;

  out.innerRadiusMm = R;
  out.outerRadiusMm = outer;
  out.cylinderLengthMm = L;
  out.domeHeightMm = domeHeightMm;
  out.overallLengthMm = L + 2 * (domeHeightMm + tl + (ctx.fullWrap ? compositeMm + protectionMm : 0));
  out.polarOpeningRadiusMm = rho0 * (ctx.fullWrap ? mandrel : R);
  out.waterVolumeL = waterMm3 / MM3_PER_L;
  out.helicalFiberMm = helical;
  out.hoopFiberMm = hoop;
  out.compositeMm = compositeMm;
  out.compositeDensityKgM3 = compositeMm > 0 ? rhoC : 0;
  out.linerMassKg = linerMassKg;
  out.compositeMassKg = compositeMassKg;
  out.bossMassKg = bossMassKg;
  out.protectionMassKg = protectionMassKg;
  out.domeCapsMassKg = domeCapsMassKg;
  out.massKg = linerMassKg + compositeMassKg + bossMassKg + protectionMassKg + domeCapsMassKg;
  out.costUsd = MANUFACTURING_COST_FACTOR * (fiberMassKg * ctx.fiber.priceUsdPerKg + resinMassKg * ctx.resin.priceUsdPerKg
    + linerMassKg * liner.priceUsdPerKg + bossMassKg * BOSS_MATERIAL.priceUsdPerKg
    + (protectionMassKg + domeCapsMassKg) * PROTECTIVE_LAYER.priceUsdPerKg) + FIXED_COST_PER_TANK_USD;
  out.storedH2Kg = (waterMm3 / MM3_PER_M3) * ctx.h2DensityKgM3;
  out.burstPressureMPa = burst;
  out.requiredBurstMPa = ctx.requiredBurstMPa;
  out.safetyMargin = burst / ctx.requiredBurstMPa - 1;
  return out;
}
