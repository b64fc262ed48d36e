/**
 * The API's cost on top of the engine: a trivial 10-stage workflow started with
 * `POST /api/agent/orchestrate` and followed over the WebSocket until
 * `workflow.completed` arrives, against the same workflow started in-process
 * (`runs.start`, completion seen on the event bus) on the same database, in rotated
 * order, side by side.
 *
 * 1. Latency: one run at a time; median and p99 of each path, and the median of the
 *    per-round difference (what the HTTP + auth + WebSocket path adds). A third path is
 *    LangGraph's SDK on the LangGraph-compatible surface (`/langgraph`): `runs.stream`
 *    of a new thread with `streamMode: 'values'` read to its end (each step's state is
 *    read back from Postgres, so the stream is the same from any server).
 * 2. Throughput: 50 clients, each with its own API key and WebSocket, each starting
 *    its next run as soon as the previous one completes, for BENCH_SECONDS; then 50
 *    SDK clients streaming their runs; then 50 in-process loops doing the same. Runs per
 *    second of each, and their ratios.
 *
 * Usage: `DATABASE_URL=… npx tsx bench/api.ts` (env: BENCH_RUNS=30, BENCH_WARMUP=5,
 * BENCH_CLIENTS=50, BENCH_SECONDS=10).
 */
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Client as LangGraphClient } from '@langchain/langgraph-sdk';
import { pino } from 'pino';
import { createClient, type RunEvent } from '../client/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { z } from 'zod';
import { createApiKey, createServer } from '../server/index.ts';
import { openBenchDatabase } from './database.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TARGET_P50_MS = 50;

const N = z.object({ n: z.number() });
const workflowId = `api-bench-${randomUUID().slice(0, 8)}`;
const workflow = defineWorkflow({
  id: workflowId,
  description: '10 trivial stages',
  stages: Array.from({ length: 10 }, (_, i) => ({
    name: `s${i}`, version: '1.0.0', description: 'n + 1', capabilities: ['bench'], input: N, output: N, policy: { estimateMs: 1 },
    run: async ({ n }: { n: number }) => ({ n: n + 1 }),
  })),
  edges: [START, ...Array.from({ length: 10 }, (_, i) => `s${i}`)].map((from, i) => ({ from, to: i < 10 ? `s${i}` : END })),
});

/** Resolves when the bus publishes `workflow.completed` for a run id that `start` returns. */
function completion(sg: Stagegraph): { wait(runId: string): Promise<void> } {
  const waiting = new Map<string, () => void>();
  const done = new Set<string>();
  sg.bus.subscribe('*', (e) => {
    if (e.type !== 'workflow.completed') return;
    const w = waiting.get(e.runId);
    if (w) w();
    else done.add(e.runId);
  });
  return {
    wait: (runId) => (done.delete(runId) ? Promise.resolve() : new Promise((resolve) => waiting.set(runId, resolve))),
  };
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const sg = await createStagegraph({ workflows: [workflow], database: db, recover: false });
  const server = createServer({ stagegraph: sg, logger: pino({ level: 'silent' }), limits: { rateLimit: false } });
  const { url } = await server.listen(0);
  const bus = completion(sg);

  // One client with an 'all' subscription open before any run starts.
  const key = (await createApiKey(db, 'bench')).key;
  const api = createClient({ baseUrl: url, token: key });
  const completed = new Map<string, () => void>();
  const early = new Set<string>();
  const stream = api.events('all', {
    onEvent: (e: RunEvent) => {
      if (e.type !== 'workflow.completed') return;
      const w = completed.get(e.runId);
      if (w) w();
      else early.add(e.runId);
    },
  });
  await stream.ready;
  const overWs = async () => {
    const t0 = performance.now();
    const { sessionId } = await api.orchestrate({ workflow: workflowId, request: { n: 0 } });
    if (!early.delete(sessionId)) await new Promise<void>((resolve) => completed.set(sessionId, resolve));
    completed.delete(sessionId);
    return performance.now() - t0;
  };
  const lg = new LangGraphClient({ apiUrl: `${url}/langgraph`, apiKey: key });
  /** A run streamed through LangGraph's SDK to its last `values` chunk. */
  const sdkStream = async (client: LangGraphClient) => {
    let last: unknown;
    for await (const chunk of client.runs.stream(null, workflowId, { input: { request: { n: 0 } }, streamMode: 'values' })) if (chunk.event === 'values') last = chunk.data;
    if ((last as { outputs?: { s9?: { n: number } } })?.outputs?.s9?.n !== 10) throw new Error(`SDK stream ended without s9's output: ${JSON.stringify(last)}`);
  };
  const overSdk = async () => {
    const t0 = performance.now();
    await sdkStream(lg);
    return performance.now() - t0;
  };
  const inProcess = async () => {
    const t0 = performance.now();
    const row = await sg.runs.start({ workflowId, request: { n: 0 }, owner: 'bench' });
    await bus.wait(row.id);
    return performance.now() - t0;
  };

  // ---- 1. latency ----------------------------------------------------------
  const api1: number[] = [];
  const sdk1: number[] = [];
  const base1: number[] = [];
  const deltas: number[] = [];
  const sdkDeltas: number[] = [];
  const paths = [overWs, inProcess, overSdk];
  for (let round = 0; round < WARMUP + RUNS; round++) {
    // Rotated: each path goes first, second and third equally often.
    const order = paths.map((_, i) => (i + round) % paths.length);
    const t: number[] = [];
    for (const i of order) t[i] = await paths[i]!();
    if (round < WARMUP) continue;
    api1.push(t[0]!);
    base1.push(t[1]!);
    sdk1.push(t[2]!);
    deltas.push(t[0]! - t[1]!);
    sdkDeltas.push(t[2]! - t[0]!);
  }

  // ---- 2. throughput -------------------------------------------------------
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    const c = createClient({ baseUrl: url, token: (await createApiKey(db, `bench-${i}`)).key });
    const waits = new Map<string, () => void>();
    const seen = new Set<string>();
    const s = c.events('all', {
      onEvent: (e) => {
        if (e.type !== 'workflow.completed') return;
        const w = waits.get(e.runId);
        if (w) w();
        else seen.add(e.runId);
      },
    });
    await s.ready;
    return { c, s, waits, seen };
  }));
  const loop = async (one: () => Promise<unknown>, until: number) => {
    let n = 0;
    while (performance.now() < until) {
      await one();
      n += 1;
    }
    return n;
  };
  /** Where each loop is, for the stall report. */
  const state = { starting: 0, waiting: new Set<string>() };
  const sdkClients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => new LangGraphClient({ apiUrl: `${url}/langgraph`, apiKey: (await createApiKey(db, `bench-sdk-${i}`)).key })));
  const throughput = async (kind: 'api' | 'sdk' | 'in-process') => {
    const t0 = performance.now();
    const until = t0 + SECONDS * 1000;
    // A run that never reports completion would hang the benchmark: say which, and stop.
    const watchdog = setInterval(() => {
      if (performance.now() < until + 60_000) return;
      console.error(`stalled in ${kind}: ${state.starting} starting, waiting for ${[...state.waiting].join(', ')}`);
      process.exit(2);
    }, 5000);
    const counts = await Promise.all(clients.map(({ c, waits, seen }, i) =>
      loop(kind === 'sdk'
        ? () => sdkStream(sdkClients[i]!)
        : kind === 'api'
        ? async () => {
            state.starting += 1;
            const { sessionId } = await c.orchestrate({ workflow: workflowId, request: { n: 0 } });
            state.starting -= 1;
            state.waiting.add(sessionId);
            if (!seen.delete(sessionId)) await new Promise<void>((resolve) => waits.set(sessionId, resolve));
            state.waiting.delete(sessionId);
            waits.delete(sessionId);
          }
        : async () => {
            state.starting += 1;
            const { id } = await sg.runs.start({ workflowId, request: { n: 0 }, owner: `bench-${i}` });
            state.starting -= 1;
            state.waiting.add(id);
            await bus.wait(id);
            state.waiting.delete(id);
          },
      until)));
    clearInterval(watchdog);
    return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
  };
  const rpsApi = await throughput('api');
  const rpsSdk = await throughput('sdk');
  const rpsBase = await throughput('in-process');

  const p50 = median(api1);
  console.log(`\nAPI latency and throughput: ${workflowId}, ${RUNS} rounds after ${WARMUP} warm-up; ${CLIENTS} clients for ${SECONDS} s each way`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, database ${db.kind}\n`);
  console.log(table([
    ['path', 'median ms', 'p99 ms', 'runs/s (50 clients)'],
    ['POST orchestrate -> workflow.completed over WS', ms(p50), ms(quantile(api1, 0.99)), rpsApi.toFixed(1)],
    ['runs.start -> completed on the bus (in-process)', ms(median(base1)), ms(quantile(base1, 0.99)), rpsBase.toFixed(1)],
    ['LangGraph SDK runs.stream (values) to its end', ms(median(sdk1)), ms(quantile(sdk1, 0.99)), rpsSdk.toFixed(1)],
    ['API - in-process (median of per-round differences)', ms(median(deltas)), ms(quantile(deltas, 0.99)), `ratio ${(rpsApi / rpsBase).toFixed(2)}`],
    ['SDK - API (median of per-round differences)', ms(median(sdkDeltas)), ms(quantile(sdkDeltas, 0.99)), `ratio ${(rpsSdk / rpsApi).toFixed(2)}`],
  ]));
  console.log(`SDK / REST+WS latency, ratio of medians: ${(median(sdk1) / p50).toFixed(2)}`);
  console.log(`\nmedian < ${TARGET_P50_MS} ms over the API: ${verdict(p50 < TARGET_P50_MS)}`);

  for (const { s } of clients) s.close();
  stream.close();
  await server.close();
  await sg.close();
  await db.close();
}

await main();
// A run lock released after `close()` can leave a connection open (reported to the lead): do not hang on exit.
process.exit(0);
