/**
 * Announces this process's new events to every other process: `NOTIFY sg_events` with
 * the runs and seq ranges just made durable, coalesced over a short window. Servers
 * (`relay.ts`) read the rows from the event log and deliver them as if the runs
 * executed there.
 *
 * Not in the step statement, on purpose: a notifying transaction takes a cluster-wide
 * lock from its pre-commit to its commit, which serialized every run's step commits when
 * the step statement carried one. Here one small autocommit statement per window carries
 * every run's range, off the runs' critical path.
 *
 * Best effort by design: a notice lost (the process dies between a commit and its
 * notice, the statement fails) delays delivery, never loses it: relays sweep the log of
 * the runs they follow, and a stream that sees a gap reads the log.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { EventBus } from './bus.ts';
import type { RunEvent } from './types.ts';

export const EVENTS_CHANNEL = 'sg_events';

/** What one notification says: which process, and for each run the seqs it made durable. */
export interface EventsNotice {
  /** The sending process (`origin`): a relay skips its own. */
  from: string;
  /** `[runId, firstSeq, lastSeq]` per run. */
  runs: [string, number, number][];
}

/** Postgres refuses payloads of 8000 bytes or more; a run's entry is under 60. */
const MAX_RUNS_PER_NOTICE = 100;

export interface EventNotifierOptions {
  /** How long new events wait for others to share their notification. @default 5 */
  windowMs?: number;
  onError?: (error: unknown) => void;
}

/** A random id for this process's notices. */
export function newOrigin(): string {
  return randomBytes(6).toString('hex');
}

export class EventNotifier {
  private readonly pending = new Map<string, [number, number]>();
  private timer?: NodeJS.Timeout;
  private readonly off: () => void;
  private closed = false;

  constructor(private readonly pool: pg.Pool, bus: EventBus, readonly origin: string, private readonly options: EventNotifierOptions = {}) {
    this.off = bus.onLocal((events) => this.add(events));
  }

  private add(events: RunEvent[]): void {
    if (this.closed) return;
    for (const e of events) {
      const range = this.pending.get(e.runId);
      if (range) range[1] = Math.max(range[1], e.seq);
      else this.pending.set(e.runId, [e.seq, e.seq]);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.options.windowMs ?? 5);
  }

  /** Sends what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const runs = [...this.pending].map(([id, [first, last]]): [string, number, number] => [id, first, last]);
    this.pending.clear();
    for (let i = 0; i < runs.length; i += MAX_RUNS_PER_NOTICE) {
      const notice: EventsNotice = { from: this.origin, runs: runs.slice(i, i + MAX_RUNS_PER_NOTICE) };
      await this.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(notice)]).catch((e: unknown) => this.options.onError?.(e));
    }
  }

  /** Sends what is pending and stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.off();
    await this.flush();
  }
}
