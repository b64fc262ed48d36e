/**
 * What the requester named outright: a tank type ("Type III", "type 4"), a liner
 * ("steel", "aluminium liner", "HDPE") or a fiber ("T800", "carbon fibre", "glass").
 * What is named binds the design (decisions/stated.ts turns it into rules of the
 * highest priority), so these readers only take words that name a choice: a negated
 * mention ("no steel", "not Type IV") is not one. Pure and deterministic.
 */
import type { Fiber, Liner, StatedChoices, TankType } from '../schemas.ts';

type FiberChoice = Fiber | 'carbon' | 'none';
type Found<T> = { value: T; words: string; index: number };

const ROMAN: Readonly<Record<string, TankType>> = { i: 'I', '1': 'I', ii: 'II', '2': 'II', iii: 'III', '3': 'III', iv: 'IV', '4': 'IV' };
const TYPE_RE = /\btype[\s-]*(iv|iii|ii|i|[1-4])(?![\w-])/gi;
/** "Hoop-wrapped" is the definition of a Type II vessel (ISO 11119-1). */
const HOOP_RE = /\bhoop[- ]?(wrap(ped)?|wound)\b/gi;
/** "no", "not", "without", "non-", "instead of", "rather than" shortly before a word negate it. */
const NEGATED = /\b(no|not|without|non|never|instead of|rather than|avoid(ing)?|except)\b[\s-]*(\w+[\s-]+){0,2}$/i;

const LINER_WORDS: Array<{ liner: Liner; re: RegExp; impliesBareMetal?: boolean }> = [
  { liner: 'steel-34CrMo4', re: /\b(34\s?CrMo\s?4|4130X?|cr-?mo steel|(seamless |all[- ]|q&t |quenched and tempered )?steel)\b/gi, impliesBareMetal: true },
  { liner: 'Al6061-T6', re: /\b(6061(-T6)?|alumin(i)?um( alloy)?( liner)?)\b/gi },
  { liner: 'HDPE', re: /\b(hdpe|high[- ]density polyethylene|polyethylene|(plastic|polymer|thermoplastic) liner)\b/gi },
  { liner: 'PA6', re: /\b(pa\s?6|polyamide|nylon)\b/gi },
];

const FIBER_WORDS: Array<{ fiber: FiberChoice; re: RegExp }> = [
  { fiber: 'T700S', re: /\bT\s?700(S|SC)?\b/gi },
  { fiber: 'T800S', re: /\bT\s?800(S|H)?\b/gi },
  { fiber: 'T1000G', re: /\bT\s?1000(G)?\b/gi },
  { fiber: 'E-glass', re: /\b(e-?glass|glass[- ]fib(er|re)s?|fib(er|re)[- ]?glass|gfrp)\b/gi },
  { fiber: 'aramid-K49', re: /\b(aramid|kevlar( 49)?|k49)\b/gi },
  // "carbon steel", "low-carbon", "carbon dioxide" are not a fiber.
  { fiber: 'carbon', re: /(?<!low[- ])\b(carbon[- ]fib(er|re)s?|cfrp|carbon(?![- ]?(steel|dioxide|footprint|emissions?|neutral|capture|monoxide)))\b/gi },
];

/** Words that say a metal vessel is wrapped (so a named steel is a liner, not the whole wall). */
const WRAPPED = /\b(hoop[- ]wrap(ped)?|wrapped|overwrap(ped)?|composite|wound|fib(er|re)[- ]reinforced)\b/i;

function notNegated(text: string, index: number): boolean {
  return !NEGATED.test(text.slice(Math.max(0, index - 28), index));
}

function first<H extends { index: number }>(hits: H[]): H | undefined {
  return hits.sort((a, b) => a.index - b.index)[0];
}

/**
 * The tank type named in the text ("Type III", "type-4", "Type IV", "hoop-wrapped" = II), if exactly one is.
 * Two different types named (an alternative, "Type III or IV") are no choice: `ambiguous`.
 * @example readTankType('Please size a Type III tank') // { value: 'III', words: 'Type III' }
 */
export function readTankType(text: string): { value: TankType; words: string } | { ambiguous: string[] } | undefined {
  const hits: Array<Found<TankType>> = [];
  for (const m of text.matchAll(TYPE_RE)) {
    if (notNegated(text, m.index!)) hits.push({ value: ROMAN[m[1]!.toLowerCase()]!, words: m[0], index: m.index! });
  }
  for (const m of text.matchAll(HOOP_RE)) if (notNegated(text, m.index!)) hits.push({ value: 'II', words: m[0], index: m.index! });
  const distinct = [...new Set(hits.map((h) => h.value))];
  if (distinct.length > 1) return { ambiguous: hits.map((h) => h.words) };
  const hit = first(hits);
  return hit ? { value: hit.value, words: hit.words } : undefined;
}

/**
 * The liner and fiber named in the text. A named steel with no wrap or fiber mentioned
 * is an all-steel vessel (fiber `none`).
 * @example readMaterials('50 litre steel hydrogen cylinder') // { liner: { value: 'steel-34CrMo4', words: 'steel' }, fiber: { value: 'none', words: 'steel' } }
 * @example readMaterials('HDPE liner with T800 carbon fibre') // { liner: HDPE, fiber: T800S }
 */
export function readMaterials(text: string): Pick<StatedChoices, 'liner' | 'fiber'> {
  const liners: Array<Found<Liner> & { bare: boolean }> = [];
  for (const { liner, re, impliesBareMetal } of LINER_WORDS) {
    for (const m of text.matchAll(re)) if (notNegated(text, m.index!)) liners.push({ value: liner, words: m[0], index: m.index!, bare: impliesBareMetal === true });
  }
  const fibers: Array<Found<FiberChoice>> = [];
  for (const { fiber, re } of FIBER_WORDS) {
    for (const m of text.matchAll(re)) {
      if (!notNegated(text, m.index!)) continue;
      // "carbon" inside "carbon fibre" is the same mention; a grade (T700) beats the family word.
      if (fibers.some((f) => m.index! >= f.index && m.index! < f.index + f.words.length)) continue;
      fibers.push({ value: fiber, words: m[0], index: m.index! });
    }
  }
  const grade = first(fibers.filter((f) => f.value !== 'carbon'));
  const fiber = grade ?? first(fibers);
  const liner = first(liners);
  const out: Pick<StatedChoices, 'liner' | 'fiber'> = {};
  if (liner) out.liner = { value: liner.value, words: liner.words };
  if (fiber) out.fiber = { value: fiber.value, words: fiber.words };
  else if (liner?.bare && !WRAPPED.test(text)) out.fiber = { value: 'none', words: liner.words };
  return out;
}

/**
 * A tank type given as a value: 'III', 'Type 3', 4 (a clarification or structured field).
 * @example readTankTypeValue('type 4') // 'IV'
 */
export function readTankTypeValue(value: string | number): TankType | undefined {
  const v = String(value).trim().toLowerCase().replace(/^type[\s-]*/, '');
  return ROMAN[v];
}

/**
 * The tank types a named liner and fiber fit: steel with no wrap only Type I; steel
 * wrapped Type II (Type I when no fiber is named either); aluminium Type III; a polymer
 * liner Type IV. A fiber alone fits every wrapped type.
 * @example typesFor({ liner: 'steel-34CrMo4', fiber: 'none' }) // ['I']
 */
export function typesFor(m: { liner?: Liner; fiber?: FiberChoice }): TankType[] {
  const byLiner: TankType[] =
    m.liner === undefined ? ['I', 'II', 'III', 'IV'] : m.liner === 'steel-34CrMo4' ? ['I', 'II'] : m.liner === 'Al6061-T6' ? ['III'] : ['IV'];
  if (m.fiber === undefined) return byLiner;
  return m.fiber === 'none' ? byLiner.filter((t) => t === 'I') : byLiner.filter((t) => t !== 'I');
}
