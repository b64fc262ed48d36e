/**
 * Inventory allocation: the season's units split over categories by forecast demand
 * plus safety stock, each category's units into an initial allocation and a holdback,
 * the initial allocation over stores, and the holdback into replenishment releases.
 *
 * Safety stock follows the replenishment strategy: `z x sigma x sqrt(L + R)` with a
 * lead time L of 1 week and a review period R of 1 week (weekly), 2 (biweekly) or the
 * whole season (none: the initial allocation must cover it). A store's sigma is its
 * cluster's scaled by sqrt(share). Stores get the initial allocation in proportion to
 * the demand they see until the first replenishment arrives (L + R weeks, the whole
 * season without replenishment) plus their safety stock. All splits are largest
 * remainder, so store quantities add up exactly.
 */
import type { Allocation, DemandForecast, Replenishment, ServiceLevel, StoreInScope } from '../schemas.ts';
import { apportion } from './apportion.ts';

/** The z-score of each service level (normal quantile of the cycle service level). */
export const Z: Record<ServiceLevel, number> = { 'lean-90': 1.2816, 'standard-95': 1.6449, 'high-98': 2.0537 };
export const LEAD_WEEKS = 1;

export function reviewWeeks(replenishment: Replenishment, seasonWeeks: number): number {
  return replenishment === 'weekly' ? 1 : replenishment === 'biweekly' ? 2 : seasonWeeks;
}

/** Season weeks (1-based) when holdback reaches stores. */
export function releaseWeeks(replenishment: Replenishment, seasonWeeks: number): number[] {
  const step = replenishment === 'weekly' ? 1 : replenishment === 'biweekly' ? 2 : 0;
  if (step === 0) return [];
  const weeks: number[] = [];
  for (let w = 1 + step; w <= seasonWeeks; w += step) weeks.push(w);
  return weeks;
}

export interface AllocationInput {
  totalUnits: number;
  holdbackShare: number;
  replenishment: Replenishment;
  serviceLevel: ServiceLevel;
  forecast: DemandForecast;
  stores: StoreInScope[];
}

export function allocate(a: AllocationInput): Allocation {
  const W = a.forecast.seasonWeeks;
  const z = Z[a.serviceLevel];
  const protect = Math.sqrt(LEAD_WEEKS + reviewWeeks(a.replenishment, W));
  const cover = Math.min(W, a.replenishment === 'none' ? W : LEAD_WEEKS + reviewWeeks(a.replenishment, W));
  const categories = [...new Set(a.forecast.series.map((s) => s.category))];
  const perCategory = categories.map((category) => {
    const series = a.forecast.series.filter((s) => s.category === category);
    const weekly = Array.from({ length: W }, (_, w) => series.reduce((sum, s) => sum + s.forecast[w]!, 0));
    const seasonDemand = weekly.reduce((x, y) => x + y, 0);
    const safety = series.reduce((sum, s) => sum + z * s.sigma * protect, 0);
    return { category, series, weekly, seasonDemand, safety };
  });
  const units = apportion(a.totalUnits, perCategory.map((c) => c.seasonDemand + c.safety));
  const stores: Allocation['stores'] = [];
  const out = perCategory.map((c, i) => {
    const holdback = Math.round(units[i]! * a.holdbackShare);
    const initial = units[i]! - holdback;
    const targets = a.stores.flatMap((store) => {
      const s = c.series.find((x) => x.cluster === store.cluster);
      if (!s) return [];
      const share = store.share[c.category] ?? 0;
      const coverDemand = share * s.forecast.slice(0, cover).reduce((x, y) => x + y, 0);
      const safety = z * s.sigma * Math.sqrt(share) * protect;
      return [{ store, coverDemand, safety }];
    });
    const split = apportion(initial, targets.map((t) => t.coverDemand + t.safety));
    targets.forEach((t, k) => stores.push({ storeId: t.store.storeId, cluster: t.store.cluster, category: c.category, initial: split[k]!, safetyStock: Math.round(t.safety) }));
    const when = releaseWeeks(a.replenishment, W);
    const released = apportion(holdback, when.map((w) => c.weekly[w - 1]!));
    const releases = new Array<number>(W).fill(0);
    when.forEach((w, k) => (releases[w - 1] = released[k]!));
    let stock = initial;
    const weeks = c.weekly.map((demand, w) => {
      stock += releases[w]!;
      const sold = Math.min(stock, demand);
      stock -= sold;
      return { week: w + 1, demand: round2(demand), receipts: releases[w]!, sold: round2(sold), stockEnd: round2(Math.max(0, stock)) };
    });
    return { category: c.category, units: units[i]!, initial, holdback, seasonDemand: round2(c.seasonDemand), safetyStock: Math.round(c.safety), releases, weeks };
  });
  return { totalUnits: a.totalUnits, serviceLevel: a.serviceLevel, categories: out, stores };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
