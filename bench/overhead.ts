/**
 * Cost of one stagegraph run against stock LangGraph, side by side in one process.
 *
 * The same 10 trivial sequential steps (each returns `{ n: n + 1 }`) run as
 * (a) full stagegraph runs through the public API: `createStagegraph()` + `runs.start`
 *     + `runs.wait` (run row, events, progress; no decision points), on its own
 *     checkpointer (`sg.saver`);
 * (b) a bare LangGraph `StateGraph` with the stock `PostgresSaver`, `invoke()` on a new
 *     thread with LangGraph's default durability (`async`: a checkpoint per superstep,
 *     written behind the next step);
 * (d) (a) with `options.durability: 'async'` (stagegraph's cheaper durability, like (b)'s).
 * (c) (diagnostic) the same bare graph with `durability: 'sync'` (each superstep waits
 *     for its checkpoint's commit).
 * Same Postgres database, same process; after a warm-up the variants alternate, one run
 * each per round, the order rotated every round. The verdict is the median of per-round
 * ratios (a)/(b): neighbours in time see the same machine load.
 *
 * Per run it also counts the SQL each variant sends (bench/support/sql-counter.ts:
 * statements, round trips, transactions) and the checkpoints written (supersteps), and,
 * on every variant, "checkpoint durable - stage end" (bench/support/checkpoint-probe.ts).
 *
 * Usage: `npm run bench:overhead` (env: DATABASE_URL selects the server, default
 * 127.0.0.1:5432, where a fresh database is created and dropped; BENCH_RUNS=200,
 * BENCH_WARMUP=10; BENCH_NOTIFY=0 turns off (a)'s cross-process event notices, a diagnostic).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createStagegraph } from '../graph/index.ts';
import { CheckpointProbe } from './support/checkpoint-probe.ts';
import { freshDatabase } from './support/fresh-database.ts';
import { SqlCounter, sumTallies, type SqlTally } from './support/sql-counter.ts';
import { STOCK_SCHEMA, stockSaver } from './support/stock-langgraph.ts';
import { bareGraph, trivialWorkflow } from './support/trivial-workflow.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const STEPS = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const TARGET_RATIO = 0.6;
const TARGET_DURABLE_P99_MS = 10;

const VARIANTS = ['stagegraph', 'bare', 'bare-sync', 'stagegraph-async'] as const;
type Variant = (typeof VARIANTS)[number];
const LABEL: Record<Variant, string> = {
  stagegraph: '(a) stagegraph runs.start + runs.wait',
  bare: '(b) bare LangGraph + stock PostgresSaver',
  'bare-sync': '(c) (b) with durability sync',
  'stagegraph-async': "(d) (a) with options.durability 'async'",
};

const counter = new SqlCounter().install();
const probe = new CheckpointProbe(counter);
const fresh = await freshDatabase();
const workflowId = `bench-overhead-${Date.now().toString(36)}`;
const sg = await createStagegraph({ workflows: [trivialWorkflow(workflowId, STEPS, () => probe.stageEnded())], database: fresh.db, recover: false, notifyEvents: process.env.BENCH_NOTIFY !== '0' });
probe.wrap(sg.saver);
const poolMax = fresh.db.pool.options.max ?? 10;
const stock = await stockSaver(fresh.url, poolMax);
probe.wrap(stock.saver);
const bare = bareGraph(STEPS, stock.saver, () => probe.stageEnded());

/** One run of `variant` under scope `key`; returns its wall time (ms). */
async function once(variant: Variant, key: string): Promise<number> {
  return counter.within(key, async () => {
    const t0 = performance.now();
    if (variant === 'stagegraph' || variant === 'stagegraph-async') {
      const run = await sg.runs.start({ workflowId, request: { n: 0 }, options: variant === 'stagegraph-async' ? { durability: 'async' } : {} });
      const done = await sg.runs.wait(run.id);
      if (done.status !== 'completed') throw new Error(`stagegraph run ${run.id} ended ${done.status}`);
    } else {
      const out = await bare.invoke({ n: 0 }, { configurable: { thread_id: randomUUID() }, durability: variant === 'bare-sync' ? 'sync' : 'async' });
      if (out.n !== STEPS) throw new Error(`bare run ended with n=${out.n}`);
    }
    return performance.now() - t0;
  });
}

const load = [loadavg()[0]!];
const wall: Record<Variant, number[]> = { stagegraph: [], bare: [], 'bare-sync': [], 'stagegraph-async': [] };
const ratios: Record<Exclude<Variant, 'bare'>, number[]> = { stagegraph: [], 'bare-sync': [], 'stagegraph-async': [] };
const started = performance.now();
try {
  for (let i = 0; i < WARMUP; i++) for (const v of VARIANTS) await once(v, `warmup/${v}/${i}`);
  for (let i = 0; i < RUNS; i++) {
    const order = VARIANTS.map((_, k) => VARIANTS[(i + k) % VARIANTS.length]!);
    const round = {} as Record<Variant, number>;
    for (const v of order) wall[v].push((round[v] = await once(v, `run/${v}/${i}`)));
    ratios.stagegraph.push(round.stagegraph / round.bare);
    ratios['bare-sync'].push(round['bare-sync'] / round.bare);
    ratios['stagegraph-async'].push(round['stagegraph-async'] / round.bare);
  }
  load.push(loadavg()[0]!);
} finally {
  // Close drains whatever the runs still had in flight, so their trailing queries are counted.
  await sg.close();
  await stock.close();
  await fresh.drop();
  counter.uninstall();
}
const seconds = (performance.now() - started) / 1000;

const keys = (v: Variant) => Array.from({ length: RUNS }, (_, i) => `run/${v}/${i}`);
const perRun = (v: Variant, f: (t: SqlTally, key: string) => number) => keys(v).map((k) => f(counter.tally(k), k));
const lag = Object.fromEntries(VARIANTS.map((v) => [v, probe.lags((s) => s.startsWith(`run/${v}/`))])) as Record<Variant, number[]>;
const ratio = median(ratios.stagegraph);

console.log(`overhead: ${STEPS} trivial sequential steps, ${RUNS} runs per variant after ${WARMUP} warm-up each, one run of each variant per round, order rotated;`);
console.log(`  fresh database ${fresh.name} on ${fresh.server}; stagegraph pool max ${poolMax} (its default), stock saver on its own pool of ${poolMax}, schema ${STOCK_SCHEMA};`);
console.log(`  ${seconds.toFixed(0)} s, load average ${load.map((l) => l.toFixed(1)).join(' -> ')}; Node ${process.version}`);
console.log();
console.log('Wall time per run: from the call (runs.start / invoke) to the run\'s end (runs.wait resolved / invoke resolved).');
console.log('Durable - stage end: from a step body returning to the resolution of checkpointer.put for the first checkpoint of its thread with metadata.step >= the step\'s superstep.');
console.log(table([
  ['variant', 'median ms/run', 'p90 ms/run', 'ms/step', 'x (b), median of rounds', 'durable - stage end p50 / p99 ms (n)'],
  ...VARIANTS.map((v) => [
    LABEL[v], ms(median(wall[v])), ms(quantile(wall[v], 0.9)), ms(median(wall[v]) / STEPS),
    v === 'bare' ? '1.00' : median(ratios[v]).toFixed(2),
    `${ms(median(lag[v]))} / ${ms(quantile(lag[v], 0.99))} (${lag[v].length})`,
  ]),
]));
console.log();
console.log('SQL per run, medians over the measured runs [min-max], counted on pg.Client.prototype.query in this process and attributed to the run that issued it:');
console.log('  statements (a multi-statement string counts each), round trips (calls; on a pipelined client, idle->busy), explicit transactions (BEGIN),');
console.log('  standalone statements (outside BEGIN..COMMIT), checkpoints written (root put calls = supersteps checkpointed), connections used.');
const cell = (xs: number[], digits = 0) => {
  const m = median(xs).toFixed(digits);
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? m : `${m} [${lo}-${hi}]`;
};
const puts = (v: Variant) => keys(v).map((k) => probe.putsIn(k));
console.log(table([
  ['variant', 'statements', 'round trips', 'BEGIN', 'standalone', 'checkpoints', 'statements / superstep', 'round trips / superstep', 'round trips - checkpoints', 'connections'],
  ...VARIANTS.map((v) => {
    const p = puts(v);
    return [
      LABEL[v], cell(perRun(v, (t) => t.statements)), cell(perRun(v, (t) => t.roundTrips)), cell(perRun(v, (t) => t.transactions)),
      cell(perRun(v, (t) => t.standalone)), cell(p),
      cell(perRun(v, (t, k) => t.statements / Math.max(1, probe.putsIn(k))), 1), cell(perRun(v, (t, k) => t.roundTrips / Math.max(1, probe.putsIn(k))), 1),
      cell(perRun(v, (t, k) => t.roundTrips - probe.putsIn(k))), cell(perRun(v, (t) => t.connections)),
    ];
  }),
]));
const totals = sumTallies(keys('stagegraph').map((k) => counter.tally(k)));
console.log(`  (a) totals over ${RUNS} runs: ${totals.statements} statements, ${totals.roundTrips} round trips, ${totals.calls} calls, ${totals.transactions} BEGIN / ${totals.commits} COMMIT / ${totals.rollbacks} ROLLBACK; queries outside any run: ${counter.unscoped}`);
console.log();
const p99 = quantile(lag.stagegraph, 0.99);
console.log(table([
  ['target', 'measured', 'verdict'],
  [`stagegraph / bare LangGraph (median of per-round ratios) <= ${TARGET_RATIO}`, `${ratio.toFixed(2)} (ratio of medians ${(median(wall.stagegraph) / median(wall.bare)).toFixed(2)})`, verdict(ratio <= TARGET_RATIO)],
  [`checkpoint durable - stage end p99 < ${TARGET_DURABLE_P99_MS} ms, stagegraph runs (n=${lag.stagegraph.length})`, `${ms(p99)} ms`, verdict(p99 < TARGET_DURABLE_P99_MS)],
  [`(d) stagegraph async / bare LangGraph (default async), same durability <= ${TARGET_RATIO}`, `${median(ratios['stagegraph-async']).toFixed(2)} (ratio of medians ${(median(wall['stagegraph-async']) / median(wall.bare)).toFixed(2)})`, verdict(median(ratios['stagegraph-async']) <= TARGET_RATIO)],
  [`(a) stagegraph sync / (c) bare LangGraph sync, same durability <= ${TARGET_RATIO}`, `${median(ratios.stagegraph.map((r, i) => r / ratios['bare-sync'][i]!)).toFixed(2)}`, verdict(median(ratios.stagegraph.map((r, i) => r / ratios['bare-sync'][i]!)) <= TARGET_RATIO)],
]));
console.log(`\ncheckpointer put, call to resolution (measured and warm-up runs, all variants, n=${probe.putMs.length}): p50 ${ms(median(probe.putMs))} ms, p99 ${ms(quantile(probe.putMs, 0.99))} ms`);
