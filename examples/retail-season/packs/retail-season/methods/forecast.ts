/**
 * The forecasting methods the workflow chooses between, behind one signature, and
 * their holdout backtest scored by MASE (mean absolute scaled error: the holdout's
 * mean absolute error over the in-sample mean absolute error of the 52-week seasonal
 * naive forecast; below 1 beats seasonal naive's in-sample accuracy).
 */
import type { ForecastMethod } from '../schemas.ts';
import { holtWinters, PERIOD } from './holt-winters.ts';

/** Forecasts `h` weeks after the end of `y` with `method`. */
export function forecastWith(method: ForecastMethod, y: number[], h: number): number[] {
  if (method === 'seasonal-naive') return Array.from({ length: h }, (_, i) => y[y.length - PERIOD + (i % PERIOD)]!);
  return holtWinters(y, method === 'holt-winters-additive' ? 'additive' : 'multiplicative').forecast(h);
}

/** MASE of `forecast` against `actual`, scaled by the seasonal-naive in-sample error of `train`. */
export function mase(train: number[], actual: number[], forecast: number[]): number {
  let scale = 0;
  for (let t = PERIOD; t < train.length; t++) scale += Math.abs(train[t]! - train[t - PERIOD]!);
  scale /= train.length - PERIOD;
  const mae = actual.reduce((s, a, i) => s + Math.abs(a - forecast[i]!), 0) / actual.length;
  return scale > 0 ? mae / scale : 0;
}

/** Standard deviation of the errors of `forecast` against `actual`. */
export function errorSd(actual: number[], forecast: number[]): number {
  const e = actual.map((a, i) => a - forecast[i]!);
  const m = e.reduce((a, b) => a + b, 0) / e.length;
  return Math.sqrt(e.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, e.length - 1));
}

/** Holds out the last `holdout` weeks of `y`, forecasts them with `method`, and scores them. */
export function backtestSeries(method: ForecastMethod, y: number[], holdout: number): { mase: number; sd: number } {
  const train = y.slice(0, y.length - holdout);
  const actual = y.slice(y.length - holdout);
  const f = forecastWith(method, train, holdout);
  return { mase: mase(train, actual, f), sd: errorSd(actual, f) };
}
