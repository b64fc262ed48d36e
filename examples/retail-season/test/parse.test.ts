/**
 * Season parameters: the five unit cases (fast fashion, standard, luxury, incomplete,
 * invalid), twenty phrasings of requests, and the questions a person is asked.
 */
import { describe, expect, it } from 'vitest';
import { chatModelFromEnv, isStagegraphError } from 'stagegraph';
import { fakeContext, runStage, startOpenAIStub } from 'stagegraph/testing';
import { parseSeason, resolveSeason, type SeasonParameters } from '../packs/retail-season/index.ts';
import { QUESTIONS } from '../packs/retail-season/params/questions.ts';

const ALL_STORES: SeasonParameters['storeScope'] = { clusters: ['flagship', 'urban', 'regional'], regions: ['north', 'south', 'east', 'west'] };

function read(text: string): SeasonParameters {
  const r = resolveSeason({ text });
  if (!r.ok) throw new Error(r.issue.question);
  return r.params;
}

async function question(input: Parameters<typeof parseSeason.run>[0]) {
  try {
    await runStage(parseSeason, input);
  } catch (e) {
    if (isStagegraphError(e)) return { code: e.code, class: e.class, ...(e.details as { field: string; question: string }) };
    throw e;
  }
  throw new Error('no question asked');
}

describe('the five unit cases', () => {
  it('fast fashion: weekly replenishment implied, holdback and markdowns as stated or defaulted', () => {
    expect(read('Zara-style fast fashion, 12-week spring season, 40,000 units of tops and dresses for all stores, 30% held back for replenishment')).toEqual({
      seasonWeeks: 12,
      categories: ['tops', 'dresses'],
      totalUnits: 40000,
      replenishment: 'weekly',
      storeScope: ALL_STORES,
      holdbackShare: 0.3,
      markdown: { allowed: true, maxDepth: 0.5, sellThroughTarget: 0.9 },
      segment: 'fast-fashion',
      startWeek: 10,
      stated: ['categories', 'holdbackShare', 'seasonWeeks', 'storeScope', 'totalUnits'],
      assumptions: ["Replenishment: weekly, implied by 'Zara-style'", 'Markdowns up to 50 %, the fast-fashion default', 'Sell-through target 90 %, the fast-fashion default'],
      parsedBy: 'rules',
    });
  });

  it('standard: every category, biweekly, the default holdback', () => {
    const p = read('Standard summer season of 16 weeks, 120k units across all categories, all stores, restock every two weeks, sell-through target 85%');
    expect(p).toMatchObject({ seasonWeeks: 16, categories: ['tops', 'dresses', 'knitwear', 'outerwear', 'accessories'], totalUnits: 120000, replenishment: 'biweekly', holdbackShare: 0.2, segment: 'standard', startWeek: 23 });
    expect(p.markdown).toEqual({ allowed: true, maxDepth: 0.5, sellThroughTarget: 0.85 });
    expect(p.assumptions).toContain('Holdback: 20 %, the default for biweekly replenishment');
  });

  it('luxury: flagships only, one allocation, no holdback, shallow markdowns', () => {
    const p = read('Luxury autumn capsule: 8 weeks, 3,000 units of outerwear and knitwear, flagship stores only, no replenishment, markdowns up to 20%');
    expect(p).toMatchObject({ seasonWeeks: 8, categories: ['knitwear', 'outerwear'], totalUnits: 3000, replenishment: 'none', holdbackShare: 0, segment: 'luxury', startWeek: 36 });
    expect(p.storeScope).toEqual({ clusters: ['flagship'], regions: ALL_STORES.regions });
    expect(p.markdown).toEqual({ allowed: true, maxDepth: 0.2, sellThroughTarget: 0.7 });
  });

  it('incomplete: no store scope is asked, not guessed', async () => {
    expect(await question({ text: '12-week season, 20,000 units of dresses, weekly replenishment' })).toEqual({
      code: 'season_incomplete',
      class: 'validation',
      field: 'storeScope',
      question: QUESTIONS.storeScope,
      answerWith: { storeScope: 'all stores' },
    });
  });

  it('invalid: a 60-week season is outside 4-52 weeks', async () => {
    expect(await question({ text: '60-week season, 20,000 units of tops, weekly replenishment, all stores' })).toMatchObject({
      code: 'season_out_of_range',
      field: 'seasonWeeks',
      question: "The season length '60-week' (60 weeks) is outside 4-52 weeks. How many weeks does the season run? Give a length from 4 to 52 weeks, for example 12 weeks.",
    });
  });
});

describe('twenty phrasings', () => {
  const phrasings: [string, Partial<SeasonParameters>][] = [
    ['Zara-style, twelve-week spring drop: 40k units of tees and blouses in every store, hold back 30%', { seasonWeeks: 12, categories: ['tops'], totalUnits: 40000, replenishment: 'weekly', holdbackShare: 0.3 }],
    ['Plan a 10 week summer season for dresses and skirts, 25,000 units, all stores, replenish weekly', { seasonWeeks: 10, categories: ['dresses'], totalUnits: 25000, replenishment: 'weekly', startWeek: 23 }],
    ['Fast fashion knitwear: 8 weeks, 15 000 units, urban stores, fortnightly restocking', { seasonWeeks: 8, categories: ['knitwear'], totalUnits: 15000, replenishment: 'biweekly', storeScope: { clusters: ['urban'], regions: ALL_STORES.regions } }],
    ['Winter outerwear season, 3 months, 1.2 million units of coats and parkas, chain-wide, one-shot buy', { seasonWeeks: 13, categories: ['outerwear'], totalUnits: 1_200_000, replenishment: 'none', startWeek: 45 }],
    ['We need a 26-week autumn/winter plan for sweaters, jackets and scarves: 90,000 units for all our stores with bi-weekly replenishment', { seasonWeeks: 26, categories: ['knitwear', 'outerwear', 'accessories'], totalUnits: 90000, replenishment: 'biweekly' }],
    ['6 weeks, accessories only, 8000 pieces, northern stores, weekly top-ups, keep back 25%', { seasonWeeks: 6, categories: ['accessories'], totalUnits: 8000, storeScope: { clusters: ALL_STORES.clusters, regions: ['north'] }, holdbackShare: 0.25 }],
    ['Luxury maison, 20-week season, 5,000 units of dresses and coats in flagship stores, no in-season replenishment, no markdowns', { seasonWeeks: 20, segment: 'luxury', replenishment: 'none', markdown: { allowed: false, maxDepth: 0, sellThroughTarget: 0.7 } }],
    ['Full range, 52 weeks, 2m units, every store, replenished every week, holdback of 10%', { seasonWeeks: 52, categories: ['tops', 'dresses', 'knitwear', 'outerwear', 'accessories'], totalUnits: 2_000_000, holdbackShare: 0.1 }],
    ['Spring season of four weeks: 2,000 units of t-shirts, regional stores in the south and west, weekly', { seasonWeeks: 4, totalUnits: 2000, storeScope: { clusters: ['regional'], regions: ['south', 'west'] } }],
    ['Mid-market summer: 14 weeks, 60,000 units across all categories, all stores, every other week, markdowns up to 40%, sell-through 80%', { seasonWeeks: 14, segment: 'standard', replenishment: 'biweekly', markdown: { allowed: true, maxDepth: 0.4, sellThroughTarget: 0.8 } }],
    ['H&M style trend drop, 6-week season, 30,000 units of tops, all stores', { seasonWeeks: 6, segment: 'fast-fashion', replenishment: 'weekly', holdbackShare: 0.3 }],
    ['Premium knitwear capsule, 10 weeks, 4,000 units, flagship and urban stores, single allocation', { seasonWeeks: 10, segment: 'luxury', replenishment: 'none', storeScope: { clusters: ['flagship', 'urban'], regions: ALL_STORES.regions } }],
    ['Holiday season: 8 weeks of bags and belts, 12,500 units, all shops, restock once a week, 20 % held back', { seasonWeeks: 8, categories: ['accessories'], totalUnits: 12500, holdbackShare: 0.2, startWeek: 45 }],
    ['18-week fall season, 75,000 units of jumpers and cardigans, eastern stores, replenish every 2 weeks', { seasonWeeks: 18, categories: ['knitwear'], replenishment: 'biweekly', storeScope: { clusters: ALL_STORES.clusters, regions: ['east'] }, startWeek: 36 }],
    ['Season length: 30 weeks. Categories: tops, dresses. Units: 150,000. Stores: all stores. Replenishment: weekly. Holdback: 35%.', { seasonWeeks: 30, totalUnits: 150000, holdbackShare: 0.35 }],
    ['Summer, 12 wks, 45k units of polos and shirts, city stores, weekly replenishment, discounts capped at 30%', { seasonWeeks: 12, categories: ['tops'], totalUnits: 45000, storeScope: { clusters: ['urban'], regions: ALL_STORES.regions }, markdown: { allowed: true, maxDepth: 0.3, sellThroughTarget: 0.85 } }],
    ['A quarter-long season, 20,000 units of dresses and jackets for the whole chain, no replenishment, full price only', { seasonWeeks: 13, replenishment: 'none', markdown: { allowed: false, maxDepth: 0, sellThroughTarget: 0.85 } }],
    ['twenty-six week season, 500,000 units, entire assortment, every store, weekly, a third held back', { seasonWeeks: 26, totalUnits: 500000, holdbackShare: 1 / 3 }],
    ['Zara-like fast fashion: 9-week spring season, 18,000 units of tops and accessories, western flagships, 40% held back', { seasonWeeks: 9, holdbackShare: 0.4, storeScope: { clusters: ['flagship'], regions: ['west'] } }],
    ['Designer outerwear, 16 weeks, 2,500 coats, all stores, restock fortnightly, sell-through target of 75%', { seasonWeeks: 16, categories: ['outerwear'], segment: 'luxury', replenishment: 'biweekly', markdown: { allowed: true, maxDepth: 0.3, sellThroughTarget: 0.75 } }],
  ];
  it('are twenty', () => expect(phrasings).toHaveLength(20));
  for (const [text, expected] of phrasings) it(text, () => expect(read(text)).toMatchObject(expected));
});

describe('questions', () => {
  it('asks for the units when only a budget is given', async () => {
    expect(await question({ text: '12-week season, tops, budget of €500,000, all stores, weekly' })).toMatchObject({
      code: 'season_incomplete',
      field: 'totalUnits',
      question: `The request gives a budget of €500,000, but the plan allocates units. ${QUESTIONS.totalUnits}`,
    });
  });
  it('asks which season length applies when two are stated', async () => {
    expect(await question({ text: '12-week season, or rather 16 weeks, 20,000 units of tops, all stores, weekly' })).toMatchObject({
      code: 'season_contradictory',
      field: 'seasonWeeks',
      question: "The request states different season lengths: '12-week' and '16 weeks'. Which one applies?",
    });
  });
  it('asks about a holdback with no replenishment', async () => {
    expect(await question({ text: '12 weeks, 20,000 units of tops, all stores, no replenishment, 30% held back' })).toMatchObject({ code: 'season_contradictory', field: 'holdbackShare' });
  });
  it('asks about no markdowns with a markdown depth', async () => {
    expect(await question({ text: '12 weeks, 20,000 units of tops, all stores, weekly, no markdowns, markdowns up to 30%' })).toMatchObject({ code: 'season_contradictory', field: 'markdown' });
  });
  it('asks about a holdback of 100 %', async () => {
    expect(await question({ text: '12 weeks, 20,000 units of tops, all stores, weekly, 100% held back' })).toMatchObject({ code: 'season_out_of_range', field: 'holdbackShare' });
  });
  it('asks about too few units', async () => {
    expect(await question({ text: '12 weeks, 100 units of tops, all stores, weekly' })).toMatchObject({ code: 'season_out_of_range', field: 'totalUnits' });
  });
  it('asks for categories it does not know, without an LLM', async () => {
    expect(await question({ text: '12 weeks, 5,000 units of swimwear, all stores, weekly' })).toMatchObject({ code: 'season_incomplete', field: 'categories', found: ['swimwear'] });
  });
  it('an answer, merged into the input, completes the parameters', async () => {
    const { output } = await runStage(parseSeason, { text: '12-week season, 20,000 units of dresses, weekly replenishment', storeScope: 'urban stores in the north' });
    expect(output.storeScope).toEqual({ clusters: ['urban'], regions: ['north'] });
    expect(output.stated).toContain('storeScope');
  });
  it('reads structured fields without text', async () => {
    const { output } = await runStage(parseSeason, { seasonWeeks: 10, categories: ['tops', 'knitwear'], totalUnits: 30000, replenishment: 'biweekly', storeScope: { clusters: ['regional'] }, holdbackShare: 0.15 });
    expect(output).toMatchObject({ seasonWeeks: 10, categories: ['tops', 'knitwear'], totalUnits: 30000, replenishment: 'biweekly', holdbackShare: 0.15, parsedBy: 'structured' });
  });
});

describe('the LLM reads only unknown product words', () => {
  it('maps swimwear to a category through ctx.llm, and says so', async () => {
    const stub = await startOpenAIStub({ answer: { categories: ['tops'], words: 'swimwear' } });
    try {
      const llm = chatModelFromEnv({ STAGEGRAPH_LLM_BASE_URL: stub.baseURL });
      // runStage() has no way to pass ctx.llm: the stage is called with the harness's context plus the model.
      const input = parseSeason.input.parse({ text: '12 weeks, 5,000 units of swimwear, all stores, weekly' });
      const output = parseSeason.output.parse(await parseSeason.run(input, { ...fakeContext(new AbortController().signal, []), llm }));
      expect(output).toMatchObject({ categories: ['tops'], parsedBy: 'rules+llm' });
      expect(output.assumptions[0]).toBe("Categories read as tops by the LLM from 'swimwear'");
      expect(stub.count).toBe(1);
    } finally {
      await stub.close();
    }
  });
});
