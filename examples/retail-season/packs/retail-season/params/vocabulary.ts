/** The words the rules read: categories, clusters, regions, replenishment, segments and seasons. */
import type { Category, Cluster, Region, Replenishment, Segment } from '../schemas.ts';

export const CATEGORY_WORDS: [Category, RegExp][] = [
  ['tops', /\b(tops?(?!-?ups?\b)|t-?shirts?|tees?|shirts?|blouses?|polos?)\b/i],
  ['dresses', /\b(dress(?:es)?|skirts?|jumpsuits?)\b/i],
  ['knitwear', /\b(knitwear|knits?|sweaters?|jumpers?|cardigans?|pullovers?)\b/i],
  ['outerwear', /\b(outerwear|coats?|jackets?|parkas?|trench(?:es)?|puffers?)\b/i],
  ['accessories', /\b(accessor(?:y|ies)|bags?|handbags?|scarves|scarf|belts?|hats?|jewell?ery)\b/i],
];
export const ALL_CATEGORIES = /\b(all (?:product )?categories|every category|(?:full|whole|entire) (?:range|assortment|collection))\b/i;

export const CLUSTER_WORDS: [Cluster, RegExp][] = [
  ['flagship', /\bflagships?\b/i],
  ['urban', /\b(urban|city)\b(?! centre| center)/i],
  ['regional', /\b(regional|suburban|out-of-town)\b/i],
];
export const REGION_WORDS: [Region, RegExp][] = [
  ['north', /\b(north(?:ern)?)\b/i],
  ['south', /\b(south(?:ern)?)\b/i],
  ['east', /\b(east(?:ern)?)\b/i],
  ['west', /\b(west(?:ern)?)\b/i],
];
export const ALL_STORES = /\b(all (?:\d+ |of our |our |the )?(?:stores|shops|doors|locations)|every (?:store|shop|door)|chain-?wide|all-?store|whole chain|entire chain|store ?-?wide)\b/i;

export const REPLENISHMENT_WORDS: [Replenishment, RegExp][] = [
  ['none', /\b(no (?:in-?season )?(?:replenishment|replenishing|reorders?|restocking|top-?ups?)|without replenishment|one-?(?:shot|time) (?:buy|allocation|drop)|single (?:buy|drop|allocation)|buy once|never replenish|not replenish(?:ed)?|(?:not|never) at all)\b/i],
  ['biweekly', /\b(bi-?weekly|fortnightly|every (?:two|2|other) weeks?|twice a month)\b/i],
  ['weekly', /(?<![-\w])(weekly|every week|each week|once a week)\b/i],
];

export const SEGMENT_WORDS: [Segment, RegExp][] = [
  ['fast-fashion', /\b(fast[- ]fashion|zara(?:-style| style)?|h&m|shein|primark|high[- ]street trend)\b/i],
  ['luxury', /\b(luxury|luxe|high[- ]end|designer|premium|haute couture|maison)\b/i],
  ['standard', /\b(standard|mid[- ]market|mainstream|core (?:range|retail))\b/i],
];

/** Week of year each named season starts. */
export const SEASON_STARTS: [string, RegExp, number][] = [
  ['spring', /\bspring\b/i, 10],
  ['summer', /\bsummer\b/i, 23],
  ['autumn', /\b(autumn|fall)\b/i, 36],
  ['winter', /\b(winter|holiday|christmas)\b/i, 45],
];
