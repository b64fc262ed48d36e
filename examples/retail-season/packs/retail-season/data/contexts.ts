/**
 * Assembles the demand, inventory and pricing contexts of a season from the sales
 * tables, for the stores in scope:
 * - demand: weekly full-price demand per category x cluster. A store-week that is
 *   missing is filled by scaling the stores present that week (units x stores / stores
 *   present); a promotion week's units are divided by the promotion's lift
 *   `(price / full price) ^ elasticity`, so the forecast learns demand at full price
 *   (the markdown stage adds price effects back).
 * - inventory: each store in scope with its share of its cluster's sales of each
 *   category over the last 52 weeks (how a cluster forecast splits over stores).
 * - pricing: per category, the full price and a price elasticity read from the
 *   promotion weeks: ln(units / local baseline) regressed on ln(price / full price)
 *   through the origin, the baseline being the median of the non-promotion weeks
 *   within 3 weeks (so seasonality and trend cancel out).
 */
import { StagegraphError } from 'stagegraph';
import { CLUSTERS, type Category, type PriceContext, type SeasonContext, type SeasonParameters, type Series } from '../schemas.ts';
import type { SalesTables, Store } from './load.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function clusterSeries(tables: SalesTables, stores: Store[], category: Category): number[] {
  const n = tables.weeks.length;
  const out: number[] = [];
  for (let t = 0; t < n; t++) {
    let sum = 0;
    let present = 0;
    for (const s of stores) {
      const v = tables.units.get(`${s.storeId}/${category}`)![t]!;
      if (!Number.isNaN(v)) {
        sum += v;
        present++;
      }
    }
    out.push(present ? (sum * stores.length) / present : Number.NaN);
  }
  // A week no store reported: the mean of its neighbours.
  for (let t = 0; t < n; t++) if (Number.isNaN(out[t]!)) out[t] = ((out[t - 1] ?? out[t + 1] ?? 0) + (out[t + 1] ?? out[t - 1] ?? 0)) / 2;
  return out.map((v) => Math.round(v * 100) / 100);
}

/** Price elasticity of one category from a weekly units series and its prices. */
export function elasticity(units: number[], price: ArrayLike<number>, fullPrice: number): Omit<PriceContext, 'category' | 'fullPrice'> {
  const promo = (t: number) => price[t]! < fullPrice - 1e-6;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  let promoWeeks = 0;
  for (let t = 0; t < units.length; t++) {
    if (!promo(t) || !(units[t]! > 0)) continue;
    const around: number[] = [];
    for (let k = Math.max(0, t - 3); k <= Math.min(units.length - 1, t + 3); k++) if (k !== t && !promo(k) && units[k]! > 0) around.push(units[k]!);
    if (around.length < 2) continue;
    const x = Math.log(price[t]! / fullPrice);
    const y = Math.log(units[t]! / median(around));
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
    promoWeeks++;
  }
  if (promoWeeks < 3 || sxx === 0) return { elasticity: -1, r2: 0, promoWeeks };
  const slope = sxy / sxx;
  return { elasticity: Math.round(slope * 1000) / 1000, r2: Math.round(Math.max(0, (slope * sxy) / syy) * 1000) / 1000, promoWeeks };
}

/**
 * The contexts of `params` from `tables`.
 * @throws StagegraphError `season_no_stores` (validation, with a question) when no store is in scope.
 */
export function assembleContext(params: SeasonParameters, tables: SalesTables): SeasonContext {
  const inScope = tables.stores.filter((s) => params.storeScope.clusters.includes(s.cluster) && params.storeScope.regions.includes(s.region));
  if (!inScope.length) {
    const question = `No store is both in cluster ${params.storeScope.clusters.join('/')} and region ${params.storeScope.regions.join('/')}. Which stores does the season cover: all stores, a cluster or a region?`;
    throw new StagegraphError('season_no_stores', 'the store scope selects no store', { class: 'fatal', details: { storeScope: params.storeScope }, hint: question });
  }
  const weeks = tables.weeks.length;
  const raw: Series[] = [];
  const stores = inScope.map((s) => ({ storeId: s.storeId, cluster: s.cluster, region: s.region, sizeSqm: s.sizeSqm, share: {} as Record<string, number> }));
  for (const category of params.categories) {
    for (const cluster of CLUSTERS) {
      const members = inScope.filter((s) => s.cluster === cluster);
      if (!members.length) continue;
      raw.push({ category, cluster, stores: members.length, values: clusterSeries(tables, members, category) });
      // Each store's share of the cluster over the last 52 weeks (missing weeks count as the store's mean).
      const totals = members.map((s) => {
        const u = tables.units.get(`${s.storeId}/${category}`)!.subarray(weeks - 52);
        const seen = [...u].filter((v) => !Number.isNaN(v));
        return (seen.reduce((a, b) => a + b, 0) / Math.max(1, seen.length)) * 52;
      });
      const sum = totals.reduce((a, b) => a + b, 0);
      members.forEach((s, i) => (stores.find((x) => x.storeId === s.storeId)!.share[category] = sum > 0 ? totals[i]! / sum : 1 / members.length));
    }
  }
  const pricing: PriceContext[] = params.categories.map((category) => {
    const chain = raw.filter((d) => d.category === category).reduce((acc, d) => acc.map((v, t) => v + d.values[t]!), new Array<number>(weeks).fill(0));
    const fullPrice = tables.fullPrice.get(category)!;
    return { category, fullPrice, ...elasticity(chain, tables.price.get(category)!, fullPrice) };
  });
  const demand = raw.map((s) => {
    const p = pricing.find((x) => x.category === s.category)!;
    const price = tables.price.get(s.category)!;
    const lift = (t: number) => (Number.isNaN(price[t]!) ? 1 : (price[t]! / p.fullPrice) ** p.elasticity);
    return { ...s, values: s.values.map((v, t) => Math.round((v / lift(t)) * 100) / 100) };
  });
  return {
    params,
    history: { firstWeek: tables.weeks[0]!, lastWeek: tables.weeks.at(-1)!, weeks, missingStoreWeeks: tables.missingStoreWeeks },
    demand,
    inventory: { stores },
    pricing,
  };
}
