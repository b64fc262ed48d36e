/**
 * The event log: every RunEvent is appended to `sg_events` with a gap-free per-run
 * `seq` before it is published in-process. Appends are batched (one multi-row INSERT
 * per flush, one flush in flight per run), so a run never waits on its own events.
 * Seqs are assigned at flush time from the log itself, so a crash leaves no gap.
 */
import type pg from 'pg';
import type { EventBus } from './bus.ts';
import type { RunEvent, RunEventDraft } from './types.ts';

/** What a flush may change on the run row. */
export interface RowPatch {
  currentStage?: string;
  progress?: number;
  etaMs?: number;
  degraded?: boolean;
}

export interface StageSample {
  workflowId: string;
  stage: string;
  runId: string;
  durationMs: number;
  ok: boolean;
  attempt: number;
}

function toEvent(r: { run_id: string; seq: number; type: string; at: Date; payload: unknown }): RunEvent {
  return { runId: r.run_id, seq: r.seq, at: r.at.toISOString(), type: r.type, payload: r.payload } as RunEvent;
}

export class EventLog {
  constructor(private readonly pool: pg.Pool, readonly bus: EventBus) {}

  /** Events of a run with `seq > since`, in order. */
  async since(runId: string, since = 0, limit = 10_000): Promise<RunEvent[]> {
    const { rows } = await this.pool.query(
      'SELECT run_id, seq, type, at, payload FROM sg_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [runId, since, limit],
    );
    return rows.map(toEvent);
  }

  private readonly recorders = new Map<string, RunRecorder>();

  /** The one writer of a run in this process (other processes are fenced by the run lock). */
  recorder(runId: string): RunRecorder {
    let r = this.recorders.get(runId);
    if (!r) this.recorders.set(runId, (r = new RunRecorder(this.pool, this.bus, runId)));
    return r;
  }

  /** Forgets a run's writer once it is flushed and the run is not executing here. */
  async release(runId: string): Promise<void> {
    const r = this.recorders.get(runId);
    if (!r) return;
    await r.flush().catch(() => undefined);
    this.recorders.delete(runId);
  }
}

export class RunRecorder {
  private queue: { draft: RunEventDraft; at: Date }[] = [];
  private samples: StageSample[] = [];
  private row: RowPatch | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown;

  constructor(private readonly pool: pg.Pool, private readonly bus: EventBus, readonly runId: string) {}

  push(draft: RunEventDraft): void {
    this.queue.push({ draft, at: new Date() });
    this.schedule();
  }

  sample(s: StageSample): void {
    this.samples.push(s);
    this.schedule();
  }

  /** Updates the run row (stage, progress, ETA) in the same round trip as the next events. */
  patch(p: RowPatch): void {
    this.row = { ...this.row, ...p, degraded: Boolean(this.row?.degraded || p.degraded) || undefined };
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Wait one macrotask so that a burst of events (a superstep's) shares one statement.
    this.flushing = this.flushing.then(
      () =>
        new Promise<void>((done) =>
          setImmediate(() => {
            this.scheduled = false;
            void this.write().then(done);
          }),
        ),
    );
  }

  /** Resolves when everything pushed so far is durable and published. */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
  }

  /** One statement per flush: the events (gap-free seqs from the log), stage samples and the run row. */
  private async write(): Promise<void> {
    const batch = this.queue;
    const samples = this.samples;
    const row = this.row;
    this.queue = [];
    this.samples = [];
    this.row = undefined;
    if (batch.length === 0 && samples.length === 0 && !row) return;
    try {
      const { rows } = await this.pool.query(
        `WITH base AS (SELECT COALESCE(MAX(seq), 0) AS s FROM sg_events WHERE run_id = $1),
         stats AS (
           INSERT INTO sg_stage_stats (workflow_id, stage, run_id, duration_ms, ok, attempt)
           SELECT * FROM unnest($5::text[], $6::text[], $7::uuid[], $8::real[], $9::boolean[], $10::int[])),
         progress AS (
           UPDATE sg_runs SET current_stage = COALESCE($12, current_stage), progress = COALESCE($13, progress),
             eta_ms = COALESCE($14, eta_ms), degraded = degraded OR COALESCE($15, false), updated_at = now()
           WHERE id = $1 AND $11)
         INSERT INTO sg_events (run_id, seq, type, at, payload)
         SELECT $1, base.s + e.ord, e.type, e.at, e.payload
           FROM base, unnest($2::text[], $3::timestamptz[], $4::jsonb[]) WITH ORDINALITY AS e(type, at, payload, ord)
         RETURNING run_id, seq, type, at, payload`,
        [
          this.runId, batch.map((b) => b.draft.type), batch.map((b) => b.at), batch.map((b) => JSON.stringify(b.draft.payload)),
          samples.map((x) => x.workflowId), samples.map((x) => x.stage), samples.map((x) => x.runId),
          samples.map((x) => x.durationMs), samples.map((x) => x.ok), samples.map((x) => x.attempt),
          row !== undefined, row?.currentStage ?? null, row?.progress ?? null, row?.etaMs ?? null, row?.degraded ?? null,
        ],
      );
      this.bus.publish(rows.map(toEvent).sort((a, b) => a.seq - b.seq));
    } catch (e) {
      this.failure ??= e;
    }
  }
}
