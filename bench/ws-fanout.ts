/**
 * WebSocket fan-out: delivery latency from the moment an event is published on the
 * bus (it is durable then) to the moment each subscriber's `message` handler sees
 * it. Subscribers run in a child process (their parsing does not share the server's
 * event loop) and subscribe to `'all'` of one owner; the run is started through
 * `POST /api/agent/orchestrate` and one stage emits BENCH_EVENTS custom events, one
 * every BENCH_INTERVAL_MS. Both processes stamp with `performance.timeOrigin +
 * performance.now()` (the same clock on one machine). The same run is measured with
 * 1 subscriber and with BENCH_SUBSCRIBERS, side by side. A diagnostic column shows
 * the server's share: from publication until the hub has handed the event to every
 * socket (`ws.send` returned for each).
 *
 * Usage: `DATABASE_URL=… npx tsx bench/ws-fanout.ts` (env: BENCH_SUBSCRIBERS=1000,
 * BENCH_EVENTS=100, BENCH_INTERVAL_MS=20).
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import WebSocket from 'ws';
import { z } from 'zod';
import { createStagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { createApiKey, createServer } from '../server/index.ts';
import { openBenchDatabase } from './database.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 20);
const TARGET_P99_MS = 100;

const now = () => performance.timeOrigin + performance.now();

type FromChild = { type: 'ready' } | { type: 'done'; samples: [string, number][] } | { type: 'failed'; message: string };

// ---- child: the subscribers --------------------------------------------------

async function subscribers(url: string, token: string, count: number): Promise<void> {
  const received: [string, number][] = [];
  let completed = 0;
  let acks = 0;
  const sockets = Array.from({ length: count }, () => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', runIds: 'all' })));
    ws.on('message', (data) => {
      const t = now();
      const f = JSON.parse(String(data)) as { type: string; event?: { runId: string; seq: number; type: string } };
      if (f.type === 'subscribed' && ++acks === count) process.send!({ type: 'ready' } satisfies FromChild);
      if (f.type !== 'event' || !f.event) return;
      received.push([`${f.event.runId}:${f.event.seq}`, t]);
      if (f.event.type === 'workflow.completed' && ++completed === count) {
        process.send!({ type: 'done', samples: received } satisfies FromChild, () => {
          for (const s of sockets) s.terminate();
          process.exit(0);
        });
      }
    });
    ws.on('error', (e) => process.send!({ type: 'failed', message: String(e) } satisfies FromChild));
    return ws;
  });
}

// ---- parent: server, run, statistics -----------------------------------------

const N = z.object({ n: z.number() });
const workflow = defineWorkflow({
  id: 'fanout-bench',
  description: 'one stage emitting events at a fixed rate',
  stages: [{
    name: 'emit', version: '1.0.0', description: 'emits', capabilities: ['bench'], input: N, output: N, policy: { timeoutMs: 600_000 },
    run: async ({ n }: { n: number }, ctx: { emit(name: string, data: Record<string, unknown>): void }) => {
      for (let i = 0; i < EVENTS; i++) {
        ctx.emit('tick', { i });
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
      }
      return { n };
    },
  }],
  edges: [{ from: START, to: 'emit' }, { from: 'emit', to: END }],
});

async function measure(url: string, token: string, count: number, published: Map<string, number>, start: () => Promise<string>): Promise<{ latencies: number[]; runId: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['subscribers', url, token, String(count)], { execArgv: ['--import', 'tsx'] });
  const messages: FromChild[] = [];
  let wake: () => void = () => undefined;
  child.on('message', (m: FromChild) => {
    messages.push(m);
    wake();
  });
  const next = async (type: FromChild['type']) => {
    for (;;) {
      const m = messages.find((x) => x.type === type || x.type === 'failed');
      if (m?.type === 'failed') throw new Error(m.message);
      if (m) return m;
      await new Promise<void>((r) => (wake = r));
    }
  };
  await next('ready');
  const runId = await start();
  const done = (await next('done')) as Extract<FromChild, { type: 'done' }>;
  const latencies = done.samples.filter(([k]) => k.startsWith(runId)).map(([k, t]) => t - published.get(k)!);
  return { latencies, runId };
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const sg = await createStagegraph({ workflows: [workflow], database: db, recover: false });
  // Stamp publication before the server's hub subscribes, so the stamp precedes every send.
  const published = new Map<string, number>();
  sg.bus.subscribe('*', (e) => published.set(`${e.runId}:${e.seq}`, now()));
  const server = createServer({ stagegraph: sg, logger: pino({ level: 'silent' }), limits: { rateLimit: false, maxConnections: SUBSCRIBERS + 10 } });
  // Listeners run in subscription order: this one runs once the hub has handed the event to every socket.
  const handedOff: number[] = [];
  sg.bus.subscribe('*', (e) => handedOff.push(now() - published.get(`${e.runId}:${e.seq}`)!));
  const { url } = await server.listen(0);
  const wsUrl = `${url.replace(/^http/, 'ws')}/api/agent/progress`;
  const rows: string[][] = [['subscribers', 'frames', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'server hand-off p50 / p99 ms']];
  const results: Record<number, number[]> = {};
  for (const count of [1, SUBSCRIBERS]) {
    const token = (await createApiKey(db, `fanout-${count}`)).key;
    const start = async () => {
      const res = await fetch(`${url}/api/agent/orchestrate`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: 'fanout-bench', request: { n: 0 } }),
      });
      return ((await res.json()) as { sessionId: string }).sessionId;
    };
    handedOff.length = 0;
    const { latencies } = await measure(wsUrl, token, count, published, start);
    results[count] = latencies;
    rows.push([String(count), String(latencies.length), ms(median(latencies)), ms(quantile(latencies, 0.9)), ms(quantile(latencies, 0.99)), ms(Math.max(...latencies)),
      `${ms(median(handedOff))} / ${ms(quantile(handedOff, 0.99))}`]);
  }
  const p99 = quantile(results[SUBSCRIBERS]!, 0.99);
  console.log(`\nWebSocket fan-out: ${EVENTS} events every ${INTERVAL_MS} ms (plus the run's own), bus publish -> subscriber message`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, database ${db.kind}\n`);
  console.log(table(rows));
  console.log(`\n${SUBSCRIBERS}-subscriber p99 / 1-subscriber p99: ${(p99 / quantile(results[1]!, 0.99)).toFixed(1)}`);
  console.log(`${SUBSCRIBERS}-subscriber p99 < ${TARGET_P99_MS} ms: ${verdict(p99 < TARGET_P99_MS)}`);
  await server.close();
  await sg.close();
  await db.close();
}

if (process.argv[2] === 'subscribers') await subscribers(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else {
  await main();
  // A run lock released after `close()` can leave a connection open (reported to the lead): do not hang on exit.
  process.exit(0);
}
