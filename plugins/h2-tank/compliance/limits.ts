/**
 * The limits each governing standard sets, as data (H2_REFERENCE.md "Compliance rules").
 * Every figure there is [R]: recalled, to be checked against the standard's text before
 * it is relied on. No clause numbers are given; each rule names the test instead.
 * Where the reference is silent for a standard, the entry says what was assumed.
 */
import type { Fiber, Standard } from '../schemas.ts';

/** Fiber families the burst and stress-ratio tables distinguish. */
export type FiberFamily = 'carbon' | 'glass' | 'aramid';

/** The family of a fiber of the material table. */
export function fiberFamily(fiber: Fiber): FiberFamily {
  if (fiber === 'E-glass') return 'glass';
  if (fiber === 'aramid-K49') return 'aramid';
  return 'carbon';
}

/** A limit with the words that explain where it comes from. */
export interface Limit<T> {
  value: T;
  /** Where the figure comes from, e.g. 'H2_REFERENCE compliance table [R]'. */
  basis: string;
}

/** What one standard requires, per rule. */
export interface StandardLimits {
  /** Human-readable name, e.g. 'GTR 13'. */
  name: string;
  /** Minimum burst pressure / NWP by fiber family (or stress ratio, EC 79 / ISO 19881). */
  burstRatio: Record<FiberFamily, Limit<number>>;
  burstTest: string;
  /** Service temperature range the container is qualified for, C. */
  serviceTempC: Limit<[number, number]>;
  /** Proof pressure / NWP. */
  proofRatio: Limit<number>;
  proofTest: string;
  /** Pressure cycling requirement, in words (assessed by the stress-ratio proxy). */
  cycling: Limit<string>;
  cyclingTest: string;
  /** Permeation requirement, in words. */
  permeation: Limit<string>;
  permeationTest: string;
}

const TABLE = 'H2_REFERENCE compliance table [R]';

const GTR_FAMILY = (name: string): StandardLimits => ({
  name,
  burstRatio: {
    carbon: { value: 2.25, basis: TABLE },
    glass: { value: 3.5, basis: TABLE },
    aramid: { value: 3.1, basis: `not in the table for ${name}; the EC 79 aramid stress ratio is applied [R]` },
  },
  burstTest: `${name}, baseline initial burst test`,
  serviceTempC: { value: [-40, 85], basis: TABLE },
  proofRatio: { value: 1.5, basis: TABLE },
  proofTest: `${name}, proof pressure test`,
  cycling: { value: '22,000 cycles to 125 % NWP; no leak before 5,500 / 7,500 / 11,000 cycles (15/20/25-year life)', basis: TABLE },
  cyclingTest: `${name}, baseline initial pressure cycle life test`,
  permeation: { value: '<= 46 mL/h/L at 55 C and 115 % NWP', basis: TABLE },
  permeationTest: `${name}, permeation test`,
});

const EU_RATIOS: Record<FiberFamily, Limit<number>> = {
  carbon: { value: 2.25, basis: `stress ratio, ${TABLE}` },
  glass: { value: 3.5, basis: `stress ratio, ${TABLE}` },
  aramid: { value: 3.1, basis: `stress ratio, ${TABLE}` },
};

const NOT_IN_TABLE = 'not in H2_REFERENCE; the GTR 13 figure is assumed [R]';

/**
 * The transportable-cylinder standards for gas supply (industrial cylinders, tubes,
 * tube trailers): test pressure 1.5 x working pressure [R]. Seamless steel (ISO 9809-1
 * cylinders, ISO 11120 tubes): burst >= 1.6 x test = 2.4 x working [R]. Composite
 * (ISO 11119-1 hoop-wrapped, -2 fully wrapped with a load-sharing liner): as ISO 11119-3,
 * burst >= 2 x test = 3.0 x working [R]. Service -40 to +65 C as ISO 11119-3 [R].
 * Added with the `industrial` application (requirements side); the burst figure is the
 * one the materials decision uses (decisions/materials.ts BURST_RATIO).
 */
function cylinderStandard(name: string, ratio: number, basis: string): StandardLimits {
  const r = { value: ratio, basis: `${basis}, test pressure = 1.5 x working pressure [R]` };
  return {
    name,
    burstRatio: { carbon: r, glass: r, aramid: r },
    burstTest: `${name}, burst test`,
    serviceTempC: { value: [-40, 65], basis: `transportable cylinders, as ISO 11119-3 in ${TABLE}` },
    proofRatio: { value: 1.5, basis: `test pressure = 1.5 x working pressure [R]` },
    proofTest: `${name}, hydraulic (proof) test`,
    cycling: { value: `pressure cycling per ${name} (not in H2_REFERENCE)`, basis: '[R]' },
    cyclingTest: `${name}, ambient cycle test`,
    permeation: { value: `leak tightness per ${name} (not in H2_REFERENCE)`, basis: '[R]' },
    permeationTest: `${name}, leak test`,
  };
}

/** Limits of every supported standard. */
export const STANDARD_LIMITS: Readonly<Record<Standard, StandardLimits>> = {
  GTR13: GTR_FAMILY('GTR 13'),
  'UN-R134': GTR_FAMILY('UN R134'),
  'SAE-J2579': GTR_FAMILY('SAE J2579'),
  EC79: {
    name: 'EC 79 / EU 406/2010',
    burstRatio: EU_RATIOS,
    burstTest: 'EC 79 / EU 406/2010, burst test (stress ratio)',
    serviceTempC: { value: [-40, 85], basis: TABLE },
    proofRatio: { value: 1.5, basis: NOT_IN_TABLE },
    proofTest: 'EC 79 / EU 406/2010, proof pressure test',
    cycling: { value: 'hydraulic pressure cycling, cycle count per EU 406/2010 (not in H2_REFERENCE)', basis: '[R]' },
    cyclingTest: 'EC 79 / EU 406/2010, ambient temperature pressure cycling test',
    permeation: { value: 'permeation limit per EU 406/2010 (not in H2_REFERENCE)', basis: '[R]' },
    permeationTest: 'EC 79 / EU 406/2010, permeation test',
  },
  ISO19881: {
    name: 'ISO 19881',
    burstRatio: Object.fromEntries(Object.entries(EU_RATIOS).map(([k, v]) => [k, { value: v.value, basis: `as EU, ${TABLE}` }])) as Record<FiberFamily, Limit<number>>,
    burstTest: 'ISO 19881, burst test',
    serviceTempC: { value: [-40, 85], basis: `vehicle fuel containers; ${NOT_IN_TABLE}` },
    proofRatio: { value: 1.5, basis: NOT_IN_TABLE },
    proofTest: 'ISO 19881, proof pressure test',
    cycling: { value: 'hydraulic pressure cycling per ISO 19881 (not in H2_REFERENCE)', basis: '[R]' },
    cyclingTest: 'ISO 19881, ambient temperature pressure cycling test',
    permeation: { value: 'permeation limit per ISO 19881 (not in H2_REFERENCE)', basis: '[R]' },
    permeationTest: 'ISO 19881, permeation test',
  },
  'ISO11119-3': {
    name: 'ISO 11119-3',
    burstRatio: {
      carbon: { value: 3.0, basis: `burst >= 2 x test pressure, test pressure = 1.5 x working pressure, ${TABLE}` },
      glass: { value: 3.0, basis: `burst >= 2 x test pressure, test pressure = 1.5 x working pressure, ${TABLE}` },
      aramid: { value: 3.0, basis: `burst >= 2 x test pressure, test pressure = 1.5 x working pressure, ${TABLE}` },
    },
    burstTest: 'ISO 11119-3, burst test',
    serviceTempC: { value: [-40, 65], basis: `transportable cylinders, ${TABLE}` },
    proofRatio: { value: 1.5, basis: `test pressure = 1.5 x working pressure, ${TABLE}` },
    proofTest: 'ISO 11119-3, hydraulic (proof) test',
    cycling: { value: 'hydraulic pressure cycling per ISO 11119-3 (not in H2_REFERENCE)', basis: '[R]' },
    cyclingTest: 'ISO 11119-3, ambient cycle test',
    permeation: { value: 'leak/permeation requirement per ISO 11119-3 (not in H2_REFERENCE)', basis: '[R]' },
    permeationTest: 'ISO 11119-3, permeation test',
  },
  'ISO9809-1': cylinderStandard('ISO 9809-1', 2.4, 'seamless steel cylinder: burst >= 1.6 x test pressure'),
  ISO11120: cylinderStandard('ISO 11120', 2.4, 'seamless steel tube: burst >= 1.6 x test pressure'),
  'ISO11119-1': cylinderStandard('ISO 11119-1', 3.0, 'hoop-wrapped cylinder: burst >= 2 x test pressure'),
  'ISO11119-2': cylinderStandard('ISO 11119-2', 3.0, 'fully wrapped cylinder, load-sharing liner: burst >= 2 x test pressure'),
};

/**
 * Stress ratio (fiber strength / fiber stress at NWP) the cycling proxy requires, by
 * fiber family: the EC 79 stress ratios (carbon 2.25, aramid 3.1, glass 3.5 [R]), which
 * these standards set to cover stress rupture and cyclic fatigue of the fibers.
 */
export const CYCLING_PROXY_STRESS_RATIO: Readonly<Record<FiberFamily, number>> = { carbon: 2.25, glass: 3.5, aramid: 3.1 };
