/**
 * Throughput: 200 concurrent 10-step runs in one process, stagegraph against stock
 * LangGraph in the same invocation.
 *
 * - stagegraph: 200 × (`runs.start` then `runs.wait`) at once, through the public API,
 *   on the pool `openDatabase()` gives it by default.
 * - bare: the same 10 trivial steps as a LangGraph `StateGraph` with the stock
 *   `PostgresSaver` (default durability), 200 concurrent `invoke()`s with distinct
 *   thread ids, on its own pool of the same size to the same database.
 * Runs/s = 200 / (time from the first call to the last run's end). After a warm-up
 * batch of each, the two alternate for BENCH_ROUNDS rounds (order swapped every round);
 * the verdict is the median of per-round ratios.
 *
 * While each batch runs it samples what could be the ceiling: this process's CPU and
 * event loop, the machine's CPU, the pool's waiting queue and what the database's
 * backends are doing (bench/support/saturation.ts), and counts the SQL sent.
 *
 * Usage: `npm run bench:throughput` (env: DATABASE_URL selects the server, default
 * 127.0.0.1:5432, where a fresh database is created and dropped; BENCH_CONCURRENCY=200,
 * BENCH_ROUNDS=3, BENCH_WARMUP=20).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import type pg from 'pg';
import { createStagegraph } from '../graph/index.ts';
import { CheckpointProbe } from './support/checkpoint-probe.ts';
import { freshDatabase } from './support/fresh-database.ts';
import { ceilingReasons, sampleSaturation, type Saturation } from './support/saturation.ts';
import { SqlCounter } from './support/sql-counter.ts';
import { STOCK_SCHEMA, stockSaver } from './support/stock-langgraph.ts';
import { bareGraph, trivialWorkflow } from './support/trivial-workflow.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const STEPS = 10;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const TARGET_RATIO = 3;

type Variant = 'stagegraph' | 'bare';
const LABEL: Record<Variant, string> = { stagegraph: 'stagegraph', bare: 'bare LangGraph + stock PostgresSaver' };

const counter = new SqlCounter().install();
const probe = new CheckpointProbe(counter);
const fresh = await freshDatabase();
const workflowId = `bench-throughput-${Date.now().toString(36)}`;
const noop = () => undefined;
const sg = await createStagegraph({ workflows: [trivialWorkflow(workflowId, STEPS, noop)], database: fresh.db, recover: false });
probe.wrap(sg.saver);
const poolMax = fresh.db.pool.options.max ?? 10;
const stock = await stockSaver(fresh.url, poolMax);
probe.wrap(stock.saver);
const bare = bareGraph(STEPS, stock.saver, noop);
const pools: Record<Variant, pg.Pool> = { stagegraph: fresh.db.pool, bare: stock.pool };

async function one(variant: Variant): Promise<number> {
  const t0 = performance.now();
  if (variant === 'stagegraph') {
    const run = await sg.runs.start({ workflowId, request: { n: 0 } });
    const done = await sg.runs.wait(run.id);
    if (done.status !== 'completed') throw new Error(`stagegraph run ${run.id} ended ${done.status}`);
  } else {
    const out = await bare.invoke({ n: 0 }, { configurable: { thread_id: randomUUID() } });
    if (out.n !== STEPS) throw new Error(`bare run ended with n=${out.n}`);
  }
  return performance.now() - t0;
}

interface Batch {
  runsPerSecond: number;
  latencies: number[];
  saturation: Saturation;
  key: string;
}

/** `n` concurrent runs of `variant`, all counted under scope `key`. */
async function batch(variant: Variant, n: number, key: string): Promise<Batch> {
  const sampler = await sampleSaturation(pools[variant], fresh.url);
  const t0 = performance.now();
  const latencies = await counter.within(key, () => Promise.all(Array.from({ length: n }, () => one(variant))));
  const wall = performance.now() - t0;
  const saturation = await sampler.stop();
  return { runsPerSecond: n / (wall / 1000), latencies, saturation, key };
}

const load = [loadavg()[0]!];
const batches: Record<Variant, Batch[]> = { stagegraph: [], bare: [] };
const ratios: number[] = [];
const started = performance.now();
try {
  await batch('stagegraph', WARMUP, 'warmup/stagegraph');
  await batch('bare', WARMUP, 'warmup/bare');
  for (let r = 0; r < ROUNDS; r++) {
    const order: Variant[] = r % 2 === 0 ? ['stagegraph', 'bare'] : ['bare', 'stagegraph'];
    for (const v of order) batches[v].push(await batch(v, CONCURRENCY, `round/${v}/${r}`));
    ratios.push(batches.stagegraph.at(-1)!.runsPerSecond / batches.bare.at(-1)!.runsPerSecond);
  }
  load.push(loadavg()[0]!);
} finally {
  await sg.close();
  await stock.close();
  await fresh.drop();
  counter.uninstall();
}
const seconds = (performance.now() - started) / 1000;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const med = (v: Variant, f: (b: Batch) => number) => median(batches[v].map(f));
const VARIANTS: Variant[] = ['stagegraph', 'bare'];

console.log(`throughput: ${CONCURRENCY} concurrent runs of ${STEPS} trivial sequential steps, in one process; ${ROUNDS} rounds (one batch of each variant per round, order swapped) after a warm-up batch of ${WARMUP} each;`);
console.log(`  fresh database ${fresh.name} on ${fresh.server}; pool max ${poolMax} = stagegraph's default (openDatabase), the stock saver on its own pool of ${poolMax}, schema ${STOCK_SCHEMA};`);
console.log(`  ${seconds.toFixed(0)} s, load average ${load.map((l) => l.toFixed(1)).join(' -> ')}; Node ${process.version}`);
console.log();
console.log(`runs/s = ${CONCURRENCY} / (first call -> last run ended). Medians over rounds; per-run latency is call -> end of each run in the batch.`);
console.log(table([
  ['variant', 'runs/s per round', 'median runs/s', 'run latency p50 / p90 ms', 'statements / run', 'round trips / run', 'checkpoints / run'],
  ...VARIANTS.map((v) => [
    LABEL[v], batches[v].map((b) => b.runsPerSecond.toFixed(1)).join(', '), med(v, (b) => b.runsPerSecond).toFixed(1),
    `${ms(med(v, (b) => median(b.latencies)))} / ${ms(med(v, (b) => quantile(b.latencies, 0.9)))}`,
    med(v, (b) => counter.tally(b.key).statements / CONCURRENCY).toFixed(1),
    med(v, (b) => counter.tally(b.key).roundTrips / CONCURRENCY).toFixed(1),
    med(v, (b) => probe.putsIn(b.key) / CONCURRENCY).toFixed(1),
  ]),
]));
console.log();
console.log('What saturates (medians over rounds): process CPU = process.cpuUsage() / wall (1 core = 100%); event loop = performance.eventLoopUtilization();');
console.log('  machine CPU = os.cpus() busy over all cores; pool = pool.waitingCount / totalCount sampled every 20 ms; backends = pg_stat_activity of the database, mean count per sample');
console.log('  (both variants\' pools connect to it: the other variant\'s open connections show as idle).');
console.log(table([
  ['variant', 'process CPU', 'event loop', 'machine CPU', 'pool open / max', 'pool waiting mean / max', 'backends active (running / IO / LWLock / Lock)', 'idle in transaction', 'idle'],
  ...VARIANTS.map((v) => {
    const s = (f: (x: Saturation) => number) => med(v, (b) => f(b.saturation));
    return [
      LABEL[v], pct(s((x) => x.processCpu)), pct(s((x) => x.eventLoop)), `${pct(s((x) => x.machineCpu))} of ${batches[v][0]!.saturation.cores}`,
      `${s((x) => x.poolOpenMax)} / ${poolMax}`, `${s((x) => x.poolWaitingMean).toFixed(0)} / ${s((x) => x.poolWaitingMax)}`,
      [s((x) => x.backends.activeCpu), s((x) => x.backends.activeIo), s((x) => x.backends.activeLwlock), s((x) => x.backends.activeLock)].map((n) => n.toFixed(1)).join(' / '),
      s((x) => x.backends.idleInTransaction).toFixed(1), s((x) => x.backends.idle).toFixed(1),
    ];
  }),
]));
for (const v of VARIANTS) {
  const middle = [...batches[v]].sort((a, b) => a.runsPerSecond - b.runsPerSecond)[Math.floor(batches[v].length / 2)]!;
  console.log(`  ceiling of ${LABEL[v]} (median round; thresholds: event loop >= 90%, pool waiting >= 1, machine CPU >= 90%, idle in transaction >= half the pool, >= 1 backend on WAL): ${ceilingReasons(middle.saturation).join('; ')}`);
}
console.log();
const ratio = median(ratios);
console.log(table([
  ['target', 'measured', 'verdict'],
  [`stagegraph runs/s / bare LangGraph runs/s (median of per-round ratios) >= ${TARGET_RATIO}`, `${ratio.toFixed(2)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`, verdict(ratio >= TARGET_RATIO)],
]));
