/**
 * The questions the parse-season stage asks instead of guessing. Each names the
 * field, the exact question, what was found, and an example answer (`answerWith`): a
 * patch of the stage input, so `{ seasonWeeks: 12 }` answers the season-length question.
 */
import { StagegraphError } from 'stagegraph';
import { CATEGORIES, CLUSTERS, LIMITS, REGIONS } from '../schemas.ts';
import { fmtCount } from './numbers.ts';

export type SeasonIssueCode = 'season_incomplete' | 'season_contradictory' | 'season_out_of_range';

/** The fields a question may be about (the stage input's top-level keys). */
export type AskedField = 'seasonWeeks' | 'categories' | 'totalUnits' | 'replenishment' | 'storeScope' | 'holdbackShare' | 'markdown';

export interface SeasonIssue {
  code: SeasonIssueCode;
  field: AskedField;
  message: string;
  question: string;
  found?: string[];
  answerWith: Partial<Record<AskedField, string | number | string[]>>;
}

const list = (items: readonly string[], last = 'and'): string => (items.length <= 2 ? items.join(` ${last} `) : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`);
const quoted = (items: string[]): string => list(items.map((i) => `'${i}'`));

/** The exact question asked when each required field is missing. */
export const QUESTIONS = {
  seasonWeeks: `How many weeks does the season run? Give a length from ${LIMITS.seasonWeeks.min} to ${LIMITS.seasonWeeks.max} weeks, for example 12 weeks.`,
  categories: `Which product categories does the season cover? Choose from ${list(CATEGORIES)}, or say all categories.`,
  totalUnits: 'How many units should the season plan allocate in total? For example 40,000 units.',
  replenishment: 'How should stores be replenished during the season: weekly, every two weeks, or not at all (one initial allocation)?',
  storeScope: `Which stores does the season cover: all stores, a cluster (${list(CLUSTERS, 'or')}) or a region (${list(REGIONS, 'or')})?`,
} as const;

const EXAMPLES: Record<AskedField, string | number> = {
  seasonWeeks: 12,
  categories: 'tops and dresses',
  totalUnits: 40000,
  replenishment: 'weekly',
  storeScope: 'all stores',
  holdbackShare: '30 %',
  markdown: 'markdowns up to 50 %',
};

/** A required field the request does not state. */
export function missing(field: Exclude<AskedField, 'holdbackShare' | 'markdown'>, why?: string): SeasonIssue {
  const what: Record<typeof field, string> = {
    seasonWeeks: 'season length',
    categories: 'product categories',
    totalUnits: 'total units',
    replenishment: 'replenishment strategy',
    storeScope: 'store scope',
  };
  return {
    code: 'season_incomplete',
    field,
    message: `The ${what[field]} is not stated${why ? ` (${why})` : ''}`,
    question: why ? `${why}. ${QUESTIONS[field]}` : QUESTIONS[field],
    answerWith: { [field]: EXAMPLES[field] },
  };
}

/** A budget stated without units: the plan allocates units, so it asks for them. */
export function budgetWithoutUnits(budget: string): SeasonIssue {
  return {
    ...missing('totalUnits'),
    message: `A budget (${budget}) is stated but no unit count`,
    question: `The request gives a budget of ${budget}, but the plan allocates units. ${QUESTIONS.totalUnits}`,
    found: [budget],
  };
}

/** Product words that match no category. */
export function unknownCategories(words: string[]): SeasonIssue {
  return {
    ...missing('categories'),
    message: `No known category in ${quoted(words)}`,
    question: `The request names ${quoted(words)}, which is not a category this plan covers. ${QUESTIONS.categories}`,
    found: words,
  };
}

/** Two or more different values stated for one field. */
export function contradictory(field: AskedField, found: string[], what: string): SeasonIssue {
  return {
    code: 'season_contradictory',
    field,
    message: `Different ${what} stated: ${list(found)}`,
    question: `The request states different ${what}: ${list(found.map((f) => `'${f}'`))}. Which one applies?`,
    found,
    answerWith: { [field]: found[0]! },
  };
}

/** A holdback with no replenishment: the held-back units would never reach a store. */
export function holdbackWithoutReplenishment(holdbackWords: string, replenishmentWords: string): SeasonIssue {
  return {
    code: 'season_contradictory',
    field: 'holdbackShare',
    message: `A holdback ('${holdbackWords}') with no replenishment ('${replenishmentWords}')`,
    question: `The request holds units back ('${holdbackWords}') but plans no replenishment ('${replenishmentWords}'), so the held-back units would never reach a store. Should stores be replenished (weekly or every two weeks), or is nothing held back (0 %)?`,
    found: [holdbackWords, replenishmentWords],
    answerWith: { holdbackShare: 0 },
  };
}

/** Markdowns both forbidden and given a depth. */
export function markdownConflict(noWords: string, depthWords: string): SeasonIssue {
  return {
    code: 'season_contradictory',
    field: 'markdown',
    message: `'${noWords}' and '${depthWords}'`,
    question: `The request says '${noWords}' and also '${depthWords}'. Are markdowns allowed, and if so up to what depth (at most 70 %)?`,
    found: [noWords, depthWords],
    answerWith: { markdown: 'no markdowns' },
  };
}

/** A value outside the business limits. */
export function outOfRange(field: AskedField, raw: string, limit: string): SeasonIssue {
  const base = field in QUESTIONS ? QUESTIONS[field as keyof typeof QUESTIONS] : field === 'holdbackShare' ? 'What share of the units should be held back for replenishment, from 0 % up to (not including) 100 %?' : 'What is the deepest markdown allowed (0-70 %) and the sell-through target (50-100 %)?';
  return {
    code: 'season_out_of_range',
    field,
    message: `${field} ${raw} is outside ${limit}`,
    question: `The ${field === 'holdbackShare' ? 'holdback' : field === 'seasonWeeks' ? 'season length' : field === 'totalUnits' ? 'unit count' : field} ${raw} is outside ${limit}. ${base}`,
    found: [raw],
    answerWith: { [field]: EXAMPLES[field] },
  };
}

export const unitsRange = `${fmtCount(LIMITS.totalUnits.min)}-${fmtCount(LIMITS.totalUnits.max)} units`;

/**
 * The error a question is thrown as: class `validation` with `details.question`, which
 * the runtime turns into `waiting_input`; the answer is merged into the stage input.
 */
export function seasonError(issue: SeasonIssue): StagegraphError {
  return new StagegraphError(issue.code, issue.message, {
    class: 'validation',
    details: { field: issue.field, question: issue.question, ...(issue.found ? { found: issue.found } : {}), answerWith: issue.answerWith },
    hint: issue.question,
  });
}
