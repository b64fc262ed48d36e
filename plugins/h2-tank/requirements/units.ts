/**
 * Unit reading for hydrogen-tank requirements: numbers, pressures, H2 masses and
 * water volumes found in free text or given as single values ("700 bar", 5, "122 L").
 * Pure and deterministic. Conversions: 1 bar = 0.1 MPa exactly, 1 kbar = 100 MPa,
 * 1 kPa = 0.001 MPa; 1 atm = 0.101325 MPa exactly; 1 psi = 6.894757 kPa (NIST SP 811);
 * 1 US gal = 3.785412 L. A figure written with a minus sign keeps it ("-5 kg" is -5, which
 * the resolvers turn into a question, never silently into 5).
 */

/** A quantity found in text, converted to the module's base unit. */
export interface Hit {
  /** Value in the base unit (MPa, kg or L). */
  value: number;
  /** The text as written, e.g. "10,000 psi". */
  raw: string;
  /** Offset in the normalised text. */
  index: number;
}

/** A pressure found in text, in MPa. */
export interface PressureHit extends Hit {
  /** `other` for burst, proof or test pressures, which are not the working pressure. */
  role: 'working' | 'other';
  /** Set when a psi figure was read as its nominal class (10,000 psi -> 70 MPa). */
  snappedFrom?: number;
}

/** A mass found in text, in kg. */
export interface MassHit extends Hit {
  /** "usable", "deliverable": the mass drawn before the residual pressure is reached. */
  usable: boolean;
  /** A limit on the tank's own mass ("under 90 kg"), not a hydrogen capacity. */
  limit: boolean;
}

/** Number as written: "10,000" (thousands), "1,5" (decimal comma), "70", "0.4". */
export const NUM = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)`;
/** A number not glued to a preceding word or digit ("J2579" is not 2579). */
const LEAD = String.raw`(?<![\w.])`;

/** MPa per unit (NIST SP 811). */
export const MPA_PER: Readonly<Record<'mpa' | 'kpa' | 'bar' | 'kbar' | 'atm' | 'psi' | 'ksi', number>> = {
  mpa: 1,
  kpa: 0.001,
  bar: 0.1,
  kbar: 100,
  atm: 0.101325,
  psi: 0.006894757,
  ksi: 6.894757,
};

/**
 * The SAE J2601 fuelling classes H35 and H70 [R]. A psi figure within 2 % of one
 * (5,000 psi = 34.5 MPa, 10,000 psi = 68.9 MPa) names that class.
 */
export const PRESSURE_CLASSES_MPA = [35, 70] as const;

/** Replaces typographic characters with the ASCII the readers expect. */
export function normalizeText(text: string): string {
  return text
    .replace(/[\u2212\u2012]/g, '-')
    .replace(/\u00d7/g, 'x')
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/\u00b3/g, '3')
    .replace(/\u00ba/g, '\u00b0');
}

/** Parses a number as written: commas are thousands separators before 3 digits, else decimal commas. */
export function parseNumber(s: string): number {
  return /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) ? Number(s.replace(/,/g, '')) : Number(s.replace(',', '.'));
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/**
 * -1 when the figure at `index` carries a minus sign of its own ("-5 kg", "(-35 MPa)"),
 * else 1. A hyphen between two figures is a range ("4-5 kg"), not a sign.
 */
export function signAt(text: string, index: number): 1 | -1 {
  if (text[index - 1] !== '-') return 1;
  const before = text[index - 2];
  return before === undefined || /[\s(:=,;]/.test(before) ? -1 : 1;
}

/** The figure of a range written before a hit ("4-5 kg", "4 to 5 kg"), if any. */
export function rangeStartBefore(text: string, index: number): string | undefined {
  return /(?<![\w.])(\d+(?:[.,]\d+)?)\s*(?:-|–|to)\s*$/i.exec(text.slice(Math.max(0, index - 16), index))?.[1];
}

/** The clause before `index`, up to `span` characters, cut at the last `,` `;` `:` or sentence end. */
export function clauseBefore(text: string, index: number, span = 32): string {
  const before = text.slice(Math.max(0, index - span), index);
  const cut = Math.max(before.lastIndexOf(','), before.lastIndexOf(';'), before.lastIndexOf(':'), before.lastIndexOf('. '));
  return cut >= 0 ? before.slice(cut + 1) : before;
}

/** The text after a hit, up to `span` characters, cut at the next `,` `;` or sentence end. */
export function clauseAfter(text: string, end: number, span = 24): string {
  const after = text.slice(end, end + span);
  const cut = after.search(/[,;]|\.\s|\.$/);
  return cut >= 0 ? after.slice(0, cut) : after;
}

const PRESSURE_RE = new RegExp(`${LEAD}${NUM}\\s*-?\\s*(mpa|megapascals?|kpa|kilopascals?|kbars?|kilobars?|bar[ag]?|bars|atm|atmospheres?|psi[ag]?|ksi)\\b`, 'gi');
const CLASS_RE = /\bH\s?-?(35|70)\b/g;
/** Burst, proof, test, relief and maximum operating/fill pressures are not the NWP (MOP = 125 % NWP [R]). */
const NOT_WORKING_BEFORE =
  /(burst|proof|test|rupture|relief|failure|mop|mawp|max(imum)?\s+(allowable\s+)?(operating|fill(ing)?|developed)(\s+pressure)?|max(imum)?\s+fill)\s*(pressure)?\s*(of|at|=|is|:)?\s*(at least|min(imum)?|>=?)?\s*$/i;
const NOT_WORKING_AFTER = /^\s*(burst|proof|test(?![- ]?(rigs?|benche?s?|stands?|facilit|cells?|labs?|sites?))|rupture|mop|mawp|max(imum)? (fill|operating))/i;

function unitKey(unit: string): keyof typeof MPA_PER {
  const u = unit.toLowerCase();
  if (u.startsWith('m')) return 'mpa';
  if (u.startsWith('kp') || u.startsWith('kilop')) return 'kpa';
  if (u.startsWith('kb') || u.startsWith('kilob')) return 'kbar';
  if (u.startsWith('at')) return 'atm';
  if (u.startsWith('bar')) return 'bar';
  if (u.startsWith('ksi')) return 'ksi';
  return 'psi';
}

/** Reads a pressure with its unit into MPa, snapping psi/ksi figures to the H35/H70 class. */
function toMPa(value: number, unit: string): { mpa: number; snappedFrom?: number } {
  const key = unitKey(unit);
  const mpa = value * MPA_PER[key];
  if (key === 'psi' || key === 'ksi') {
    const near = PRESSURE_CLASSES_MPA.find((c) => Math.abs(mpa - c) / c <= 0.02);
    if (near !== undefined) return { mpa: near, snappedFrom: round(mpa, 2) };
  }
  return { mpa: round(mpa, 4) };
}

/**
 * Every pressure in `text`, in order: "70 MPa", "700 bar", "10,000 psi", "10 ksi", "H70".
 * @example findPressures('H70 tank, burst 157.5 MPa') // [{ value: 70, role: 'working' }, { value: 157.5, role: 'other' }]
 */
export function findPressures(text: string): PressureHit[] {
  const hits: PressureHit[] = [];
  for (const m of text.matchAll(PRESSURE_RE)) {
    const { mpa, snappedFrom } = toMPa(signAt(text, m.index!) * parseNumber(m[1]!), m[2]!);
    const end = m.index! + m[0].length;
    const other = NOT_WORKING_BEFORE.test(clauseBefore(text, m.index!)) || NOT_WORKING_AFTER.test(clauseAfter(text, end));
    hits.push({ value: mpa, raw: m[0].trim(), index: m.index!, role: other ? 'other' : 'working', ...(snappedFrom !== undefined ? { snappedFrom } : {}) });
  }
  for (const m of text.matchAll(CLASS_RE)) {
    hits.push({ value: Number(m[1]), raw: m[0], index: m.index!, role: 'working' });
  }
  return hits.sort((a, b) => a.index - b.index);
}

const MASS_RE = new RegExp(`${LEAD}${NUM}\\s*(kg|kgs|kilograms?|kilos?|g|grams?)\\b(?!\\s*\\/)`, 'gi');
const CAPACITY_AFTER = /^\s*(of\s+)?(usable\s+|useable\s+|stored\s+)?(h2|gh2|hydrogen|usable|useable|capacity|stored|deliverable|of gas|fuel)/i;
const CAPACITY_BEFORE = /(store|stores|storing|hold|holds|holding|capacity|carry|carries|carrying|contain|contains|usable|useable|deliverable|of)\s*(of|at least|about|approx\.?|around|~)?\s*$/i;
const LIMIT_NEAR = /\b(weigh\w*|weight|mass|heav\w*|lighter than)\b/i;
const USABLE_NEAR = /\b(usable|useable|deliverable|available)\b/i;

/**
 * Every mass in `text`, in kg, flagged as usable or as a limit on the tank's own mass.
 * @example findMasses('5 kg usable H2, tank under 90 kg') // [{ value: 5, usable: true }, { value: 90, limit: true }]
 */
export function findMasses(text: string): MassHit[] {
  const hits: MassHit[] = [];
  for (const m of text.matchAll(MASS_RE)) {
    const grams = !m[2]!.toLowerCase().startsWith('k');
    const value = round((signAt(text, m.index!) * parseNumber(m[1]!)) / (grams ? 1000 : 1), 4);
    const end = m.index! + m[0].length;
    const before = clauseBefore(text, m.index!);
    const after = clauseAfter(text, end);
    const capacity = CAPACITY_AFTER.test(after) || CAPACITY_BEFORE.test(before);
    const limit = !capacity && (LIMIT_NEAR.test(before) || LIMIT_NEAR.test(after));
    const usable = USABLE_NEAR.test(before.slice(-16)) || USABLE_NEAR.test(after.slice(0, 16));
    hits.push({ value, raw: m[0].trim(), index: m.index!, usable, limit });
    const from = signAt(text, m.index!) === 1 ? rangeStartBefore(text, m.index!) : undefined;
    // A range is two capacities: the resolver asks which one.
    if (from !== undefined) hits.push({ value: round(parseNumber(from) / (grams ? 1000 : 1), 4), raw: `${from} ${m[2]}`, index: m.index! - 1, usable, limit });
  }
  return hits;
}

const VOLUME_RE = new RegExp(`${LEAD}${NUM}\\s*(l|litres?|liters?|m3|m\\^3|cubic met(?:er|re)s?|gal(?:lons?)?)\\b(?!\\s*\\/)`, 'gi');

/** Litres per unit of water volume. */
function litresPer(unit: string): number {
  const u = unit.toLowerCase();
  if (u.startsWith('m') || u.startsWith('cubic')) return 1000;
  if (u.startsWith('gal')) return 3.785412;
  return 1;
}

/**
 * Every water volume in `text`, in litres: "122.4 L", "0.5 m3", "150 litres".
 * @example findVolumes('water volume 122.4 L') // [{ value: 122.4, raw: '122.4 L' }]
 */
export function findVolumes(text: string): Hit[] {
  return [...text.matchAll(VOLUME_RE)].map((m) => ({
    value: round(signAt(text, m.index!) * parseNumber(m[1]!) * litresPer(m[2]!), 3),
    raw: m[0].trim(),
    index: m.index!,
  }));
}

/**
 * A single pressure value (a clarification or structured field): a number is MPa,
 * a string is read like text ("700 bar", "H70", "10,000 psi").
 * @example parsePressureValue('700 bar') // 70
 */
export function parsePressureValue(value: string | number): PressureHit | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { value, raw: `${value} MPa`, index: 0, role: 'working' } : undefined;
  const text = normalizeText(value.trim());
  if (/^\d+(?:[.,]\d+)?$/.test(text)) return { value: parseNumber(text), raw: `${text} MPa`, index: 0, role: 'working' };
  const hits = findPressures(text).filter((h) => h.role === 'working');
  return hits.length === 1 ? hits[0] : undefined;
}

/** A capacity read from one value: a mass of H2 or a water volume. */
export type CapacityValue = { kind: 'mass'; hit: MassHit } | { kind: 'volume'; hit: Hit };

/**
 * A single capacity value: a number is kg of H2; a string is "5 kg", "4.6 kg usable",
 * "500 g" or a water volume "122 L", "0.12 m3".
 * @example parseCapacityValue('122.4 L') // { kind: 'volume', hit: { value: 122.4 } }
 */
export function parseCapacityValue(value: string | number): CapacityValue | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? { kind: 'mass', hit: { value, raw: `${value} kg`, index: 0, usable: false, limit: false } } : undefined;
  }
  const text = normalizeText(value.trim());
  if (/^\d+(?:[.,]\d+)?$/.test(text)) return { kind: 'mass', hit: { value: parseNumber(text), raw: `${text} kg`, index: 0, usable: false, limit: false } };
  const masses = findMasses(text).map((h) => ({ ...h, limit: false }));
  const volumes = findVolumes(text);
  if (masses.length === 1 && volumes.length === 0) return { kind: 'mass', hit: masses[0]! };
  if (volumes.length === 1 && masses.length === 0) return { kind: 'volume', hit: volumes[0]! };
  return undefined;
}

/** Whether two readings of a quantity are the same value (1 % tolerance covers unit rounding). */
export function sameValue(a: number, b: number, tolerance = 0.01): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

/** The distinct values among hits (first occurrence kept), for contradiction checks. */
export function distinctValues<H extends Hit>(hits: H[]): H[] {
  const out: H[] = [];
  for (const h of hits) if (!out.some((o) => sameValue(o.value, h.value))) out.push(h);
  return out;
}
