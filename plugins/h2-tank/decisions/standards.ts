/**
 * Decision point `standards`: the set of standards the design must meet, as an option
 * key such as `GTR13+UN-R134+EC79`, from application, market and the standards the
 * request named. Named standards are always kept: added to the set a road vehicle or
 * transportable cylinder legally needs, and in place of the ISO 19881 stand-in elsewhere.
 *
 * Scope of each standard (titles as published; requirements per H2_REFERENCE.md [R]):
 * - UN GTR No. 13 and UN Regulation No. 134: hydrogen and fuel cell road vehicles.
 * - EC 79/2009 with EU 406/2010: EU type approval of hydrogen road vehicles (since 2022
 *   carried on through UN R134 under Reg. (EU) 2019/2144 [R]); kept for EU vehicles.
 * - SAE J2579: the US fuel-system standard GTR 13 grew from.
 * - Transportable gas cylinders and tubes, by construction [R]: ISO 9809-1 seamless steel
 *   cylinders (Type I), ISO 11120 seamless steel tubes of 150-3,000 L (Type I tubes), ISO
 *   11119-1 hoop-wrapped (Type II), ISO 11119-2 fully wrapped with a load-sharing metal liner
 *   (Type III), ISO 11119-3 fully wrapped with a non-load-sharing liner (Type IV). Steels for
 *   H2 are further limited by ISO 11114-1 (UTS <= 950 MPa for 34CrMo4 [R]). These govern
 *   industrial gas cylinders and tube trailers; the vehicle standards do not.
 * - ISO 19881: land-vehicle fuel containers. The Standard set has no stationary standard
 *   (ISO 19884 is not modelled), so ISO 19881's container requirements stand in for
 *   ground storage, rail, marine and aircraft, and the record says so.
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import { Standard, type Application, type Market, type TankType } from '../schemas.ts';
import { requirementsOf } from './state.ts';

/** The word with its indefinite article: 'an automotive', 'a bus'. */
const an = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

type MarketT = (typeof Market)['options'][number];

/** What the standards rules look at (JSON-serialisable). */
export interface StandardsInputs {
  application: Application;
  market: MarketT;
  /** Standards the request named, in order of mention. */
  named: Standard[];
  /** The tank type decided before (the cylinder standards differ by construction). */
  tankType?: TankType;
}

/** Order of standards inside an option key. */
const KEY_ORDER: readonly Standard[] = ['GTR13', 'UN-R134', 'ISO19881', 'ISO9809-1', 'ISO11120', 'ISO11119-1', 'ISO11119-2', 'ISO11119-3', 'SAE-J2579', 'EC79'];

/** The option key of a set of standards, e.g. `GTR13+UN-R134+EC79`. */
export function standardsKey(set: Iterable<Standard>): string {
  const unique = new Set(set);
  return KEY_ORDER.filter((s) => unique.has(s)).join('+');
}

/**
 * The standards of an option key.
 * @throws StagegraphError `standards_invalid_option` (fatal) for a key with an unknown standard
 * @example standardsOf('GTR13+UN-R134+EC79') // ['GTR13', 'UN-R134', 'EC79']
 */
export function standardsOf(option: string): Standard[] {
  const parts = option.split('+');
  const parsed = parts.map((p) => Standard.safeParse(p));
  if (parts.length === 0 || parsed.some((p) => !p.success)) {
    throw new StagegraphError('standards_invalid_option', `'${option}' is not a '+'-joined set of ${KEY_ORDER.join(', ')}`, { details: { option } });
  }
  return parsed.map((p) => p.data!);
}

/** The sets the application and market call for. */
export const BASE_STANDARD_OPTIONS = [
  'GTR13+UN-R134', 'GTR13+UN-R134+SAE-J2579', 'GTR13+UN-R134+EC79', 'ISO19881', 'ISO9809-1', 'ISO11120', 'ISO11119-1', 'ISO11119-2', 'ISO11119-3',
] as const;

/**
 * The transportable-cylinder standard of each construction (ISO 9809-1 / 11120 / 11119-1/-2/-3 [R]).
 * Steel tubes on a trailer are ISO 11120; a steel cylinder for industrial supply ISO 9809-1.
 */
export function cylinderStandard(tankType: TankType | undefined, application: Application): Standard {
  if (tankType === 'I') return application === 'transport' ? 'ISO11120' : 'ISO9809-1';
  if (tankType === 'II') return 'ISO11119-1';
  if (tankType === 'III') return 'ISO11119-2';
  return 'ISO11119-3';
}

/** Applications whose vessels are transportable gas cylinders or tubes, not vehicle fuel containers. */
const CYLINDER_APPLICATIONS: readonly Application[] = ['transport', 'industrial'];

const ROAD: readonly Application[] = ['automotive', 'bus', 'truck'];
const NON_ROAD_VEHICLE: readonly Application[] = ['rail', 'marine', 'aerospace'];

/** Whether the application's set is only a stand-in (no standard of its own is modelled). */
export const isProxySet = (application: Application): boolean => !ROAD.includes(application) && !CYLINDER_APPLICATIONS.includes(application);

/** The set the application and market call for, before named standards are considered. */
export function requiredStandards(i: Pick<StandardsInputs, 'application' | 'market' | 'tankType'>): Standard[] {
  if (ROAD.includes(i.application)) {
    if (i.market === 'EU') return ['GTR13', 'UN-R134', 'EC79'];
    if (i.market === 'US') return ['GTR13', 'UN-R134', 'SAE-J2579'];
    return ['GTR13', 'UN-R134'];
  }
  if (CYLINDER_APPLICATIONS.includes(i.application)) return [cylinderStandard(i.tankType, i.application)];
  return ['ISO19881'];
}

/**
 * The chosen key. Road vehicles and transportable cylinders have legally required sets:
 * named standards are added to them. Elsewhere ISO 19881 is only a stand-in, which
 * named standards replace.
 */
const withNamed = (i: StandardsInputs): string =>
  standardsKey(isProxySet(i.application) && i.named.length > 0 ? i.named : [...requiredStandards(i), ...i.named]);
/** What each cylinder standard covers, in words (H2_REFERENCE.md compliance table for ISO 11119-3; the rest [R]). */
const CYLINDER_TEXT: Readonly<Record<string, string>> = {
  'ISO9809-1': 'ISO 9809-1, seamless steel cylinders (test pressure 1.5 x working, burst >= 1.6 x test)',
  ISO11120: 'ISO 11120, seamless steel tubes of 150-3,000 L (test pressure 1.5 x working, burst >= 1.6 x test)',
  'ISO11119-1': 'ISO 11119-1, hoop-wrapped composite cylinders (burst >= 2 x test pressure, test = 1.5 x working)',
  'ISO11119-2': 'ISO 11119-2, fully wrapped cylinders with load-sharing metal liners (burst >= 2 x test pressure, test = 1.5 x working)',
  'ISO11119-3': 'ISO 11119-3, fully wrapped cylinders with non-load-sharing liners (burst >= 2 x test pressure, test = 1.5 x working)',
};
const data = (i: StandardsInputs): string => `application = ${i.application}, market = ${i.market}, named = [${i.named.join(', ')}]`;
const point = 'standards';

const rules: DecisionRule<StandardsInputs>[] = [
  {
    id: 'named-standards-kept',
    when: (i) => i.named.length > 0,
    choose: withNamed,
    because: (i) =>
      (isProxySet(i.application)
        ? `The request names ${i.named.join(', ')}, which replace the ISO 19881 stand-in for ${an(i.application)} application`
        : `The request names ${i.named.join(', ')}; they are added to the standards ${an(i.application)} in the ${i.market} market requires`) +
      ': what the requester states binds the design',
    evidence: (i) => ({ dataPoint: `named = [${i.named.join(', ')}]`, source: `the request: ${i.named.join(', ')}` }),
    confidence: 1,
    priority: 1000,
  },
  {
    id: 'road-vehicle-eu',
    when: (i) => ROAD.includes(i.application) && i.market === 'EU',
    choose: withNamed,
    because: 'An EU road vehicle needs UN R134 type approval (GTR 13 content) and the EC 79 / EU 406/2010 container rules',
    evidence: (i) => ({ dataPoint: data(i), clause: 'EC 79/2009 + EU 406/2010; UN R134; GTR 13 [R]' }),
    confidence: 0.9,
    priority: 10,
  },
  {
    id: 'road-vehicle-us',
    when: (i) => ROAD.includes(i.application) && i.market === 'US',
    choose: withNamed,
    because: 'A US road vehicle tank is qualified to SAE J2579, with GTR 13 / UN R134 for the global baseline',
    evidence: (i) => ({ dataPoint: data(i), clause: 'SAE J2579; GTR 13 [R]' }),
    confidence: 0.9,
    priority: 10,
  },
  {
    id: 'road-vehicle-global',
    when: (i) => ROAD.includes(i.application) && i.market !== 'EU' && i.market !== 'US',
    choose: withNamed,
    because: (i) => `A road vehicle for the ${i.market} market: GTR 13, adopted by JP, KR and CN, with UN R134 for type approval`,
    evidence: (i) => ({ dataPoint: data(i), clause: 'UN GTR No. 13; UN R134 [R]' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'transportable-cylinder',
    when: (i) => CYLINDER_APPLICATIONS.includes(i.application),
    choose: withNamed,
    because: (i) => {
      const std = cylinderStandard(i.tankType, i.application);
      const what = i.application === 'industrial' ? 'An industrial gas cylinder' : 'A tube trailer or transportable cylinder';
      return `${what} of Type ${i.tankType ?? 'IV'} is a transportable gas cylinder, not a vehicle fuel container: ${CYLINDER_TEXT[std]}`;
    },
    evidence: (i) => ({ dataPoint: `${data(i)}, tankType = ${i.tankType ?? 'undecided'}`, clause: `${cylinderStandard(i.tankType, i.application).replace('ISO', 'ISO ')} [R]; ISO 11114-1 for steels in H2 [R]` }),
    confidence: 0.9,
    priority: 10,
  },
  {
    id: 'stationary-container-proxy',
    when: (i) => i.application === 'stationary',
    choose: withNamed,
    because: 'Ground storage: no stationary standard (ISO 19884) is modelled, so ISO 19881 container requirements (stress ratio 2.25 carbon) stand in',
    evidence: (i) => ({ dataPoint: data(i), clause: 'ISO 19881 as the EU column of the compliance table [R]' }),
    confidence: 0.7,
    priority: 10,
  },
  {
    id: 'non-road-vehicle',
    when: (i) => NON_ROAD_VEHICLE.includes(i.application),
    choose: withNamed,
    because: (i) => `${cap(an(i.application))} application is outside GTR 13 (road vehicles); ISO 19881 vehicle-container requirements are the baseline`,
    evidence: (i) => ({ dataPoint: data(i), clause: 'ISO 19881 as the EU column of the compliance table [R]' }),
    confidence: 0.75,
    priority: 10,
  },
];

/**
 * The `standards` decision point. Options: `BASE_STANDARD_OPTIONS` plus the chosen
 * set when named standards extend it; default `GTR13+UN-R134`.
 * @example evaluateRules(standardsPoint, { application: 'automotive', market: 'EU', named: [] }) // GTR13+UN-R134+EC79
 */
export const standardsPoint: DecisionPoint<StandardsInputs> = {
  name: point,
  description: 'Choose the standards the design must meet from application, market and named standards',
  options: (i) => [...new Set<string>([...BASE_STANDARD_OPTIONS, withNamed(i)])],
  inputs: (state) => {
    const r = requirementsOf(state, point);
    const tankType = state.decisions['tank-type']?.chosen as TankType | undefined;
    return { application: r.application, market: r.market, named: r.standards, ...(tankType ? { tankType } : {}) };
  },
  rules,
  default: 'GTR13+UN-R134',
  prompt: 'Choose the set of hydrogen container standards that applies to this application and market.',
  whyNot: (i, option) => {
    const target = standardsOf(withNamed(i));
    const has = standardsOf(option);
    const missing = target.filter((s) => !has.includes(s));
    const extra = has.filter((s) => !target.includes(s));
    if (missing.length > 0) return `misses ${missing.join(', ')}, required for ${an(i.application)} in the ${i.market} market or named in the request`;
    if (extra.length > 0) return `adds ${extra.join(', ')}, which neither the application nor the request calls for`;
    return undefined;
  },
};
