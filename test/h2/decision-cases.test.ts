/**
 * A labelled set of hydrogen-tank decision cases, written from H2_REFERENCE.md and
 * engineering practice before running the rules: plain-English requests carried
 * through parse-requirements and the chained points (tank type -> materials,
 * standards, goal), materials for a given tank type, and design choices on a Pareto
 * front. Each label is checked with `evaluateRules`, falling back to the point's
 * default when no rule fires. The engine must get >= 95 % right, and the cases it gets
 * wrong are listed by name in `EXPECTED_MISSES`: a new miss fails, and so does a listed
 * miss that is now right (take it off the list).
 */
import { describe, expect, it } from 'vitest';
import { evaluateRules, resolveDefault, resolveOptions } from '../../graph/decisions/evaluate.ts';
import type { DecisionPoint, DecisionRecord, DecisionStateView } from '../../graph/decisions/types.ts';
import {
  designChoicePoint, goalPoint, h2TankDecisionPoints, materialBasis, materialsPoint, standardsOf, standardsPoint, tankTypePoint,
  type DesignChoiceInputs, type MaterialsInputs,
} from '../../plugins/h2-tank/decisions/index.ts';
import { checkStatedChoices } from '../../plugins/h2-tank/decisions/stated-check.ts';
import { parseRequirements } from '../../plugins/h2-tank/requirements/parse.ts';

/** What the engine decides: the rules' verdict, or the point's default when no rule fired. */
function decideWithRules<I>(point: DecisionPoint<I>, inputs: I): string {
  const options = resolveOptions(point, inputs);
  const verdict = evaluateRules(point, inputs, options);
  if (verdict.kind === 'decided') return verdict.chosen;
  if (verdict.kind === 'conflict') throw new Error(`unresolved conflict at ${point.name}: ${verdict.fired.map((f) => f.id).join(', ')}`);
  return resolveDefault(point, inputs, options);
}

const record = (point: string, chosen: string): DecisionRecord => ({
  id: point, point, iteration: 0, chosen, alternatives: [], explanation: '', evidence: [], confidence: 1, method: 'rule', inputs: {}, options: [], decidedAt: '',
});

/** Runs a request through parse-requirements and the points before optimisation, as the workflow does. */
function decideRequest(text: string): Record<string, string> {
  const parsed = parseRequirements({ text });
  if (!parsed.ok) throw new Error(`case did not parse: ${parsed.issue.question}`);
  const state: DecisionStateView = { request: { text }, outputs: { 'parse-requirements': parsed.requirements }, decisions: {}, iterations: {} };
  const chosen: Record<string, string> = {};
  for (const point of [tankTypePoint, materialsPoint, standardsPoint, goalPoint] as DecisionPoint[]) {
    chosen[point.name] = decideWithRules(point, point.inputs(state));
    state.decisions[point.name] = record(point.name, chosen[point.name]!);
  }
  return chosen;
}

type Expect = Partial<Record<'tank-type' | 'materials' | 'standards' | 'goal', string>>;

/** Requests with the answer an engineer would give. Reasons in the trailing comments. */
const REQUEST_CASES: Array<[string, Expect]> = [
  ['I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity', { 'tank-type': 'IV', materials: 'HDPE/T700S', standards: 'GTR13+UN-R134', goal: 'min-mass' }], // Mirai-class
  ['700 bar tank for a passenger car sold in Europe, 5.6 kg H2', { 'tank-type': 'IV', standards: 'GTR13+UN-R134+EC79', goal: 'min-mass' }],
  ['H70 FCEV for California, 6 kg stored, as light as possible', { 'tank-type': 'IV', materials: 'HDPE/T800S', standards: 'GTR13+UN-R134+SAE-J2579' }],
  ['35 MPa tank for a compact car, 3 kg of hydrogen', { 'tank-type': 'IV', goal: 'min-mass' }], // weight-critical at 35 MPa
  ['City bus, 350 bar, 40 kg of hydrogen, Korea', { 'tank-type': 'IV', standards: 'GTR13+UN-R134', goal: 'balanced' }],
  ['Heavy-duty truck at 70 MPa carrying 80 kg H2', { 'tank-type': 'IV', materials: 'HDPE/T700S' }], // H70 class, payload
  ['Hydrogen lorry, 35 MPa, 30 kg, low cost', { 'tank-type': 'IV', goal: 'min-cost' }], // Type IV is also the cheaper composite at 35 MPa
  ['Regional train, 35 MPa, 200 kg of hydrogen', { 'tank-type': 'IV', standards: 'ISO19881' }], // rail is outside GTR 13
  ['Ferry tank at 25 MPa holding 150 kg H2', { 'tank-type': 'IV', goal: 'balanced' }],
  ['70 MPa tank for a boat, 20 kg', { 'tank-type': 'IV' }],
  ['Drone at 30 MPa with 500 g of hydrogen', { 'tank-type': 'IV', materials: 'HDPE/T1000G', goal: 'min-mass' }],
  ['Aircraft auxiliary power, 70 MPa, 10 kg stored', { 'tank-type': 'IV', materials: 'HDPE/T1000G' }],
  ['Ground storage at 20 MPa, 30 kg of hydrogen, cheapest possible', { 'tank-type': 'I', materials: 'steel-34CrMo4/none', goal: 'min-cost' }],
  ['Backup power store at 200 bar with 12 kg H2', { 'tank-type': 'I', standards: 'ISO19881', goal: 'min-cost' }],
  ['Medium-pressure bank for a refuelling station, 45 MPa, 100 kg', { 'tank-type': 'II', materials: 'steel-34CrMo4/T700S' }], // steel stress capped for H2
  ['Refuelling station buffer at 90 MPa, 50 kg of hydrogen', { 'tank-type': 'II', goal: 'min-cost' }], // HRS high-pressure buffers are steel-CFRP Type II
  ['Stationary storage, 35 MPa, 40 kg, low cost', { 'tank-type': 'II', materials: 'steel-34CrMo4/E-glass' }],
  ['Stationary 90 MPa store that must be as light as possible, 20 kg', { 'tank-type': 'IV', goal: 'min-mass' }],
  ['Stationary storage at 30 MPa, 25 kg, designed to ISO 11119-3', { 'tank-type': 'I', standards: 'ISO11119-3' }], // 300 bar steel bundles; named standard replaces the stand-in
  ['Tube trailer, 20 MPa, 300 kg of hydrogen, lowest cost', { 'tank-type': 'I', standards: 'ISO11120' }], // classic steel jumbo tubes: ISO 11120 seamless steel tubes
  ['Tube trailer at 25 MPa carrying 400 kg', { 'tank-type': 'IV', materials: 'HDPE/T700S', standards: 'ISO11119-3' }], // payload
  ['Transportable cylinders at 50 MPa for hydrogen delivery, 250 kg, cheap', { 'tank-type': 'IV', materials: 'HDPE/T700S' }], // glass would eat the payload
  ['70 MPa car tank, 5 kg, service from -50 C to 85 C', { 'tank-type': 'III', materials: 'Al6061-T6/T700S' }], // below the -40 C Type IV envelope
  ['Bus for northern Canada, 35 MPa, 30 kg H2, down to -55 C', { 'tank-type': 'III' }],
  ['Ground storage at 20 MPa, 40 kg, minimum temperature -50 C', { 'tank-type': 'I' }], // Q&T steel is impact-tested at -50 C
  ['Truck tank, 35 MPa, 40 kg, EU market, also to SAE J2579', { standards: 'GTR13+UN-R134+SAE-J2579+EC79' }],
  ['70 MPa car, 5 kg, cheapest possible', { 'tank-type': 'IV', materials: 'HDPE/T700S', goal: 'min-cost' }],
  ['Harbour ferry, 20 MPa, 100 kg of hydrogen, lowest cost', { 'tank-type': 'I' }], // displacement carries steel; steel is cheapest at 20 MPa
  // What the requester names binds (issue 12): the named type, material and standards decide.
  ['Please size a Type III tank: 45 MPa, 2.5 kg, automotive', { 'tank-type': 'III', materials: 'Al6061-T6/T700S', standards: 'GTR13+UN-R134', goal: 'min-mass' }],
  ['50 litre steel hydrogen cylinder at 300 bar for industrial gas supply', { 'tank-type': 'I', materials: 'steel-34CrMo4/none', standards: 'ISO9809-1' }],
  ['Type 2 buffer vessel for a refuelling station, 45 MPa, 80 kg', { 'tank-type': 'II', materials: 'steel-34CrMo4/T700S' }],
  ['Car tank with an aluminium liner, 70 MPa, 5 kg', { 'tank-type': 'III', materials: 'Al6061-T6/T700S' }], // the liner names the type
  ['Type IV tank with T800 fibre for a bus, 35 MPa, 30 kg', { 'tank-type': 'IV', materials: 'HDPE/T800S' }],
  ['Glass fibre Type IV tank for ground storage, 25 MPa, 20 kg', { 'tank-type': 'IV', materials: 'HDPE/E-glass' }],
  ['70 MPa car tank, 5 kg, to GTR 13 and ISO 11119-3', { standards: 'GTR13+UN-R134+ISO11119-3' }], // named standards are added to the road set
  ['Industrial gas cylinders at 200 bar, 10 kg of hydrogen', { 'tank-type': 'I', standards: 'ISO9809-1' }],
  ['Composite cylinder bundle at 500 bar for industrial customers, 25 kg', { 'tank-type': 'IV', standards: 'ISO11119-3' }], // steel above 300 bar gets thick
  ['Laboratory gas supply, 300 bar, lightweight cylinders, 1 kg', { 'tank-type': 'IV', materials: 'HDPE/T800S', standards: 'ISO11119-3' }],
  ['Hoop-wrapped steel tubes on a trailer, 25 MPa, 300 kg', { 'tank-type': 'II', standards: 'ISO11119-1' }],
  // Forklifts want ballast, and 35 MPa forklift tanks are commonly Type III [T]. The Application enum has no material
  // handling, so the rules assume a truck: a known miss, kept to show the limit rather than tuned away.
  ['Fuel cell forklift at 35 MPa, 1.5 kg of hydrogen', { 'tank-type': 'III' }],
];

/** Materials for a given tank type (as a preference or an upstream decision may set it). */
const MATERIAL_CASES: Array<[MaterialsInputs, string]> = [
  [{ tankType: 'IV', pressureMPa: 35, application: 'aerospace', tempMinC: -40, tempMaxC: 85, priorities: ['cheapest'] }, 'HDPE/T700S'],
  [{ tankType: 'II', pressureMPa: 90, application: 'stationary', tempMinC: -40, tempMaxC: 85, priorities: [] }, 'steel-34CrMo4/T700S'],
  [{ tankType: 'II', pressureMPa: 45, application: 'stationary', tempMinC: -40, tempMaxC: 85, priorities: ['cheapest'] }, 'steel-34CrMo4/E-glass'],
  [{ tankType: 'III', pressureMPa: 35, application: 'bus', tempMinC: -55, tempMaxC: 85, priorities: ['lightest'] }, 'Al6061-T6/T800S'],
  [{ tankType: 'III', pressureMPa: 20, application: 'marine', tempMinC: -40, tempMaxC: 85, priorities: ['cheapest'] }, 'Al6061-T6/E-glass'],
  [{ tankType: 'IV', pressureMPa: 35, application: 'bus', tempMinC: -40, tempMaxC: 95, priorities: [] }, 'PA6/T700S'], // hot roof-mounted
  [{ tankType: 'IV', pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 100, priorities: ['lightest'] }, 'PA6/T800S'],
  [{ tankType: 'IV', pressureMPa: 30, application: 'stationary', tempMinC: -40, tempMaxC: 85, priorities: ['cheapest'] }, 'HDPE/E-glass'],
  [{ tankType: 'IV', pressureMPa: 70, application: 'truck', tempMinC: -40, tempMaxC: 85, priorities: ['longest-life'] }, 'HDPE/T700S'],
  [{ tankType: 'I', pressureMPa: 20, application: 'transport', tempMinC: -40, tempMaxC: 65, priorities: [] }, 'steel-34CrMo4/none'],
];

const d = (id: string, massKg: number, costUsd: number, margin: number) => ({ id, massKg, costUsd, margin });

/** Pareto fronts with the design an engineer would take forward. */
const DESIGN_CASES: Array<[string, DesignChoiceInputs, string]> = [
  ['+15 pts margin for +2.5 % mass', { goal: 'min-mass', priorities: [], designs: [d('A', 80, 3000, 0.05), d('B', 82, 3050, 0.2)] }, 'B'],
  ['+30 % mass for +2 pts margin', { goal: 'min-mass', priorities: [], designs: [d('A', 80, 3000, 0.1), d('B', 104, 3300, 0.12)] }, 'A'],
  ['+40 % cost for +3 pts margin under min-cost', { goal: 'min-cost', priorities: [], designs: [d('A', 90, 2000, 0.05), d('B', 85, 2800, 0.08)] }, 'A'],
  ['light design below the burst ratio', { goal: 'balanced', priorities: [], designs: [d('A', 50, 1500, -0.02), d('B', 55, 1600, 0.03)] }, 'B'],
  ['no design meets burst: closest', { goal: 'min-mass', priorities: [], designs: [d('A', 50, 1500, -0.05), d('B', 52, 1550, -0.01)] }, 'B'],
  ['a single design', { goal: 'balanced', priorities: [], designs: [d('only', 87.5, 4000, 0.04)] }, 'only'],
  ['long life asked: margin worth 5 % mass', { goal: 'min-mass', priorities: ['longest-life'], designs: [d('A', 60, 2500, 0.02), d('B', 63, 2600, 0.12)] }, 'B'],
  ['min-cost among three', { goal: 'min-cost', priorities: [], designs: [d('A', 100, 1000, 0.04), d('B', 90, 1300, 0.06), d('C', 80, 1800, 0.1)] }, 'A'],
  ['near-identical designs: the lighter, cheaper one', { goal: 'balanced', priorities: [], designs: [d('A', 70, 2000, 0.08), d('B', 70.5, 2010, 0.08)] }, 'A'],
  ['min-mass: 5 % heavier, 5 pts margin, cheaper', { goal: 'min-mass', priorities: [], designs: [d('A', 40, 4000, 0), d('B', 42, 3500, 0.05), d('C', 50, 3000, 0.15)] }, 'B'],
  ['balanced: middle of the front', { goal: 'balanced', priorities: [], designs: [d('A', 60, 3000, 0.02), d('B', 63, 2700, 0.08), d('C', 75, 2500, 0.1)] }, 'B'],
];

/**
 * The cases the rules get wrong today, by label, each with why. A miss not listed here
 * fails the suite; a listed case that is now right fails it too, so the list stays true.
 */
const EXPECTED_MISSES: ReadonlyMap<string, string> = new Map([
  // The Application enum has no material handling: the rules read a forklift as a truck (Type IV),
  // where 35 MPa forklift tanks are commonly Type III for ballast [T].
  ['tank-type: Fuel cell forklift at 35 MPa, 1.5 kg of hydrogen', 'no material-handling application'],
]);

describe('h2-tank decision cases (labelled)', () => {
  const results: Array<{ label: string; expected: string; got: string }> = [];
  for (const [text, expected] of REQUEST_CASES) {
    const got = decideRequest(text);
    for (const [pointName, want] of Object.entries(expected)) results.push({ label: `${pointName}: ${text}`, expected: want, got: got[pointName]! });
  }
  for (const [inputs, want] of MATERIAL_CASES) {
    results.push({ label: `materials: ${JSON.stringify(inputs)}`, expected: want, got: decideWithRules(materialsPoint, inputs) });
  }
  for (const [label, inputs, want] of DESIGN_CASES) results.push({ label: `design-choice: ${label}`, expected: want, got: decideWithRules(designChoicePoint, inputs) });

  it('has at least 40 labelled cases, tank type, materials and design choice among them', () => {
    expect(results.length).toBeGreaterThanOrEqual(40);
    for (const p of ['tank-type', 'materials', 'design-choice']) expect(results.filter((r) => r.label.startsWith(p)).length).toBeGreaterThanOrEqual(10);
  });

  it('gets at least 95 % of them right', () => {
    const wrong = results.filter((r) => r.got !== r.expected);
    const accuracy = (results.length - wrong.length) / results.length;
    console.log(`h2-tank decision accuracy: ${(accuracy * 100).toFixed(1)} % (${results.length - wrong.length}/${results.length})`);
    for (const w of wrong) console.log(`  miss  ${w.label}: expected ${w.expected}, got ${w.got}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('misses exactly the cases listed by name, no other', () => {
    const missed = results.filter((r) => r.got !== r.expected).map((r) => `${r.label} (expected ${r.expected}, got ${r.got})`);
    const listed = [...EXPECTED_MISSES.keys()];
    expect(missed.filter((m) => !listed.some((l) => m.startsWith(`${l} (`))), 'new misses').toEqual([]);
    expect(listed.filter((l) => !missed.some((m) => m.startsWith(`${l} (`))), 'listed misses that are now right').toEqual([]);
    expect(results.map((r) => r.label)).toEqual(expect.arrayContaining(listed));
  });
});

describe('h2-tank decision points', () => {
  it('are exported in decision order', () => {
    expect(h2TankDecisionPoints.map((p) => p.name)).toEqual(['tank-type', 'materials', 'standards', 'goal', 'design-choice']);
  });

  it('give every rule a reason and evidence with a clause or source', () => {
    const samples: Record<string, unknown> = {
      'tank-type': { pressureMPa: 70, application: 'automotive', tempMinC: -50, tempMaxC: 85, priorities: ['cheapest'], requested: { type: 'III', words: 'Type III' } },
      materials: { tankType: 'IV', pressureMPa: 30, application: 'aerospace', tempMinC: -40, tempMaxC: 95, priorities: ['lightest'], requested: { fiber: 'carbon', words: 'carbon fibre' } },
      standards: { application: 'truck', market: 'EU', named: ['SAE-J2579'], tankType: 'IV' },
      goal: { application: 'bus', priorities: ['lightest'] },
      'design-choice': { goal: 'balanced', priorities: [], designs: [d('A', 50, 1500, -0.02), d('B', 55, 1600, 0.03)] },
    };
    for (const point of h2TankDecisionPoints) {
      const i = samples[point.name];
      for (const rule of point.rules) {
        const because = typeof rule.because === 'function' ? rule.because(i) : rule.because;
        const evidence = typeof rule.evidence === 'function' ? rule.evidence(i) : rule.evidence;
        expect(because.length, `${point.name}/${rule.id}`).toBeGreaterThan(20);
        expect(evidence?.clause ?? evidence?.source, `${point.name}/${rule.id}`).toBeTruthy();
        expect(rule.confidence).toBeGreaterThan(0);
        expect(rule.confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  it('reads its inputs from run state and refuses to run without requirements', () => {
    const parsed = parseRequirements({ text: '70 MPa, 5 kg, passenger car, EU' });
    if (!parsed.ok) throw new Error('parse failed');
    const state: DecisionStateView = { request: {}, outputs: { 'parse-requirements': parsed.requirements }, decisions: { 'tank-type': record('tank-type', 'IV') }, iterations: {} };
    expect(materialsPoint.inputs(state)).toEqual({ tankType: 'IV', pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [] });
    expect(JSON.parse(JSON.stringify(tankTypePoint.inputs(state)))).toEqual(tankTypePoint.inputs(state));
    expect(() => tankTypePoint.inputs({ request: {}, outputs: {}, decisions: {}, iterations: {} })).toThrow(expect.objectContaining({ code: 'decision_missing_input' }));
    expect(() => materialsPoint.inputs({ ...state, decisions: {} })).toThrow(expect.objectContaining({ code: 'decision_missing_input' }));
  });
});

describe('h2-tank: what the requester states binds', () => {
  const cold = { pressureMPa: 70, application: 'automotive' as const, tempMinC: -55, tempMaxC: 85, priorities: [] };

  it('a named type wins by priority, with the words as evidence; a confirmed one also over a safety rule', () => {
    const named = evaluateRules(tankTypePoint, { pressureMPa: 45, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [], requested: { type: 'III', words: 'Type III' } });
    expect(named).toMatchObject({ kind: 'decided', chosen: 'III', policy: 'higher priority' });
    if (named.kind !== 'decided') return;
    expect(named.winners[0]!.evidence).toEqual({ ruleId: 'requested-tank-type', dataPoint: 'requested: "Type III"', source: 'the request: "Type III"' });
    const confirmed = evaluateRules(tankTypePoint, { ...cold, requested: { type: 'IV', words: 'Type IV', confirmed: true } });
    expect(confirmed).toMatchObject({ kind: 'decided', chosen: 'IV' });
    if (confirmed.kind === 'decided') expect(confirmed.losers.map((l) => l.id)).toContain('cold-service-type-iii');
  });

  it('a named choice against a safety rule is a question before any point decides', () => {
    const read = parseRequirements({ text: 'Type IV car tank, 70 MPa, 5 kg, down to -55 C' });
    if (!read.ok) throw new Error('parse failed');
    expect(checkStatedChoices(read.requirements)).toMatchObject({ code: 'requirements_safety_conflict', field: 'tankType', answerWith: { clarifications: { tankType: 'III' } } });
    const answered = parseRequirements({ text: 'Type IV car tank, 70 MPa, 5 kg, down to -55 C', clarifications: { tankType: 'IV' } });
    if (!answered.ok) throw new Error('parse failed');
    expect(checkStatedChoices(answered.requirements)).toBeUndefined();
    const unnamed = parseRequirements({ text: 'car tank, 70 MPa, 5 kg, down to -55 C' });
    if (!unnamed.ok) throw new Error('parse failed');
    expect(checkStatedChoices(unnamed.requirements)).toBeUndefined();
  });

  it('a named pair outside the usual options becomes an option of its own', () => {
    const i: MaterialsInputs = { tankType: 'III', pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [], requested: { fiber: 'T1000G', words: 'T1000' } };
    expect(resolveOptions(materialsPoint, i)).toContain('Al6061-T6/T1000G');
    expect(decideWithRules(materialsPoint, i)).toBe('Al6061-T6/T1000G');
  });

  it('industrial and transport standards follow the construction', () => {
    for (const [tankType, application, want] of [['I', 'industrial', 'ISO9809-1'], ['I', 'transport', 'ISO11120'], ['II', 'industrial', 'ISO11119-1'], ['III', 'transport', 'ISO11119-2'], ['IV', 'industrial', 'ISO11119-3']] as const) {
      expect(decideWithRules(standardsPoint, { application, market: 'global', named: [], tankType })).toBe(want);
    }
  });
});

describe('h2-tank decision helpers', () => {
  it('materialBasis takes the burst ratio from the fiber and the strictest governing standard', () => {
    expect(materialBasis('HDPE/T700S', standardsOf('GTR13+UN-R134'))).toEqual({ liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, governedBy: 'GTR13' });
    expect(materialBasis('HDPE/T700S', standardsOf('ISO11119-3')).burstRatio).toBe(3);
    expect(materialBasis('HDPE/aramid-K49', standardsOf('GTR13+UN-R134+EC79')).burstRatio).toBe(3.1);
    expect(materialBasis('Al6061-T6/E-glass', standardsOf('ISO19881')).burstRatio).toBe(3.5);
    expect(materialBasis('HDPE/T800S', ['GTR13', 'ISO11119-3'])).toMatchObject({ burstRatio: 3, governedBy: 'ISO11119-3' });
    expect(materialBasis('steel-34CrMo4/none', ['ISO11119-3'])).toMatchObject({ fiber: 'none', burstRatio: 2.4 });
    expect(() => materialBasis('HDPE/T300', ['GTR13'])).toThrow(expect.objectContaining({ code: 'materials_invalid_choice' }));
    expect(() => materialBasis('HDPE/T700S', [])).toThrow(expect.objectContaining({ code: 'materials_no_standard' }));
  });

  it('standardsOf reads option keys and rejects unknown standards', () => {
    expect(standardsOf('GTR13+UN-R134+SAE-J2579')).toEqual(['GTR13', 'UN-R134', 'SAE-J2579']);
    expect(() => standardsOf('GTR13+ASME-VIII')).toThrow(expect.objectContaining({ code: 'standards_invalid_option' }));
  });

  it('explains each losing design with numbers', () => {
    const inputs: DesignChoiceInputs = { goal: 'min-mass', priorities: [], designs: [d('A', 80, 3000, 0.05), d('B', 84.1, 3120, 0.03), d('C', 79, 2900, -0.01)] };
    expect(decideWithRules(designChoicePoint, inputs)).toBe('A');
    expect(designChoicePoint.whyNot!(inputs, 'B', 'A')).toMatch(/^4\.1 kg heavier, 120 USD dearer, 2\.0 % less (burst )?margin \(score -?\d\.\d{3} vs -?\d\.\d{3}\)$/);
    expect(designChoicePoint.whyNot!(inputs, 'C', 'A')).toBe('below the required burst ratio (margin -1.0 %)');
  });

  it('explains losing materials with fiber-mass ratios', () => {
    const i: MaterialsInputs = { tankType: 'IV', pressureMPa: 70, application: 'automotive', tempMinC: -40, tempMaxC: 85, priorities: [] };
    expect(materialsPoint.whyNot!(i, 'HDPE/E-glass', 'HDPE/T700S')).toBe('E-glass needs 3.17x the fiber mass of T700S (3450 vs 4900 MPa; stress ratio and density included)');
    expect(materialsPoint.whyNot!(i, 'HDPE/aramid-K49', 'HDPE/T700S')).toMatch(/^aramid-K49 needs 1\.50x the fiber mass of T700S/);
    expect(materialsPoint.whyNot!(i, 'HDPE/T800S', 'HDPE/T700S')).toMatch(/^T800S needs 17 % less fiber mass than T700S but costs more per kg/);
  });
});
