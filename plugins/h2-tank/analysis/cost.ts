/**
 * Bottom-up cost of the tanks of a design: raw materials (mass x USD/kg from the
 * material table) plus manufacturing by winding time (fiber mass / deposition rate x
 * an hourly machine-and-operator rate) and a fixed processing cost per tank. The cost
 * per kWh of stored H2 (LHV 33.3 kWh/kg) is compared with the US DOE onboard-storage
 * targets (H2_REFERENCE "A published tank"): 2020 10 USD/kWh [S], ultimate 8 USD/kWh [R].
 *
 * The figures are the tanks only: valves, regulator, sensors and mounting (balance of
 * plant) are excluded, whereas DOE targets are for the whole system, so meeting a
 * target here is necessary, not sufficient. Units: kg, h, USD, kWh.
 */
import { z } from 'zod';
import { basisForDesign } from './input.ts';
import type { Design, DesignBasis } from '../schemas.ts';
import { EPOXY, fiberMaterial, linerMaterial } from '../engineering/materials.ts';
import { FIXED_COST_PER_TANK_USD } from '../engineering/knockdowns.ts';
import { fiberMassFraction } from '../engineering/netting.ts';

/** Lower heating value of hydrogen, kWh/kg (H2_REFERENCE, DOE targets). */
export const H2_LHV_KWH_PER_KG = 33.3;
/** DOE 2020 onboard storage system cost target, USD/kWh [S]. */
export const DOE_2020_USD_PER_KWH = 10;
/** DOE ultimate onboard storage system cost target, USD/kWh [R]. */
export const DOE_ULTIMATE_USD_PER_KWH = 8;

/** Manufacturing model; every figure is a typical engineering value [T], stated in the output. */
export interface ManufacturingModel {
  /** Fiber laid down per hour of winding, kg/h [T]. @default 12 */
  depositionRateKgPerH: number;
  /** Winding machine plus operator, USD/h [T]. @default 120 */
  windingRateUsdPerH: number;
  /** Per tank: liner forming, cure, finishing, hydrostatic proof test, inspection, USD [T]. @default 150 */
  fixedPerTankUsd: number;
}

/** The default manufacturing model [T]. */
export const DEFAULT_MANUFACTURING: ManufacturingModel = {
  depositionRateKgPerH: 12,
  windingRateUsdPerH: 120,
  fixedPerTankUsd: FIXED_COST_PER_TANK_USD,
};

/** Result of the cost analysis (output of `analyze-cost`). */
export const CostResult = z.object({
  perTank: z.object({
    fiberKg: z.number(),
    resinKg: z.number(),
    linerKg: z.number(),
    materialsUsd: z.object({ fiber: z.number(), resin: z.number(), liner: z.number(), total: z.number() }),
    manufacturingUsd: z.object({ windingHours: z.number(), winding: z.number(), fixed: z.number(), total: z.number() }),
    totalUsd: z.number(),
  }),
  system: z.object({
    count: z.number().int(),
    totalUsd: z.number(),
    storedH2Kg: z.number(),
    storedEnergyKwh: z.number(),
    usdPerKwh: z.number(),
  }),
  targets: z.object({
    doe2020UsdPerKwh: z.number(),
    doeUltimateUsdPerKwh: z.number(),
    meets2020: z.boolean(),
    meetsUltimate: z.boolean(),
  }),
  /** The tank model's own estimate (1.3 x materials + fixed per tank [T], engineering/knockdowns.ts), all tanks, USD. */
  tankModelUsd: z.number(),
  /** Share of the bottom-up total that is fiber, 0-1. */
  fiberShare: z.number(),
  assumptions: z.array(z.string()),
});
export type CostResult = z.infer<typeof CostResult>;

/**
 * Cost of the tanks of a design.
 * @example analyzeCost(basis, design).system.usdPerKwh
 */
export function analyzeCost(basis: DesignBasis, design: Design, model: ManufacturingModel = DEFAULT_MANUFACTURING): CostResult {
  basis = basisForDesign(basis, design);
  // Type I has no fiber: a zero-priced placeholder (the composite mass is 0).
  const fiber = basis.fiber === 'none' ? { ...fiberMaterial('T700S'), priceUsdPerKg: 0, priceSource: 'T' as const } : fiberMaterial(basis.fiber);
  const liner = linerMaterial(basis.liner);
  const vf = design.variables.fiberVolumeFraction;
  const compositeKg = design.massKg.composite;
  const fiberKg = compositeKg > 0 ? compositeKg * fiberMassFraction(vf, fiber.densityKgM3, EPOXY.densityKgM3) : 0;
  const resinKg = compositeKg - fiberKg;
  const linerKg = design.massKg.liner;
  const mat = {
    fiber: fiberKg * fiber.priceUsdPerKg,
    resin: resinKg * EPOXY.priceUsdPerKg,
    liner: linerKg * liner.priceUsdPerKg,
    total: 0,
  };
  mat.total = mat.fiber + mat.resin + mat.liner;
  const windingHours = fiberKg / model.depositionRateKgPerH;
  const manu = { windingHours, winding: windingHours * model.windingRateUsdPerH, fixed: model.fixedPerTankUsd, total: 0 };
  manu.total = manu.winding + manu.fixed;
  const perTankUsd = mat.total + manu.total;

  const count = design.variables.count;
  const totalUsd = perTankUsd * count;
  const storedH2Kg = design.totals.storedH2Kg;
  const storedEnergyKwh = storedH2Kg * H2_LHV_KWH_PER_KG;
  const usdPerKwh = totalUsd / storedEnergyKwh;
  return {
    perTank: { fiberKg, resinKg, linerKg, materialsUsd: mat, manufacturingUsd: manu, totalUsd: perTankUsd },
    system: { count, totalUsd, storedH2Kg, storedEnergyKwh, usdPerKwh },
    targets: {
      doe2020UsdPerKwh: DOE_2020_USD_PER_KWH,
      doeUltimateUsdPerKwh: DOE_ULTIMATE_USD_PER_KWH,
      meets2020: usdPerKwh <= DOE_2020_USD_PER_KWH,
      meetsUltimate: usdPerKwh <= DOE_ULTIMATE_USD_PER_KWH,
    },
    tankModelUsd: design.totals.costUsd,
    fiberShare: mat.fiber / perTankUsd,
    assumptions: [
      `Prices from the material table: ${basis.fiber === 'none' ? 'no fiber' : basis.fiber} ${fiber.priceUsdPerKg} USD/kg [${fiber.priceSource}], epoxy ${EPOXY.priceUsdPerKg} [${EPOXY.priceSource}], ${basis.liner} ${liner.priceUsdPerKg} [${liner.priceSource}].`,
      `Manufacturing [T]: winding at ${model.depositionRateKgPerH} kg fiber/h and ${model.windingRateUsdPerH} USD/h, plus ${model.fixedPerTankUsd} USD per tank for liner forming, cure, finishing, proof test and inspection.`,
      'Tanks only: balance of plant (valves, regulator, sensors, mounting) excluded; DOE targets are system-level, so this is a lower bound on the system cost.',
      `USD/kWh on stored H2 at NWP and 15 C (nominal, not usable) at LHV ${H2_LHV_KWH_PER_KG} kWh/kg; DOE 2020 ${DOE_2020_USD_PER_KWH} USD/kWh [S], ultimate ${DOE_ULTIMATE_USD_PER_KWH} [R].`,
    ],
  };
}
