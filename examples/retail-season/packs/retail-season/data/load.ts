/**
 * Reads the example's CSVs (`stores.csv`, `sales.csv`) with csv-parse, once per
 * process and file version: the parsed tables are cached by path and modification
 * time. The directory is `RETAIL_SEASON_DATA_DIR`, else the example's `data/`, found
 * relative to this module (a stage has no other way to reach files its pack ships).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { StagegraphError } from 'stagegraph';
import { CATEGORIES, Cluster, Region, type Category } from '../schemas.ts';

export interface Store {
  storeId: string;
  name: string;
  cluster: Cluster;
  region: Region;
  sizeSqm: number;
}

export interface SalesTables {
  stores: Store[];
  /** Monday of each history week, ISO date, oldest first. */
  weeks: string[];
  /** Units by `${storeId}/${category}`: one entry per week, NaN where the week is missing. */
  units: Map<string, Float64Array>;
  /** Chain-wide shelf price and full price by category, per week (NaN where no store sold). */
  price: Map<Category, Float64Array>;
  fullPrice: Map<Category, number>;
  missingStoreWeeks: number;
}

/** The data directory: `RETAIL_SEASON_DATA_DIR`, else the example's `data/`. */
export function dataDir(): string {
  return process.env.RETAIL_SEASON_DATA_DIR ?? fileURLToPath(new URL('../../../data/', import.meta.url));
}

const cache = new Map<string, { key: string; tables: SalesTables }>();

function readCsv(path: string): Record<string, string>[] {
  try {
    return parse(readFileSync(path), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw new StagegraphError('season_data_unreadable', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, {
      class: 'fatal',
      details: { path },
      hint: 'run `npm run generate-data` in examples/retail-season, or set RETAIL_SEASON_DATA_DIR',
    });
  }
}

function build(dir: string): SalesTables {
  const stores: Store[] = readCsv(join(dir, 'stores.csv')).map((r) => ({
    storeId: r.store_id!,
    name: r.name!,
    cluster: Cluster.parse(r.cluster),
    region: Region.parse(r.region),
    sizeSqm: Number(r.size_sqm),
  }));
  const rows = readCsv(join(dir, 'sales.csv'));
  const weeks = [...new Set(rows.map((r) => r.week!))].sort();
  const index = new Map(weeks.map((w, i) => [w, i]));
  const units = new Map<string, Float64Array>();
  for (const s of stores) for (const c of CATEGORIES) units.set(`${s.storeId}/${c}`, new Float64Array(weeks.length).fill(Number.NaN));
  const price = new Map<Category, Float64Array>(CATEGORIES.map((c) => [c, new Float64Array(weeks.length).fill(Number.NaN)]));
  const fullPrice = new Map<Category, number>();
  for (const r of rows) {
    const t = index.get(r.week!)!;
    const category = r.category as Category;
    units.get(`${r.store_id}/${category}`)?.set([Number(r.units)], t);
    price.get(category)?.set([Number(r.price)], t);
    fullPrice.set(category, Number(r.full_price));
  }
  let missingStoreWeeks = 0;
  for (const s of stores) missingStoreWeeks += units.get(`${s.storeId}/${CATEGORIES[0]}`)!.filter(Number.isNaN).length;
  return { stores, weeks, units, price, fullPrice, missingStoreWeeks };
}

/** The parsed tables of `dir`, from the cache while its files are unchanged. */
export function loadSales(dir = dataDir()): SalesTables {
  let key: string;
  try {
    key = ['stores.csv', 'sales.csv'].map((f) => statSync(join(dir, f)).mtimeMs).join('/');
  } catch {
    key = 'missing';
  }
  const hit = cache.get(dir);
  if (hit && hit.key === key) return hit.tables;
  const tables = build(dir);
  cache.set(dir, { key, tables });
  return tables;
}
