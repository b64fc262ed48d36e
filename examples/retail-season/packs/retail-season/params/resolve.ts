/**
 * Turns what the rules read into `SeasonParameters`, or the one question to ask. A
 * required field that is missing, contradictory or out of range is asked, never
 * guessed; the optional ones take documented defaults, written in `assumptions`.
 */
import { CATEGORIES, CLUSTERS, LIMITS, REGIONS, type Category, type Replenishment, type SeasonParameters, type Segment } from '../schemas.ts';
import type { ParseSeasonInput } from './input.ts';
import { fmtCount, fmtPct, share } from './numbers.ts';
import { contradictory, budgetWithoutUnits, holdbackWithoutReplenishment, markdownConflict, missing, outOfRange, unknownCategories, unitsRange, type SeasonIssue } from './questions.ts';
import { readText, type Found, type TextFindings } from './read-text.ts';

export type Resolution = { ok: true; params: SeasonParameters; productWords: string[] } | { ok: false; issue: SeasonIssue; productWords: string[] };

/** Default holdback per replenishment strategy. */
export const DEFAULT_HOLDBACK: Record<Replenishment, number> = { weekly: 0.3, biweekly: 0.2, none: 0 };
/** Default markdown policy per segment. */
export const DEFAULT_MARKDOWN: Record<Segment, { maxDepth: number; sellThroughTarget: number }> = {
  'fast-fashion': { maxDepth: 0.5, sellThroughTarget: 0.9 },
  standard: { maxDepth: 0.5, sellThroughTarget: 0.85 },
  luxury: { maxDepth: 0.3, sellThroughTarget: 0.7 },
};

const distinct = <T>(found: Found<T>[]): Found<T>[] => found.filter((f, i) => found.findIndex((g) => JSON.stringify(g.value) === JSON.stringify(f.value)) === i);

class Ask extends Error {
  constructor(readonly issue: SeasonIssue) {
    super(issue.message);
  }
}

/** The findings, with each field given directly replacing what the text said about it. */
function findings(input: ParseSeasonInput): { f: TextFindings; direct: Set<string> } {
  const f = readText(input.text ?? '');
  const direct = new Set<string>();
  const read = (v: string | number) => readText(String(v));
  if (input.seasonWeeks !== undefined) {
    direct.add('seasonWeeks');
    const n = typeof input.seasonWeeks === 'number' ? input.seasonWeeks : /^\s*\d+\s*$/.test(input.seasonWeeks) ? Number(input.seasonWeeks) : undefined;
    f.seasonWeeks = n !== undefined ? [{ value: n, words: String(input.seasonWeeks) }] : read(input.seasonWeeks).seasonWeeks;
    if (!f.seasonWeeks.length) throw new Ask(outOfRange('seasonWeeks', `'${input.seasonWeeks}'`, 'what can be read as weeks'));
  }
  if (input.categories !== undefined) {
    direct.add('categories');
    const words = Array.isArray(input.categories) ? input.categories.join(', ') : input.categories;
    const r = readText(words);
    f.categories = Array.isArray(input.categories) ? input.categories.flatMap((c) => (CATEGORIES.includes(c as Category) ? [{ value: c as Category, words: c }] : readText(c).categories)) : r.categories;
    f.allCategories = r.allCategories;
    f.productWords = f.categories.length || r.allCategories ? [] : [words];
  }
  if (input.totalUnits !== undefined) {
    direct.add('totalUnits');
    const n = typeof input.totalUnits === 'number' ? input.totalUnits : read(`${input.totalUnits} units`.replace(/units units/i, 'units')).totalUnits[0]?.value;
    f.totalUnits = n !== undefined ? [{ value: n, words: String(input.totalUnits) }] : [];
    f.budget = [];
    if (n === undefined) throw new Ask(outOfRange('totalUnits', `'${input.totalUnits}'`, 'what can be read as a unit count'));
  }
  if (input.replenishment !== undefined) {
    direct.add('replenishment');
    f.replenishment = read(input.replenishment).replenishment;
    if (!f.replenishment.length && /^(no|none|never)$/i.test(input.replenishment.trim())) f.replenishment = [{ value: 'none', words: input.replenishment }];
  }
  if (input.storeScope !== undefined) {
    direct.add('storeScope');
    if (typeof input.storeScope === 'string') {
      const r = read(input.storeScope);
      Object.assign(f, { clusters: r.clusters, regions: r.regions, allStores: r.allStores || /^\s*all\s*$/i.test(input.storeScope) });
    } else {
      f.clusters = (input.storeScope.clusters ?? []).flatMap((c) => read(c).clusters);
      f.regions = (input.storeScope.regions ?? []).flatMap((r) => read(r).regions);
      f.allStores = !f.clusters.length && !f.regions.length;
    }
  }
  if (input.holdbackShare !== undefined) {
    direct.add('holdbackShare');
    const v = typeof input.holdbackShare === 'number' ? input.holdbackShare : share(input.holdbackShare);
    if (v === undefined) throw new Ask(outOfRange('holdbackShare', `'${input.holdbackShare}'`, 'what can be read as a share'));
    f.holdbackShare = [{ value: v, words: String(input.holdbackShare) }];
  }
  if (input.markdown !== undefined) {
    direct.add('markdown');
    if (typeof input.markdown === 'string') {
      const r = read(input.markdown);
      const yes = /^\s*(yes|allowed)\b/i.test(input.markdown);
      Object.assign(f, { noMarkdowns: yes ? [] : r.noMarkdowns, maxDepth: r.maxDepth, sellThroughTarget: r.sellThroughTarget.length ? r.sellThroughTarget : f.sellThroughTarget });
    } else {
      const m = input.markdown;
      f.noMarkdowns = m.allowed === false ? [{ value: true, words: 'allowed: false' }] : [];
      f.maxDepth = m.maxDepth !== undefined ? [{ value: m.maxDepth, words: `maxDepth: ${m.maxDepth}` }] : [];
      f.sellThroughTarget = m.sellThroughTarget !== undefined ? [{ value: m.sellThroughTarget, words: `sellThroughTarget: ${m.sellThroughTarget}` }] : [];
    }
  }
  if (input.segment !== undefined) f.segment = read(input.segment).segment;
  if (input.season !== undefined) f.startWeek = read(input.season).startWeek;
  return { f, direct };
}

function one<T>(found: Found<T>[], field: Parameters<typeof contradictory>[0], what: string): Found<T> | undefined {
  const d = distinct(found);
  if (d.length > 1) throw new Ask(contradictory(field, d.map((x) => x.words), what));
  return d[0];
}

function build(input: ParseSeasonInput): { params: SeasonParameters; productWords: string[] } {
  const { f, direct } = findings(input);
  const stated = new Set<string>(direct);
  const assumptions: string[] = [];

  const weeks = one(f.seasonWeeks, 'seasonWeeks', 'season lengths');
  if (!weeks) throw new Ask(missing('seasonWeeks'));
  if (weeks.value < LIMITS.seasonWeeks.min || weeks.value > LIMITS.seasonWeeks.max) throw new Ask(outOfRange('seasonWeeks', `'${weeks.words}' (${weeks.value} weeks)`, `${LIMITS.seasonWeeks.min}-${LIMITS.seasonWeeks.max} weeks`));
  stated.add('seasonWeeks');

  const categories: Category[] = f.allCategories ? [...CATEGORIES] : CATEGORIES.filter((c) => f.categories.some((x) => x.value === c));
  if (!categories.length) throw new Ask(f.productWords.length ? unknownCategories(f.productWords) : missing('categories'));
  stated.add('categories');

  const units = one(f.totalUnits, 'totalUnits', 'unit totals');
  if (!units) throw new Ask(f.budget.length ? budgetWithoutUnits(f.budget[0]!.value) : missing('totalUnits'));
  if (units.value < LIMITS.totalUnits.min || units.value > LIMITS.totalUnits.max) throw new Ask(outOfRange('totalUnits', `'${units.words}' (${fmtCount(units.value)})`, unitsRange));
  stated.add('totalUnits');

  const segment = f.segment[0]?.value ?? 'standard';
  if (distinct(f.segment).length > 1) assumptions.push(`Segment read as ${segment} from '${f.segment[0]!.words}' (also found: ${distinct(f.segment).slice(1).map((s) => `'${s.words}'`).join(', ')})`);
  if (!f.segment.length) assumptions.push('Segment: standard (no fast-fashion or luxury wording)');

  let replenishment = one(f.replenishment, 'replenishment', 'replenishment strategies');
  if (replenishment) stated.add('replenishment');
  else if (segment === 'fast-fashion') {
    replenishment = { value: 'weekly', words: f.segment[0]!.words };
    assumptions.push(`Replenishment: weekly, implied by '${f.segment[0]!.words}'`);
  } else throw new Ask(missing('replenishment'));

  if (!f.allStores && !f.clusters.length && !f.regions.length) throw new Ask(missing('storeScope'));
  stated.add('storeScope');
  const clusters = f.clusters.length ? CLUSTERS.filter((c) => f.clusters.some((x) => x.value === c)) : [...CLUSTERS];
  const regions = f.regions.length ? REGIONS.filter((r) => f.regions.some((x) => x.value === r)) : [...REGIONS];

  const holdback = one(f.holdbackShare, 'holdbackShare', 'holdback shares');
  let holdbackShare = DEFAULT_HOLDBACK[replenishment.value];
  if (holdback) {
    if (holdback.value < 0 || holdback.value >= 1) throw new Ask(outOfRange('holdbackShare', `'${holdback.words}'`, '0 % up to (not including) 100 %'));
    if (holdback.value > 0 && replenishment.value === 'none') throw new Ask(holdbackWithoutReplenishment(holdback.words, replenishment.words));
    holdbackShare = holdback.value;
    stated.add('holdbackShare');
  } else assumptions.push(`Holdback: ${fmtPct(holdbackShare)}, the default for ${replenishment.value === 'none' ? 'no' : replenishment.value} replenishment`);

  const defaults = DEFAULT_MARKDOWN[segment];
  const no = f.noMarkdowns[0];
  const depth = one(f.maxDepth, 'markdown', 'markdown depths');
  if (no && depth) throw new Ask(markdownConflict(no.words, depth.words));
  const target = one(f.sellThroughTarget, 'markdown', 'sell-through targets');
  if (depth && (depth.value < LIMITS.markdownDepth.min || depth.value > LIMITS.markdownDepth.max)) throw new Ask(outOfRange('markdown', `'${depth.words}'`, 'a markdown of 0-70 %'));
  if (target && (target.value < LIMITS.sellThrough.min || target.value > LIMITS.sellThrough.max)) throw new Ask(outOfRange('markdown', `'${target.words}'`, 'a sell-through target of 50-100 %'));
  if (no || depth || target) stated.add('markdown');
  if (!no && !depth) assumptions.push(`Markdowns up to ${fmtPct(defaults.maxDepth)}, the ${segment} default`);
  if (!target) assumptions.push(`Sell-through target ${fmtPct(defaults.sellThroughTarget)}, the ${segment} default`);

  const start = f.startWeek[0];
  if (!start) assumptions.push('Season starts the week after the sales history ends (no season named)');

  const params: SeasonParameters = {
    seasonWeeks: weeks.value,
    categories,
    totalUnits: units.value,
    replenishment: replenishment.value,
    storeScope: { clusters, regions },
    holdbackShare,
    markdown: { allowed: !no, maxDepth: no ? 0 : (depth?.value ?? defaults.maxDepth), sellThroughTarget: target?.value ?? defaults.sellThroughTarget },
    segment,
    startWeek: start?.value ?? null,
    stated: [...stated].sort(),
    assumptions,
    parsedBy: input.text ? 'rules' : 'structured',
  };
  return { params, productWords: f.productWords };
}

/**
 * Reads a season request.
 * @example resolveSeason({ text: 'Zara-style fast fashion, 12-week spring season, 40,000 units of tops for all stores' })
 * // { ok: true, params: { seasonWeeks: 12, categories: ['tops'], replenishment: 'weekly', ... } }
 */
export function resolveSeason(input: ParseSeasonInput): Resolution {
  try {
    return { ok: true, ...build(input) };
  } catch (e) {
    if (e instanceof Ask) return { ok: false, issue: e.issue, productWords: readText(input.text ?? '').productWords };
    throw e;
  }
}
