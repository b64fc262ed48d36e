/**
 * The questions the parse-requirements stage asks instead of guessing a primary
 * value. Each issue names the field, the exact question, what was found, and an
 * example patch (`answerWith`) that the runtime merges into the stage input.
 */
import type { ClarifiableField } from './input.ts';

/** Why the requirements cannot be completed without a person. */
export type RequirementsIssueCode =
  | 'requirements_incomplete'
  | 'requirements_contradictory'
  | 'requirements_out_of_range'
  /** A choice the requester named (tank type, material) that a safety rule argues against. */
  | 'requirements_safety_conflict';

/** A question for the person who made the request. */
export interface RequirementsIssue {
  code: RequirementsIssueCode;
  field: ClarifiableField;
  /** One line for logs and events. */
  message: string;
  /** The exact question put to the person. */
  question: string;
  /** The conflicting or unreadable values, as written. */
  found?: string[];
  /** An example answer patch for the stage input. */
  answerWith: { clarifications: Partial<Record<ClarifiableField, string | number>> };
}

/** The question asked when no working pressure was stated. */
export const PRESSURE_QUESTION =
  'What nominal working pressure (NWP) should the tank be designed for? For example 35 MPa (350 bar) or 70 MPa (700 bar).';

/** The question asked when no capacity was stated. */
export const CAPACITY_QUESTION =
  'How much hydrogen should the tank hold? Give the H2 mass stored (for example 5 kg) or the water volume (for example 120 L).';

const fmt = (x: number, digits = 2): string => String(Number(x.toFixed(digits)));
const list = (items: string[]): string => (items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** No working pressure stated: ask for the NWP. */
export function missingPressure(): RequirementsIssue {
  return {
    code: 'requirements_incomplete',
    field: 'pressure',
    message: 'The working pressure is not stated',
    question: PRESSURE_QUESTION,
    answerWith: { clarifications: { pressure: '70 MPa' } },
  };
}

/** @param found each pressure as written, with its MPa value. */
export function contradictoryPressure(found: Array<{ raw: string; mpa: number }>): RequirementsIssue {
  const shown = found.map((f) => (/mpa/i.test(f.raw) ? f.raw : `${f.raw} (${fmt(f.mpa)} MPa)`));
  return {
    code: 'requirements_contradictory',
    field: 'pressure',
    message: `Different working pressures stated: ${list(shown)}`,
    question: `The request states different working pressures: ${list(shown)}. Which one is the nominal working pressure?`,
    found: found.map((f) => f.raw),
    answerWith: { clarifications: { pressure: found[0]!.raw } },
  };
}

/** Neither an H2 mass nor a water volume stated: ask for one. */
export function missingCapacity(): RequirementsIssue {
  return {
    code: 'requirements_incomplete',
    field: 'capacity',
    message: 'The capacity (H2 mass or water volume) is not stated',
    question: CAPACITY_QUESTION,
    answerWith: { clarifications: { capacity: '5 kg' } },
  };
}

/** @param found each capacity as written. */
export function contradictoryCapacity(found: string[]): RequirementsIssue {
  return {
    code: 'requirements_contradictory',
    field: 'capacity',
    message: `Different capacities stated: ${list(found)}`,
    question: `The request states different capacities: ${list(found)}. Which one should the tank hold?`,
    found,
    answerWith: { clarifications: { capacity: found[0]! } },
  };
}

/** A stated H2 mass that the stated water volume cannot hold at NWP and 15 C. */
export function capacityDoesNotFit(mass: string, volume: string, pressureMPa: number, holdsKg: number): RequirementsIssue {
  return {
    code: 'requirements_contradictory',
    field: 'capacity',
    message: `${mass} of H2 does not fit in ${volume} at ${fmt(pressureMPa)} MPa`,
    question:
      `${mass} of H2 does not fit in ${volume} at ${fmt(pressureMPa)} MPa: that volume holds ${fmt(holdsKg)} kg at 15 C. ` +
      'Which capacity applies, the mass or the volume?',
    found: [mass, volume],
    answerWith: { clarifications: { capacity: mass } },
  };
}

/** A clarification or structured value the unit parser could not read. */
export function unreadable(field: 'pressure' | 'capacity' | 'temperature', value: string | number): RequirementsIssue {
  const base = field === 'pressure' ? missingPressure() : field === 'capacity' ? missingCapacity() : missingTemperature();
  return {
    ...base,
    message: `Could not read '${value}' as a ${field}`,
    question: `Could not read '${value}' as a ${field}. ${base.question}`,
    found: [String(value)],
  };
}

function missingTemperature(): RequirementsIssue {
  return {
    code: 'requirements_incomplete',
    field: 'temperature',
    message: 'The service temperature range could not be read',
    question: 'What is the service temperature range? For example -40 to 85 C.',
    answerWith: { clarifications: { temperature: '-40 to 85 C' } },
  };
}

/** A temperature range whose minimum is above its maximum. */
export function invertedTemperature(min: number, max: number): RequirementsIssue {
  return {
    ...missingTemperature(),
    code: 'requirements_contradictory',
    message: `Service temperature minimum ${min} C is above the maximum ${max} C`,
    question: `The service temperature reads from ${min} C to ${max} C, with the minimum above the maximum. What is the service temperature range? For example -40 to 85 C.`,
    found: [`${min} C`, `${max} C`],
  };
}

/**
 * A pressure or capacity written as zero or negative ("-5 kg", "0 bar"): never made
 * positive silently, always asked.
 */
export function notPositive(field: 'pressure' | 'capacity', raw: string): RequirementsIssue {
  const what = field === 'pressure' ? 'working pressure' : 'capacity';
  const base = field === 'pressure' ? missingPressure() : missingCapacity();
  return {
    code: 'requirements_out_of_range',
    field,
    message: `The ${what} ${raw} is not a positive amount`,
    question: `The request gives the ${what} as ${raw}, which is not a positive amount. ${base.question}`,
    found: [raw],
    answerWith: base.answerWith,
  };
}

/** A primary value outside what the Requirements schema and the sizing models cover. */
export function outOfRange(field: 'pressure' | 'capacity', raw: string, limit: string): RequirementsIssue {
  const what = field === 'pressure' ? 'working pressure' : 'capacity';
  return {
    code: 'requirements_out_of_range',
    field,
    message: `The ${what} ${raw} is outside ${limit}`,
    question: `The ${what} ${raw} is outside ${limit} that this workflow designs for. What ${what} should be used?`,
    found: [raw],
    answerWith: { clarifications: field === 'pressure' ? { pressure: '70 MPa' } : { capacity: '5 kg' } },
  };
}

const TYPE_LINERS: Readonly<Record<string, string>> = {
  I: 'is all steel, with no liner or wrap',
  II: 'has a steel liner with a hoop wrap',
  III: 'has an aluminium liner, fully wrapped',
  IV: 'has a polymer (HDPE or PA6) liner, fully wrapped',
};

/** Two different tank types named ("Type III or Type IV"): which one? */
export function ambiguousTankType(words: string[]): RequirementsIssue {
  return {
    code: 'requirements_contradictory',
    field: 'tankType',
    message: `Different tank types named: ${list(words)}`,
    question: `The request names ${list(words)}. Which tank type should be designed?`,
    found: words,
    answerWith: { clarifications: { tankType: words[0]! } },
  };
}

/**
 * A named tank type and a named material that cannot go together ("Type IV steel cylinder").
 * @param type the tank type named; @param material the material words; @param fits the types that material fits.
 */
export function incompatibleChoice(type: { value: string; words: string }, material: string, fits: string[]): RequirementsIssue {
  const options = fits.map((t) => `Type ${t}`);
  return {
    code: 'requirements_contradictory',
    field: 'tankType',
    message: `${type.words} does not go with ${material}`,
    question:
      `The request names ${type.words} and ${material}, but a Type ${type.value} tank ${TYPE_LINERS[type.value] ?? ''}. ` +
      `Should it be ${type.words}, or ${list(options)} in ${material}?`,
    found: [type.words, material],
    answerWith: { clarifications: { tankType: type.value } },
  };
}

/**
 * A choice the requester named that a safety rule of the decision argues against. Neither
 * is overridden silently: the person confirms their choice or takes the safe one.
 * @example safetyConflict({ field: 'tankType', named: 'Type IV', words: 'Type IV', safe: 'III', safeLabel: 'Type III', reason: '...', rule: 'cold-service-type-iii' })
 */
export function safetyConflict(c: { field: 'tankType' | 'material'; named: string; words: string; safe: string; safeLabel: string; reason: string; rule: string }): RequirementsIssue {
  return {
    code: 'requirements_safety_conflict',
    field: c.field,
    message: `The requested ${c.named} conflicts with the safety rule '${c.rule}', which picks ${c.safeLabel}`,
    question:
      `You asked for ${c.named}${c.words !== c.named ? ` ("${c.words}")` : ''}, but the safety rule '${c.rule}' picks ${c.safeLabel}: ${c.reason}. ` +
      `Keep ${c.named}, or use ${c.safeLabel}?`,
    found: [c.words, c.safeLabel],
    answerWith: { clarifications: { [c.field]: c.safe } },
  };
}
