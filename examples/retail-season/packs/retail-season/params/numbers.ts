/** Numbers as merchants write them: "12", "twelve", "40,000", "40k", "1.2 million", "30 %". */

const ONES: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50 };

/** The regex source of a small number in digits or words ("12", "twelve", "twenty-six"). */
export const SMALL_NUMBER = `(?:\\d+|(?:${Object.keys(TENS).join('|')})(?:[- ](?:${Object.keys(ONES).slice(0, 9).join('|')}))?|${Object.keys(ONES).join('|')})`;

/** Reads a small number written in digits or words; `undefined` when it is not one. */
export function smallNumber(raw: string): number | undefined {
  const s = raw.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  if (s in ONES) return ONES[s];
  const m = /^([a-z]+)(?:[- ]([a-z]+))?$/.exec(s);
  if (!m || !(m[1]! in TENS)) return undefined;
  if (m[2] === undefined) return TENS[m[1]!];
  const one = ONES[m[2]];
  return one !== undefined && one < 10 ? TENS[m[1]!]! + one : undefined;
}

/** The regex source of an amount: "40,000", "40 000", "40k", "1.2 million", "1.5m". */
export const AMOUNT = `(\\d{1,3}(?:[,\\s]\\d{3})+|\\d+(?:\\.\\d+)?)\\s*(k|thousand|m|mn|million)?\\b`;

/** Reads an amount captured by `AMOUNT` (number part, multiplier word). */
export function amount(num: string, multiplier: string | undefined): number {
  const n = Number(num.replace(/[,\s]/g, ''));
  const k = multiplier?.toLowerCase();
  return k === 'k' || k === 'thousand' ? n * 1000 : k === 'm' || k === 'mn' || k === 'million' ? n * 1_000_000 : n;
}

/** A share written as "30 %", "30%", "30 percent", "0.3", "a third", "half": a number in [0, 1], or `undefined`. */
export function share(raw: string): number | undefined {
  const s = raw.trim().toLowerCase();
  const words: Record<string, number> = { half: 0.5, 'a half': 0.5, 'a third': 1 / 3, 'one third': 1 / 3, 'a quarter': 0.25, 'one quarter': 0.25, none: 0, nothing: 0 };
  if (s in words) return words[s];
  const pct = /^(-?\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pct)$/.exec(s);
  if (pct) return Number(pct[1]) / 100;
  if (/^-?\d+(?:\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n > 1 ? n / 100 : n;
  }
  return undefined;
}

/** Formats a count with thousands separators: 40000 -> "40,000". */
export const fmtCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Formats a share as a percentage: 0.3 -> "30 %". */
export const fmtPct = (x: number): string => `${Math.round(x * 1000) / 10} %`;
