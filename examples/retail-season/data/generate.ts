/**
 * The seeded generator of the example's data: run once (`npm run generate-data`), its
 * output committed. Same seed, same files, byte for byte.
 *
 * - `stores.csv`: 24 stores, `store_id,name,cluster,region,size_sqm`. Clusters: 4
 *   `flagship` (large, city centre), 10 `urban`, 10 `regional`; regions north, south,
 *   east, west.
 * - `sales.csv`: weekly sales, `week,store_id,category,units,price,full_price,promo`,
 *   for 156 weeks (Mondays from 2022-01-03) x 24 stores x 5 categories. Units are
 *   base rate x store size x cluster mix x yearly seasonality (a category-specific
 *   cosine, accessories with a December peak) x a yearly trend x a promotion effect
 *   `(price / full_price) ^ elasticity` x log-normal noise. Promotions are chain-wide
 *   per category and week (about 1 week in 9, 15-40 % off). About 2 % of store-weeks
 *   are missing (closures, data gaps): those rows are absent.
 *
 * The true elasticities (`CATEGORIES[*].elasticity`) are what the pricing stage should
 * recover from the history (its tests check it does, within a tolerance).
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

export const SEED = 20240601;
export const WEEKS = 156;
export const FIRST_WEEK = '2022-01-03';

/** The generator's truth per category. */
export const CATEGORIES = {
  tops: { base: 60, amplitude: 0.3, peak: 24, trend: 0.08, fullPrice: 29.9, elasticity: -2.0 },
  dresses: { base: 35, amplitude: 0.55, peak: 26, trend: 0.05, fullPrice: 49.9, elasticity: -1.8 },
  knitwear: { base: 30, amplitude: 0.6, peak: 49, trend: -0.03, fullPrice: 59.9, elasticity: -1.4 },
  outerwear: { base: 18, amplitude: 0.75, peak: 47, trend: 0.02, fullPrice: 119, elasticity: -1.1 },
  accessories: { base: 40, amplitude: 0.2, peak: 50, trend: 0.1, fullPrice: 19.9, elasticity: -2.5 },
} as const;

/** How much each cluster sells of each category, relative to its size. */
const CLUSTER_MIX = {
  flagship: { tops: 1.0, dresses: 1.3, knitwear: 1.0, outerwear: 1.2, accessories: 1.4 },
  urban: { tops: 1.1, dresses: 1.0, knitwear: 0.9, outerwear: 0.9, accessories: 1.0 },
  regional: { tops: 0.9, dresses: 0.8, knitwear: 1.2, outerwear: 1.1, accessories: 0.8 },
} as const;

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weekDate(i: number): string {
  const d = new Date(`${FIRST_WEEK}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 7 * i);
  return d.toISOString().slice(0, 10);
}

function generate(): { stores: string; sales: string } {
  const random = rng(SEED);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const regions = ['north', 'south', 'east', 'west'] as const;
  const clusters = [...Array<'flagship'>(4).fill('flagship'), ...Array<'urban'>(10).fill('urban'), ...Array<'regional'>(10).fill('regional')];
  const stores = clusters.map((cluster, i) => ({
    store_id: `S${String(i + 1).padStart(2, '0')}`,
    name: `${cluster[0]!.toUpperCase()}${cluster.slice(1)} ${regions[i % 4]} ${i + 1}`,
    cluster,
    region: regions[i % 4]!,
    size_sqm: Math.round((cluster === 'flagship' ? 2400 : cluster === 'urban' ? 1100 : 800) * (0.8 + 0.4 * random())),
  }));

  // Chain-wide promotions per category and week: the price signal the elasticity is read from.
  const promos = new Map<string, number>();
  for (const category of Object.keys(CATEGORIES)) {
    for (let t = 0; t < WEEKS; t++) if (random() < 0.11) promos.set(`${category}/${t}`, 0.15 + 0.25 * random());
  }

  const rows: (string | number)[][] = [];
  for (let t = 0; t < WEEKS; t++) {
    const weekOfYear = (t % 52) + 1;
    for (const store of stores) {
      if (random() < 0.02) continue; // a missing store-week
      for (const [category, c] of Object.entries(CATEGORIES)) {
        const season = 1 + c.amplitude * Math.cos((2 * Math.PI * (weekOfYear - c.peak)) / 52) + (category === 'accessories' && weekOfYear >= 49 && weekOfYear <= 51 ? 0.5 : 0);
        const trend = (1 + c.trend) ** (t / 52);
        const mix = CLUSTER_MIX[store.cluster][category as keyof typeof CATEGORIES];
        const discount = promos.get(`${category}/${t}`) ?? 0;
        const price = Math.round(c.fullPrice * (1 - discount) * 100) / 100;
        const lift = (price / c.fullPrice) ** c.elasticity;
        const mean = c.base * (store.size_sqm / 1000) * mix * season * trend * lift;
        const units = Math.max(0, Math.round(mean * Math.exp(0.22 * normal() - 0.5 * 0.22 ** 2)));
        rows.push([weekDate(t), store.store_id, category, units, price.toFixed(2), c.fullPrice.toFixed(2), discount > 0 ? 1 : 0]);
      }
    }
  }
  return {
    stores: stringify(stores, { header: true, columns: ['store_id', 'name', 'cluster', 'region', 'size_sqm'] }),
    sales: stringify(rows, { header: true, columns: ['week', 'store_id', 'category', 'units', 'price', 'full_price', 'promo'] }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { stores, sales } = generate();
  const dir = new URL('./', import.meta.url);
  writeFileSync(new URL('stores.csv', dir), stores);
  writeFileSync(new URL('sales.csv', dir), sales);
  console.log(`wrote data/stores.csv (${stores.length} B) and data/sales.csv (${sales.length} B), seed ${SEED}`);
}
