/**
 * Fast fill of one tank: a lumped real-gas model (H2_REFERENCE "Fast fill"),
 *
 *   d(m u)/dt = mdot h_in - h A (T - T_wall),     m = rho(T, p) V,
 *   C_wall dT_wall/dt = h A (T - T_wall),
 *
 * with u and h from the Lemmon fit (eos.ts). The station follows an SAE J2601-like
 * linear pressure ramp from the initial pressure to NWP over the fill time [R]; gas
 * enters at the dispenser temperature with enthalpy h(T_in, p_tank). Each step solves
 * the energy balance for the new gas temperature at the ramp pressure (bisection,
 * implicit in the gas temperature), then heats the wall. The wall is the liner lumped
 * (its thermal mass; conduction through half its thickness in series with the film);
 * the composite and the outside air are left out over a 3-minute fill (conservative).
 * The adiabatic variant sets h A = 0. Units in names: C, K, MPa, kg, s, W, J.
 */
import { z } from 'zod';
import type { Design, DesignBasis, Liner } from '../schemas.ts';
import { densityKgM3, pressureFromDensity, specificEnthalpy, specificInternalEnergy } from '../engineering/eos.ts';
import { domeIntegrals } from '../engineering/dome.ts';
import { METAL_HEAD_PORT_RATIO } from '../engineering/design-context.ts';
import { basisForDesign, checkAborted, type AnalysisHooks } from './input.ts';

const K0 = 273.15;

/** Gas temperature limit in service and during fueling, C (H2_REFERENCE "Fast fill" [R]). */
export const GAS_TEMP_LIMIT_C = 85;
/** Pressure limit during fueling, fraction of NWP (H2_REFERENCE "Fast fill" [R]). */
export const MAX_FILL_PRESSURE_RATIO = 1.25;
/** Rating temperature of 100 % state of charge, K (SAE J2601, H2_REFERENCE [R]). */
export const SOC_REFERENCE_K = 288.15;

/** Liner thermal data [T]: specific heat J/(kg K), conductivity W/(m K). */
export const LINER_THERMAL: Readonly<Record<Liner, { specificHeatJPerKgK: number; conductivityWPerMK: number }>> = {
  HDPE: { specificHeatJPerKgK: 1900, conductivityWPerMK: 0.45 },
  PA6: { specificHeatJPerKgK: 1700, conductivityWPerMK: 0.25 },
  'Al6061-T6': { specificHeatJPerKgK: 900, conductivityWPerMK: 167 },
  'steel-34CrMo4': { specificHeatJPerKgK: 480, conductivityWPerMK: 42 },
};

/** Conditions of a fill. */
export interface FastFillOptions {
  /** Dispenser gas temperature, C (SAE J2601 T40 precooling [R]). @default -40 */
  inletTempC?: number;
  /** Fill time, s (about 3 min for a light-duty 70 MPa fill [R]). @default 180 */
  fillTimeS?: number;
  /** @default 2 */
  initialPressureMPa?: number;
  /** End of the ramp, MPa. @default NWP */
  finalPressureMPa?: number;
  /** Ambient and initial gas and wall temperature, C. @default 15 */
  ambientC?: number;
  /** Gas-to-wall film coefficient, W/(m2 K) (order of fast-fill measurements [T]). @default 250 */
  filmCoefficientWPerM2K?: number;
  /** @default 1 */
  stepS?: number;
}

/** The tank as the fill model sees it. */
export interface FastFillTank {
  volumeL: number;
  innerAreaM2: number;
  /** Effective gas-to-wall heat-transfer coefficient, W/(m2 K) (0: adiabatic). */
  conductanceWPerM2K: number;
  wallHeatCapacityJPerK: number;
}

/** Outcome of one simulated fill. */
export const FillRun = z.object({
  finalGasTempC: z.number(),
  peakGasTempC: z.number(),
  finalWallTempC: z.number(),
  initialMassKg: z.number(),
  finalMassKg: z.number(),
  /** Density at the end / density at NWP and 15 C, %. */
  finalSocPct: z.number(),
  peakPressureMPa: z.number(),
  /** Pressure after the gas cools to the ambient temperature, MPa. */
  settledPressureMPa: z.number(),
  heatToWallJ: z.number(),
});
export type FillRun = z.infer<typeof FillRun>;

/**
 * Simulates one fill of one tank.
 * @example simulateFastFill({ volumeL: 122.4, innerAreaM2: 0, conductanceWPerM2K: 0, wallHeatCapacityJPerK: 1 },
 *   70, { inletTempC: -40 }).finalGasTempC // ≈ 74.4 (adiabatic reference check)
 */
export function simulateFastFill(tank: FastFillTank, nwpMPa: number, options: FastFillOptions = {}, hooks: AnalysisHooks = {}): FillRun {
  const Tin = (options.inletTempC ?? -40) + K0;
  const tFill = options.fillTimeS ?? 180;
  const p0 = options.initialPressureMPa ?? 2;
  const pf = options.finalPressureMPa ?? nwpMPa;
  const Tamb = (options.ambientC ?? 15) + K0;
  const steps = Math.max(1, Math.round(tFill / (options.stepS ?? 1)));
  const dt = tFill / steps;
  const V = tank.volumeL / 1000;
  const hA = tank.conductanceWPerM2K * tank.innerAreaM2;
  if (!(V > 0) || !(pf > p0) || !(p0 > 0)) throw new RangeError(`fast fill: need V > 0 and 0 < p0 < pf, got V = ${tank.volumeL} L, ${p0} -> ${pf} MPa`);

  let T = Tamb;
  let Tw = Tamb;
  let m = densityKgM3(T, p0) * V;
  let U = m * specificInternalEnergy(T, p0);
  const m0 = m;
  let peakT = T;
  let heat = 0;
  for (let k = 1; k <= steps; k++) {
    if (k % 20 === 1) checkAborted(hooks.signal);
    const pPrev = p0 + ((pf - p0) * (k - 1)) / steps;
    const p = p0 + ((pf - p0) * k) / steps;
    const hIn = specificEnthalpy(Tin, (pPrev + p) / 2);
    // Energy balance residual at trial gas temperature x: U(x) - U_n - dm h_in + Q(x).
    const residual = (x: number) => {
      const mx = densityKgM3(x, p) * V;
      return mx * specificInternalEnergy(x, p) - U - (mx - m) * hIn + hA * (x - Tw) * dt;
    };
    let lo = 150;
    let hi = 700;
    for (let i = 0; i < 60 && hi - lo > 1e-7; i++) {
      const mid = (lo + hi) / 2;
      if (residual(mid) > 0) hi = mid;
      else lo = mid;
    }
    T = (lo + hi) / 2;
    const q = hA * (T - Tw) * dt;
    heat += q;
    Tw += q / tank.wallHeatCapacityJPerK;
    m = densityKgM3(T, p) * V;
    U = m * specificInternalEnergy(T, p);
    peakT = Math.max(peakT, T);
    if (k % Math.max(1, Math.floor(steps / 10)) === 0) hooks.progress?.((100 * k) / steps);
  }
  const rhoF = m / V;
  return {
    finalGasTempC: T - K0,
    peakGasTempC: peakT - K0,
    finalWallTempC: Tw - K0,
    initialMassKg: m0,
    finalMassKg: m,
    finalSocPct: (100 * rhoF) / densityKgM3(SOC_REFERENCE_K, nwpMPa),
    peakPressureMPa: pf,
    settledPressureMPa: pressureFromDensity(Tamb, rhoF),
    heatToWallJ: heat,
  };
}

/** The fill model of one tank of a design: inner area from the dome integrals, liner as the wall. */
export function fastFillTank(basis: DesignBasis, design: Design, filmCoefficientWPerM2K = 250): FastFillTank {
  const R = design.geometry.innerRadiusMm / 1000;
  const L = design.geometry.cylinderLengthMm / 1000;
  const fullWrap = basis.tankType === 'III' || basis.tankType === 'IV';
  const rho0 = fullWrap ? Math.sin((design.variables.helicalAngleDeg * Math.PI) / 180) : METAL_HEAD_PORT_RATIO;
  const innerAreaM2 = 2 * Math.PI * R * L + 2 * domeIntegrals(rho0).areaRatio * R * R;
  const th = LINER_THERMAL[basis.liner];
  const halfWallResistance = design.variables.linerThicknessMm / 1000 / 2 / th.conductivityWPerMK;
  return {
    volumeL: design.geometry.waterVolumeL,
    innerAreaM2,
    conductanceWPerM2K: 1 / (1 / filmCoefficientWPerM2K + halfWallResistance),
    wallHeatCapacityJPerK: design.massKg.liner * th.specificHeatJPerKgK,
  };
}

/** Result of the fast-fill analysis (output of `analyze-thermal`). */
export const ThermalResult = z.object({
  conditions: z.object({
    inletTempC: z.number(), ambientC: z.number(), fillTimeS: z.number(),
    initialPressureMPa: z.number(), finalPressureMPa: z.number(), filmCoefficientWPerM2K: z.number(),
  }),
  tank: z.object({ volumeL: z.number(), innerAreaM2: z.number(), conductanceWPerM2K: z.number(), wallHeatCapacityJPerK: z.number() }),
  /** With gas-to-liner heat transfer (the assessed case). */
  withHeatTransfer: FillRun,
  adiabatic: FillRun,
  gasTempLimitC: z.number(),
  /** Final gas temperature <= limit, SoC <= 100 %, peak pressure <= 125 % NWP (heat-transfer case). */
  pass: z.boolean(),
  assumptions: z.array(z.string()),
});
export type ThermalResult = z.infer<typeof ThermalResult>;

/**
 * Fast-fill analysis of one tank of a design (all tanks fill in parallel alike).
 * @example analyzeThermal(basis, design).withHeatTransfer.finalGasTempC
 */
export function analyzeThermal(basis: DesignBasis, design: Design, options: FastFillOptions = {}, hooks: AnalysisHooks = {}): ThermalResult {
  basis = basisForDesign(basis, design);
  const nwp = basis.requirements.pressureMPa;
  const film = options.filmCoefficientWPerM2K ?? 250;
  const conditions = {
    inletTempC: options.inletTempC ?? -40, ambientC: options.ambientC ?? 15, fillTimeS: options.fillTimeS ?? 180,
    initialPressureMPa: options.initialPressureMPa ?? 2, finalPressureMPa: options.finalPressureMPa ?? nwp, filmCoefficientWPerM2K: film,
  };
  const tank = fastFillTank(basis, design, film);
  const half = (from: number) => (pct: number) => hooks.progress?.(from + pct / 2);
  const withHeatTransfer = simulateFastFill(tank, nwp, options, { signal: hooks.signal, progress: half(0) });
  const adiabatic = simulateFastFill({ ...tank, conductanceWPerM2K: 0 }, nwp, options, { signal: hooks.signal, progress: half(50) });
  const limit = Math.min(GAS_TEMP_LIMIT_C, basis.tightening.maxGasTempC ?? Infinity);
  const r = withHeatTransfer;
  return {
    conditions,
    tank,
    withHeatTransfer,
    adiabatic,
    gasTempLimitC: limit,
    pass: r.finalGasTempC <= limit && r.finalSocPct <= 100 && r.peakPressureMPa <= MAX_FILL_PRESSURE_RATIO * nwp,
    assumptions: [
      `Fill ${conditions.initialPressureMPa} -> ${conditions.finalPressureMPa} MPa in ${conditions.fillTimeS} s on a linear pressure ramp (SAE J2601-like [R]), gas in at ${conditions.inletTempC} C, start and ambient ${conditions.ambientC} C.`,
      'Real-gas u and h from the Lemmon-Huber-Leachman fit (eos.ts); inlet enthalpy at the dispenser temperature and the tank pressure.',
      `Gas-to-wall film coefficient ${film} W/(m2 K) [T] in series with half the liner thickness; liner lumped as the only heat sink (composite and outside air left out: conservative).`,
      `Limits: gas <= ${GAS_TEMP_LIMIT_C} C, SoC <= 100 %, pressure <= 125 % NWP (H2_REFERENCE "Fast fill" [R]).`,
    ],
  };
}
