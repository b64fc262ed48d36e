/**
 * Knock-downs and allowances: what a tank engineer adds to the ideal netting shell
 * before believing a mass (H2_REFERENCE.md "What makes a design buildable" and
 * "CORRECTION"). Every figure is a stated default with its source; `assumptionRows`
 * turns the ones a design was sized with into the rows of the report's table.
 *
 * Labels: [S] published source, [R] recalled (to be checked), [T] typical value.
 */
import type { Application, BasisFiber, Design, DesignBasis, Fiber, Liner, TankType } from '../schemas.ts';

/**
 * Delivered fiber stress in a wound vessel / strand (datasheet) strength, per grade.
 * T700S 0.70 (0.62-0.80): UD lamina about 0.87 x strand x Vf, times about 0.8 in-vessel
 * translation (H2_REFERENCE "CORRECTION"; ANL-10/24 [R]). Higher-strength grades
 * translate less of their strand strength (more flaw- and misalignment-sensitive), so
 * they sit at the low end of the band, 0.62 [T]: T800S then delivers 3,646 MPa and
 * T1000G 3,949 MPa against T700S's 3,430. Glass and aramid at the T700S figure [T].
 */
export const DELIVERED_STRESS_FACTOR: Readonly<Record<Fiber, number>> = {
  T700S: 0.7,
  T800S: 0.62,
  T1000G: 0.62,
  'E-glass': 0.7,
  'aramid-K49': 0.7,
};

/** Mean burst over the minimum, BP0 / BPmin: GTR 13 holds every tank within +-10 % of BP0 [R]. Levels the optimiser may choose. */
export const BURST_MARGIN_LEVELS = [1.1, 1.15, 1.2] as const;

/** Helical / dome over-design on composite mass: polar build-up, dome reinforcement, hoop-first burst (Hu, Chen & Pan, IJHE 46 (2021) 23779 [S]; x1.10-1.25). */
export const DOME_OVER_DESIGN = 1.15;

/** Fiber volume fraction, fixed by the winding process: 0.60 (0.55-0.62; DLR tankoh2 designs [S]). */
export const PROCESS_VF = 0.6;

/** Liner minimum wall, mm: HDPE 5, PA6 3 (Tankinator 4 mm [S]; [T]); Al 6061-T6 3 mm [S]; steel sized by its own rule. */
export const LINER_MIN_MM: Readonly<Record<Liner, number>> = { HDPE: 5, PA6: 3, 'Al6061-T6': 3, 'steel-34CrMo4': 2 };

/** Minimum mass of one boss, kg: >= 0.8 (car), >= 2 (heavy duty) [T]. */
export const BOSS_MIN_KG = { car: 0.8, heavy: 2 } as const;

/**
 * Boss neck beyond the dome at each end, mm: the envelope must hold it, so it counts in
 * the packaged length (not in `overallLengthMm`, which ends at the dome) [T].
 */
export const BOSS_NECK_MM = { car: 40, heavy: 60 } as const;

/** Protective outer layer (glass/epoxy) on Types III/IV: 1.5 mm at 1,900 kg/m3 (Mirai gen 2 three-layer wall [S]; [T]), 8 USD/kg [T]. */
export const PROTECTIVE_LAYER = { thicknessMm: 1.5, densityKgM3: 1900, priceUsdPerKg: 8 } as const;

/** Foam / impact caps over each dome of a Type III/IV tank: 0.4 kg per dome (car); heavy duty 1.0 kg [T]. */
export const DOME_CAP_KG = { car: 0.4, heavy: 1 } as const;

/** Valves and fittings per tank (system only): 2.5 kg and 300 USD [T] (on-tank valve, TPRD, check valve, fittings). */
export const VALVES_PER_TANK = { massKg: 2.5, costUsd: 300 } as const;

/** Processing cost on top of raw materials (winding, cure, liner moulding, inspection): x1.3 [T]. */
export const MANUFACTURING_COST_FACTOR = 1.3;

/** Fixed cost per tank (liner forming, cure, finishing, proof test, inspection), USD [T] (analysis/cost.ts uses the same). */
export const FIXED_COST_PER_TANK_USD = 150;

/** Vehicles whose tanks carry car-size fittings; everything else is heavy duty. */
const CAR_CLASS: readonly Application[] = ['automotive', 'aerospace'];

/** 'car' or 'heavy' duty fittings for an application. */
export function dutyClass(application: Application): 'car' | 'heavy' {
  return CAR_CLASS.includes(application) ? 'car' : 'heavy';
}

/** One row of the knock-downs table (schemas.ts `Design.assumptions`). */
export interface AssumptionRow {
  id: string;
  label: string;
  value: number | string;
  unit?: string;
  source: string;
}

/** What a design was sized with. */
export interface SizedWith {
  tankType: TankType;
  application: Application;
  fiber: BasisFiber;
  liner: Liner;
  burstMargin: number;
  linerThicknessMm: number;
  count: number;
}

const BUILDABLE = 'H2_REFERENCE.md "What makes a design buildable"';

/**
 * The knock-down rows of one design, in report order. Composite rows only for wrapped
 * tanks; Type I rows come from the steel-wall rule (engineering/steel-wall.ts).
 * @example assumptionRows({ tankType: 'IV', application: 'automotive', fiber: 'T700S', liner: 'HDPE', burstMargin: 1.1, linerThicknessMm: 5, count: 2 })[0].value // 0.7
 */
export function assumptionRows(s: SizedWith): AssumptionRow[] {
  const duty = dutyClass(s.application);
  const rows: AssumptionRow[] = [];
  const wrapped = s.fiber !== 'none' && s.tankType !== 'I';
  const full = s.tankType === 'III' || s.tankType === 'IV';
  if (wrapped) {
    const f = s.fiber as Fiber;
    rows.push({ id: 'delivered-fiber-stress', label: `Delivered fiber stress, ${f}`, value: DELIVERED_STRESS_FACTOR[f], unit: 'x strand strength', source: `${BUILDABLE}; CORRECTION (0.62-0.80; ANL-10/24) [R]` });
  }
  rows.push({ id: 'burst-margin', label: 'Mean burst over minimum (BP0 / BPmin)', value: s.burstMargin, unit: 'x', source: `${BUILDABLE}: GTR 13 +-10 % of BP0 [R]` });
  if (full) rows.push({ id: 'dome-over-design', label: 'Helical / dome over-design on composite mass', value: DOME_OVER_DESIGN, unit: 'x', source: 'Hu, Chen & Pan, IJHE 46 (2021) 23779 [S]' });
  if (wrapped) rows.push({ id: 'fiber-volume-fraction', label: 'Fiber volume fraction (fixed by process)', value: PROCESS_VF, source: `${BUILDABLE}: DLR tankoh2 [S]` });
  rows.push({ id: 'liner-wall', label: `Liner wall, ${s.liner}`, value: round(s.linerThicknessMm, 2), unit: 'mm', source: s.tankType === 'I' ? 'ISO 9809-1 wall at test pressure 1.5 x NWP (Lame, von Mises) [R]' : `minimum ${LINER_MIN_MM[s.liner]} mm, ${BUILDABLE} [T]` });
  if (full) {
    rows.push({ id: 'bosses', label: 'Bosses, 2 per tank, each at least', value: BOSS_MIN_KG[duty], unit: 'kg', source: `${BUILDABLE} (${duty === 'car' ? 'car' : 'heavy duty'}) [T]` });
    rows.push({ id: 'boss-neck', label: 'Boss neck beyond each dome (in the packaged length)', value: BOSS_NECK_MM[duty], unit: 'mm', source: 'engineering assumption [T]' });
    rows.push({ id: 'protective-layer', label: 'Protective outer layer (glass/epoxy)', value: PROTECTIVE_LAYER.thicknessMm, unit: 'mm', source: `${BUILDABLE}: Mirai gen 2 wall [S], 1,900 kg/m3 [T]` });
    rows.push({ id: 'dome-caps', label: 'Foam / impact dome caps, per dome', value: DOME_CAP_KG[duty], unit: 'kg', source: `${BUILDABLE} [T]` });
  }
  rows.push({ id: 'valves', label: 'Valves and fittings per tank (system only)', value: `${VALVES_PER_TANK.massKg} kg, ${VALVES_PER_TANK.costUsd} USD`, source: `${BUILDABLE} [T]` });
  rows.push({ id: 'processing', label: 'Processing cost on materials; fixed cost per tank', value: `x${MANUFACTURING_COST_FACTOR}; ${FIXED_COST_PER_TANK_USD} USD`, source: 'engineering assumption [T]' });
  return rows;
}

/**
 * The design with its knock-down rows (`Design.assumptions`), plus the packaging row
 * of the basis: what the report's table shows for the chosen design.
 */
export function withAssumptions(design: Design, basis: DesignBasis): Design {
  const rows = assumptionRows({
    tankType: basis.tankType,
    application: basis.requirements.application,
    fiber: design.materials?.fiber ?? design.variables.fiber ?? basis.fiber,
    liner: design.materials?.liner ?? design.variables.liner ?? basis.liner,
    burstMargin: design.variables.burstFactor,
    linerThicknessMm: design.variables.linerThicknessMm,
    count: design.variables.count,
  });
  if (basis.packaging) rows.push({ id: 'envelope', label: 'Packaging envelope per tank', value: basis.packaging.note, source: basis.packaging.source === 'request' ? 'the request' : 'H2_REFERENCE.md default envelopes [S]/[T]' });
  return { ...design, assumptions: rows };
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
