/**
 * The gravimetric figure of a design explained in words: what share of the tank mass is
 * fiber composite, liner and the allowances, and where it sits against the bands of
 * H2_REFERENCE.md ("What makes a design buildable": 70 MPa Type IV T700-class tanks
 * 4.5-6.5 wt % tank only, Mirai gen 1 5.7 %; steel vessels far lower).
 */
import type { Design, DesignBasis } from '../schemas.ts';

/** Band of a 70 MPa Type IV T700-class tank, wt % tank only (H2_REFERENCE.md). */
export const TYPE_IV_70MPA_BAND_PCT = [4.5, 6.5] as const;

const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;

/**
 * One sentence on the gravimetric figure of a design.
 * @example gravimetricNote(design, basis) // '6.24 wt % (tanks only): composite 74 % of the tank mass, ...'
 */
export function gravimetricNote(d: Design, basis: DesignBasis): string {
  const m = d.massKg;
  const total = m.total;
  const extras = (m.bosses ?? 0) + (m.protection ?? 0) + (m.domeCaps ?? 0);
  const nwp = basis.requirements.pressureMPa;
  const pvPerKg = (10 * nwp * d.totals.waterVolumeL) / d.totals.massKg;
  const split = basis.tankType === 'I'
    ? `steel wall and heads are all of the ${total.toFixed(1)} kg per tank`
    : `composite ${pct(m.composite / total)}, liner ${pct(m.liner / total)}, bosses, protection and dome caps ${pct(extras / total)} of the ${total.toFixed(1)} kg per tank`;
  let band = '';
  if (basis.tankType === 'IV' && Math.abs(nwp - 70) < 1e-9) {
    const [lo, hi] = TYPE_IV_70MPA_BAND_PCT;
    const g = d.totals.gravimetricPct;
    band = g > hi ? `; above the ${lo}-${hi} wt % of production 70 MPa tanks: check the assumptions`
      : g < lo ? `; below the ${lo}-${hi} wt % of production 70 MPa tanks` : `; inside the ${lo}-${hi} wt % of production 70 MPa tanks (Mirai gen 1: 5.7)`;
  } else if (basis.tankType === 'I') {
    band = '; seamless steel vessels carry about 1-2 wt %: the cheapest vessel per kg of H2 and the heaviest';
  } else if (nwp < 50) {
    band = `; at ${nwp} MPa the wall is thin, so liner, bosses and protection weigh more per kg of H2 than at 70 MPa`;
  }
  return `${d.totals.gravimetricPct.toFixed(2)} wt % H2 (tanks only; NWP x V / mass ${pvPerKg.toFixed(0)} bar L/kg): ${split}${band}`;
}
