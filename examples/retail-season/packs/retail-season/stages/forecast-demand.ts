/**
 * `forecast-demand`: forecasts full-price demand for every season week, per category x
 * cluster, with the method the `forecast-method` decision chose, fitted on the whole
 * history. The horizon is exactly the season (checked by the output schema).
 */
import { z } from 'zod';
import type { StagePlugin } from 'stagegraph';
import { addWeeks, seasonOffset } from '../methods/calendar.ts';
import { forecastWith } from '../methods/forecast.ts';
import { PERIOD } from '../methods/holt-winters.ts';
import { Backtest, DemandForecast, ForecastMethod, SeasonContext } from '../schemas.ts';

export const ForecastRequest = z.object({ context: SeasonContext, backtest: Backtest, method: ForecastMethod });

const round2 = (x: number): number => Math.round(x * 100) / 100;

export const forecastDemand: StagePlugin<typeof ForecastRequest, typeof DemandForecast> = {
  name: 'forecast-demand',
  version: '0.1.0',
  description: 'Forecasts weekly demand per category and store cluster over the season with the chosen method',
  capabilities: ['forecasting', 'demand'],
  input: ForecastRequest,
  output: DemandForecast,
  policy: { estimateMs: 150, timeoutMs: 30_000 },
  async run({ context, backtest, method }, ctx) {
    const { seasonWeeks, startWeek } = context.params;
    const n = context.history.weeks;
    const offset = seasonOffset(n, startWeek);
    const series = context.demand.map((s, i) => {
      ctx.signal.throwIfAborted();
      ctx.progress((100 * i) / context.demand.length, `${s.category}/${s.cluster}`);
      const forecast = forecastWith(method, s.values, offset + seasonWeeks).slice(offset).map((v) => round2(Math.max(0, v)));
      const lastYear = Array.from({ length: seasonWeeks }, (_, w) => {
        let t = n + offset + w - PERIOD;
        while (t >= n) t -= PERIOD;
        return s.values[t]!;
      });
      const sigma = backtest.series.find((b) => b.category === s.category && b.cluster === s.cluster)?.sd[method] ?? 0;
      return { category: s.category, cluster: s.cluster, forecast, sigma, lastYear };
    });
    const mase = backtest.categories.map((c) => ({ category: c.category, chosen: c.mase[method], seasonalNaive: c.mase['seasonal-naive'] }));
    return { method, seasonWeeks, startWeek: addWeeks(context.history.lastWeek, offset + 1), series, mase };
  },
};
