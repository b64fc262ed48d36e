/**
 * The parse-requirements stage through its public entry point: the input schema
 * (as the runtime validates it) and `run()`. Differently phrased requests with their
 * exact typed requirements, and the questions asked instead of guessing.
 */
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { describe, expect, it } from 'vitest';
import { isStagegraphError, type StagegraphError } from '../../nodes/errors.ts';
import type { StageContext } from '../../nodes/types.ts';
import { CAPACITY_QUESTION, PRESSURE_QUESTION } from '../../plugins/h2-tank/requirements/questions.ts';
import type { Requirements } from '../../plugins/h2-tank/schemas.ts';
import { parseRequirementsStage as stage } from '../../plugins/h2-tank/stages/parse-requirements.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
function ctx(llm?: BaseChatModel, signal = new AbortController().signal): StageContext {
  return { runId: 'r1', stage: stage.name, attempt: 1, signal, seed: 1, progress() {}, emit() {}, log: silent, ...(llm ? { llm } : {}) };
}

async function run(input: unknown, llm?: BaseChatModel): Promise<Requirements> {
  const out = await stage.run(stage.input.parse(input), ctx(llm));
  return stage.output.parse(out);
}

async function question(input: unknown): Promise<StagegraphError> {
  try {
    await run(input);
  } catch (e) {
    if (isStagegraphError(e)) return e;
    throw e;
  }
  throw new Error('expected a question');
}

const GTR13_TEMP = 'Service temperature not stated: assumed -40 to +85 C per GTR 13 for vehicles [R]';
const T = (min: number, max: number) => ({ temperatureC: { min, max } });

/** Request -> the key fields it must read to. */
const READS: Array<[string | Record<string, unknown>, Partial<Requirements>]> = [
  ['I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity', { pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'global', ...T(-40, 85), envelope: {}, standards: [], priorities: [], parsedBy: 'rules' }],
  ['H70 tank for a passenger car storing 5.6 kg of H2, EU market, as light as possible', { pressureMPa: 70, h2MassKg: 5.6, application: 'automotive', market: 'EU', priorities: ['lightest'] }],
  ['10,000 psi FCEV tank, 4.6 kg usable hydrogen, -40 to 85 C, max length 2 m, diameter under 400 mm', { pressureMPa: 70, h2MassKg: 4.8, application: 'automotive', ...T(-40, 85), envelope: { maxLengthMm: 2000, maxDiameterMm: 400 } }],
  ['350 bar tank for a city bus, 40 kg H2, compliant with ECE R134 and EC 79, low cost', { pressureMPa: 35, h2MassKg: 40, application: 'bus', standards: ['UN-R134', 'EC79'], priorities: ['cheapest'] }],
  ['Tube trailer, 25 MPa, 500 kg hydrogen, durable, from -40°C to +65°C', { pressureMPa: 25, h2MassKg: 500, application: 'transport', ...T(-40, 65), priorities: ['longest-life'] }],
  ['Backup power ground storage at 20 MPa, 30 kg of hydrogen, cheapest possible, USA', { pressureMPa: 20, h2MassKg: 30, application: 'stationary', market: 'US', priorities: ['cheapest'] }],
  ['Hydrogen drone tank: 30 MPa, 500 g H2, fits in 1.2 m x 500 mm', { pressureMPa: 30, h2MassKg: 0.5, application: 'aerospace', envelope: { maxLengthMm: 1200, maxDiameterMm: 500 } }],
  ['A 70 MPa tank for a lorry with 35 kg stored, between -40 F and 185 F', { pressureMPa: 70, h2MassKg: 35, application: 'truck', ...T(-40, 85) }],
  ['Need a 70 MPa tank, 122.4 L water volume', { pressureMPa: 70, waterVolumeL: 122.4, application: 'automotive' }],
  ['pressure vessel for a ship, 25 MPa, 200 kg of H2, China, compact', { pressureMPa: 25, h2MassKg: 200, application: 'marine', market: 'CN', priorities: ['smallest'] }],
  ['tank mass under 90 kg, 5 kg of hydrogen, 700 bar, car, burst 157.5 MPa', { pressureMPa: 70, h2MassKg: 5, application: 'automotive' }],
  ['5000 psi tank for a train, 20 kg H2, Japan, down to -50 C', { pressureMPa: 35, h2MassKg: 20, application: 'rail', market: 'JP', ...T(-50, 85) }],
  ['Coach with 35MPa tanks holding 30kg of hydrogen', { pressureMPa: 35, h2MassKg: 30, application: 'bus' }],
  ['HGV tank, 700bar, 60 kg hydrogen, Korea, minimum weight', { pressureMPa: 70, h2MassKg: 60, application: 'truck', market: 'KR', priorities: ['lightest'] }],
  ['UAV, 300 bar, 250 g of hydrogen, lightweight', { pressureMPa: 30, h2MassKg: 0.25, application: 'aerospace', priorities: ['lightest'] }],
  ['Refuelling station buffer at 90 MPa, 50 kg of hydrogen, designed to ISO 19881', { pressureMPa: 90, h2MassKg: 50, application: 'stationary', standards: ['ISO19881'] }],
  ['Transportable cylinders at 50 MPa, 0.5 m3 water volume, per ISO 11119-3', { pressureMPa: 50, waterVolumeL: 500, application: 'transport', standards: ['ISO11119-3'], ...T(-40, 65) }],
  ['A hydrogen vessel for a ferry, 35 MPa, 300 litres', { pressureMPa: 35, waterVolumeL: 300, application: 'marine' }],
  ['FCEV tank to GTR 13, UN R134 and SAE J2579 for the US, 70 MPa, 5.6 kg, cheapest and lightest', { market: 'US', standards: ['GTR13', 'UN-R134', 'SAE-J2579'], priorities: ['cheapest', 'lightest'] }],
  ['For us it must be a 700 bar car tank with 5 kg', { pressureMPa: 70, h2MassKg: 5, market: 'global' }],
  ['Light-duty vehicle, 70 MPa, 6 kg, max 65 °C', { application: 'automotive', h2MassKg: 6, ...T(-40, 65) }],
  ['35 MPa bus tank, 30 kg, operating -30 to 60 C, length of at most 3 m', { ...T(-30, 60), envelope: { maxLengthMm: 3000 } }],
  ['Rail tank 350 bar, 100 kg, 0.6 m diameter', { pressureMPa: 35, application: 'rail', envelope: { maxDiameterMm: 600 } }],
  ['Stationary store, 45 MPa, 1,200 L water volume', { pressureMPa: 45, waterVolumeL: 1200, application: 'stationary' }],
  ['Passenger car, 70 MPa, 5 kg, Europe, long life, compact', { market: 'EU', priorities: ['longest-life', 'smallest'] }],
  ['70 MPa (700 bar) car tank with 5 kg', { pressureMPa: 70, h2MassKg: 5 }],
  ['car tank 70 MPa 5 kg, down to -58 F', { ...T(-50, 85) }],
  ['70 MPa NWP car, 5 kg, maximum fill pressure 87.5 MPa', { pressureMPa: 70, h2MassKg: 5 }],
  ['5 kg H2 @ 70MPa for a sedan, dia. 350 mm', { pressureMPa: 70, application: 'automotive', envelope: { maxDiameterMm: 350 } }],
  ['store 5 kilograms of hydrogen at 70 megapascals in an SUV', { pressureMPa: 70, h2MassKg: 5, application: 'automotive' }],
  [{ structured: { pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'EU' } }, { pressureMPa: 70, h2MassKg: 5, market: 'EU', parsedBy: 'structured' }],
  [{ structured: { pressure: '350 bar', capacity: '120 L', application: 'coach', standards: ['R134', 'GTR13'], priorities: ['cheapest'] } }, { pressureMPa: 35, waterVolumeL: 120, application: 'bus', standards: ['UN-R134', 'GTR13'], priorities: ['cheapest'] }],
  [{ text: '70 MPa tank ... actually 350 bar, 5 kg, car', clarifications: { pressure: '700 bar' } }, { pressureMPa: 70, h2MassKg: 5 }],
  [{ text: 'A tank for a bus with 30 kg', clarifications: { pressure: 35 } }, { pressureMPa: 35, application: 'bus' }],
  [{ text: '700 bar car tank', clarifications: { capacity: '5 kg' } }, { pressureMPa: 70, h2MassKg: 5 }],
  // Numbers in words, every pressure unit, signs, priority and vehicle-class synonyms (issue 12).
  ['a tank for seventy megapascals storing six kilograms of hydrogen, passenger car', { pressureMPa: 70, h2MassKg: 6, application: 'automotive' }],
  ['three hundred and fifty bar, one hundred and twenty litres, coach', { pressureMPa: 35, waterVolumeL: 120, application: 'bus' }],
  ['four and a half kilograms of H2 at 70 MPa in a hatchback', { h2MassKg: 4.5, application: 'automotive' }],
  ['half a kilo of hydrogen, 30 MPa, UAV', { h2MassKg: 0.5, application: 'aerospace' }],
  ['twenty-five MPa tube trailer, four hundred kg', { pressureMPa: 25, h2MassKg: 400, application: 'transport' }],
  ['1 kbar test rig store, 2 kg H2, ground storage', { pressureMPa: 100, h2MassKg: 2, application: 'stationary' }],
  ['Ground storage at 250 atmospheres, 80 kg', { pressureMPa: 25.3313, h2MassKg: 80 }],
  ['35,000 kPa truck tank, 40 kg', { pressureMPa: 35, h2MassKg: 40 }],
  ['5 ksi bus tank, 30 kg', { pressureMPa: 35, h2MassKg: 30 }], // 34.47 MPa, the H35 class
  ['3,000 psia cylinder bank for lab gas, 20 kg', { pressureMPa: 20.6843, application: 'industrial' }],
  ['+35 MPa bus tank, +30 kg', { pressureMPa: 35, h2MassKg: 30 }],
  ['Semi truck, 70 MPa, 60 kg, cost-efficient', { application: 'truck', priorities: ['cheapest'] }],
  ['Airliner APU, 70 MPa, 12 kg, mass-critical', { application: 'aerospace', priorities: ['lightest'] }],
  ['Pick-up, 70 MPa, 6 kg, space-saving', { application: 'automotive', priorities: ['smallest'] }],
  ['Tractor unit, 35 MPa, 70 kg, 15 year service life', { application: 'truck', priorities: ['longest-life'] }],
  ['Minibus at 350 bar with 20 kg, price-sensitive', { application: 'bus', priorities: ['cheapest'] }],
  ['Catamaran, 25 MPa, 90 kg, reduce the weight', { application: 'marine', priorities: ['lightest'] }],
  ['Hydrogen pressure vessel for a delivery van, 70 MPa, 4 kg', { application: 'automotive' }],
  // What the requester names is recorded, with their words (issue 12).
  ['Please size a Type III tank: 45 MPa, 2.5 kg, automotive', {
    pressureMPa: 45, h2MassKg: 2.5, application: 'automotive',
    stated: { tankType: { value: 'III', words: 'Type III' }, application: { value: 'automotive', words: 'automotive' } },
  }],
  ['50 litre steel hydrogen cylinder at 300 bar for industrial gas supply', {
    pressureMPa: 30, waterVolumeL: 50, application: 'industrial', ...T(-40, 65),
    stated: { liner: { value: 'steel-34CrMo4', words: 'steel' }, fiber: { value: 'none', words: 'steel' }, application: { value: 'industrial', words: 'industrial gas supply' } },
  }],
  ['Hoop-wrapped steel buffer, 45 MPa, 80 kg, stationary', { stated: { tankType: { value: 'II', words: 'Hoop-wrapped' }, liner: { value: 'steel-34CrMo4', words: 'steel' } } }],
  ['carbon steel vessel, no carbon fibre, 20 MPa, 10 kg', { stated: { liner: { value: 'steel-34CrMo4', words: 'steel' }, fiber: { value: 'none', words: 'steel' } } }],
  ['70 MPa car tank, 5 kg, not Type III, T800 carbon fibre on a polyamide liner', { stated: { liner: { value: 'PA6', words: 'polyamide' }, fiber: { value: 'T800S', words: 'T800' } } }],
  [{ structured: { pressureMPa: 35, h2MassKg: 30, application: 'bus', tankType: 3, material: 'T700' } }, { stated: { tankType: { value: 'III', words: 'Type III' }, fiber: { value: 'T700S', words: 'T700' }, application: { value: 'bus', words: 'bus' } } }],
  [{ text: 'Type IV car tank, 70 MPa, 5 kg, down to -55 C', clarifications: { tankType: 'IV' } }, { stated: { tankType: { value: 'IV', words: 'Type IV', confirmed: true } } }],
  [{ text: 'Type IV steel cylinder, 20 MPa, 10 kg', clarifications: { tankType: 'I' } }, { stated: { tankType: { value: 'I', words: 'Type I', confirmed: true }, liner: { value: 'steel-34CrMo4', words: 'steel' } } }],
];

describe('parse-requirements: reading requests', () => {
  it.each(READS.map(([input, want]) => [typeof input === 'string' ? input : JSON.stringify(input), input, want] as const))('%s', async (_label, input, want) => {
    const got = await run(typeof input === 'string' ? { text: input } : input);
    expect(got).toMatchObject(want);
  });

  it('states every assumption it makes, in words', async () => {
    const r = await run({ text: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' });
    expect(r.assumptions).toContain(GTR13_TEMP);
    expect(r.assumptions).toContain('Capacity 5 kg read as H2 stored at NWP and 15 C');
    expect(r.assumptions).toContain('Market not stated: assumed global (GTR 13 / UN R134 baseline)');
    const usable = await run({ text: '10,000 psi FCEV tank, 4.6 kg usable hydrogen' });
    expect(usable.assumptions.join('\n')).toMatch(/4\.6 kg usable read as 4\.8 kg stored at NWP and 15 C: drawn down to a 2 MPa residual/);
    expect(usable.assumptions).toContain("'10,000 psi' (68.95 MPa) read as the 70 MPa (H70) pressure class");
    const transport = await run({ text: 'Tube trailer at 25 MPa, 400 kg' });
    expect(transport.assumptions).toContain('Service temperature not stated: assumed -40 to +65 C per ISO 11119-3 for transportable cylinders [R]');
  });

  it('fills an unread application by pressure class, said so, without an LLM', async () => {
    const r = await run({ text: 'A 35 MPa tank, 6 kg H2' });
    expect(r).toMatchObject({ application: 'truck', parsedBy: 'rules' });
    expect(r.assumptions).toContain('Application not stated: assumed truck, since 35 MPa is the H35 heavy-duty vehicle class (SAE J2601) [R]');
  });
});

/** Requests that must become a question: code, field and the exact question. */
const QUESTIONS: Array<[string, Record<string, unknown>, string, string, string]> = [
  ['no pressure', { text: 'A tank for a bus with 30 kg' }, 'requirements_incomplete', 'pressure', PRESSURE_QUESTION],
  ['no capacity', { text: '700 bar car tank' }, 'requirements_incomplete', 'capacity', CAPACITY_QUESTION],
  ['no capacity (H35 trailer)', { text: 'H35 tube trailer' }, 'requirements_incomplete', 'capacity', CAPACITY_QUESTION],
  ['two pressures', { text: '70 MPa tank ... actually 350 bar, 5 kg, car' }, 'requirements_contradictory', 'pressure',
    'The request states different working pressures: 70 MPa and 350 bar (35 MPa). Which one is the nominal working pressure?'],
  ['text and structured pressures differ', { text: '70 MPa car tank', structured: { pressureMPa: 35, h2MassKg: 5 } }, 'requirements_contradictory', 'pressure',
    'The request states different working pressures: 70 MPa and 35 MPa. Which one is the nominal working pressure?'],
  ['two masses', { text: 'Car tank, 70 MPa, 5 kg or maybe 6 kg' }, 'requirements_contradictory', 'capacity',
    'The request states different capacities: 5 kg and 6 kg. Which one should the tank hold?'],
  ['mass does not fit the volume', { text: '70 MPa, 5 kg, 60 L water volume' }, 'requirements_contradictory', 'capacity',
    '5 kg of H2 does not fit in 60 L at 70 MPa: that volume holds 2.41 kg at 15 C. Which capacity applies, the mass or the volume?'],
  ['unreadable clarification', { text: 'car tank, 5 kg', clarifications: { pressure: 'very high' } }, 'requirements_incomplete', 'pressure',
    `Could not read 'very high' as a pressure. ${PRESSURE_QUESTION}`],
  ['pressure out of range', { text: 'tank for 5 kg, 2500 bar' }, 'requirements_out_of_range', 'pressure',
    'The working pressure 2500 bar is outside 0-200 MPa that this workflow designs for. What working pressure should be used?'],
  ['two tank types named', { text: 'Type III or Type IV car tank, 70 MPa, 5 kg' }, 'requirements_contradictory', 'tankType',
    'The request names Type III and Type IV. Which tank type should be designed?'],
  ['a type and a material that cannot go together', { text: 'Type IV steel cylinder, 20 MPa, 10 kg' }, 'requirements_contradictory', 'tankType',
    'The request names Type IV and steel, but a Type IV tank has a polymer (HDPE or PA6) liner, fully wrapped. Should it be Type IV, or Type I in steel?'],
  ['a named type against the cold-service safety rule', { text: 'Type IV car tank, 70 MPa, 5 kg, down to -55 C' }, 'requirements_safety_conflict', 'tankType',
    "You asked for Type IV, but the safety rule 'cold-service-type-iii' picks Type III: Service down to -55 C is below the -40 C that Type IV containers are " +
      'qualified to; an Al 6061-T6 liner has no ductile-brittle transition and integral bosses, with no polymer-to-metal seal to leak when cold. Keep Type IV, or use Type III?'],
  ['named steel above the H2 steel-wall limit', { text: 'steel tank for stationary storage, 45 MPa, 100 kg' }, 'requirements_safety_conflict', 'tankType',
    "You asked for Type I (\"steel\"), but the safety rule 'steel-wall-h2-limit' picks Type II: An all-steel wall at 45 MPa with UTS capped at 950 MPa for hydrogen is thick " +
      'and fatigues faster in H2; above 30 MPa a hoop wrap carries part of the hoop load. Keep Type I, or use Type II?'],
  ['named HDPE above its service temperature', { text: 'HDPE liner car tank, 70 MPa, 5 kg, up to 100 C' }, 'requirements_safety_conflict', 'material',
    "You asked for HDPE, but the safety rule 'type-iv-hot-pa6' picks a PA6 liner with T700S fiber: Service up to 100 C is above the 85 C HDPE liners are qualified to; " +
      'PA6 (melting near 220 C vs 130 C for HDPE) keeps its stiffness. Keep HDPE, or use a PA6 liner with T700S fiber?'],
  ['a negative capacity', { text: 'Car tank, 700 bar, -4 kg H2' }, 'requirements_out_of_range', 'capacity',
    `The request gives the capacity as -4 kg, which is not a positive amount. ${CAPACITY_QUESTION}`],
  ['a zero capacity', { text: 'Car tank, 70 MPa, zero kilograms of hydrogen' }, 'requirements_out_of_range', 'capacity',
    `The request gives the capacity as 0 kilograms, which is not a positive amount. ${CAPACITY_QUESTION}`],
  ['a negative water volume', { text: 'Bus, 35 MPa, -150 L water volume' }, 'requirements_out_of_range', 'capacity',
    `The request gives the capacity as -150 L, which is not a positive amount. ${CAPACITY_QUESTION}`],
  ['a negative pressure', { text: 'Truck tank at -70 MPa, 40 kg' }, 'requirements_out_of_range', 'pressure',
    `The request gives the working pressure as -70 MPa, which is not a positive amount. ${PRESSURE_QUESTION}`],
  ['a zero pressure', { text: 'Truck tank at 0 MPa, 40 kg' }, 'requirements_out_of_range', 'pressure',
    `The request gives the working pressure as 0 MPa, which is not a positive amount. ${PRESSURE_QUESTION}`],
  ['a capacity range', { text: 'Bus, 35 MPa, 30 to 35 kg' }, 'requirements_contradictory', 'capacity',
    'The request states different capacities: 35 kg and 30 kg. Which one should the tank hold?'],
  ['inverted temperature range', { structured: { pressureMPa: 70, h2MassKg: 5, temperatureC: { min: 50, max: -10 } } }, 'requirements_contradictory', 'temperature',
    'The service temperature reads from 50 C to -10 C, with the minimum above the maximum. What is the service temperature range? For example -40 to 85 C.'],
];

describe('parse-requirements: questions instead of guesses', () => {
  it.each(QUESTIONS)('%s', async (_label, input, code, field, text) => {
    const e = await question(input);
    expect(e.code).toBe(code);
    expect(e.class).toBe('validation');
    expect(e.details['field']).toBe(field);
    expect(e.details['question']).toBe(text);
    expect(e.details['answerWith']).toEqual({ clarifications: { [field]: expect.anything() } });
  });

  it('names what it found and offers a patch that resolves the question', async () => {
    const input = { text: '70 MPa tank ... actually 350 bar, 5 kg, car' };
    const e = await question(input);
    expect(e.details).toMatchObject({ found: ['70 MPa', '350 bar'], answerWith: { clarifications: { pressure: '70 MPa' } } });
    const answered = await run({ ...input, ...(e.details['answerWith'] as object) });
    expect(answered.pressureMPa).toBe(70);
  });

  it('rejects input without text or structured requirements, and unknown structured keys', () => {
    expect(stage.input.safeParse({}).success).toBe(false);
    expect(stage.input.safeParse({ clarifications: { pressure: '70 MPa' } }).success).toBe(false);
    expect(stage.input.safeParse({ structured: { presure: 70 } }).success).toBe(false);
  });
});

describe('parse-requirements: the LLM fallback', () => {
  const forklift = { text: 'Tank for a forklift at 70 MPa with 2 kg' };

  it('asks the LLM only what the rules could not read, and says so', async () => {
    const llm = new FakeListChatModel({ responses: ['{"application":"truck","words":"forklift"}'] });
    const r = await run(forklift, llm);
    expect(r).toMatchObject({ application: 'truck', parsedBy: 'rules+llm', pressureMPa: 70, h2MassKg: 2 });
    expect(r.assumptions[0]).toBe("Application read as truck by the LLM from 'forklift'");
    const known = await run({ text: '70 MPa car tank, 5 kg' }, new FakeListChatModel({ responses: ['{"application":"marine","words":"x"}'] }));
    expect(known).toMatchObject({ application: 'automotive', parsedBy: 'rules' });
  });

  it('falls back to the rules after the 2 s time box', async () => {
    const slow = new FakeListChatModel({ responses: ['{"application":"truck","words":"forklift"}'], sleep: 5000 });
    const r = await run(forklift, slow);
    expect(r).toMatchObject({ application: 'automotive', parsedBy: 'rules' });
    expect(r.assumptions).toContain('The LLM was not used: the LLM timed out after 2000 ms');
  });

  it('falls back to the rules on an answer outside the schema', async () => {
    const r = await run(forklift, new FakeListChatModel({ responses: ['{"application":"forklift"}'] }));
    expect(r).toMatchObject({ application: 'automotive', parsedBy: 'rules' });
    expect(r.assumptions).toContain('The LLM was not used: the LLM answer did not match the schema');
  });

  it('does not swallow an abort of the stage', async () => {
    const ac = new AbortController();
    // Paused while the stage waits for the LLM's answer.
    const slow = new FakeListChatModel({
      responses: ['{"application":"truck","words":"forklift"}'],
      sleep: 5000,
      callbacks: [{ handleChatModelStart: () => ac.abort(new Error('paused')) }],
    });
    const pending = stage.run(stage.input.parse(forklift), ctx(slow, ac.signal));
    await expect(pending).rejects.toThrow('paused');
    expect(ac.signal.aborted).toBe(true);
  });
});
