/**
 * Service temperature readers: "-40 to 85 C", "from -40°C to +65°C",
 * "between -40 and 185 F", "down to -50 C", "max 65 °C". Fahrenheit is converted
 * to Celsius (C = (F - 32) x 5/9). Pure and deterministic.
 */
import { clauseBefore, normalizeText } from './units.ts';

/** What the text said about the service temperature, in C. */
export interface TemperatureReading {
  min?: number;
  max?: number;
  /** The phrases read, as written. */
  raw: string[];
  /** True when any figure was given in Fahrenheit. */
  fahrenheit: boolean;
}

const NUM_T = String.raw`([+-]?\s?\d+(?:\.\d+)?)`;
const DEG = String.raw`\s*(?:°\s*|deg(?:rees?)?\.?\s*)?`;
const UNIT_OPT = String.raw`(c|f|celsius|fahrenheit)?`;
const UNIT = String.raw`(c|f|celsius|fahrenheit)\b`;
const CONNECT = String.raw`\s*(?:to|and|until|through|\.\.\.?|\/|–|—|\s-\s)\s*`;
const RANGE_RE = new RegExp(`(?<![\\w.])${NUM_T}${DEG}${UNIT_OPT}${CONNECT}${NUM_T}${DEG}${UNIT}`, 'gi');
const SINGLE_RE = new RegExp(`(?<![\\w.])${NUM_T}${DEG}${UNIT}`, 'gi');
const MIN_WORDS = /\b(min(imum)?|lowest|low|down to|as low as|cold(est)?|cold start)\b/i;
const MAX_WORDS = /\b(max(imum)?|highest|high|up to|as high as|hot(test)?)\b/i;

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Converts a figure to Celsius by its unit letter (defaults to Celsius). */
function toCelsius(value: number, unit: string | undefined): number {
  return unit !== undefined && unit.toLowerCase().startsWith('f') ? round1(((value - 32) * 5) / 9) : value;
}

const num = (s: string): number => Number(s.replace(/\s/g, ''));
const isF = (u: string | undefined): boolean => u !== undefined && u.toLowerCase().startsWith('f');

/**
 * Reads the service temperature range from text. A range wins; otherwise single
 * figures tagged by min/max wording; otherwise a lone figure <= 0 C is read as the
 * minimum and one >= 50 C as the maximum (15 C, a reference condition, is ignored).
 * @example findTemperatures('from -40°C to +65°C') // { min: -40, max: 65, raw: ['-40°C to +65°C'], fahrenheit: false }
 */
export function findTemperatures(input: string): TemperatureReading {
  const text = normalizeText(input);
  const reading: TemperatureReading = { raw: [], fahrenheit: false };
  const taken: Array<[number, number]> = [];
  for (const m of text.matchAll(RANGE_RE)) {
    const [, a, ua, b, ub] = m;
    const unitA = ua ?? ub;
    const lo = toCelsius(num(a!), unitA);
    const hi = toCelsius(num(b!), ub);
    reading.fahrenheit ||= isF(unitA) || isF(ub);
    reading.min = reading.min === undefined ? Math.min(lo, hi) : Math.min(reading.min, lo, hi);
    reading.max = reading.max === undefined ? Math.max(lo, hi) : Math.max(reading.max, lo, hi);
    reading.raw.push(m[0].trim());
    taken.push([m.index!, m.index! + m[0].length]);
  }
  if (taken.length > 0) return reading;
  for (const m of text.matchAll(SINGLE_RE)) {
    const value = toCelsius(num(m[1]!), m[2]);
    const before = clauseBefore(text, m.index!, 40);
    const lastMin = lastIndexOf(before, MIN_WORDS);
    const lastMax = lastIndexOf(before, MAX_WORDS);
    let side: 'min' | 'max' | undefined;
    if (lastMin >= 0 || lastMax >= 0) side = lastMin > lastMax ? 'min' : 'max';
    else if (value <= 0) side = 'min';
    else if (value >= 50) side = 'max';
    if (side === undefined) continue;
    reading.fahrenheit ||= isF(m[2]);
    reading[side] = side === 'min' ? Math.min(reading.min ?? value, value) : Math.max(reading.max ?? value, value);
    reading.raw.push(m[0].trim());
  }
  return reading;
}

function lastIndexOf(text: string, re: RegExp): number {
  let last = -1;
  for (const m of text.matchAll(new RegExp(re.source, 'gi'))) last = m.index!;
  return last;
}

/**
 * Reads one temperature value (a clarification): a range "-40 to 85 C", or a single
 * figure "-50 C" / a bare number, read as the minimum when <= 0 C and the maximum otherwise.
 * @example parseTemperatureValue('-40 to 85') // { min: -40, max: 85 }
 */
export function parseTemperatureValue(value: string | number): { min?: number; max?: number } | undefined {
  if (typeof value === 'number') return value <= 0 ? { min: value } : { max: value };
  const text = normalizeText(value.trim());
  const bare = /^([+-]?\d+(?:\.\d+)?)\s*(?:to|\.\.|\/|–|—|\s-\s)\s*([+-]?\d+(?:\.\d+)?)$/.exec(text);
  if (bare) return { min: Math.min(Number(bare[1]), Number(bare[2])), max: Math.max(Number(bare[1]), Number(bare[2])) };
  const reading = findTemperatures(text);
  if (reading.min === undefined && reading.max === undefined) {
    return /^[+-]?\d+(?:\.\d+)?$/.test(text) ? parseTemperatureValue(Number(text)) : undefined;
  }
  return { ...(reading.min !== undefined ? { min: reading.min } : {}), ...(reading.max !== undefined ? { max: reading.max } : {}) };
}
