/**
 * Size envelope readers: "max length 2 m", "diameter under 400 mm", "2 m long",
 * "fits in 1.2 m x 500 mm" (a box: the longest side bounds the length, the shortest
 * the diameter). Lengths in mm. Pure and deterministic.
 */
import { NUM, clauseAfter, clauseBefore, normalizeText, parseNumber } from './units.ts';

/** Limits on the tank's outer dimensions, mm. */
export interface EnvelopeReading {
  maxLengthMm?: number;
  maxDiameterMm?: number;
  /** The phrases read, as written. */
  raw: string[];
}

const UNIT = String.raw`(mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|m|met(?:er|re)s?|inch(?:es)?|"|ft|feet|foot)(?![\w^/])`;
const LENGTH_RE = new RegExp(`(?<![\\w.])${NUM}\\s*${UNIT}`, 'gi');
const SIDE = `${NUM}\\s*${UNIT}?`;
const BOX_RE = new RegExp(`(?<![\\w.])${SIDE}\\s*(?:x|by)\\s*${SIDE}(?:\\s*(?:x|by)\\s*${SIDE})?`, 'gi');
const LENGTH_WORDS = /\b(length|long|len)\b/gi;
const DIAMETER_WORDS = /\b(diameter|dia|od|width|wide|across|radius)\b/gi;
const AFTER_LENGTH = /^\s*(long|in length|length)\b/i;
const AFTER_DIAMETER = /^\s*(in\s+)?(diameter|dia|od|wide|across|in width|radius)\b/i;

/** mm per unit. */
function mmPer(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'mm' || u.startsWith('millim')) return 1;
  if (u === 'cm' || u.startsWith('centim')) return 10;
  if (u === 'm' || u.startsWith('met')) return 1000;
  if (u.startsWith('inch') || u === '"') return 25.4;
  return 304.8;
}

const mm = (value: string, unit: string): number => Math.round(parseNumber(value) * mmPer(unit) * 10) / 10;

function lastMatch(text: string, re: RegExp): { index: number; word: string } | undefined {
  let last: { index: number; word: string } | undefined;
  for (const m of text.matchAll(re)) last = { index: m.index! + m[0].length, word: m[1]!.toLowerCase() };
  return last;
}

/** Which dimension a lone length names, from the words next to it. */
function dimensionOf(text: string, index: number, end: number): { dim: 'length' | 'diameter'; radius: boolean } | undefined {
  const after = clauseAfter(text, end, 20);
  const afterLen = AFTER_LENGTH.exec(after);
  const afterDia = AFTER_DIAMETER.exec(after);
  const before = clauseBefore(text, index, 36);
  const bLen = lastMatch(before, LENGTH_WORDS);
  const bDia = lastMatch(before, DIAMETER_WORDS);
  const beforeHit = bLen && (!bDia || bLen.index > bDia.index) ? { dim: 'length' as const, word: bLen.word, at: bLen.index } : bDia ? { dim: 'diameter' as const, word: bDia.word, at: bDia.index } : undefined;
  const afterHit = afterLen ? { dim: 'length' as const, word: 'long', gap: afterLen[0].length - afterLen[1]!.length } : afterDia ? { dim: 'diameter' as const, word: afterDia[2]!.toLowerCase(), gap: afterDia[0].length - afterDia[2]!.length } : undefined;
  if (!beforeHit && !afterHit) return undefined;
  const useAfter = afterHit && (!beforeHit || afterHit.gap < before.length - beforeHit.at);
  const hit = useAfter ? afterHit! : beforeHit!;
  return { dim: hit.dim, radius: hit.word === 'radius' };
}

/**
 * Reads the size envelope from text. Several limits on one dimension keep the tightest.
 * @example findEnvelope('fits in 1.2 m x 500 mm') // { maxLengthMm: 1200, maxDiameterMm: 500 }
 * @example findEnvelope('max length 2 m, diameter under 400 mm') // { maxLengthMm: 2000, maxDiameterMm: 400 }
 */
export function findEnvelope(input: string): EnvelopeReading {
  // "dia." would otherwise read as a sentence end and cut the clause.
  const text = normalizeText(input).replace(/\bdia\./gi, 'dia ');
  const reading: EnvelopeReading = { raw: [] };
  const inBox: Array<[number, number]> = [];
  const tighten = (key: 'maxLengthMm' | 'maxDiameterMm', value: number): void => {
    reading[key] = reading[key] === undefined ? value : Math.min(reading[key]!, value);
  };
  for (const m of text.matchAll(BOX_RE)) {
    const pairs: Array<[string, string | undefined]> = [[m[1]!, m[2]], [m[3]!, m[4]]];
    if (m[5] !== undefined) pairs.push([m[5], m[6]]);
    const lastUnit = [...pairs].reverse().find(([, u]) => u !== undefined)?.[1];
    if (lastUnit === undefined) continue;
    const sides = pairs.map(([v, u], i) => mm(v, u ?? pairs.slice(i).find(([, uu]) => uu !== undefined)?.[1] ?? lastUnit));
    const sorted = [...sides].sort((a, b) => b - a);
    tighten('maxLengthMm', sorted[0]!);
    tighten('maxDiameterMm', sorted[sorted.length - 1]!);
    reading.raw.push(m[0].trim());
    inBox.push([m.index!, m.index! + m[0].length]);
  }
  for (const m of text.matchAll(LENGTH_RE)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (inBox.some(([a, b]) => start >= a && start < b)) continue;
    const dim = dimensionOf(text, start, end);
    if (dim === undefined) continue;
    const value = mm(m[1]!, m[2]!) * (dim.radius ? 2 : 1);
    tighten(dim.dim === 'length' ? 'maxLengthMm' : 'maxDiameterMm', value);
    reading.raw.push(m[0].trim());
  }
  return reading;
}
