/**
 * The methods behind the stages, on the example's data: the forecast backtest (MASE
 * per category), the elasticity read from promotions, conserved allocations, and the
 * handoff checks that refuse a broken output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isStagegraphError, parseOrThrow } from 'stagegraph';
import { Allocation, DemandForecast, MarkdownPlan } from '../packs/retail-season/index.ts';
import { loadSales } from '../packs/retail-season/data/load.ts';
import { apportion } from '../packs/retail-season/methods/apportion.ts';
import { CATEGORIES as TRUTH } from '../data/generate.ts';
import { samples } from './samples.ts';

let s: Awaited<ReturnType<typeof samples>>;
beforeAll(async () => {
  s = await samples();
});

describe('the data', () => {
  it('is read once and cached', () => {
    const first = loadSales();
    expect(loadSales()).toBe(first);
    expect(first.stores).toHaveLength(24);
    expect(first.weeks).toHaveLength(156);
    expect(first.missingStoreWeeks).toBeGreaterThan(0);
  });
  it('gives one demand series per category and cluster, over the whole history', () => {
    expect(s.context.demand).toHaveLength(15);
    expect(s.context.demand.every((d) => d.values.length === 156)).toBe(true);
  });
  it('recovers each category\'s price elasticity within 0.15 of the generator\'s', () => {
    for (const p of s.context.pricing) expect(Math.abs(p.elasticity - TRUTH[p.category].elasticity)).toBeLessThan(0.15);
  });
});

describe('the backtest', () => {
  it('Holt-Winters multiplicative beats seasonal naive with MASE < 1 in most categories', () => {
    const rows = s.backtest.categories.map((c) => ({ category: c.category, hw: c.mase['holt-winters-multiplicative'], naive: c.mase['seasonal-naive'] }));
    expect(rows.filter((r) => r.hw < 1 && r.hw < r.naive).length).toBeGreaterThanOrEqual(4);
    expect(s.backtest.mean['holt-winters-multiplicative']).toBeLessThan(s.backtest.mean['seasonal-naive']);
  });
  it('forecasts exactly the season\'s weeks', () => {
    expect(s.forecast.series.every((x) => x.forecast.length === 16)).toBe(true);
    expect(s.forecast.startWeek).toBe('2025-06-02');
  });
});

describe('allocation', () => {
  it('splits by largest remainder, adding up exactly', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [0, 0])).toEqual([4, 3]);
    expect(apportion(1000, [0.2, 0.3, 0.5]).reduce((a, b) => a + b)).toBe(1000);
  });
  it('conserves units at every level, with the holdback released every two weeks', () => {
    const a = s.allocation;
    expect(a.categories.reduce((x, c) => x + c.units, 0)).toBe(120000);
    for (const c of a.categories) {
      expect(c.initial + c.holdback).toBe(c.units);
      expect(c.holdback).toBe(Math.round(c.units * 0.2));
      expect(a.stores.filter((x) => x.category === c.category).reduce((x, r) => x + r.initial, 0)).toBe(c.initial);
      expect(c.releases.map((r, i) => (r > 0 ? i + 1 : 0)).filter(Boolean).every((w) => w % 2 === 1)).toBe(true);
      expect(c.weeks.every((w) => w.stockEnd >= 0)).toBe(true);
    }
  });
});

describe('markdowns', () => {
  it('mark down only categories below target, within the strategy window', () => {
    for (const c of s.markdowns.categories) {
      if (c.fullPriceSellThrough >= 0.95) expect(c.markdownWeek).toBeNull();
      else if (c.markdownWeek !== null) {
        expect(c.depth).toBeLessThanOrEqual(0.3);
        expect(c.markdownWeek).toBeGreaterThanOrEqual(Math.ceil(0.4 * 16));
        expect(c.sellThrough).toBeGreaterThan(c.fullPriceSellThrough);
      }
    }
  });
});

describe('handoff checks', () => {
  const refuses = (schema: Parameters<typeof parseOrThrow>[0], value: unknown, stage: string) => {
    try {
      parseOrThrow(schema, value, stage, 'output');
    } catch (e) {
      expect(isStagegraphError(e, 'stage_output_invalid')).toBe(true);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  it('a forecast horizon other than the season length', () => {
    const bad = { ...s.forecast, series: s.forecast.series.map((x, i) => (i ? x : { ...x, forecast: x.forecast.slice(1) })) };
    expect(refuses(DemandForecast, bad, 'forecast-demand')).toContain('is not the season length 16');
  });
  it('store quantities that do not add up', () => {
    const bad = { ...s.allocation, stores: s.allocation.stores.map((x, i) => (i ? x : { ...x, initial: x.initial + 1 })) };
    expect(refuses(Allocation, bad, 'allocate-inventory')).toContain('store quantities add up to');
  });
  it('negative stock', () => {
    const c = s.allocation.categories[0]!;
    const bad = { ...s.allocation, categories: [{ ...c, weeks: c.weeks.map((w, i) => (i ? w : { ...w, stockEnd: -1 })) }, ...s.allocation.categories.slice(1)] };
    expect(refuses(Allocation, bad, 'allocate-inventory')).toMatch(/stockEnd|negative/);
  });
  it('a markdown after the season', () => {
    const bad = { ...s.markdowns, categories: s.markdowns.categories.map((x) => ({ ...x, markdownWeek: 40 })) };
    expect(refuses(MarkdownPlan, bad, 'plan-markdowns')).toContain('after the season');
  });
});
