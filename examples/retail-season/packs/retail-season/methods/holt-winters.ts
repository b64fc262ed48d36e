/**
 * Holt-Winters seasonal exponential smoothing (additive or multiplicative seasonality,
 * damped additive trend) for weekly series with a 52-week season. The initial level
 * and seasonal indices come from a classical decomposition of the complete seasons
 * available (averaging the years damps one year's noise), smoothed over 3 weeks; the
 * smoothing weights are chosen by a grid search on the in-sample one-step squared
 * error. Deterministic: no randomness.
 */

export const PERIOD = 52;
export type Seasonality = 'additive' | 'multiplicative';

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface HoltWintersFit {
  params: HoltWintersParams;
  /** One-step-ahead fitted values (index t predicts y[t]). */
  fitted: number[];
  /** Forecasts 1..h weeks after the last observation. */
  forecast(h: number): number[];
}

const GRID = {
  alpha: [0.02, 0.05, 0.1, 0.2, 0.35],
  beta: [0, 0.01, 0.05],
  gamma: [0.02, 0.05, 0.1, 0.2],
  phi: [0.9, 0.98],
};

function initial(y: number[], kind: Seasonality): { level: number; trend: number; season: number[] } {
  const years = Math.floor(y.length / PERIOD);
  const means = Array.from({ length: years }, (_, k) => y.slice(k * PERIOD, (k + 1) * PERIOD).reduce((a, b) => a + b, 0) / PERIOD);
  const raw = new Array<number>(PERIOD).fill(0);
  for (let k = 0; k < years; k++) {
    for (let i = 0; i < PERIOD; i++) raw[i]! += (kind === 'additive' ? y[k * PERIOD + i]! - means[k]! : y[k * PERIOD + i]! / Math.max(means[k]!, 1e-9)) / years;
  }
  const season = raw.map((_, i) => (raw[(i + PERIOD - 1) % PERIOD]! + raw[i]! + raw[(i + 1) % PERIOD]!) / 3);
  const trend = years >= 2 ? (means[years - 1]! - means[0]!) / ((years - 1) * PERIOD) : 0;
  return { level: means[0]!, trend, season };
}

function run(y: number[], kind: Seasonality, p: HoltWintersParams, init = initial(y, kind)) {
  let { level, trend } = init;
  const season = [...init.season];
  const fitted: number[] = [];
  let sse = 0;
  // The decomposition's level is the first year's mean: start the recursion from its middle.
  level -= trend * (PERIOD / 2);
  for (let t = 0; t < y.length; t++) {
    const s = season[t % PERIOD]!;
    const base = level + p.phi * trend;
    const yhat = kind === 'additive' ? base + s : base * s;
    fitted.push(yhat);
    sse += (y[t]! - yhat) ** 2;
    const prev = level;
    level = kind === 'additive' ? p.alpha * (y[t]! - s) + (1 - p.alpha) * base : p.alpha * (y[t]! / Math.max(s, 1e-9)) + (1 - p.alpha) * base;
    trend = p.beta * (level - prev) + (1 - p.beta) * p.phi * trend;
    season[t % PERIOD] = kind === 'additive' ? p.gamma * (y[t]! - level) + (1 - p.gamma) * s : p.gamma * (y[t]! / Math.max(level, 1e-9)) + (1 - p.gamma) * s;
  }
  const n = y.length;
  const forecast = (h: number): number[] =>
    Array.from({ length: h }, (_, i) => {
      let damp = 0;
      for (let k = 1; k <= i + 1; k++) damp += p.phi ** k;
      const base = level + damp * trend;
      const s = season[(n + i) % PERIOD]!;
      return Math.max(0, kind === 'additive' ? base + s : base * s);
    });
  return { fitted, sse, forecast };
}

/**
 * Fits Holt-Winters to `y` (at least two full seasons), weights by grid search.
 * @example holtWinters(weekly, 'multiplicative').forecast(12)
 */
export function holtWinters(y: number[], kind: Seasonality): HoltWintersFit {
  if (y.length < 2 * PERIOD) throw new RangeError(`Holt-Winters needs two seasons (${2 * PERIOD} weeks), got ${y.length}`);
  const init = initial(y, kind);
  let best: { p: HoltWintersParams; sse: number } | undefined;
  for (const alpha of GRID.alpha) for (const beta of GRID.beta) for (const gamma of GRID.gamma) for (const phi of GRID.phi) {
    const p = { alpha, beta, gamma, phi };
    // Skip the first season: it only repeats the initial indices.
    const { fitted } = run(y, kind, p, init);
    let sse = 0;
    for (let t = PERIOD; t < y.length; t++) sse += (y[t]! - fitted[t]!) ** 2;
    if (!best || sse < best.sse) best = { p, sse };
  }
  const fit = run(y, kind, best!.p, init);
  return { params: best!.p, fitted: fit.fitted, forecast: fit.forecast };
}
