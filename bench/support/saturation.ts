/**
 * What a load phase saturates, sampled while it runs: this process's CPU
 * (`process.cpuUsage()`) and event-loop utilisation, the machine's CPU (`os.cpus()`),
 * a pg pool's waiting queue (`pool.waitingCount`) and size, and what the database's
 * backends are doing (`pg_stat_activity`, sampled on a connection of its own).
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export interface Saturation {
  seconds: number;
  /** Process CPU (user + system) over wall time; 1 = one core busy. */
  processCpu: number;
  /** Event-loop utilisation of this thread (0-1). */
  eventLoop: number;
  /** Machine CPU busy over all cores (0-1), every process included. */
  machineCpu: number;
  cores: number;
  poolMax: number;
  /** Connections open in the pool, max over samples. */
  poolOpenMax: number;
  /** Callers waiting for a pool connection: mean and max over samples. */
  poolWaitingMean: number;
  poolWaitingMax: number;
  /** Mean backends of the database per state over samples (excluding the sampler's own). */
  backends: { activeCpu: number; activeIo: number; activeLwlock: number; activeLock: number; idleInTransaction: number; idle: number };
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

/** Samples from now until `stop()`; `url` is the database whose backends are watched. */
export async function sampleSaturation(pool: pg.Pool, url: string, everyMs = 20): Promise<{ stop(): Promise<Saturation> }> {
  const monitor = new pg.Client({ connectionString: url });
  monitor.on('error', () => undefined);
  await monitor.connect();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const m0 = cpuTimes();
  const waiting: number[] = [];
  let openMax = 0;
  const b = { activeCpu: 0, activeIo: 0, activeLwlock: 0, activeLock: 0, idleInTransaction: 0, idle: 0 };
  let dbSamples = 0;
  let querying = false;
  const tick = setInterval(() => {
    waiting.push(pool.waitingCount);
    openMax = Math.max(openMax, pool.totalCount);
    if (querying) return;
    querying = true;
    monitor.query<{ state: string | null; wait_event_type: string | null }>(
      'SELECT state, wait_event_type FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    ).then(({ rows }) => {
      dbSamples++;
      for (const r of rows) {
        if (r.state === 'active') {
          if (r.wait_event_type === 'IO') b.activeIo++;
          else if (r.wait_event_type === 'LWLock') b.activeLwlock++;
          else if (r.wait_event_type === 'Lock') b.activeLock++;
          else b.activeCpu++;
        } else if (r.state?.startsWith('idle in transaction')) b.idleInTransaction++;
        else b.idle++;
      }
    }, () => undefined).finally(() => {
      querying = false;
    });
  }, everyMs);
  return {
    async stop() {
      clearInterval(tick);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0);
      const m1 = cpuTimes();
      await monitor.end().catch(() => undefined);
      const per = (n: number) => (dbSamples ? n / dbSamples : Number.NaN);
      return {
        seconds,
        processCpu: (cpu.user + cpu.system) / 1e6 / seconds,
        eventLoop: elu.utilization,
        machineCpu: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
        cores: cpus().length,
        poolMax: pool.options.max ?? 10,
        poolOpenMax: openMax,
        poolWaitingMean: waiting.length ? waiting.reduce((a, x) => a + x, 0) / waiting.length : 0,
        poolWaitingMax: waiting.length ? Math.max(...waiting) : 0,
        backends: {
          activeCpu: per(b.activeCpu), activeIo: per(b.activeIo), activeLwlock: per(b.activeLwlock),
          activeLock: per(b.activeLock), idleInTransaction: per(b.idleInTransaction), idle: per(b.idle),
        },
      };
    },
  };
}

/** Which limits a phase hit, by plain thresholds on the samples (an inference, printed as such). */
export function ceilingReasons(s: Saturation): string[] {
  const out: string[] = [];
  if (s.eventLoop >= 0.9) out.push(`this process's JS thread (event loop ${(s.eventLoop * 100).toFixed(0)}% busy)`);
  if (s.poolWaitingMean >= 1) out.push(`the connection pool (max ${s.poolMax}; ${s.poolWaitingMean.toFixed(0)} callers waiting on average)`);
  if (s.machineCpu >= 0.9) out.push(`the machine's ${s.cores} cores (${(s.machineCpu * 100).toFixed(0)}% busy, Postgres and every process included)`);
  if (s.backends.idleInTransaction >= s.poolMax / 2) out.push(`connections held in open transactions while Postgres waits for this process's next statement (${s.backends.idleInTransaction.toFixed(1)} idle in transaction on average)`);
  if (s.backends.activeIo + s.backends.activeLwlock >= 1) out.push('Postgres commit I/O (backends waiting on WAL I/O or WAL locks)');
  if (out.length === 0) out.push('none of CPU, pool or WAL: latency-bound (round trips and commits in sequence)');
  return out;
}
