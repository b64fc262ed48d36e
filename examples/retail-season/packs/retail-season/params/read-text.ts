/**
 * The rules that read a season request in plain English. Each field gets every
 * candidate value the text states, with the words it was read from; `resolve.ts`
 * decides what a missing or contradictory field asks. No guessing happens here.
 */
import type { Category, Cluster, Region, Replenishment, Segment } from '../schemas.ts';
import { AMOUNT, SMALL_NUMBER, amount, share, smallNumber } from './numbers.ts';
import { ALL_CATEGORIES, ALL_STORES, CATEGORY_WORDS, CLUSTER_WORDS, REGION_WORDS, REPLENISHMENT_WORDS, SEASON_STARTS, SEGMENT_WORDS } from './vocabulary.ts';

/** A value the text states, and the words it was read from. */
export interface Found<T> {
  value: T;
  words: string;
}

export interface TextFindings {
  seasonWeeks: Found<number>[];
  categories: Found<Category>[];
  allCategories: boolean;
  totalUnits: Found<number>[];
  budget: Found<string>[];
  replenishment: Found<Replenishment>[];
  clusters: Found<Cluster>[];
  regions: Found<Region>[];
  allStores: boolean;
  holdbackShare: Found<number>[];
  noMarkdowns: Found<boolean>[];
  maxDepth: Found<number>[];
  sellThroughTarget: Found<number>[];
  segment: Found<Segment>[];
  startWeek: Found<number>[];
  /** Words that look like products but match no category (for the LLM, when one is configured). */
  productWords: string[];
}

const every = (re: RegExp, text: string): RegExpExecArray[] => [...text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))];

function table<T>(rows: [T, RegExp][], text: string): Found<T>[] {
  const found: Found<T>[] = [];
  for (const [value, re] of rows) for (const m of every(re, text)) found.push({ value, words: m[0] });
  return found;
}

const PCT = `(\\d+(?:\\.\\d+)?\\s*(?:%|percent|per cent)|0?\\.\\d+|a third|a quarter|half)`;

/** Season length: "12-week", "12 weeks", "twelve-week", "3 months", "a quarter" (13 weeks). Cadence phrases ("every 2 weeks") are not lengths. */
function seasonWeeks(text: string): Found<number>[] {
  const cleaned = text.replace(/\bevery (?:\d+|two|other) weeks?\b/gi, ' ').replace(/\b(?:after|from|in) (?:week )?\d+ weeks?\b/gi, ' ').replace(/\bweek \d+\b/gi, ' ');
  const found: Found<number>[] = [];
  for (const m of every(new RegExp(`\\b(${SMALL_NUMBER})[- ]?(?:weeks?|wks?)\\b`, 'i'), cleaned)) {
    const n = smallNumber(m[1]!);
    if (n !== undefined) found.push({ value: n, words: m[0] });
  }
  for (const m of every(new RegExp(`\\b(${SMALL_NUMBER})[- ]?months?\\b`, 'i'), cleaned)) {
    const n = smallNumber(m[1]!);
    if (n !== undefined) found.push({ value: Math.round((n * 52) / 12), words: m[0] });
  }
  for (const m of every(/\b(?:a|one) quarter(?:-long| long)? season\b|\bquarter-long\b/i, cleaned)) found.push({ value: 13, words: m[0] });
  return found;
}

/** "40,000 units", "Units: 40,000", or a count followed by a product word ("2,500 coats"). */
function units(text: string): Found<number>[] {
  const found = every(new RegExp(`${AMOUNT}\\s*(?:units|pieces|pcs|items|garments)\\b|\\bunits\\s*[:=]\\s*${AMOUNT}`, 'i'), text).map((m) => ({ value: Math.round(amount((m[1] ?? m[3])!, m[2] ?? m[4])), words: m[0] }));
  for (const m of every(new RegExp(`${AMOUNT}\\s+([a-z][a-z-]*)`, 'i'), text)) {
    if (CATEGORY_WORDS.some(([, re]) => new RegExp(`^(?:${re.source})$`, 'i').test(m[3]!))) found.push({ value: Math.round(amount(m[1]!, m[2])), words: m[0] });
  }
  return found;
}

function budget(text: string): Found<string>[] {
  return every(new RegExp(`(?:[€$£]\\s?${AMOUNT}|${AMOUNT}\\s*(?:eur|euros?|usd|dollars?|gbp|pounds?)\\b|\\bbudget of\\s+[€$£]?\\s?${AMOUNT})`, 'i'), text).map((m) => ({ value: m[0].trim().replace(/^budget of\s+/i, ''), words: m[0] }));
}

function holdback(text: string): Found<number>[] {
  const found: Found<number>[] = [];
  const patterns = [
    new RegExp(`${PCT}\\s*(?:of (?:the )?(?:units|stock|buy|inventory)\\s*)?(?:is |are |to be )?(?:held back|hold ?back|kept back|in reserve|reserved|at the (?:dc|warehouse))`, 'i'),
    new RegExp(`(?:hold(?:ing)? back|holdback(?: of| share| at| is)?|keep back|reserve|withhold)\\s*:?\\s*${PCT}`, 'i'),
  ];
  for (const re of patterns) {
    for (const m of every(re, text)) {
      const v = share(m[1]!);
      if (v !== undefined) found.push({ value: v, words: m[0] });
    }
  }
  for (const m of every(/\bno (?:holdback|hold-?back|reserve)\b|\bhold(?:ing)? nothing back\b/i, text)) found.push({ value: 0, words: m[0] });
  return found;
}

function markdowns(text: string): Pick<TextFindings, 'noMarkdowns' | 'maxDepth' | 'sellThroughTarget'> {
  const noMarkdowns = every(/\b(no (?:markdowns?|discounts?|sales?)|never (?:discount|mark down)|full[- ]price only|without (?:markdowns?|discounts?))\b/i, text).map((m) => ({ value: true, words: m[0] }));
  const maxDepth: Found<number>[] = [];
  for (const re of [
    new RegExp(`(?:markdowns?|discounts?)\\s*(?:of\\s*)?(?:up to|at most|max(?:imum)?|no more than|capped at)\\s*${PCT}`, 'i'),
    new RegExp(`(?:max(?:imum)?|at most|up to)\\s*${PCT}\\s*(?:markdowns?|discounts?|off)`, 'i'),
  ]) {
    for (const m of every(re, text)) {
      const v = share(m[1]!);
      if (v !== undefined) maxDepth.push({ value: v, words: m[0] });
    }
  }
  const sellThroughTarget: Found<number>[] = [];
  for (const m of every(new RegExp(`sell[- ]?through(?: target)?(?: of| at| to| is)?\\s*:?\\s*${PCT}|${PCT}\\s*sell[- ]?through`, 'i'), text)) {
    const v = share((m[1] ?? m[2])!);
    if (v !== undefined) sellThroughTarget.push({ value: v, words: m[0] });
  }
  return { noMarkdowns, maxDepth, sellThroughTarget };
}

/** Nouns after a count or "of" that look like products but match no category ("20,000 units of swimwear"). */
function productWords(text: string, matched: Found<Category>[]): string[] {
  const words: string[] = [];
  for (const m of every(/\b(?:units|pieces) of ([a-z][a-z -]{2,40}?)(?= for| across| in| at| with|,|\.|;|$)/i, text)) {
    const w = m[1]!.trim();
    if (!matched.some((c) => w.toLowerCase().includes(c.words.toLowerCase()))) words.push(w);
  }
  return words;
}

/** Everything the rules read in `text`. */
export function readText(text: string): TextFindings {
  const categories = table(CATEGORY_WORDS, text);
  return {
    seasonWeeks: seasonWeeks(text),
    categories,
    allCategories: ALL_CATEGORIES.test(text),
    totalUnits: units(text),
    budget: budget(text),
    replenishment: table(REPLENISHMENT_WORDS, text),
    clusters: table(CLUSTER_WORDS, text),
    regions: table(REGION_WORDS, text),
    allStores: ALL_STORES.test(text),
    holdbackShare: holdback(text),
    ...markdowns(text),
    segment: table(SEGMENT_WORDS, text),
    startWeek: SEASON_STARTS.flatMap(([, re, week]) => every(re, text).map((m) => ({ value: week, words: m[0] }))),
    productWords: productWords(text, categories),
  };
}
