/**
 * Times the retail-season workflow end to end on the real runtime (a fresh database:
 * DATABASE_URL's server, else an embedded PostgreSQL): one warm-up run, then RUNS
 * runs of three requests (fast fashion, standard with all categories, luxury), each
 * from start to completed with its plan written. Prints median, p90 and max against
 * the 10 s target, and the backtest's MASE per category.
 *
 *   npm run bench                 # RUNS=5 by default
 */
import { testStagegraph } from 'stagegraph/testing';
import { retailSeasonPack, type DemandForecast } from '../packs/retail-season/index.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const TARGET_MS = 10_000;
const REQUESTS = [
  'Zara-style fast fashion, 12-week spring season, 40,000 units of tops and dresses for all stores, 30% held back for replenishment',
  'Standard summer season of 16 weeks, 120,000 units across all categories, all stores, restock every two weeks',
  'Luxury autumn capsule: 8 weeks, 3,000 units of outerwear and knitwear, flagship stores only, no replenishment, markdowns up to 20%',
];

const t = await testStagegraph({ packs: [retailSeasonPack] });
try {
  await t.run({ request: REQUESTS[0] }); // warm-up: JIT, data cache, first checkpoint writes
  const times: number[] = [];
  let mase: DemandForecast['mase'] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const request of REQUESTS) {
      const start = performance.now();
      const r = await t.run({ request });
      times.push(performance.now() - start);
      if (r.status !== 'completed') throw new Error(`run ${r.run.id} ended ${r.status}`);
      if (request === REQUESTS[1]) mase = (r.outputs['forecast-demand'] as DemandForecast).mase;
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(`retail-season end to end, ${times.length} runs (${process.env.DATABASE_URL ? 'PostgreSQL at DATABASE_URL' : 'embedded PostgreSQL'}):`);
  console.log(`  median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms (target < ${TARGET_MS} ms: ${times.at(-1)! < TARGET_MS ? 'PASS' : 'FAIL'})`);
  console.log('  holdout MASE per category (chosen method vs seasonal naive):');
  for (const m of mase) console.log(`    ${m.category.padEnd(12)} ${m.chosen.toFixed(3)}  vs ${m.seasonalNaive.toFixed(3)}${m.chosen < 1 && m.chosen < m.seasonalNaive ? '' : '  (not beaten)'}`);
} finally {
  await t.close();
}
