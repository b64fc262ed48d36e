/**
 * What flows between the retail-season stages: the merchant's `SeasonParameters`, the
 * assembled contexts, the backtest, the forecast, the allocation, the markdown plan and
 * the exported files. Each handoff schema carries the checks the next stage relies on
 * (horizon = season length, units conserved, no negative stock) as zod refinements, so
 * an output that breaks one fails its own stage as `stage_output_invalid` before the
 * next stage takes it.
 */
import { z } from 'zod';

export const CATEGORIES = ['tops', 'dresses', 'knitwear', 'outerwear', 'accessories'] as const;
export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

export const CLUSTERS = ['flagship', 'urban', 'regional'] as const;
export const Cluster = z.enum(CLUSTERS);
export type Cluster = z.infer<typeof Cluster>;

export const REGIONS = ['north', 'south', 'east', 'west'] as const;
export const Region = z.enum(REGIONS);
export type Region = z.infer<typeof Region>;

export const REPLENISHMENTS = ['weekly', 'biweekly', 'none'] as const;
export const Replenishment = z.enum(REPLENISHMENTS);
export type Replenishment = z.infer<typeof Replenishment>;

export const SEGMENTS = ['fast-fashion', 'standard', 'luxury'] as const;
export const Segment = z.enum(SEGMENTS);
export type Segment = z.infer<typeof Segment>;

/** Business limits of the parameters, in one place (the questions quote them). */
export const LIMITS = {
  seasonWeeks: { min: 4, max: 52 },
  totalUnits: { min: 500, max: 5_000_000 },
  markdownDepth: { min: 0, max: 0.7 },
  sellThrough: { min: 0.5, max: 1 },
} as const;

/**
 * The season a merchant plans. Five required fields (asked when missing or
 * contradictory, never guessed), two optional ones (defaulted by segment and
 * replenishment, the default written in `assumptions`).
 *
 * Required:
 * - `seasonWeeks`: season length, 4-52 weeks ("12-week spring season").
 * - `categories`: the product categories planned (at least one of `CATEGORIES`).
 * - `totalUnits`: units to buy and allocate for the season, 500-5,000,000.
 * - `replenishment`: `weekly`, `biweekly` or `none` (one initial allocation).
 *   "Fast fashion" / "Zara-style" alone implies weekly (written in `assumptions`).
 * - `storeScope`: the clusters and regions in scope (a store is in scope when both its
 *   cluster and its region are).
 *
 * Optional:
 * - `holdbackShare`: share of units held back at the DC for replenishment, 0 <= h < 1.
 *   Default: weekly 0.3, biweekly 0.2, none 0. A holdback > 0 with no replenishment is
 *   a contradiction and asked about.
 * - `markdown`: `{ allowed, maxDepth (0-0.7), sellThroughTarget (0.5-1) }`. Default by
 *   segment: fast fashion 50 % / 90 %, standard 50 % / 85 %, luxury 30 % / 70 %.
 *
 * Derived (not asked): `segment`, `startWeek` (week of year the season starts: spring
 * 10, summer 23, autumn 36, winter 45; else the week after the history ends).
 */
export const SeasonParameters = z.object({
  seasonWeeks: z.number().int().min(LIMITS.seasonWeeks.min).max(LIMITS.seasonWeeks.max),
  categories: z.array(Category).min(1),
  totalUnits: z.number().int().min(LIMITS.totalUnits.min).max(LIMITS.totalUnits.max),
  replenishment: Replenishment,
  storeScope: z.object({ clusters: z.array(Cluster).min(1), regions: z.array(Region).min(1) }),
  holdbackShare: z.number().min(0).lt(1),
  markdown: z.object({
    allowed: z.boolean(),
    maxDepth: z.number().min(LIMITS.markdownDepth.min).max(LIMITS.markdownDepth.max),
    sellThroughTarget: z.number().min(LIMITS.sellThrough.min).max(LIMITS.sellThrough.max),
  }),
  segment: Segment,
  startWeek: z.number().int().min(1).max(52).nullable(),
  /** The fields the requester stated (the rest were defaulted or implied). */
  stated: z.array(z.string()),
  assumptions: z.array(z.string()),
  parsedBy: z.enum(['rules', 'rules+llm', 'structured']),
}).refine((p) => p.replenishment !== 'none' || p.holdbackShare === 0, { message: 'a holdback needs replenishment', path: ['holdbackShare'] });
export type SeasonParameters = z.infer<typeof SeasonParameters>;

/** One weekly series: `values[i]` is week `firstWeek + 7 i` days. */
export const Series = z.object({ category: Category, cluster: Cluster, stores: z.number().int().min(1), values: z.array(z.number().min(0)) });
export type Series = z.infer<typeof Series>;

export const StoreInScope = z.object({
  storeId: z.string(),
  cluster: Cluster,
  region: Region,
  sizeSqm: z.number(),
  /** The store's share of its cluster's sales of each category over the last 52 weeks. */
  share: z.record(z.string(), z.number().min(0).max(1)),
});
export type StoreInScope = z.infer<typeof StoreInScope>;

export const PriceContext = z.object({
  category: Category,
  fullPrice: z.number().positive(),
  /** Price elasticity of demand, d ln(units) / d ln(price), from the history. */
  elasticity: z.number(),
  /** R^2 of the elasticity regression and how many promotion weeks it saw. */
  r2: z.number(),
  promoWeeks: z.number().int(),
});
export type PriceContext = z.infer<typeof PriceContext>;

/** The demand, inventory and pricing contexts, assembled from the CSVs for the stores in scope. */
export const SeasonContext = z.object({
  params: SeasonParameters,
  history: z.object({ firstWeek: z.string(), lastWeek: z.string(), weeks: z.number().int(), missingStoreWeeks: z.number().int() }),
  demand: z.array(Series),
  inventory: z.object({ stores: z.array(StoreInScope) }),
  pricing: z.array(PriceContext),
});
export type SeasonContext = z.infer<typeof SeasonContext>;

export const FORECAST_METHODS = ['holt-winters-additive', 'holt-winters-multiplicative', 'seasonal-naive'] as const;
export const ForecastMethod = z.enum(FORECAST_METHODS);
export type ForecastMethod = z.infer<typeof ForecastMethod>;

/** Holdout MASE of each method, per category (mean over its clusters). */
export const Backtest = z.object({
  holdoutWeeks: z.number().int().min(1),
  categories: z.array(z.object({ category: Category, mase: z.record(ForecastMethod, z.number().nonnegative()) })),
  /** Per series: each method's MASE and holdout error standard deviation. */
  series: z.array(z.object({ category: Category, cluster: Cluster, mase: z.record(ForecastMethod, z.number().nonnegative()), sd: z.record(ForecastMethod, z.number().nonnegative()) })),
  /** Mean MASE of each method over the categories. */
  mean: z.record(ForecastMethod, z.number().nonnegative()),
});
export type Backtest = z.infer<typeof Backtest>;

export const SeriesForecast = z.object({
  category: Category,
  cluster: Cluster,
  forecast: z.array(z.number().min(0)),
  /** Standard deviation of the one-week-ahead error on the holdout. */
  sigma: z.number().min(0),
  /** The same weeks one year earlier (for the chart). */
  lastYear: z.array(z.number().min(0)),
});
export type SeriesForecast = z.infer<typeof SeriesForecast>;

export const DemandForecast = z
  .object({
    method: ForecastMethod,
    seasonWeeks: z.number().int(),
    startWeek: z.string(),
    series: z.array(SeriesForecast).min(1),
    /** Per category: the chosen method's holdout MASE and seasonal naive's. */
    mase: z.array(z.object({ category: Category, chosen: z.number(), seasonalNaive: z.number() })),
  })
  .superRefine((f, ctx) => {
    for (const s of f.series) {
      if (s.forecast.length !== f.seasonWeeks) ctx.addIssue({ code: 'custom', message: `forecast horizon ${s.forecast.length} weeks for ${s.category}/${s.cluster} is not the season length ${f.seasonWeeks}`, path: ['series'] });
      if (!s.forecast.every(Number.isFinite)) ctx.addIssue({ code: 'custom', message: `forecast for ${s.category}/${s.cluster} is not finite`, path: ['series'] });
    }
  });
export type DemandForecast = z.infer<typeof DemandForecast>;

export const SERVICE_LEVELS = ['lean-90', 'standard-95', 'high-98'] as const;
export const ServiceLevel = z.enum(SERVICE_LEVELS);
export type ServiceLevel = z.infer<typeof ServiceLevel>;

export const CategoryWeek = z.object({ week: z.number().int().min(1), demand: z.number().min(0), receipts: z.number().int().min(0), sold: z.number().min(0), stockEnd: z.number().min(0) });

export const Allocation = z
  .object({
    totalUnits: z.number().int(),
    serviceLevel: ServiceLevel,
    categories: z.array(
      z.object({
        category: Category,
        units: z.number().int().min(0),
        initial: z.number().int().min(0),
        holdback: z.number().int().min(0),
        seasonDemand: z.number().min(0),
        safetyStock: z.number().int().min(0),
        /** Holdback released to stores, by season week (1-based index = week). */
        releases: z.array(z.number().int().min(0)),
        weeks: z.array(CategoryWeek),
      }),
    ),
    stores: z.array(z.object({ storeId: z.string(), cluster: Cluster, category: Category, initial: z.number().int().min(0), safetyStock: z.number().int().min(0) })),
  })
  .superRefine((a, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: ['categories'] });
    const total = a.categories.reduce((s, c) => s + c.units, 0);
    if (total !== a.totalUnits) issue(`category units add up to ${total}, not the ${a.totalUnits} planned`);
    for (const c of a.categories) {
      if (c.initial + c.holdback !== c.units) issue(`${c.category}: initial ${c.initial} + holdback ${c.holdback} != ${c.units}`);
      const atStores = a.stores.filter((s) => s.category === c.category).reduce((s, r) => s + r.initial, 0);
      if (atStores !== c.initial) issue(`${c.category}: store quantities add up to ${atStores}, not the initial ${c.initial}`);
      const released = c.releases.reduce((s, r) => s + r, 0);
      if (released !== c.holdback) issue(`${c.category}: releases add up to ${released}, not the holdback ${c.holdback}`);
      if (c.weeks.some((w) => w.stockEnd < 0)) issue(`${c.category}: negative stock`);
    }
  });
export type Allocation = z.infer<typeof Allocation>;

export const MARKDOWN_STRATEGIES = ['no-markdown', 'early-shallow', 'late-deep'] as const;
export const MarkdownStrategy = z.enum(MARKDOWN_STRATEGIES);
export type MarkdownStrategy = z.infer<typeof MarkdownStrategy>;

export const MarkdownPlan = z
  .object({
    strategy: MarkdownStrategy,
    sellThroughTarget: z.number(),
    categories: z.array(
      z.object({
        category: Category,
        elasticity: z.number(),
        fullPrice: z.number().positive(),
        /** Season week of the markdown (1-based), or null for none. */
        markdownWeek: z.number().int().min(1).nullable(),
        depth: z.number().min(0).max(LIMITS.markdownDepth.max),
        fullPriceSellThrough: z.number().min(0).max(1),
        sellThrough: z.number().min(0).max(1),
        revenue: z.number().min(0),
        why: z.string(),
        weeks: z.array(z.object({ week: z.number().int(), price: z.number().positive(), sold: z.number().min(0), stockEnd: z.number().min(0) })),
      }),
    ),
  })
  .superRefine((p, ctx) => {
    for (const c of p.categories) {
      if (c.markdownWeek !== null && c.markdownWeek > c.weeks.length) ctx.addIssue({ code: 'custom', message: `${c.category}: markdown week ${c.markdownWeek} is after the season`, path: ['categories'] });
    }
  });
export type MarkdownPlan = z.infer<typeof MarkdownPlan>;

export const ExportedPlan = z.object({ outDir: z.string(), files: z.array(z.object({ name: z.string(), bytes: z.number().int().positive() })) });
export type ExportedPlan = z.infer<typeof ExportedPlan>;
