/**
 * Overhead of stagegraph's runtime over bare LangGraph, and checkpoint durability.
 *
 * The same 10-stage linear graph with trivial stage bodies runs (a) through
 * `createStagegraph()` (`runs.start` + `runs.wait`: run row, events, stage stats,
 * advisory lock) and (b) as a bare `StateGraph` of 10 trivial nodes compiled with the
 * same `PostgresSaver` on the same database, one `invoke()` per run on a new thread.
 * A third, diagnostic variant (c) streams stagegraph's compiled graph directly (stage
 * runtime and workflow state, no run row, events or lock), which splits the overhead
 * into graph-level and run-level parts. Variants rotate after a warm-up; we report
 * medians and the median of the per-round ratios, since the machine is shared and noisy.
 *
 * Durability: the saver's `put` is timed on every variant; for each stage we take
 * (moment the checkpoint written after it is durable) - (moment its body returned).
 * LangGraph's default `durability: 'async'` (what stagegraph runs use) lets trivial
 * stages run ahead of their checkpoints, so that lag includes queueing behind earlier
 * puts; a fourth variant, bare with `durability: 'sync'`, shows the lag without it.
 *
 * Usage: `npm run bench:overhead` (env: DATABASE_URL, BENCH_RUNS=30, BENCH_WARMUP=5).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Annotation, END as LG_END, START as LG_START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { z } from 'zod';
import { createStagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import type { AnyStagePlugin } from '../nodes/types.ts';
import { openBenchDatabase } from './database.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const STAGES = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const TARGET_RATIO = 1.15;
const TARGET_DURABLE_P99_MS = 10;

/** Stage-end and checkpoint-durable moments, keyed by `thread:step`. */
class DurabilityProbe {
  private readonly ends = new Map<string, number>();
  private readonly durable = new Map<string, number>();
  /** Issue-to-durable time of every put. */
  readonly putMs: number[] = [];

  stageEnd(thread: string, step: number): void {
    this.ends.set(`${thread}:${step}`, performance.now());
  }

  /** Times every `put` of `saver` (the instance the compiled graphs call). */
  wrap(saver: PostgresSaver): void {
    const put = saver.put.bind(saver);
    saver.put = async (config, checkpoint, metadata, versions) => {
      const t0 = performance.now();
      const saved = await put(config, checkpoint, metadata, versions);
      const t1 = performance.now();
      this.durable.set(`${config.configurable?.thread_id}:${metadata?.step}`, t1);
      this.putMs.push(t1 - t0);
      return saved;
    };
  }

  /** `durable - end` for every stage of these threads; throws if a stage has no checkpoint. */
  lags(threads: Iterable<string>): number[] {
    const out: number[] = [];
    for (const t of threads) {
      for (let step = 1; step <= STAGES; step++) {
        const end = this.ends.get(`${t}:${step}`);
        const done = this.durable.get(`${t}:${step}`);
        if (end === undefined || done === undefined) throw new Error(`no stage end or checkpoint for ${t} step ${step}`);
        out.push(done - end);
      }
    }
    return out;
  }
}

const probe = new DurabilityProbe();
const names = Array.from({ length: STAGES }, (_, i) => `stage-${i + 1}`);

// (a) stagegraph: stage i runs in superstep i + 1 (superstep 0 writes the input).
const Count = z.object({ n: z.number() });
const stages: AnyStagePlugin[] = names.map((name, i) => ({
  name, version: '1.0.0', description: `trivial stage ${i + 1}`, capabilities: [],
  input: Count, output: Count, policy: { estimateMs: 1 },
  async run({ n }: { n: number }, ctx) {
    probe.stageEnd(ctx.runId, i + 1);
    return { n: n + 1 };
  },
}));
// A fresh id per process, so stage-duration history from earlier invocations does not weigh on loadEstimates.
const workflowId = `bench-overhead-${Date.now().toString(36)}`;
const workflow = defineWorkflow({
  id: workflowId, description: 'overhead benchmark', stages,
  edges: [{ from: START, to: names[0]! }, ...names.slice(1).map((to, i) => ({ from: names[i]!, to })), { from: names.at(-1)!, to: END }],
});

const db = await openBenchDatabase();
const sg = await createStagegraph({ workflows: [workflow], database: db, recover: false });
probe.wrap(sg.saver);

// (b) bare LangGraph on the same saver.
const BareState = Annotation.Root({ n: Annotation<number>() });
// Node names are dynamic, so the builder's generics stay loose (as in graph/compile.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const builder: any = new StateGraph(BareState);
for (const name of names) {
  builder.addNode(name, (s: typeof BareState.State, config: LangGraphRunnableConfig) => {
    probe.stageEnd(String(config.configurable?.thread_id), Number(config.metadata?.langgraph_step));
    return { n: s.n + 1 };
  });
}
builder.addEdge(LG_START, names[0]);
names.slice(1).forEach((to, i) => builder.addEdge(names[i], to));
builder.addEdge(names.at(-1), LG_END);
const bare = builder.compile({ checkpointer: sg.saver });

const VARIANTS = ['stagegraph', 'graph', 'bare', 'bare-sync'] as const;
type Variant = (typeof VARIANTS)[number];
const LABEL: Record<Variant, string> = {
  stagegraph: '(a) stagegraph runs.start + wait', graph: '(c) stagegraph graph only', bare: '(b) bare langgraph', 'bare-sync': '(d) bare, durability sync',
};
const threads: Record<Variant, string[]> = { stagegraph: [], graph: [], bare: [], 'bare-sync': [] };
const compiled = sg.workflows.get(workflowId)!.graph;

async function once(variant: Variant): Promise<{ thread: string; ms: number }> {
  const t0 = performance.now();
  if (variant === 'stagegraph') {
    const run = await sg.runs.start({ workflowId, request: { n: 0 } });
    const done = await sg.runs.wait(run.id);
    if (done.status !== 'completed') throw new Error(`stagegraph run ${run.id} ended ${done.status}`);
    return { thread: run.id, ms: performance.now() - t0 };
  }
  const thread = randomUUID();
  if (variant === 'graph') {
    // What the executor passes to LangGraph, minus the run layer around it.
    const stream = await compiled.stream({ request: { n: 0 } }, { configurable: { thread_id: thread }, streamMode: 'custom', context: { stagegraph: { seed: 1 } }, recursionLimit: 10_000 });
    let chunks = 0;
    for await (const _ of stream) chunks++;
    if (chunks !== 2 * STAGES) throw new Error(`graph run streamed ${chunks} chunks`);
    return { thread, ms: performance.now() - t0 };
  }
  const durability = variant === 'bare-sync' ? 'sync' : 'async';
  const out = await bare.invoke({ n: 0 }, { configurable: { thread_id: thread }, durability });
  if (out.n !== STAGES) throw new Error(`bare run ended with n=${out.n}`);
  return { thread, ms: performance.now() - t0 };
}

const load = [loadavg()[0]!];
const wall: Record<Variant, number[]> = { stagegraph: [], graph: [], bare: [], 'bare-sync': [] };
const ratios: Record<Exclude<Variant, 'bare'>, number[]> = { stagegraph: [], graph: [], 'bare-sync': [] };
try {
  for (let i = 0; i < WARMUP; i++) for (const v of VARIANTS) await once(v);
  probe.putMs.splice(0);
  for (let i = 0; i < RUNS; i++) {
    // Rotate the order each round so no variant always goes first (caches, autovacuum, GC debt).
    const order = VARIANTS.map((_, k) => VARIANTS[(i + k) % VARIANTS.length]!);
    const round = {} as Record<Variant, number>;
    for (const v of order) {
      const r = await once(v);
      wall[v].push(r.ms);
      threads[v].push(r.thread);
      round[v] = r.ms;
    }
    for (const v of ['stagegraph', 'graph', 'bare-sync'] as const) ratios[v].push(round[v] / round.bare);
  }
  load.push(loadavg()[0]!);
} finally {
  await sg.close();
  await db.close();
}

const ratio = median(ratios.stagegraph);
const lag = Object.fromEntries(VARIANTS.map((v) => [v, probe.lags(threads[v])])) as Record<Variant, number[]>;
const p99 = (v: Variant) => quantile(lag[v], 0.99);
console.log(`stagegraph overhead: ${STAGES}-stage linear workflow, trivial stages, ${RUNS} runs per variant after ${WARMUP} warm-up, rotated order, db ${db.kind}, load avg ${load.map((l) => l.toFixed(1)).join(' -> ')}`);
console.log(table([
  ['variant', 'median ms/run', 'p90 ms/run', 'ms/stage', 'x bare (median of rounds)', 'durable - stage end p50 / p99 ms'],
  ...VARIANTS.map((v) => [LABEL[v], ms(median(wall[v])), ms(quantile(wall[v], 0.9)), ms(median(wall[v]) / STAGES),
    v === 'bare' ? '1.00' : median(ratios[v]).toFixed(2), `${ms(median(lag[v]))} / ${ms(quantile(lag[v], 0.99))}`]),
]));
console.log();
console.log(table([
  ['target', 'measured', 'verdict'],
  [`stagegraph/bare <= ${TARGET_RATIO}`, ratio.toFixed(2), verdict(ratio <= TARGET_RATIO)],
  ...(['bare', 'bare-sync', 'stagegraph'] as const).map((v) => [
    `checkpoint durable - stage end p99 < ${TARGET_DURABLE_P99_MS} ms, ${LABEL[v]} (n=${lag[v].length})`, ms(p99(v)), verdict(p99(v) < TARGET_DURABLE_P99_MS),
  ]),
]));
console.log(`\nPostgresSaver.put, issue to durable (measured runs, all variants, n=${probe.putMs.length}): p50 ${ms(median(probe.putMs))} ms, p99 ${ms(quantile(probe.putMs, 0.99))} ms`);
