/**
 * Markdown timing and depth per category, from the price elasticity read on the
 * history. Demand at a markdown of depth d is the full-price forecast x (1 - d) ^ e
 * (e < 0, so it rises); sales are capped by the stock on hand (initial allocation plus
 * replenishment receipts). A category on target at full price gets no markdown.
 * Otherwise every (week, depth) in the strategy's window is simulated; the plan takes
 * the one that reaches the sell-through target with the most revenue, else the one
 * with the highest sell-through.
 */
import type { Allocation, MarkdownPlan, MarkdownStrategy, PriceContext } from '../schemas.ts';

/** Weeks (as shares of the season) and depths each strategy may use. */
export const WINDOWS: Record<Exclude<MarkdownStrategy, 'no-markdown'>, { from: number; to: number; depths: number[] }> = {
  'early-shallow': { from: 0.4, to: 0.7, depths: [0.1, 0.15, 0.2, 0.25, 0.3] },
  'late-deep': { from: 0.7, to: 0.95, depths: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7] },
};

type Cat = Allocation['categories'][number];

function simulate(c: Cat, p: PriceContext, week: number | null, depth: number) {
  let stock = c.initial;
  let soldTotal = 0;
  let revenue = 0;
  const weeks = c.weeks.map((w) => {
    stock += w.receipts;
    const off = week !== null && w.week >= week ? depth : 0;
    const price = round2(p.fullPrice * (1 - off));
    const sold = Math.min(stock, w.demand * (1 - off) ** p.elasticity);
    stock -= sold;
    soldTotal += sold;
    revenue += sold * price;
    return { week: w.week, price, sold: round2(sold), stockEnd: round2(Math.max(0, stock)) };
  });
  return { weeks, sellThrough: c.units > 0 ? Math.min(1, soldTotal / c.units) : 1, revenue };
}

export function planMarkdowns(allocation: Allocation, pricing: PriceContext[], strategy: MarkdownStrategy, target: number, maxDepth: number): MarkdownPlan {
  const categories = allocation.categories.map((c) => {
    const p = pricing.find((x) => x.category === c.category)!;
    const full = simulate(c, p, null, 0);
    const base = { category: c.category, elasticity: p.elasticity, fullPrice: p.fullPrice, fullPriceSellThrough: round3(full.sellThrough) };
    const none = (why: string) => ({ ...base, markdownWeek: null, depth: 0, sellThrough: round3(full.sellThrough), revenue: round2(full.revenue), why, weeks: full.weeks });
    if (full.sellThrough >= target) return none(`sells ${pct(full.sellThrough)} at full price, on the ${pct(target)} target`);
    if (strategy === 'no-markdown') return none(`no markdown (strategy), ${pct(full.sellThrough)} sell-through at full price`);
    const window = WINDOWS[strategy];
    const W = c.weeks.length;
    const from = Math.max(2, Math.ceil(window.from * W));
    const to = Math.max(from, Math.min(W, Math.ceil(window.to * W)));
    let best: { week: number; depth: number; r: ReturnType<typeof simulate> } | undefined;
    for (let week = from; week <= to; week++) {
      for (const depth of window.depths.filter((d) => d <= maxDepth + 1e-9)) {
        const r = simulate(c, p, week, depth);
        const reaches = r.sellThrough >= target;
        const better = !best || (reaches && best.r.sellThrough < target) || (reaches === best.r.sellThrough >= target && (reaches ? r.revenue > best.r.revenue : r.sellThrough > best.r.sellThrough + 1e-9));
        if (better) best = { week, depth, r };
      }
    }
    if (!best) return none(`no markdown depth of the strategy is within the ${pct(maxDepth)} limit`);
    const reached = best.r.sellThrough >= target;
    return {
      ...base,
      markdownWeek: best.week,
      depth: best.depth,
      sellThrough: round3(best.r.sellThrough),
      revenue: round2(best.r.revenue),
      why: `${pct(best.depth)} off from week ${best.week} (elasticity ${p.elasticity}) ${reached ? 'reaches' : 'gets closest to'} the ${pct(target)} target: ${pct(full.sellThrough)} -> ${pct(best.r.sellThrough)} sell-through`,
      weeks: best.r.weeks,
    };
  });
  return { strategy, sellThroughTarget: target, categories };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const pct = (x: number): string => `${Math.round(x * 100)} %`;
