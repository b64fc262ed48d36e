/**
 * `backtest-forecasts`: holds out the last 52 weeks of each category x cluster series,
 * forecasts them with every method (Holt-Winters additive and multiplicative, seasonal
 * naive) from the weeks before, and reports MASE per series, per category and overall.
 * The `forecast-method` decision reads it.
 */
import { z } from 'zod';
import type { StagePlugin } from 'stagegraph';
import { backtestSeries } from '../methods/forecast.ts';
import { Backtest, FORECAST_METHODS, SeasonContext, type ForecastMethod } from '../schemas.ts';

/** Weeks held out: a full year, so every week of the year is scored once. */
export const HOLDOUT_WEEKS = 52;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const byMethod = (f: (m: ForecastMethod) => number) => Object.fromEntries(FORECAST_METHODS.map((m) => [m, round3(f(m))])) as Record<ForecastMethod, number>;

export const backtestForecasts: StagePlugin<typeof SeasonContext, typeof Backtest> = {
  name: 'backtest-forecasts',
  version: '0.1.0',
  description: 'Backtests each forecasting method on a 52-week holdout and reports MASE per category',
  capabilities: ['forecasting', 'backtest'],
  input: SeasonContext,
  output: Backtest,
  policy: { estimateMs: 300, timeoutMs: 30_000 },
  async run(context, ctx) {
    const series: z.input<typeof Backtest>['series'] = [];
    for (const [i, s] of context.demand.entries()) {
      ctx.signal.throwIfAborted();
      const scores = Object.fromEntries(FORECAST_METHODS.map((m) => [m, backtestSeries(m, s.values, HOLDOUT_WEEKS)])) as Record<ForecastMethod, { mase: number; sd: number }>;
      series.push({ category: s.category, cluster: s.cluster, mase: byMethod((m) => scores[m].mase), sd: byMethod((m) => scores[m].sd) });
      ctx.progress((100 * (i + 1)) / context.demand.length, `${s.category}/${s.cluster}`);
    }
    const categories = context.params.categories.map((category) => {
      const rows = series.filter((s) => s.category === category);
      return { category, mase: byMethod((m) => rows.reduce((a, r) => a + r.mase[m], 0) / rows.length) };
    });
    const mean = byMethod((m) => categories.reduce((a, c) => a + c.mase[m], 0) / categories.length);
    return { holdoutWeeks: HOLDOUT_WEEKS, categories, series, mean };
  },
};
