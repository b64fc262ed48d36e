/**
 * Word readers for requirements: application (with synonyms), market, named
 * standards and priorities. Each reader returns what it found with where it found it,
 * so the caller can order, resolve and explain. Pure and deterministic.
 */
import type { Application, Priority, Standard } from '../schemas.ts';

type Market = 'EU' | 'US' | 'JP' | 'CN' | 'KR' | 'global';

/** One way of naming an application. Higher `weight` means a more specific phrase. */
interface Synonym {
  application: Application;
  re: RegExp;
  weight: number;
}

/** "pressure vessel", "storage vessel" are tanks, not ships. */
const NOT_SHIP = String.raw`(?<!(?:pressure|storage|buffer|composite|gas|hydrogen|type\s+i{1,3}v?|type\s+iv)[\s-]+)`;

const SYNONYMS: Synonym[] = [
  { application: 'automotive', re: /\b(automotive|passenger (car|vehicle)s?|light[- ]duty( vehicles?)?|fcevs?|fuel[- ]cell (electric )?(car|vehicle)s?|light commercial vehicles?|lcvs?|(category )?[MN]1( category| class)?( vehicles?)?)\b/gi, weight: 3 },
  { application: 'automotive', re: /\b(cars?|sedans?|saloons?|suvs?|sport(s)? utility vehicles?|crossovers?|hatchbacks?|estates?|station wagons?|coupes?|roadsters?|minivans?|mpvs?|vans?|pick-?ups?( trucks?)?|taxis?|cabs?|motorcycles?|motorbikes?|scooters?|two[- ]wheelers?|rickshaws?)\b/gi, weight: 2 },
  { application: 'automotive', re: /\b(vehicles?)\b/gi, weight: 1 },
  { application: 'bus', re: /\b(bus|buses|busses|minibus(es)?|midibus(es)?|trolleybus(es)?|coach|coaches|fcebs?|public transport|(category )?M[23]( category| class)?( vehicles?)?)\b/gi, weight: 2 },
  { application: 'truck', re: /\b(heavy[- ]duty( vehicles?| trucks?)?|medium[- ]duty( vehicles?| trucks?)?|tractor[- ]trailers?|semi[- ]trucks?|hgvs?|heavy goods vehicles?|long[- ]haul|class [5-8]( trucks?| tractors?)?|(category )?N[23]( category| class)?( vehicles?)?|tractor units?|refuse (collection )?(vehicles?|trucks?)|garbage trucks?|dump trucks?|tippers?|box trucks?|delivery trucks?)\b/gi, weight: 3 },
  { application: 'truck', re: /\b(trucks?|lorr(y|ies)|semis|tractors?|rigids?)\b/gi, weight: 2 },
  { application: 'rail', re: /\b(trains?|rail|railways?|railroad|locomotives?|trams?|multiple units?|hydrail)\b/gi, weight: 2 },
  { application: 'marine', re: new RegExp(`\\b(ships?|boats?|ferr(y|ies)|marine|maritime|yachts?|barges?|tugs?|tugboats?|workboats?|catamarans?|ro-?pax|inland waterway)\\b`, 'gi'), weight: 2 },
  // "vessel" in a tank request is most often the pressure vessel itself: weak evidence of a ship.
  { application: 'marine', re: new RegExp(`\\b(${NOT_SHIP}vessels?)\\b`, 'gi'), weight: 1 },
  { application: 'aerospace', re: /\b(aerospace|aircraft|airplanes?|aeroplanes?|planes?|airliners?|helicopters?|rotorcraft|drones?|quadcopters?|multicopters?|multirotors?|uavs?|uas|evtols?|aviation|airships?|spacecraft|satellites?)\b/gi, weight: 2 },
  { application: 'stationary', re: /\b(stationary|ground[- ](based )?storage|back[- ]?up power|standby power|(re)?fuel(l)?ing station buffer|station buffer|buffer storage|on[- ]site storage|microgrids?|home storage|energy storage|telecom backup)\b/gi, weight: 3 },
  { application: 'stationary', re: /\b((re)?fuel(l)?ing stations?|buffer)\b/gi, weight: 2 },
  { application: 'industrial', re: /\b(industrial( gas(es)?)?( supply| use| applications?| customers?)?|(merchant|technical|process|laboratory|lab) gas(es)?|gas supply|(gas )?cylinder (bundles?|packs?|racks?|banks?)|welding|laborator(y|ies)|labs?)\b/gi, weight: 3 },
  { application: 'transport', re: /\b(tube[- ]trailers?|transportable|megcs?|bulk (gas )?transport|gas transport|jumbo tubes?)\b/gi, weight: 3 },
  { application: 'transport', re: /\b(deliver(y|ies|ing)|distribution|transport(ation)?|trailers?)\b/gi, weight: 1 },
];

/** The application named in text, and the words that named it. */
export interface ApplicationReading {
  application: Application;
  /** The words read, e.g. "lorry". */
  word: string;
  /** Other applications also mentioned, less specifically or later. */
  others: Application[];
}

/**
 * Reads the application: the most specific phrase wins, the earliest on a tie.
 * @example readApplication('a hydrogen lorry') // { application: 'truck', word: 'lorry' }
 * @example readApplication('tube trailer for refuelling stations') // transport (weight 3 beats 2)
 */
export function readApplication(text: string): ApplicationReading | undefined {
  const found: Array<{ application: Application; word: string; weight: number; index: number }> = [];
  for (const s of SYNONYMS) {
    for (const m of text.matchAll(s.re)) found.push({ application: s.application, word: m[0], weight: s.weight, index: m.index! });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => b.weight - a.weight || a.index - b.index);
  const best = found[0]!;
  const others = [...new Set(found.map((f) => f.application))].filter((a) => a !== best.application);
  return { application: best.application, word: best.word, others };
}

const MARKETS: Array<{ market: Exclude<Market, 'global'>; re: RegExp }> = [
  { market: 'EU', re: /\b(EU|E\.U\.|Europe|European( Union)?|EEA)\b/gi },
  { market: 'US', re: /(?<!\w)(US|USA|U\.S\.(A\.)?)(?!\w)/g },
  { market: 'US', re: /\b(united states|north america|america|american|california|usa)\b/gi },
  { market: 'JP', re: /\b(japan|japanese)\b/gi },
  { market: 'CN', re: /\b(china|chinese|prc)\b/gi },
  { market: 'KR', re: /\b(korea|korean|south korea)\b/gi },
];

/** The markets named in text, in order of first mention. "us" in lower case is a pronoun, not a market. */
export function readMarkets(text: string): Array<{ market: Exclude<Market, 'global'>; word: string }> {
  const hits: Array<{ market: Exclude<Market, 'global'>; word: string; index: number }> = [];
  for (const { market, re } of MARKETS) for (const m of text.matchAll(re)) hits.push({ market, word: m[0], index: m.index! });
  hits.sort((a, b) => a.index - b.index);
  const out: Array<{ market: Exclude<Market, 'global'>; word: string }> = [];
  for (const h of hits) if (!out.some((o) => o.market === h.market)) out.push({ market: h.market, word: h.word });
  return out;
}

const STANDARD_PATTERNS: Array<{ standard: Standard; re: RegExp }> = [
  { standard: 'GTR13', re: /\b(UN\s*)?GTR\s*(No\.?\s*)?#?\s*13\b/gi },
  { standard: 'UN-R134', re: /\b((UN\s*)?(ECE\s*)?R\s*-?\s*134|UN\s*Regulation\s*(No\.?\s*)?134)\b/gi },
  { standard: 'EC79', re: /\b(EC\s*(No\.?\s*)?79(\/2009)?|79\/2009|(EU\s*)?406\/2010)\b/gi },
  { standard: 'ISO11119-3', re: /\bISO\s*11119\s*(-\s*3|part\s*3)\b/gi },
  { standard: 'ISO11119-1', re: /\bISO\s*11119\s*(-\s*1|part\s*1)\b/gi },
  { standard: 'ISO11119-2', re: /\bISO\s*11119\s*(-\s*2|part\s*2)\b/gi },
  { standard: 'ISO9809-1', re: /\b(ISO\s*9809\s*(-\s*1|part\s*1)?|EN\s*(ISO\s*)?9809(-1)?)\b/gi },
  { standard: 'ISO11120', re: /\b(EN\s*)?(ISO\s*)?11120\b/gi },
  { standard: 'ISO19881', re: /\bISO\s*19881\b/gi },
  { standard: 'SAE-J2579', re: /\b(SAE\s*J?\s*2579|J\s*2579)\b/gi },
];

/**
 * The standards named in text or in a list, in order of first mention.
 * @example readStandards('to GTR 13 and UN R134') // ['GTR13', 'UN-R134']
 */
export function readStandards(text: string): Standard[] {
  const hits: Array<{ standard: Standard; index: number }> = [];
  for (const { standard, re } of STANDARD_PATTERNS) for (const m of text.matchAll(re)) hits.push({ standard, index: m.index! });
  hits.sort((a, b) => a.index - b.index);
  return [...new Set(hits.map((h) => h.standard))];
}

const PRIORITY_PATTERNS: Array<{ priority: Priority; re: RegExp }> = [
  {
    priority: 'lightest',
    re: /\b(lightest|light as possible|light[- ]?weight|weight[- ]critical|mass[- ]critical|weight[- ]sensitive|weight[- ]sav(ing|ings|er)|sav(e|ing) weight|min(imum|imal)? (weight|mass)|low(est|er)? (weight|mass)|minimi[sz]e (the )?(weight|mass)|reduce (the )?(weight|mass)|(keep|kept) (the )?(weight|mass) (down|low)|weight (is|matters)( most)?|mass (is|matters)( most)?)\b/gi,
  },
  {
    priority: 'cheapest',
    re: /\b(cheapest|cheap|low[- ]cost|lowest[- ]cost|low(est)?[- ]price[sd]?|min(imum|imal)? (cost|price)|inexpensive|least expensive|economical|economic|cost[- ]effective|cost[- ]efficient|cost[- ]sensitive|cost[- ]optimi[sz]ed|price[- ]sensitive|affordable|budget|minimi[sz]e (the )?(cost|price)|(keep|kept) (the )?(costs?|price) (down|low)|cost (is|matters)( most)?|price (is|matters)( most)?)\b/gi,
  },
  {
    priority: 'longest-life',
    re: /\b(long(est)?[- ]life|long[- ]lasting|durable|durability|long service life|longevity|long lifetime|maximi[sz]e (the )?life|(service )?life of \d+ years|\d+[- ]years?( service)? life|last(s|ing)? (for )?\d+ years|high cycle life|many (fill )?cycles)\b/gi,
  },
  {
    priority: 'smallest',
    re: /\b(compact|smallest|small as possible|min(imum|imal)? volume|space[- ]constrained|space[- ]saving|tight space|limited space|space is (limited|tight|scarce)|packag(e|ing)( space)? is (limited|tight)|small footprint|volume[- ]critical|minimi[sz]e (the )?(size|volume))\b/gi,
  },
];

/**
 * The priorities stated in text, in order of first mention (the first is the most important).
 * @example readPriorities('durable and as light as possible') // ['longest-life', 'lightest']
 */
export function readPriorities(text: string): Priority[] {
  const hits: Array<{ priority: Priority; index: number }> = [];
  for (const { priority, re } of PRIORITY_PATTERNS) for (const m of text.matchAll(re)) hits.push({ priority, index: m.index! });
  hits.sort((a, b) => a.index - b.index);
  return [...new Set(hits.map((h) => h.priority))];
}
