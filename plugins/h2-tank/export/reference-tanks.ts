/**
 * The published tanks and targets the report compares a design against, with the
 * figures the comparison uses. Every figure is from H2_REFERENCE.md ("A published tank
 * to check against", "What makes a design buildable", DOE targets) with its label.
 * Tank-only and system figures are kept apart: the Mirai figures are its tanks; the DOE
 * targets are whole storage systems.
 */
import type { Design, DesignBasis } from '../schemas.ts';
import { figure } from './labels.ts';

/** One row of the comparison table. */
export interface ReferenceRow {
  name: string;
  nwpMPa: string;
  tanks: string;
  waterVolumeL: string;
  h2Kg: string;
  massKg: string;
  /** H2 / mass, %: tank-only or system, as `basis` says. */
  wtPct: string;
  /** NWP (bar) x water volume / tank mass, bar L/kg. */
  barLPerKg: string;
  basis: 'tank only' | 'system' | 'band';
  source: string;
}

/** Toyota Mirai, first generation [S]: two Type IV tanks, 70 MPa, 122.4 L, 87.5 kg, about 5.0 kg H2. */
export const MIRAI_GEN1 = { nwpMPa: 70, tanks: 2, waterVolumeL: 122.4, h2Kg: 5.0, massKg: 87.5, wtPct: 5.7 } as const;
/** 70 MPa Type IV, T700-class, tank only: 4.5-6.5 wt %, 750-1,150 bar L/kg. */
export const TYPE_IV_70MPA_BAND = { wtPct: [4.5, 6.5], barLPerKg: [750, 1150] } as const;

const REF = 'H2_REFERENCE.md';

/** The design's own row: tank-only figures (and system wt % in the next row when known). */
function designRows(d: Design, nwpMPa: number): ReferenceRow[] {
  const t = d.totals;
  const rows: ReferenceRow[] = [
    {
      name: `This design (${d.id})`,
      nwpMPa: figure(nwpMPa),
      tanks: String(d.variables.count),
      waterVolumeL: figure(t.waterVolumeL),
      h2Kg: figure(t.storedH2Kg),
      massKg: figure(t.massKg),
      wtPct: t.gravimetricPct.toFixed(1),
      barLPerKg: ((nwpMPa * 10 * t.waterVolumeL) / t.massKg).toFixed(0),
      basis: 'tank only',
      source: 'this run',
    },
  ];
  if (t.system) {
    rows.push({
      name: 'This design, with valves and fittings',
      nwpMPa: figure(nwpMPa),
      tanks: String(d.variables.count),
      waterVolumeL: figure(t.waterVolumeL),
      h2Kg: figure(t.storedH2Kg),
      massKg: figure(t.system.massKg),
      wtPct: t.system.gravimetricPct.toFixed(1),
      barLPerKg: '-',
      basis: 'system',
      source: `this run; ${figure(t.system.valvesKgPerTank)} kg valves and fittings per tank`,
    });
  }
  return rows;
}

/**
 * The comparison rows: this design (tank only, then system when known), the Mirai gen 1
 * tanks, the 70 MPa Type IV band, and the DOE system targets.
 */
export function referenceRows(d: Design, basis: Pick<DesignBasis, 'tankType'> & { requirements: { pressureMPa: number } }): ReferenceRow[] {
  const m = MIRAI_GEN1;
  const b = TYPE_IV_70MPA_BAND;
  return [
    ...designRows(d, basis.requirements.pressureMPa),
    {
      name: 'Toyota Mirai gen 1 (Type IV)', nwpMPa: String(m.nwpMPa), tanks: String(m.tanks), waterVolumeL: String(m.waterVolumeL), h2Kg: m.h2Kg.toFixed(1),
      massKg: String(m.massKg), wtPct: String(m.wtPct), barLPerKg: ((m.nwpMPa * 10 * m.waterVolumeL) / m.massKg).toFixed(0), basis: 'tank only',
      source: `${REF}, "A published tank" [S]`,
    },
    {
      name: '70 MPa Type IV, T700-class (production band)', nwpMPa: '70', tanks: '-', waterVolumeL: '-', h2Kg: '-', massKg: '-',
      wtPct: `${b.wtPct[0]}-${b.wtPct[1]}`, barLPerKg: `${b.barLPerKg[0]}-${b.barLPerKg[1]}`, basis: 'band', source: `${REF}, "What makes a design buildable"`,
    },
    { name: 'US DOE onboard target 2020', nwpMPa: '-', tanks: '-', waterVolumeL: '-', h2Kg: '-', massKg: '-', wtPct: '4.5', barLPerKg: '-', basis: 'system', source: `${REF}, DOE targets [S]` },
    { name: 'US DOE onboard target, ultimate', nwpMPa: '-', tanks: '-', waterVolumeL: '-', h2Kg: '-', massKg: '-', wtPct: '6.5', barLPerKg: '-', basis: 'system', source: `${REF}, DOE targets [R]` },
  ];
}

/**
 * One sentence on where the design stands against the references, in the terms that
 * apply: the 70 MPa Type IV band only for a 70 MPa-class Type IV.
 */
export function referenceVerdict(d: Design, basis: Pick<DesignBasis, 'tankType'> & { requirements: { pressureMPa: number } }): string {
  const wt = d.totals.gravimetricPct;
  const barL = (basis.requirements.pressureMPa * 10 * d.totals.waterVolumeL) / d.totals.massKg;
  const vsMirai = `${wt.toFixed(1)} wt % tank only against the Mirai gen 1's ${MIRAI_GEN1.wtPct} % (${(wt / MIRAI_GEN1.wtPct).toFixed(2)} x)`;
  if (basis.tankType === 'IV' && basis.requirements.pressureMPa >= 60) {
    const [lo, hi] = TYPE_IV_70MPA_BAND.wtPct;
    const [blo, bhi] = TYPE_IV_70MPA_BAND.barLPerKg;
    const inWt = wt >= lo && wt <= hi;
    const inBar = barL >= blo && barL <= bhi;
    const where = inWt && inBar
      ? 'inside the production band on both figures'
      : `${inWt ? 'inside' : wt > hi ? 'ABOVE' : 'below'} the ${lo}-${hi} wt % band and ${inBar ? 'inside' : barL > bhi ? 'ABOVE' : 'below'} the ${blo}-${bhi} bar L/kg band` +
        (wt > hi || barL > bhi ? ': better than every production tank, which points to a modelling error, not a win' : '');
    return `${vsMirai}; ${barL.toFixed(0)} bar L/kg; ${where}.`;
  }
  return `${vsMirai}; ${barL.toFixed(0)} bar L/kg. The 70 MPa Type IV band does not apply to a Type ${basis.tankType} at ${figure(basis.requirements.pressureMPa)} MPa; the figures are shown for scale.`;
}
