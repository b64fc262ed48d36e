/**
 * Scale out, as OS processes on one fresh database: one API server
 * (`stagegraph serve --workers 0 --no-auth --port 0`), 1-3 workers
 * (`stagegraph worker --concurrency 4`), and a single-process `stagegraph serve` as the
 * baseline, all spawned from the sources (`bin/stagegraph.js` through tsx) in a temp
 * directory, with a 10-stage trivial workflow (`scale-trivial`) added through
 * `STAGEGRAPH_WORKFLOWS` beside the built-in flagship (h2-tank, demo request).
 *
 * The single-process server idles during the throughput drains (it relays their events).
 *
 * 1. Throughput: a batch of runs is started over REST while every worker is SIGSTOPped
 *    (queued, not taken), then the workers are SIGCONTed at t0; runs/s = batch / (last
 *    `workflow.completed` `at` - t0). Three workers are spawned and warmed by one drain
 *    of each workload; then 1, 2, 3, 3, 2, 1 of them drain (the others SIGSTOPped, idle),
 *    trivial and flagship. Over each drain: CPU cores used by the API server, the
 *    workers and this database's Postgres backends (/proc/<pid>/stat), the machine's
 *    busy share (/proc/stat, other tenants included), and what this database's active
 *    backends were waiting on (pg_stat_activity, sampled every 50 ms).
 * 2-4. Rounds, one run at a time, alternating first path per round: the run is started
 *    with `POST /api/agent/orchestrate` on the API server (executed by one idle worker)
 *    or on the single-process server; a raw `ws` client on that server subscribed to
 *    `'all'` stamps each frame on arrival (`Date.now()`).
 *    - fan-out: arrival - the event's `at` (stamped by the process recording the event;
 *      one machine clock; `at` has 1 ms resolution, so figures read up to 1 ms high);
 *    - queue-to-start: `workflow.started` `at` -> first `stage_changed` started `at`;
 *    - orchestrate -> completed: request sent -> `workflow.completed` frame arrived.
 *
 * Usage: `DATABASE_URL=… npm run bench:scale` (env: BENCH_BATCH=120 trivial runs per
 * drain, BENCH_FLAGSHIP_BATCH=24, BENCH_ROUNDS=30, BENCH_FLAGSHIP_ROUNDS=30, BENCH_WARMUP=3).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { RunEvent } from '../graph/events/types.ts';
import { stagegraph, type Proc } from '../test/support/processes.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';
import { freshDatabase, type FreshDatabase } from './support/fresh-database.ts';

const BATCH = Number(process.env.BENCH_BATCH ?? 120);
const FLAGSHIP_BATCH = Number(process.env.BENCH_FLAGSHIP_BATCH ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const FLAGSHIP_ROUNDS = Number(process.env.BENCH_FLAGSHIP_ROUNDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const TARGET_QUEUE_TO_START_P50_MS = 50;
const TARGET_RATIO = 1.2;
const TRIVIAL = 'scale-trivial';
const FLAGSHIP = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const CLK_TCK = 100;

type Workload = 'trivial' | 'flagship';
const body = (w: Workload, i: number) => (w === 'trivial' ? { workflow: TRIVIAL, request: { n: 0 } } : { request: FLAGSHIP, options: { seed: 1 + (i % 7) } });
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

// ---- processes ---------------------------------------------------------------

let env: Record<string, string> = {};
let cwd = '';
const procs: Proc[] = [];

async function spawnServer(args: string[]): Promise<{ proc: Proc; url: string }> {
  const proc = stagegraph(['serve', '--port', '0', '--no-auth', ...args], env, { cwd });
  procs.push(proc);
  return { proc, url: /listening on (http\S+)/.exec(await proc.line(/listening on (http\S+)/, 120_000))![1]! };
}

async function spawnWorker(): Promise<Proc> {
  const proc = stagegraph(['worker', '--concurrency', '4'], env, { cwd });
  procs.push(proc);
  await proc.line(/stagegraph worker \d+ taking runs/, 120_000);
  return proc;
}

async function stop(proc: Proc): Promise<void> {
  proc.child.kill('SIGCONT');
  proc.child.kill('SIGTERM');
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(killer);
}

async function orchestrate(url: string, w: Workload, i: number): Promise<string> {
  const res = await fetch(`${url}/api/agent/orchestrate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(w, i)) });
  if (res.status !== 202) throw new Error(`orchestrate: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

// ---- CPU and database waits over a window ------------------------------------

async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
  } catch {
    return undefined;
  }
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const [, ...v] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
}

interface Usage {
  /** CPU cores used, by role. */
  cores: Record<string, number>;
  machineBusy: number;
  /** Share of active-backend samples per wait ('on CPU' when none). */
  waits: [string, number][];
  meanActive: number;
}

class UsageProbe {
  private readonly pgFirst = new Map<number, number>();
  private readonly pgLast = new Map<number, number>();
  private readonly waits = new Map<string, number>();
  private active = 0;
  private samples = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private t0 = 0;
  private procStart = new Map<number, number>();
  private machineStart = { busy: 0, total: 0 };

  constructor(private readonly fresh: FreshDatabase, private readonly roles: Record<string, number[]>) {}

  async start(): Promise<void> {
    await this.sample(false);
    for (const pid of Object.values(this.roles).flat()) this.procStart.set(pid, (await cpuSeconds(pid)) ?? 0);
    this.machineStart = await machineTicks();
    this.t0 = performance.now();
    this.loop = (async () => {
      while (!this.stopped) {
        await this.sample(true);
        await sleep(50);
      }
    })();
  }

  private async sample(count: boolean): Promise<void> {
    const { rows } = await this.fresh.db.pool.query<{ pid: number; state: string; wait_event_type: string | null; wait_event: string | null }>(
      `SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, [this.fresh.name]);
    if (count) this.samples++;
    for (const r of rows) {
      const cpu = await cpuSeconds(r.pid);
      if (cpu !== undefined) {
        if (!this.pgFirst.has(r.pid)) this.pgFirst.set(r.pid, cpu);
        this.pgLast.set(r.pid, cpu);
      }
      if (!count || r.state !== 'active') continue;
      this.active++;
      // A LISTENing connection idles in ClientRead as 'idle'; 'active' rows are statements running.
      const key = r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'on CPU';
      this.waits.set(key, (this.waits.get(key) ?? 0) + 1);
    }
  }

  async stop(): Promise<Usage> {
    this.stopped = true;
    await this.loop;
    await this.sample(false);
    const seconds = (performance.now() - this.t0) / 1000;
    const machine = await machineTicks();
    const cores: Record<string, number> = {};
    for (const [role, pids] of Object.entries(this.roles)) {
      let used = 0;
      for (const pid of pids) used += ((await cpuSeconds(pid)) ?? 0) - this.procStart.get(pid)!;
      cores[role] = used / seconds;
    }
    let pg = 0;
    for (const [pid, last] of this.pgLast) pg += last - this.pgFirst.get(pid)!;
    cores.postgres = pg / seconds;
    const waits = [...this.waits].sort((a, b) => b[1] - a[1]).map(([k, n]): [string, number] => [k, n / Math.max(1, this.active)]);
    return { cores, machineBusy: (machine.busy - this.machineStart.busy) / (machine.total - this.machineStart.total), waits, meanActive: this.active / Math.max(1, this.samples) };
  }
}

// ---- 1. throughput -----------------------------------------------------------

interface Drain { workload: Workload; workers: number; runsPerSecond: number; seconds: number; usage: Usage }

async function drain(fresh: FreshDatabase, api: { proc: Proc; url: string }, workers: Proc[], w: Workload): Promise<Drain> {
  const n = w === 'trivial' ? BATCH : FLAGSHIP_BATCH;
  workers.forEach((p) => p.child.kill('SIGSTOP'));
  const ids: string[] = [];
  const senders = Array.from({ length: 8 }, async (_, s) => {
    for (let i = s; i < n; i += 8) ids.push(await orchestrate(api.url, w, i));
  });
  await Promise.all(senders);
  const probe = new UsageProbe(fresh, { api: [api.proc.pid], workers: workers.map((p) => p.pid) });
  await probe.start();
  const t0 = Date.now();
  workers.forEach((p) => p.child.kill('SIGCONT'));
  for (;;) {
    const { rows } = await fresh.db.pool.query<{ done: number; bad: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*) FILTER (WHERE status IN ('failed', 'aborted'))::int AS bad
         FROM sg_runs WHERE id = ANY($1::uuid[])`, [ids]);
    if (rows[0]!.bad > 0) throw new Error(`${rows[0]!.bad} ${w} runs did not complete`);
    if (rows[0]!.done === n) break;
    await sleep(50);
  }
  const usage = await probe.stop();
  const { rows } = await fresh.db.pool.query<{ last: Date }>(`SELECT max(at) AS last FROM sg_events WHERE run_id = ANY($1::uuid[]) AND type = 'workflow.completed'`, [ids]);
  const seconds = (rows[0]!.last.getTime() - t0) / 1000;
  return { workload: w, workers: workers.length, runsPerSecond: n / seconds, seconds, usage };
}

// ---- 2-4. rounds -------------------------------------------------------------

/** A raw WebSocket subscribed to every run: each event frame with its arrival time. */
class Watch {
  readonly frames = new Map<string, { e: RunEvent; t: number; p: number }[]>();
  private readonly waiters = new Set<() => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const t = Date.now();
      const p = performance.now();
      const f = JSON.parse(String(data)) as { type: string; event?: RunEvent };
      if (f.type !== 'event') return;
      const list = this.frames.get(f.event!.runId) ?? [];
      list.push({ e: f.event!, t, p });
      this.frames.set(f.event!.runId, list);
      this.waiters.forEach((w) => w());
    });
  }

  static async open(url: string): Promise<Watch> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/agent/progress`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const subscribed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(JSON.stringify({ type: 'subscribe', runIds: 'all' }));
    await subscribed;
    return new Watch(ws);
  }

  /** Resolves with the arrival time of the run's terminal frame. */
  ended(runId: string, timeoutMs = 120_000): Promise<{ e: RunEvent; t: number; p: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const end = this.frames.get(runId)?.find((f) => /^workflow\.(completed|failed|aborted)$/.test(f.e.type));
        if (end) (clearTimeout(timer), this.waiters.delete(check), resolve(end));
      };
      const timer = setTimeout(() => (this.waiters.delete(check), reject(new Error(`run ${runId} did not end within ${timeoutMs} ms`))), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

type Path = 'queued' | 'single';
/** Runs of the rounds that did not complete: reported, left out of the figures. */
const failures: string[] = [];
interface PathSamples { total: number[]; queueToStart: number[]; fanout: number[] }

async function round(w: Workload, i: number, url: string, watch: Watch, into: PathSamples | undefined): Promise<number> {
  const t0 = performance.now();
  const id = await orchestrate(url, w, i);
  const end = await watch.ended(id);
  const total = end.p - t0;
  if (end.e.type !== 'workflow.completed') {
    failures.push(`${w} run ${id} on ${url} ended ${end.e.type}: ${JSON.stringify(end.e.payload)}`);
    console.error(failures.at(-1));
    return Number.NaN;
  }
  if (!into) return total;
  const frames = watch.frames.get(id)!;
  into.total.push(total);
  into.fanout.push(...frames.map((f) => f.t - Date.parse(f.e.at)));
  const started = frames.find((f) => f.e.type === 'workflow.started');
  const first = frames.find((f) => f.e.type === 'workflow.stage_changed' && (f.e.payload as { change?: string }).change === 'started');
  if (started && first) into.queueToStart.push(Date.parse(first.e.at) - Date.parse(started.e.at));
  return total;
}

async function rounds(w: Workload, count: number, paths: Record<Path, { url: string; watch: Watch }>): Promise<{ samples: Record<Path, PathSamples>; ratios: number[] }> {
  const samples: Record<Path, PathSamples> = { queued: { total: [], queueToStart: [], fanout: [] }, single: { total: [], queueToStart: [], fanout: [] } };
  const ratios: number[] = [];
  for (let i = 0; i < WARMUP + count; i++) {
    const order: Path[] = i % 2 === 0 ? ['queued', 'single'] : ['single', 'queued'];
    const got: Partial<Record<Path, number>> = {};
    for (const p of order) got[p] = await round(w, i, paths[p].url, paths[p].watch, i < WARMUP ? undefined : samples[p]);
    if (i >= WARMUP && !Number.isNaN(got.queued! / got.single!)) ratios.push(got.queued! / got.single!);
  }
  return { samples, ratios };
}

// ---- main --------------------------------------------------------------------

const cores = (u: Usage, role: string) => u.cores[role]!.toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const p50p99 = (v: number[]) => `${ms(median(v))} / ${ms(quantile(v, 0.99))}`;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const fresh = await freshDatabase('sg_scale');
  cwd = await mkdtemp(join(tmpdir(), 'sg-scale-'));
  const trivialModule = fileURLToPath(new URL('./support/trivial-workflow.ts', import.meta.url));
  await writeFile(join(cwd, 'workflows.mts'), `import { trivialWorkflow } from ${JSON.stringify(trivialModule)};\nexport default [trivialWorkflow(${JSON.stringify(TRIVIAL)}, 10, () => undefined)];\n`);
  env = { DATABASE_URL: fresh.url, STAGEGRAPH_WORKFLOWS: join(cwd, 'workflows.mts') };
  try {
    // Every process is spawned up front, from the same sources: one started later from a
    // changed tree could migrate the schema under the others.
    const api = await spawnServer(['--workers', '0']);
    const single = await spawnServer([]);
    const workers: Proc[] = [];
    for (let k = 0; k < 3; k++) workers.push(await spawnWorker());

    // 1. Throughput. A warm-up drain on all 3 workers first (JIT, tsx's compile, pools); then
    // 1 -> 2 -> 3 -> 3 -> 2 -> 1 workers, the idle ones SIGSTOPped for the drain (holding nothing).
    for (const w of ['trivial', 'flagship'] as Workload[]) await drain(fresh, api, workers, w);
    const drains: Drain[] = [];
    for (const count of [1, 2, 3, 3, 2, 1]) {
      const idle = workers.slice(count);
      idle.forEach((p) => p.child.kill('SIGSTOP'));
      for (const w of ['trivial', 'flagship'] as Workload[]) {
        const d = await drain(fresh, api, workers.slice(0, count), w);
        drains.push(d);
        console.error(`drained ${w} with ${count} worker(s): ${d.runsPerSecond.toFixed(1)} runs/s`);
      }
      idle.forEach((p) => p.child.kill('SIGCONT'));
    }

    // 2-4. One run at a time: API server + 1 idle worker vs a single-process server.
    while (workers.length > 1) await stop(workers.pop()!);
    const paths = { queued: { url: api.url, watch: await Watch.open(api.url) }, single: { url: single.url, watch: await Watch.open(single.url) } };
    const trivial = await rounds('trivial', ROUNDS, paths);
    console.error('trivial rounds done');
    const flagship = await rounds('flagship', FLAGSHIP_ROUNDS, paths);
    Object.values(paths).forEach((p) => p.watch.ws.close());

    // ---- report ----
    console.log(`\nScale out: processes from the sources (bin/stagegraph.js via tsx), one fresh database ${fresh.name} on ${fresh.server}`);
    console.log(`load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)\n`);
    console.log(`1. Throughput: ${BATCH} trivial (10 stages) / ${FLAGSHIP_BATCH} flagship runs queued through the API server while the workers are stopped, then drained;`);
    console.log('   runs/s = batch / (last workflow.completed at - SIGCONT). CPU in cores over the drain; postgres = this database\'s backends;');
    console.log('   waits = share of sampled active backends of this database per wait event (every 50 ms).\n');
    const rows = [['workload', 'workers x4', 'runs/s', 'wall s', 'api', 'workers', 'postgres', 'machine busy', 'active backends', 'top waits']];
    for (const d of drains) {
      rows.push([d.workload, String(d.workers), d.runsPerSecond.toFixed(1), d.seconds.toFixed(1), cores(d.usage, 'api'), cores(d.usage, 'workers'), cores(d.usage, 'postgres'),
        pct(d.usage.machineBusy), d.usage.meanActive.toFixed(1), d.usage.waits.slice(0, 3).map(([k, s]) => `${k} ${pct(s)}`).join(', ')]);
    }
    console.log(table(rows));
    const summary = [['workload', 'workers', 'runs/s median [range]', 'vs 1 worker']];
    for (const w of ['trivial', 'flagship'] as Workload[]) {
      const base = median(drains.filter((d) => d.workload === w && d.workers === 1).map((d) => d.runsPerSecond));
      for (const count of [1, 2, 3]) {
        const r = drains.filter((d) => d.workload === w && d.workers === count).map((d) => d.runsPerSecond);
        summary.push([w, String(count), `${median(r).toFixed(1)} [${Math.min(...r).toFixed(1)}-${Math.max(...r).toFixed(1)}]`, (median(r) / base).toFixed(2)]);
      }
    }
    console.log(`\n${table(summary)}\n`);

    console.log(`2-4. One run at a time, ${ROUNDS} trivial / ${FLAGSHIP_ROUNDS} flagship rounds after ${WARMUP} warm-up, first path alternating:`);
    console.log('   queued = POST on the API server (--workers 0), executed by 1 idle worker process; single = POST on a single-process `serve`.');
    console.log('   total = POST sent -> workflow.completed frame arrived; queue-to-start = workflow.started at -> first stage started at;');
    console.log('   fan-out = frame arrival - event at, every event of the run (cross-process relay for queued, in-process bus for single).\n');
    const lat = [['workload', 'path', 'total p50 / p90 ms', 'queue-to-start p50 / p99 ms', 'fan-out p50 / p99 ms', 'frames']];
    for (const [w, r] of [['trivial', trivial], ['flagship', flagship]] as const) {
      for (const p of ['queued', 'single'] as Path[]) {
        const s = r.samples[p];
        lat.push([w, p, `${ms(median(s.total))} / ${ms(quantile(s.total, 0.9))}`, p50p99(s.queueToStart), p50p99(s.fanout), String(s.fanout.length)]);
      }
    }
    console.log(table(lat));
    const verdicts = [['target', 'measured', 'verdict']];
    for (const [w, r] of [['trivial', trivial], ['flagship', flagship]] as const) {
      const q = median(r.samples.queued.queueToStart);
      verdicts.push([`${w}: queue-to-start p50 < ${TARGET_QUEUE_TO_START_P50_MS} ms (idle worker)`, `${ms(q)} ms`, verdict(q < TARGET_QUEUE_TO_START_P50_MS)]);
      const ratio = median(r.ratios);
      verdicts.push([`${w}: orchestrate -> completed, queued / single (median of per-round ratios) <= ${TARGET_RATIO}`,
        `${ratio.toFixed(2)} (ratio of medians ${(median(r.samples.queued.total) / median(r.samples.single.total)).toFixed(2)})`, verdict(ratio <= TARGET_RATIO)]);
    }
    console.log(`\n${table(verdicts)}`);
    if (failures.length) console.log(`\n${failures.length} round run(s) did not complete (left out above):\n${failures.join('\n')}`);
  } finally {
    await Promise.all(procs.map(stop));
    await fresh.drop();
    await rm(cwd, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
