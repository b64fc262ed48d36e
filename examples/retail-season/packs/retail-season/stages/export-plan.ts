/**
 * `export-plan`: writes the season plan into the run's out dir: `season-plan.json`
 * (parameters, decisions, forecast quality, allocation, markdowns), `season-plan.csv`
 * (category x week: forecast, receipts, price, projected sales and stock),
 * `store-allocation.csv` (store x category initial quantities) and `season-chart.svg`.
 * Undone by removing those files.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { StagePlugin } from 'stagegraph';
import { seasonChart } from '../export/chart.ts';
import { addWeeks } from '../methods/calendar.ts';
import { Allocation, DemandForecast, ExportedPlan, MarkdownPlan, SeasonParameters } from '../schemas.ts';

export const ExportRequest = z.object({
  outDir: z.string().min(1),
  runId: z.string(),
  params: SeasonParameters,
  forecast: DemandForecast,
  allocation: Allocation,
  markdowns: MarkdownPlan,
  decisions: z.array(z.object({ point: z.string(), chosen: z.string(), explanation: z.string(), method: z.string(), confidence: z.number() })),
});

const FILES = ['season-plan.json', 'season-plan.csv', 'store-allocation.csv', 'season-chart.svg'] as const;

export const exportPlan: StagePlugin<typeof ExportRequest, typeof ExportedPlan> = {
  name: 'export-plan',
  version: '0.1.0',
  description: 'Writes the season plan as JSON and CSV, with a chart of forecast, history and planned stock',
  capabilities: ['export'],
  input: ExportRequest,
  output: ExportedPlan,
  policy: { estimateMs: 30, timeoutMs: 10_000 },
  async run({ outDir, runId, params, forecast, allocation, markdowns, decisions }, ctx) {
    ctx.signal.throwIfAborted();
    const dir = resolve(outDir);
    const weekly = allocation.categories.flatMap((c) => {
      const md = markdowns.categories.find((m) => m.category === c.category)!;
      return c.weeks.map((w, i) => [c.category, w.week, addWeeks(forecast.startWeek, i), w.demand, w.receipts, md.weeks[i]!.price, md.weeks[i]!.sold, md.weeks[i]!.stockEnd]);
    });
    const plan = {
      runId,
      params,
      decisions,
      forecast: { method: forecast.method, startWeek: forecast.startWeek, seasonWeeks: forecast.seasonWeeks, mase: forecast.mase },
      allocation: { totalUnits: allocation.totalUnits, serviceLevel: allocation.serviceLevel, categories: allocation.categories.map(({ weeks: _w, ...c }) => c) },
      markdowns: { strategy: markdowns.strategy, sellThroughTarget: markdowns.sellThroughTarget, categories: markdowns.categories.map(({ weeks: _w, ...c }) => c) },
    };
    const contents: Record<(typeof FILES)[number], string> = {
      'season-plan.json': `${JSON.stringify(plan, null, 2)}\n`,
      'season-plan.csv': stringify(weekly, { header: true, columns: ['category', 'week', 'week_start', 'forecast_units', 'receipts', 'price', 'projected_sales', 'projected_stock'] }),
      'store-allocation.csv': stringify(allocation.stores.map((s) => [s.storeId, s.cluster, s.category, s.initial, s.safetyStock]), { header: true, columns: ['store_id', 'cluster', 'category', 'initial_units', 'safety_stock'] }),
      'season-chart.svg': seasonChart(forecast, allocation, markdowns),
    };
    await mkdir(dir, { recursive: true });
    const files = [];
    for (const name of FILES) {
      ctx.signal.throwIfAborted();
      await writeFile(join(dir, name), contents[name]);
      files.push({ name, bytes: Buffer.byteLength(contents[name]) });
    }
    ctx.progress(100, `wrote ${files.length} files to ${dir}`);
    return { outDir: dir, files };
  },
  async compensate(output) {
    for (const f of output.files) await rm(join(output.outDir, f.name), { force: true });
  },
};
