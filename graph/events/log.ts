/**
 * The event log: every RunEvent lives in `sg_events` with a gap-free per-run `seq`,
 * appended by the run's recorder (`graph/record/recorder.ts`) in the statement that
 * records the step it belongs to, and published in-process once committed.
 */
import type pg from 'pg';
import { RunRecorder, type RecorderOptions } from '../record/recorder.ts';
import type { EventBus } from './bus.ts';
import type { RunEvent } from './types.ts';

export function toEvent(r: { run_id: string; seq: number; type: string; at: Date; payload: unknown }): RunEvent {
  return { runId: r.run_id, seq: r.seq, at: r.at.toISOString(), type: r.type, payload: r.payload } as RunEvent;
}

export class EventLog {
  private readonly recorders = new Map<string, RunRecorder>();

  constructor(private readonly pool: pg.Pool, readonly bus: EventBus, private readonly options: RecorderOptions = {}) {}

  /** Events of a run with `seq > since`, in order. */
  async since(runId: string, since = 0, limit = 10_000): Promise<RunEvent[]> {
    const { rows } = await this.pool.query(
      'SELECT run_id, seq, type, at, payload FROM sg_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [runId, since, limit],
    );
    return rows.map(toEvent);
  }

  /** The one writer of a run in this process (other processes are fenced out). */
  recorder(runId: string): RunRecorder {
    let r = this.recorders.get(runId);
    if (!r) this.recorders.set(runId, (r = new RunRecorder(this.pool, this.bus, runId, this.options)));
    return r;
  }

  /** Forgets a run's writer once the run is not held here. */
  release(runId: string): void {
    const r = this.recorders.get(runId);
    if (r && r.fence === undefined) this.recorders.delete(runId);
  }
}

export type { RunRecorder } from '../record/recorder.ts';
