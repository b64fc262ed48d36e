/**
 * Decision point `materials`: the liner/fiber pair (`<liner>/<fiber>`) for the chosen
 * tank type, from priorities, application, pressure and temperature; and
 * `materialBasis()`, which turns the choice and the governing standards into the
 * design basis (liner, fiber, resin, minimum burst ratio).
 *
 * Fiber mass for a given burst scales as SR x density / strength (netting theory,
 * H2_REFERENCE.md): relative to T700S (4900 MPa, 1.80 g/cm3, SR 2.25), T800S needs
 * 0.83x [R], T1000G 0.77x [S], aramid K49 1.51x (SR 3.1) and E-glass 3.17x (SR 3.5).
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import { FIBERS, LINERS, type Application, type Fiber, type Liner, type Priority, type Standard, type TankType } from '../schemas.ts';
import { cheapFirst, chosenOf, lightFirst, requirementsOf } from './state.ts';
import { matchesRequest, requestedMaterials, type RequestedMaterials } from './stated.ts';

/** What the materials rules look at (JSON-serialisable). */
export interface MaterialsInputs {
  tankType: TankType;
  pressureMPa: number;
  application: Application;
  tempMinC: number;
  tempMaxC: number;
  priorities: Priority[];
  /** The liner and/or fiber the requester named. */
  requested?: RequestedMaterials;
}

/** Liner/fiber pairs by tank type. Type I has no overwrap (`none`). */
export const MATERIAL_OPTIONS: Readonly<Record<TankType, readonly string[]>> = {
  I: ['steel-34CrMo4/none'],
  II: ['steel-34CrMo4/T700S', 'steel-34CrMo4/E-glass'],
  III: ['Al6061-T6/T700S', 'Al6061-T6/T800S', 'Al6061-T6/E-glass'],
  IV: ['HDPE/T700S', 'HDPE/T800S', 'HDPE/T1000G', 'HDPE/E-glass', 'HDPE/aramid-K49', 'PA6/T700S', 'PA6/T800S'],
};

type FiberFamily = 'carbon' | 'aramid' | 'glass' | 'metal';

/** Fiber data from H2_REFERENCE.md "Materials" (strength MPa, density g/cm3). */
const FIBER_DATA: Readonly<Record<Fiber, { family: FiberFamily; strengthMPa: number; density: number; label: string }>> = {
  T700S: { family: 'carbon', strengthMPa: 4900, density: 1.8, label: 'Toray [S]' },
  T800S: { family: 'carbon', strengthMPa: 5880, density: 1.8, label: '[R]' },
  T1000G: { family: 'carbon', strengthMPa: 6370, density: 1.8, label: '[S]' },
  'E-glass': { family: 'glass', strengthMPa: 3450, density: 2.58, label: '[T]' },
  'aramid-K49': { family: 'aramid', strengthMPa: 3600, density: 1.44, label: '[T]' },
};

/**
 * Minimum burst pressure / NWP by standard and fiber family (H2_REFERENCE.md
 * compliance table, all [R]). ISO 11119-3: burst >= 2 x test pressure with test =
 * 1.5 x working -> 3.0; glass and aramid keep their stress-ratio minima (3.5, 3.1) on
 * top, the conservative reading. Metal (Type I, no overwrap): 2.25 under the vehicle
 * standards; 2.4 under ISO 11119-3's transport regime, whose steel cylinders follow
 * ISO 9809-1 (burst >= 1.6 x test pressure [R]).
 */
export const BURST_RATIO: Readonly<Record<Standard, Readonly<Record<FiberFamily, number>>>> = {
  GTR13: { carbon: 2.25, aramid: 3.1, glass: 3.5, metal: 2.25 },
  'UN-R134': { carbon: 2.25, aramid: 3.1, glass: 3.5, metal: 2.25 },
  'SAE-J2579': { carbon: 2.25, aramid: 3.1, glass: 3.5, metal: 2.25 },
  EC79: { carbon: 2.25, aramid: 3.1, glass: 3.5, metal: 2.25 },
  ISO19881: { carbon: 2.25, aramid: 3.1, glass: 3.5, metal: 2.25 },
  'ISO11119-3': { carbon: 3.0, aramid: 3.1, glass: 3.5, metal: 2.4 },
  // Seamless steel cylinders and tubes: burst >= 1.6 x test pressure, test = 1.5 x working [R].
  'ISO9809-1': { carbon: 2.4, aramid: 2.4, glass: 2.4, metal: 2.4 },
  ISO11120: { carbon: 2.4, aramid: 2.4, glass: 2.4, metal: 2.4 },
  // Hoop-wrapped (Type II) and fully wrapped load-sharing (Type III): as ISO 11119-3 [R].
  'ISO11119-1': { carbon: 3.0, aramid: 3.1, glass: 3.5, metal: 2.4 },
  'ISO11119-2': { carbon: 3.0, aramid: 3.1, glass: 3.5, metal: 2.4 },
};

/** Fiber mass per unit of burst capacity relative to T700S: (SR rho / sigma) / (SR rho / sigma)_T700S. */
export function relativeFiberMass(fiber: Fiber): number {
  const index = (f: Fiber): number => (BURST_RATIO.GTR13[FIBER_DATA[f].family] * FIBER_DATA[f].density) / FIBER_DATA[f].strengthMPa;
  return index(fiber) / index('T700S');
}

/** The design basis a materials choice gives under the governing standards. */
export interface MaterialBasis {
  liner: Liner;
  /** `none` for a Type I all-metal vessel. */
  fiber: Fiber | 'none';
  resin: 'epoxy';
  /** Minimum burst pressure / NWP: the maximum over the governing standards. */
  burstRatio: number;
  /** The standard that set `burstRatio`. */
  governedBy: Standard;
}

/**
 * Splits a `<liner>/<fiber>` choice and takes the burst ratio as the maximum over the
 * governing standards for that fiber family.
 * @throws StagegraphError `materials_invalid_choice` / `materials_no_standard` (fatal)
 * @example materialBasis('HDPE/T700S', ['GTR13', 'UN-R134']) // { liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, governedBy: 'GTR13' }
 * @example materialBasis('HDPE/T700S', ['ISO11119-3']).burstRatio // 3
 */
export function materialBasis(choice: string, standards: readonly Standard[]): MaterialBasis {
  const [liner, fiber, extra] = choice.split('/');
  const validFiber = fiber === 'none' || (FIBERS as readonly string[]).includes(fiber ?? '');
  if (!(LINERS as readonly string[]).includes(liner ?? '') || !validFiber || extra !== undefined) {
    throw new StagegraphError('materials_invalid_choice', `'${choice}' is not a <liner>/<fiber> pair of ${LINERS.join(', ')} and ${FIBERS.join(', ')} or none`, {
      details: { choice },
    });
  }
  if (standards.length === 0) {
    throw new StagegraphError('materials_no_standard', 'a burst ratio needs at least one governing standard', { details: { choice } });
  }
  const family: FiberFamily = fiber === 'none' ? 'metal' : FIBER_DATA[fiber as Fiber].family;
  let governedBy = standards[0]!;
  for (const s of standards) if (BURST_RATIO[s][family] > BURST_RATIO[governedBy][family]) governedBy = s;
  return { liner: liner as Liner, fiber: fiber as Fiber | 'none', resin: 'epoxy', burstRatio: BURST_RATIO[governedBy][family], governedBy };
}

const point = 'materials';

/** Liners each tank type can have (schemas.ts LINERS). */
const TYPE_LINERS: Readonly<Record<TankType, readonly Liner[]>> = { I: ['steel-34CrMo4'], II: ['steel-34CrMo4'], III: ['Al6061-T6'], IV: ['HDPE', 'PA6'] };

/**
 * The options for a tank type: the usual pairs, plus the pair the requester named when it
 * is a real construction of that type but not a usual one (e.g. Al6061-T6/T1000G).
 * @example materialOptions({ tankType: 'III', requested: { fiber: 'T1000G', words: 'T1000' }, ... }) // [...III pairs, 'Al6061-T6/T1000G']
 */
export function materialOptions(i: Pick<MaterialsInputs, 'tankType' | 'requested'>): string[] {
  const base = [...MATERIAL_OPTIONS[i.tankType]];
  const r = i.requested;
  if (r?.fiber === undefined || r.fiber === 'carbon' || base.some((o) => matchesRequest(o, r))) return base;
  const unwrapped = i.tankType === 'I';
  if (unwrapped !== (r.fiber === 'none')) return base;
  const liners = r.liner ? [r.liner].filter((l) => TYPE_LINERS[i.tankType].includes(l)) : [TYPE_LINERS[i.tankType][0]!];
  return [...base, ...liners.map((l) => `${l}/${r.fiber}`)];
}

/** The id of the rule that carries what the requester named. */
export const REQUESTED_MATERIALS_RULE = 'requested-materials';

/** Of the options the request allows, the one the other rules would pick, else the first. */
function requestedChoice(i: MaterialsInputs): string {
  const allowed = materialOptions(i).filter((o) => matchesRequest(o, i.requested!));
  const others = rules.filter((r) => r.id !== REQUESTED_MATERIALS_RULE && r.when(i));
  const ranked = [...others].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || b.confidence - a.confidence);
  for (const r of ranked) {
    const c = typeof r.choose === 'function' ? r.choose(i) : r.choose;
    if (allowed.includes(c)) return c;
  }
  return allowed[0]!;
}
const is = (t: TankType) => (i: MaterialsInputs): boolean => i.tankType === t;
const data = (i: MaterialsInputs): string => `tankType = ${i.tankType}, pressureMPa = ${i.pressureMPa}, priorities = [${i.priorities.join(', ')}]`;
const GLASS_COST = 'H2_REFERENCE.md prices [T]: E-glass 1.5-3 USD/kg, carbon fiber 20-30 USD/kg; glass needs 3.17x the fiber mass (SR 3.5 vs 2.25)';

const rules: DecisionRule<MaterialsInputs>[] = [
  {
    id: REQUESTED_MATERIALS_RULE,
    when: (i) => i.requested !== undefined && materialOptions(i).some((o) => matchesRequest(o, i.requested!)),
    choose: requestedChoice,
    because: (i) =>
      `The requester asked for ${i.requested!.words}${i.requested!.confirmed ? ', and confirmed it when asked' : ''}: what the requester states binds the design` +
      (i.requested!.liner === undefined || i.requested!.fiber === undefined || i.requested!.fiber === 'carbon' ? '; the rest follows the usual rules' : ''),
    evidence: (i) => ({ dataPoint: `requested: "${i.requested!.words}"`, source: `the request: "${i.requested!.words}"` }),
    confidence: 1,
    priority: 1000,
  },
  { id: 'type-i-steel', when: is('I'), choose: 'steel-34CrMo4/none', because: 'A Type I vessel is seamless Q&T steel with no overwrap', evidence: (i) => ({ dataPoint: data(i), clause: 'ISO 11114-1: 34CrMo4 UTS <= 950 MPa for H2 [R]' }), confidence: 1, priority: 100 },
  { id: 'type-ii-carbon-hoop', when: is('II'), choose: 'steel-34CrMo4/T700S', because: 'A carbon hoop wrap adds most strength per kg and does not creep-rupture like glass under sustained stationary pressure', evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: T700S 4900 MPa, 1.80 g/cm3 (Toray [S])' }), confidence: 0.85, priority: 10 },
  {
    id: 'type-ii-glass-hoop-low-cost',
    when: (i) => i.tankType === 'II' && cheapFirst(i.priorities) && i.pressureMPa <= 50,
    choose: 'steel-34CrMo4/E-glass',
    because: (i) => `Cost ranks first and at ${i.pressureMPa} MPa the steel carries most of the load; a glass hoop wrap costs about half of a carbon one`,
    evidence: (i) => ({ dataPoint: data(i), source: GLASS_COST }),
    confidence: 0.75,
    priority: 20,
  },
  { id: 'type-iii-carbon', when: is('III'), choose: 'Al6061-T6/T700S', because: 'T700S is the standard-modulus carbon fiber for wound Type III tanks: the best strength per dollar among carbons', evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: T700S 4900 MPa [S]; Al 6061-T6 liner sized to 0.21 x burst [S]' }), confidence: 0.85, priority: 10 },
  { id: 'type-iii-lightest', when: (i) => i.tankType === 'III' && lightFirst(i.priorities), choose: 'Al6061-T6/T800S', because: 'Mass ranks first: T800S (5880 MPa) needs 17 % less fiber than T700S at the same stress ratio and density', evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: T800S 5880 MPa [R], T700S 4900 MPa [S]' }), confidence: 0.8, priority: 20 },
  {
    id: 'type-iii-glass-low-cost',
    when: (i) => i.tankType === 'III' && cheapFirst(i.priorities) && i.pressureMPa <= 25,
    choose: 'Al6061-T6/E-glass',
    because: (i) => `Cost ranks first and at ${i.pressureMPa} MPa the glass wrap stays thin; glass composite costs about half of carbon composite`,
    evidence: (i) => ({ dataPoint: data(i), source: GLASS_COST }),
    confidence: 0.75,
    priority: 20,
  },
  { id: 'type-iv-baseline', when: is('IV'), choose: 'HDPE/T700S', because: 'HDPE liner with T700S/epoxy is the established Type IV construction: tough at -40 C, low cost, the best strength per dollar among carbons', evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: HDPE liner about 4 mm (Tankinator [S]); T700S 4900 MPa (Toray [S])' }), confidence: 0.85, priority: 10 },
  { id: 'type-iv-lightest', when: (i) => i.tankType === 'IV' && lightFirst(i.priorities), choose: 'HDPE/T800S', because: 'Mass ranks first: T800S (5880 MPa) needs 17 % less fiber than T700S at the same stress ratio and density', evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: T800S 5880 MPa [R], T700S 4900 MPa [S]' }), confidence: 0.8, priority: 20 },
  {
    id: 'type-iv-aerospace',
    when: (i) => i.tankType === 'IV' && i.application === 'aerospace' && !cheapFirst(i.priorities),
    choose: 'HDPE/T1000G',
    because: 'An airborne tank trades cost for mass: T1000G (6370 MPa) needs 23 % less fiber than T700S',
    evidence: (i) => ({ dataPoint: `${data(i)}, application = ${i.application}`, source: 'H2_REFERENCE.md: T1000G 6370 MPa, 1.80 g/cm3 [S]' }),
    confidence: 0.8,
    priority: 25,
  },
  {
    id: 'type-iv-low-cost-glass',
    when: (i) => i.tankType === 'IV' && cheapFirst(i.priorities) && i.application === 'stationary' && i.pressureMPa <= 50,
    choose: 'HDPE/E-glass',
    because: 'Cost ranks first on a ground store where mass is free: glass composite costs about half of carbon composite for 3x the fiber mass',
    evidence: (i) => ({ dataPoint: data(i), source: GLASS_COST }),
    confidence: 0.75,
    priority: 20,
  },
  {
    id: 'type-iv-hot-pa6',
    when: (i) => i.tankType === 'IV' && i.tempMaxC > 85,
    choose: (i) => (lightFirst(i.priorities) ? 'PA6/T800S' : 'PA6/T700S'),
    because: (i) => `Service up to ${i.tempMaxC} C is above the 85 C HDPE liners are qualified to; PA6 (melting near 220 C vs 130 C for HDPE) keeps its stiffness`,
    evidence: (i) => ({ dataPoint: `tempMaxC = ${i.tempMaxC}`, clause: 'GTR 13 service temperature -40 to +85 C [R]', source: 'H2_REFERENCE.md: PA6 liner 70-80 MPa, 2.5-3 GPa vs HDPE yield 20-30 MPa, ~1 GPa [T]' }),
    confidence: 0.8,
    priority: 40,
    safety: true,
  },
];

/** Why a pair lost, with the fiber-mass numbers behind it. */
function whyNot(_i: MaterialsInputs, option: string, chosen: string): string | undefined {
  const [liner, fiber] = option.split('/') as [string, string];
  const [cLiner, cFiber] = chosen.split('/') as [string, string];
  if (fiber !== cFiber && fiber !== 'none' && cFiber !== 'none') {
    const ratio = relativeFiberMass(fiber as Fiber) / relativeFiberMass(cFiber as Fiber);
    const mass = ratio >= 1 ? `${ratio.toFixed(2)}x the fiber mass of ${cFiber}` : `${Math.round((1 - ratio) * 100)} % less fiber mass than ${cFiber} but costs more per kg`;
    return `${fiber} needs ${mass} (${FIBER_DATA[fiber as Fiber].strengthMPa} vs ${FIBER_DATA[cFiber as Fiber].strengthMPa} MPa; stress ratio and density included)`;
  }
  if (liner !== cLiner) return `${liner} liner not needed: ${cLiner} covers the stated service temperature`;
  return undefined;
}

/**
 * The `materials` decision point. Options are the pairs for the chosen tank type
 * (`MATERIAL_OPTIONS`); the default is the baseline pair of that type.
 * @example evaluateRules(materialsPoint, { tankType: 'IV', pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [] }) // HDPE/T700S
 */
export const materialsPoint: DecisionPoint<MaterialsInputs> = {
  name: point,
  description: 'Choose the liner and fiber for the chosen tank type',
  options: materialOptions,
  inputs: (state) => {
    const r = requirementsOf(state, point);
    return {
      tankType: chosenOf(state, point, 'tank-type') as TankType,
      pressureMPa: r.pressureMPa,
      application: r.application,
      tempMinC: r.temperatureC.min,
      tempMaxC: r.temperatureC.max,
      priorities: r.priorities,
      ...(requestedMaterials(r.stated) ? { requested: requestedMaterials(r.stated)! } : {}),
    };
  },
  rules,
  default: (i) => materialOptions(i)[0]!,
  prompt: 'Choose the liner/fiber pair. Carbon fibers need SR 2.25, aramid 3.1, glass 3.5; cost and mass trade accordingly.',
  whyNot,
};
