/**
 * Decision point `tank-type`: Type I (all steel), II (steel liner, hoop-wrapped),
 * III (aluminium liner, fully wrapped) or IV (polymer liner, fully wrapped), from
 * working pressure, application, service temperature and stated priorities.
 *
 * Engineering basis (H2_REFERENCE.md unless marked):
 * - Steel for hydrogen is capped at UTS <= 950 MPa (ISO 11114-1 [R]); a Type I wall
 *   grows as p R / sigma and thick Q&T steel fatigues faster in H2, so all-steel vessels
 *   are kept to ground storage and tube trailers up to about 30 MPa [T].
 * - Above that, stationary vessels are hoop-wrapped (Type II): the wrap takes part of
 *   the hoop load and keeps the steel stress low; mass does not matter on the ground.
 * - On vehicles mass per kg of H2 rules: the Mirai's 70 MPa Type IV tanks reach 5.7 wt %
 *   [S]; a metal liner at 70 MPa must also survive 22,000 cycles to 125 % NWP (GTR 13 [R]).
 * - Type IV is qualified down to -40 C (GTR 13 envelope [R]); colder service favours a
 *   Type III: Al 6061-T6 (FCC) has no ductile-brittle transition and its bosses are
 *   integral, with no polymer-to-metal seal to leak when cold [T].
 * - Industrial gas supply: seamless steel cylinders (ISO 9809-1) and tubes (ISO 11120)
 *   at 200-300 bar are the norm [R]; above that, composite cylinders (ISO 11119).
 * - What the requester names binds: a named type (or the one type named materials fit)
 *   is a rule of the highest priority. A safety rule that argues against it is not
 *   overruled here: the parse-requirements stage asks first (decisions/stated-check.ts),
 *   and the request only reaches this point named-and-unchallenged or confirmed.
 */
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import { TANK_TYPES, type Application, type Priority, type TankType } from '../schemas.ts';
import { cheapFirst, firstOf, lightFirst, requirementsOf } from './state.ts';
import { requestedType, type RequestedType } from './stated.ts';

/** The word with its indefinite article: 'an automotive', 'a bus'. */
const an = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** What the tank-type rules look at (JSON-serialisable). */
export interface TankTypeInputs {
  pressureMPa: number;
  application: Application;
  tempMinC: number;
  tempMaxC: number;
  priorities: Priority[];
  /** The type the requester named (or the one their named materials fit). */
  requested?: RequestedType;
}

/** Up to this NWP an all-steel vessel is the low-cost choice for ground storage: 300 bar steel cylinder bundles are the industrial norm [T]. */
export const STEEL_TYPE_I_MAX_MPA = 30;
/** Tube trailers with all-steel tubes run at about 20-25 MPa [T]. */
export const STEEL_TUBE_MAX_MPA = 25;
/** From here on a vehicle tank is in the H70 class (SAE J2601 [R]). */
export const H70_CLASS_MPA = 60;
/** Lowest service temperature GTR 13 qualifies containers to, C [R]. */
export const QUALIFIED_MIN_C = -40;

const HEAVY_MOBILE: readonly Application[] = ['bus', 'truck', 'rail', 'marine'];
const point = 'tank-type';

/** Stationary storage where cost, not mass, leads: steel is allowed. */
const stationarySteel = (i: TankTypeInputs): boolean => i.application === 'stationary' && firstOf(i.priorities, ['lightest', 'cheapest']) !== 'lightest';
/** A low-pressure tube trailer or ship whose buyer ranks cost first: steel tubes carry the mass. */
const steelTubes = (i: TankTypeInputs): boolean =>
  (i.application === 'transport' || i.application === 'marine') && i.pressureMPa <= STEEL_TUBE_MAX_MPA && cheapFirst(i.priorities);
const at = (i: TankTypeInputs): string => `pressureMPa = ${i.pressureMPa}, application = ${i.application}`;
/** An industrial cylinder at a steel pressure, cost before mass: seamless steel. */
const industrialSteel = (i: TankTypeInputs): boolean => i.application === 'industrial' && i.pressureMPa <= STEEL_TYPE_I_MAX_MPA && !lightFirst(i.priorities);

/** The id of the rule that carries what the requester named. */
export const REQUESTED_TYPE_RULE = 'requested-tank-type';

const rules: DecisionRule<TankTypeInputs>[] = [
  {
    id: REQUESTED_TYPE_RULE,
    when: (i) => i.requested !== undefined,
    choose: (i) => i.requested!.type,
    because: (i) =>
      `The requester asked for Type ${i.requested!.type} ("${i.requested!.words}")${i.requested!.confirmed ? ', and confirmed it when asked' : ''}: ` +
      'what the requester states binds the design',
    evidence: (i) => ({ dataPoint: `requested: "${i.requested!.words}"`, source: `the request: "${i.requested!.words}"` }),
    confidence: 1,
    priority: 1000,
  },
  {
    id: 'industrial-steel-cylinder',
    when: industrialSteel,
    choose: 'I',
    because: (i) =>
      `An industrial gas cylinder at ${i.pressureMPa} MPa: seamless Q&T steel cylinders (ISO 9809-1) and tubes (ISO 11120) are the ` +
      'standard product for industrial gas supply at 200-300 bar, and the cheapest per kg of H2',
    evidence: (i) => ({ dataPoint: at(i), clause: 'ISO 9809-1 / ISO 11120; ISO 11114-1: steel UTS <= 950 MPa for H2 [R]', source: 'H2_REFERENCE.md: 34CrMo4 2.5-3 USD/kg [T]' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'industrial-composite-cylinder',
    when: (i) => i.application === 'industrial' && !industrialSteel(i),
    choose: 'IV',
    because: (i) =>
      lightFirst(i.priorities)
        ? 'An industrial cylinder whose mass ranks first (carried by hand or on a trailer): a Type IV composite cylinder (ISO 11119-3) weighs a fraction of steel'
        : `At ${i.pressureMPa} MPa a steel cylinder with UTS capped at 950 MPa for H2 gets thick; composite cylinders (ISO 11119-3) are the product above 300 bar`,
    evidence: (i) => ({ dataPoint: `${at(i)}, priorities = [${i.priorities.join(', ')}]`, clause: 'ISO 11119-3; ISO 11114-1 [R]', source: 'H2_REFERENCE.md: HDPE 0.95 vs steel 7.85 g/cm3 [S]/[R]' }),
    confidence: 0.8,
    priority: 10,
  },
  {
    id: 'steel-wall-h2-limit',
    when: (i) => i.requested?.type === 'I' && i.pressureMPa > STEEL_TYPE_I_MAX_MPA,
    choose: 'II',
    because: (i) =>
      `An all-steel wall at ${i.pressureMPa} MPa with UTS capped at 950 MPa for hydrogen is thick and fatigues faster in H2; ` +
      `above ${STEEL_TYPE_I_MAX_MPA} MPa a hoop wrap carries part of the hoop load`,
    evidence: (i) => ({ dataPoint: at(i), clause: 'ISO 11114-1: steel UTS <= 950 MPa for H2 service [R]', source: 'H2_REFERENCE.md: 34CrMo4 Q&T, UTS 850-1100 MPa [R]' }),
    confidence: 0.9,
    priority: 40,
    safety: true,
  },
  {
    id: 'h70-vehicle-type-iv',
    when: (i) => i.pressureMPa >= H70_CLASS_MPA && i.application !== 'stationary' && i.application !== 'industrial',
    choose: 'IV',
    because: (i) =>
      `At ${i.pressureMPa} MPa on ${an(i.application)} application only a Type IV meets the mass target (Mirai 70 MPa Type IV: 5.7 wt %), ` +
      'and a metal liner would have to carry 22,000 cycles to 125 % NWP',
    evidence: (i) => ({ dataPoint: at(i), clause: 'GTR 13: 22,000 pressure cycles to 125 % NWP [R]', source: 'H2_REFERENCE.md: Toyota Mirai, two 70 MPa Type IV tanks, 87.5 kg, 5.7 wt % [S]' }),
    confidence: 0.95,
    priority: 30,
  },
  {
    id: 'weight-critical-type-iv',
    when: (i) => (i.application === 'automotive' && i.pressureMPa >= 20) || i.application === 'aerospace',
    choose: 'IV',
    because: (i) => `${cap(an(i.application))} tank is weight-critical: a polymer liner carries no load and weighs least per kg of H2`,
    evidence: (i) => ({ dataPoint: at(i), source: 'H2_REFERENCE.md: HDPE liner 0.95 g/cm3, about 4 mm (Tankinator [S]) vs Al 6061-T6 2.70 g/cm3, >= 3 mm [S]' }),
    confidence: 0.9,
    priority: 20,
  },
  {
    id: 'heavy-duty-type-iv',
    when: (i) => HEAVY_MOBILE.includes(i.application),
    choose: 'IV',
    because: (i) => `On ${an(i.application)} application the tank mass comes off payload and range; Type IV is the lightest and avoids liner fatigue over many fills`,
    evidence: (i) => ({ dataPoint: at(i), source: 'H2_REFERENCE.md: liner densities HDPE 0.95 vs Al 2.70 g/cm3 [S]; DOE onboard targets 4.5 wt % [S]' }),
    confidence: 0.8,
    priority: 10,
  },
  {
    id: 'transport-payload-type-iv',
    when: (i) => i.application === 'transport',
    choose: 'IV',
    because: 'A tube trailer sells its payload: Type IV tubes carry several times the H2 of steel tubes within the same road weight limit',
    evidence: (i) => ({ dataPoint: at(i), source: 'H2_REFERENCE.md: steel 7.85 g/cm3 vs CF/epoxy composite and HDPE liner [S]' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'low-cost-steel-tubes',
    when: steelTubes,
    choose: 'I',
    because: (i) =>
      `Cost ranks first and ${i.pressureMPa} MPa is within the range of seamless steel tubes, the lowest-cost store; ` +
      `a ${i.application === 'marine' ? 'hull' : 'trailer'} carries their mass`,
    evidence: (i) => ({ dataPoint: `${at(i)}, priorities = ${i.priorities.join(', ')}`, clause: 'ISO 11114-1: steel UTS <= 950 MPa for H2 [R]', source: 'H2_REFERENCE.md: steel 2.5-3 USD/kg vs carbon fiber 20-30 USD/kg [T]' }),
    confidence: 0.8,
    priority: 20,
  },
  {
    id: 'stationary-low-pressure-steel',
    when: (i) => stationarySteel(i) && i.pressureMPa <= STEEL_TYPE_I_MAX_MPA,
    choose: 'I',
    because: (i) => `Ground storage at ${i.pressureMPa} MPa: mass does not matter and seamless Q&T steel is the cheapest vessel per kg of H2`,
    evidence: (i) => ({ dataPoint: at(i), clause: 'ISO 11114-1: steel UTS <= 950 MPa for H2 [R]', source: 'H2_REFERENCE.md: 34CrMo4 2.5-3 USD/kg [T]' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'stationary-hoop-wrap',
    when: (i) => stationarySteel(i) && i.pressureMPa > STEEL_TYPE_I_MAX_MPA && i.requested === undefined,
    choose: 'II',
    because: (i) =>
      `At ${i.pressureMPa} MPa an all-steel wall with UTS capped at 950 MPa for hydrogen gets thick and fatigues faster in H2; ` +
      'a carbon hoop wrap takes part of the hoop load and keeps the steel stress low at a fraction of a full wrap\'s cost',
    evidence: (i) => ({ dataPoint: at(i), clause: 'ISO 11114-1: steel UTS <= 950 MPa for H2 service [R]', source: 'H2_REFERENCE.md: 34CrMo4 Q&T, UTS 850-1100 MPa [R]' }),
    confidence: 0.9,
    priority: 40,
    safety: true,
  },
  {
    id: 'stationary-lightest-type-iv',
    when: (i) => i.application === 'stationary' && firstOf(i.priorities, ['lightest', 'cheapest']) === 'lightest',
    choose: 'IV',
    because: 'Mass was ranked first, which on the ground means a transportable or roof-mounted store: Type IV is the lightest and uses no steel',
    evidence: (i) => ({ dataPoint: `${at(i)}, priorities = ${i.priorities.join(', ')}`, source: 'H2_REFERENCE.md: HDPE 0.95 g/cm3 liner vs 34CrMo4 7.85 g/cm3 [S]/[R]' }),
    confidence: 0.8,
    priority: 15,
  },
  {
    id: 'cold-service-type-iii',
    // Against a polymer liner only: a named steel vessel is impact-tested to -50 C [T].
    when: (i) => i.tempMinC < QUALIFIED_MIN_C && (i.requested ? i.requested.type === 'IV' : !stationarySteel(i) && !steelTubes(i) && !industrialSteel(i)),
    choose: 'III',
    because: (i) =>
      `Service down to ${i.tempMinC} C is below the -40 C that Type IV containers are qualified to; an Al 6061-T6 liner has no ductile-brittle ` +
      'transition and integral bosses, with no polymer-to-metal seal to leak when cold',
    evidence: (i) => ({ dataPoint: `tempMinC = ${i.tempMinC}`, clause: 'GTR 13 service temperature -40 to +85 C [R]', source: 'H2_REFERENCE.md: Al 6061-T6 [S]; FCC metals keep toughness at low temperature [T]' }),
    confidence: 0.75,
    priority: 50,
    safety: true,
  },
];

const WHY_NOT: Record<TankType, (i: TankTypeInputs) => string> = {
  I: (i) => `all steel: heaviest per kg of H2, and steel capped at UTS 950 MPa for H2 (ISO 11114-1 [R]) gives a thick wall at ${i.pressureMPa} MPa`,
  II: () => 'steel liner with hoop wrap: heavy, only sensible for ground storage',
  III: (i) => `aluminium liner: about 3x the liner mass of HDPE, and liner fatigue limits cycle life at ${i.pressureMPa} MPa`,
  IV: (i) => (i.tempMinC < QUALIFIED_MIN_C ? `polymer liner qualified only to -40 C, service reaches ${i.tempMinC} C` : 'full carbon wrap costs more than steel where mass does not matter'),
};

/**
 * The `tank-type` decision point. Options I, II, III, IV; default IV (the general
 * case for pressures of 35 MPa and above).
 * @example evaluateRules(tankTypePoint, { pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [] }) // IV
 */
export const tankTypePoint: DecisionPoint<TankTypeInputs> = {
  name: point,
  description: 'Choose the tank construction type (I-IV) from pressure, application, temperature and priorities',
  options: TANK_TYPES,
  inputs: (state) => {
    const r = requirementsOf(state, point);
    const requested = requestedType(r.stated);
    return {
      pressureMPa: r.pressureMPa, application: r.application, tempMinC: r.temperatureC.min, tempMaxC: r.temperatureC.max, priorities: r.priorities,
      ...(requested ? { requested } : {}),
    };
  },
  rules,
  default: 'IV',
  prompt: 'Choose the hydrogen tank type. Type I all steel, II steel hoop-wrapped, III aluminium liner fully wrapped, IV polymer liner fully wrapped.',
  whyNot: (i, option) => WHY_NOT[option as TankType]?.(i),
};
