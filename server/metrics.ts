/**
 * Prometheus metrics (prom-client), one registry per server: runs by status (read
 * from `sg_runs` at scrape time), stage durations and decisions (observed from the
 * event bus), events by type (a counter: events per second is its rate), WebSocket
 * connections, HTTP request durations, circuit breaker states (read from
 * `sg.breakers.snapshot()` at scrape time), and the queue: its depth by workflow, how
 * long runs waited in it (last 5 minutes), runs running per executor (every worker, from
 * `sg_runs`) and runs executing in this process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunEvent } from '../graph/events/types.ts';
import type { Stagegraph } from '../graph/runtime.ts';
import type { BreakerState } from '../nodes/breakers.ts';
import type { RunDirectory } from './run-directory.ts';

/** `stagegraph_breaker_state` values. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2, isolated: 2 };

export class ServerMetrics {
  readonly registry = new Registry();
  readonly wsConnections: Gauge;
  /** Event frames sent over WebSockets; a plain number on the hot path, read at scrape time. */
  framesSent = 0;
  private readonly stageSeconds: Histogram;
  private readonly decisions: Counter;
  private readonly events: Counter;
  private readonly http: Histogram;
  private readonly unsubscribe: () => void;

  constructor(sg: Pick<Stagegraph, 'db' | 'bus'> & Partial<Pick<Stagegraph, 'breakers' | 'runs'>>, private readonly directory: RunDirectory) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'stagegraph_process_' });
    new Gauge({
      name: 'stagegraph_runs',
      help: 'Runs by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const { rows } = await sg.db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM sg_runs GROUP BY status');
        this.reset();
        for (const r of rows) this.set({ status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'stagegraph_queue_depth',
      help: 'Queued runs waiting for a worker, by workflow (pg-boss jobs created or retrying; none without the queue)',
      labelNames: ['workflow'],
      registers,
      async collect() {
        this.reset();
        const { rows } = await sg.db.pool
          .query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM pgboss.job WHERE state < 'active' AND name LIKE 'sg-run-%' GROUP BY name`)
          .catch(() => ({ rows: [] as { name: string; n: number }[] })); // no queue schema: nothing queued
        for (const r of rows) this.set({ workflow: r.name.slice('sg-run-'.length) }, r.n);
      },
    });
    new Gauge({
      name: 'stagegraph_runs_executing',
      help: 'Runs executing in this process',
      registers,
      collect() {
        this.set(sg.runs?.executing() ?? 0);
      },
    });
    new Gauge({
      name: 'stagegraph_runs_running_by_executor',
      help: 'Runs running, by the executor key of the process executing them (every worker, from sg_runs)',
      labelNames: ['executor'],
      registers,
      async collect() {
        const { rows } = await sg.db.pool.query<{ executor: number; n: number }>(
          `SELECT executor, count(*)::int AS n FROM sg_runs WHERE status = 'running' AND executor IS NOT NULL GROUP BY executor`);
        this.reset();
        for (const r of rows) this.set({ executor: String(r.executor) }, r.n);
      },
    });
    new Gauge({
      name: 'stagegraph_queue_wait_seconds',
      help: 'Time from queued to taken by a worker, over the runs taken in the last 5 minutes (quantiles 0.5 and 0.99)',
      labelNames: ['quantile'],
      registers,
      async collect() {
        const { rows } = await sg.db.pool.query<{ p50: number | null; p99: number | null }>(
          `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM taken_at - queued_at)) AS p50,
                  percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM taken_at - queued_at)) AS p99
             FROM sg_runs WHERE taken_at > now() - interval '5 minutes' AND queued_at IS NOT NULL AND taken_at >= queued_at`);
        this.reset();
        if (rows[0]?.p50 != null) this.set({ quantile: '0.5' }, Number(rows[0].p50));
        if (rows[0]?.p99 != null) this.set({ quantile: '0.99' }, Number(rows[0].p99));
      },
    });
    const breakers = () => sg.breakers?.snapshot() ?? [];
    new Gauge({
      name: 'stagegraph_breaker_state',
      help: 'Circuit breaker state by breaker: 0 closed, 1 half-open, 2 open (or isolated)',
      labelNames: ['name', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const b of breakers()) this.set({ name: b.name, kind: b.kind }, BREAKER_STATE_VALUE[b.state]);
      },
    });
    new Gauge({
      name: 'stagegraph_breaker_consecutive_failures',
      help: 'Consecutive counted failures of each circuit breaker (what opens it)',
      labelNames: ['name', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const b of breakers()) this.set({ name: b.name, kind: b.kind }, b.failures);
      },
    });
    this.stageSeconds = new Histogram({
      name: 'stagegraph_stage_duration_seconds',
      help: 'Stage execution durations (completed and failed attempts), from run events',
      labelNames: ['workflow', 'stage', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.decisions = new Counter({ name: 'stagegraph_decisions_total', help: 'Decisions made, by point and method', labelNames: ['point', 'method'], registers });
    this.events = new Counter({ name: 'stagegraph_events_total', help: 'Run events logged and published in this process, by type', labelNames: ['type'], registers });
    this.wsConnections = new Gauge({ name: 'stagegraph_ws_connections', help: 'Open WebSocket connections', registers });
    let reported = 0;
    const metrics = this;
    new Counter({
      name: 'stagegraph_ws_frames_sent_total',
      help: 'Event frames sent over WebSockets',
      registers,
      collect() {
        this.inc(metrics.framesSent - reported);
        reported = metrics.framesSent;
      },
    });
    this.http = new Histogram({
      name: 'stagegraph_http_request_duration_seconds',
      help: 'HTTP request durations by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.unsubscribe = sg.bus.subscribe('*', (e) => this.observe(e));
  }

  private observe(e: RunEvent): void {
    this.events.inc({ type: e.type });
    if (e.type === 'workflow.decision_made' && !e.payload.reused) {
      this.decisions.inc({ point: e.payload.decision.point, method: e.payload.decision.method });
    } else if (e.type === 'workflow.stage_changed' && e.payload.durationMs !== undefined && (e.payload.change === 'completed' || e.payload.change === 'failed')) {
      const { stage, change, durationMs } = e.payload;
      const record = (workflow: string) => this.stageSeconds.observe({ workflow, stage, outcome: change }, durationMs / 1000);
      const known = this.directory.peek(e.runId);
      if (known) record(known.workflowId);
      else void this.directory.lookup(e.runId).then((info) => record(info?.workflowId ?? 'unknown'), () => record('unknown'));
    }
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.unsubscribe();
  }
}
