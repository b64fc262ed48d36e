/**
 * `forecast-method`: which forecasting method the season forecast uses, from the
 * 52-week holdout backtest. The method with the lowest mean MASE wins when it beats
 * seasonal naive; otherwise seasonal naive (the simplest method that is at least as
 * accurate). The explanation lists MASE per category.
 */
import type { DecisionPoint } from 'stagegraph';
import { FORECAST_METHODS, type Backtest, type ForecastMethod } from '../schemas.ts';

export interface ForecastMethodInputs {
  mean: Record<ForecastMethod, number>;
  categories: { category: string; mase: Record<ForecastMethod, number> }[];
  best: ForecastMethod;
  /** Categories where the best method's MASE is below seasonal naive's. */
  bestBeatsNaiveIn: string[];
  /** Categories where the best method's MASE is below 1. */
  bestBelowOneIn: string[];
}

const f2 = (x: number) => x.toFixed(2);
const perCategory = (i: ForecastMethodInputs, m: ForecastMethod) => i.categories.map((c) => `${c.category} ${f2(c.mase[m])}`).join(', ');

export const forecastMethod: DecisionPoint<ForecastMethodInputs> = {
  name: 'forecast-method',
  description: 'Which forecasting method the season forecast uses, from the holdout backtest',
  options: FORECAST_METHODS,
  inputs: (state) => {
    const b = state.outputs['backtest-forecasts'] as Backtest;
    const ranked = [...FORECAST_METHODS].sort((x, y) => b.mean[x] - b.mean[y]);
    const best = ranked[0]!;
    return {
      mean: b.mean,
      categories: b.categories,
      best,
      bestBeatsNaiveIn: b.categories.filter((c) => c.mase[best] < c.mase['seasonal-naive']).map((c) => c.category),
      bestBelowOneIn: b.categories.filter((c) => c.mase[best] < 1).map((c) => c.category),
    };
  },
  rules: [
    {
      id: 'lowest-holdout-mase',
      when: (i) => i.best !== 'seasonal-naive' && i.mean[i.best] < i.mean['seasonal-naive'],
      choose: (i) => i.best,
      because: (i) =>
        `${i.best} has the lowest mean holdout MASE (${f2(i.mean[i.best])} vs seasonal naive ${f2(i.mean['seasonal-naive'])}), ` +
        `beats seasonal naive in ${i.bestBeatsNaiveIn.length} of ${i.categories.length} categories and has MASE < 1 in ${i.bestBelowOneIn.length} (${perCategory(i, i.best)})`,
      evidence: (i) => ({ dataPoint: `mean MASE: ${FORECAST_METHODS.map((m) => `${m} ${f2(i.mean[m])}`).join(', ')}`, source: '52-week holdout backtest (backtest-forecasts)' }),
      confidence: 0.85,
    },
    {
      id: 'naive-unbeaten',
      when: (i) => i.best === 'seasonal-naive' || i.mean[i.best] >= i.mean['seasonal-naive'],
      choose: 'seasonal-naive',
      because: (i) => `No smoothing method beats seasonal naive on the holdout (seasonal naive mean MASE ${f2(i.mean['seasonal-naive'])}: ${perCategory(i, 'seasonal-naive')})`,
      evidence: { source: '52-week holdout backtest (backtest-forecasts)' },
      confidence: 0.8,
    },
  ],
  default: 'seasonal-naive',
  whyNot: (i, option) => `mean holdout MASE ${f2(i.mean[option as ForecastMethod])} (${perCategory(i, option as ForecastMethod)})`,
};
