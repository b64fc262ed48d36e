/**
 * Delivers, on this process's bus, the events of runs executing in other processes:
 * LISTENs on `sg_events` (see `notify.ts`) on a dedicated connection (`Listener`), and for each
 * run a notice names reads the new rows from the event log, in seq order, and relays
 * them. The bus's subscribers (the WebSocket hub, a CLI following a run) then see them
 * as if the run executed here; the hub's streams drop what they already sent by seq and
 * read the log on a gap, so exactly once and in order hold across processes.
 *
 * Notices are best effort, so the relay also sweeps: every `sweepMs` (and at once after
 * its connection comes back) it compares the log's last seq of each run it follows with
 * what it relayed, and catches up. A run is followed from its first notice until its
 * terminal event, or until it has been quiet for `forgetAfterMs`.
 */
import type pg from 'pg';
import { Listener } from '../store/listener.ts';
import type { EventBus } from './bus.ts';
import type { EventLog } from './log.ts';
import { EVENTS_CHANNEL, type EventsNotice } from './notify.ts';
import { TERMINAL_EVENTS } from './types.ts';

export interface EventRelayOptions {
  /** This process's notifier origin: its own notices are skipped (the bus had those events first). */
  origin: string;
  /** @default 1000 */
  sweepMs?: number;
  /** @default 600000 (10 minutes) */
  forgetAfterMs?: number;
  onError?: (error: unknown, context: string) => void;
}

interface Followed {
  /** The last seq relayed. */
  seq: number;
  /** The last seq a notice or a sweep said the log has. */
  known: number;
  /** When a notice last named the run. */
  seen: number;
  /** The read in flight, if any (one per run: relays stay in seq order). */
  reading?: Promise<void>;
}

export class EventRelay {
  private readonly listener: Listener;
  private readonly runs = new Map<string, Followed>();
  private sweeper?: NodeJS.Timeout;
  private closed = false;

  constructor(
    url: string,
    private readonly pool: pg.Pool,
    private readonly log: Pick<EventLog, 'since'>,
    private readonly bus: EventBus,
    private readonly options: EventRelayOptions,
  ) {
    this.listener = new Listener(url, {
      channels: [EVENTS_CHANNEL],
      onNotification: (_, payload) => this.notice(payload),
      // Notices sent while the connection was down are lost: catch up from the log.
      onReconnect: () => void this.sweep(),
      onError: options.onError,
    });
  }

  /** Connects and LISTENs; resolves once notices arrive. */
  async start(): Promise<void> {
    await this.listener.start();
    this.sweeper = setInterval(() => void this.sweep(), this.options.sweepMs ?? 1000);
    this.sweeper.unref();
  }

  private notice(payload: string): void {
    let notice: EventsNotice;
    try {
      notice = JSON.parse(payload) as EventsNotice;
    } catch {
      return; // nothing of ours sends a malformed notice
    }
    if (notice.from === this.options.origin || !Array.isArray(notice.runs)) return;
    const now = Date.now();
    for (const [runId, first, last] of notice.runs) {
      let f = this.runs.get(runId);
      // A run first seen now is followed from its first new event, not its whole history.
      if (!f) this.runs.set(runId, (f = { seq: first - 1, known: last, seen: now }));
      f.known = Math.max(f.known, last);
      f.seen = now;
      if (f.known > f.seq) this.read(runId, f);
    }
  }

  /** Reads and relays what the log has after what was relayed; one read per run at a time. */
  private read(runId: string, f: Followed): void {
    if (f.reading) return;
    f.reading = (async () => {
      try {
        while (!this.closed && f.known > f.seq) {
          const events = await this.log.since(runId, f.seq);
          if (events.length === 0) return;
          f.seq = events.at(-1)!.seq;
          f.known = Math.max(f.known, f.seq);
          this.bus.relay(events);
          if (events.some((e) => TERMINAL_EVENTS.has(e.type))) {
            this.runs.delete(runId);
            return;
          }
        }
      } catch (e) {
        this.options.onError?.(e, `event relay: reading run ${runId}`);
      } finally {
        f.reading = undefined;
      }
    })();
  }

  /** Catches up every followed run whose log is ahead of what was relayed; forgets quiet runs. */
  private async sweep(): Promise<void> {
    if (this.closed || this.runs.size === 0) return;
    const now = Date.now();
    for (const [id, f] of this.runs) if (now - f.seen > (this.options.forgetAfterMs ?? 600_000) && !f.reading) this.runs.delete(id);
    const ids = [...this.runs.keys()];
    if (ids.length === 0) return;
    try {
      const { rows } = await this.pool.query<{ run_id: string; last: number }>(
        'SELECT run_id, max(seq)::int AS last FROM sg_events WHERE run_id = ANY($1::uuid[]) GROUP BY run_id',
        [ids],
      );
      for (const r of rows) {
        const f = this.runs.get(r.run_id);
        if (!f || r.last <= f.seq) continue;
        f.known = Math.max(f.known, r.last);
        this.read(r.run_id, f);
      }
    } catch (e) {
      this.options.onError?.(e, 'event relay: sweeping');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await this.listener.close();
    await Promise.all([...this.runs.values()].map((f) => f.reading));
  }
}
