/**
 * Turns the event log into deliveries. Hooks are sourced from the log's events, never
 * from the step record path, and the durable cursor (`sg_hook_cursors`) says how far a
 * run's log has been turned into deliveries.
 *
 * The cheap path: the events this process's bus hands over (durable already) are
 * followed in memory, in seq order; a batch that some enabled hook listens to becomes
 * one statement (its deliveries, one per hook and seq). The cursor is written with
 * deliveries and when the run stops here (paused, waiting, ended), not at every step.
 * A gap, or a run first seen mid-way, is read from the log after the durable cursor.
 *
 * The safety net: a process that dies between a step's commit and its publication (or
 * before writing a cursor) loses nothing: every `sweepMs` a sweep finds runs updated
 * within `horizonMs` whose log is ahead of their cursor, and not followed here, and
 * derives them from the log. Deriving twice is harmless.
 */
import type { EventBus } from '../events/bus.ts';
import type { EventLog } from '../events/log.ts';
import { TERMINAL_EVENTS, type RunEvent } from '../events/types.ts';
import type { DeliveryStore } from './deliveries.ts';
import { hookEventOf, type HookEvent } from './types.ts';

export interface DerivePolicy {
  /** How often to look for runs whose log is ahead of their deliveries. @default 5000 */
  sweepMs: number;
  /** How far back (by the run's last update) the sweep looks. @default 86400000 (a day) */
  horizonMs: number;
}

const PAGE = 1000;
/** A followed run quiet this long is forgotten (its next event, if any, is read from the log). */
const FORGET_AFTER_MS = 60_000;

interface Followed {
  /** Derived up to this seq; undefined until read from the cursor. */
  seq?: number;
  /** Events handed over by the bus, not derived yet. */
  queue: RunEvent[];
  seen: number;
}

/** Events after which the run stops executing here: the cursor is written and the run forgotten. */
const stops = (e: RunEvent) => TERMINAL_EVENTS.has(e.type) || e.type === 'workflow.paused';

export class HookDeriver {
  private readonly followed = new Map<string, Followed>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private off?: () => void;
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private closed = false;

  constructor(
    private readonly log: Pick<EventLog, 'since'>,
    private readonly deliveries: DeliveryStore,
    private readonly policy: DerivePolicy,
    /** Whether an enabled asynchronous hook listens to `event` (any event without one): the process's directory. */
    private readonly listened: (event?: HookEvent) => boolean,
    private readonly refresh: () => Promise<void>,
    /** Told that new deliveries exist. */
    private readonly onNew: () => void,
    private readonly report: (error: unknown, context: string) => void,
  ) {}

  start(bus: EventBus): void {
    this.off = bus.subscribe('*', (e) => this.heard(e));
    this.sweeper = setInterval(() => void this.sweep(), this.policy.sweepMs);
    this.sweeper.unref();
  }

  private heard(e: RunEvent): void {
    if (this.closed || !this.listened()) return;
    let f = this.followed.get(e.runId);
    if (!f) this.followed.set(e.runId, (f = { queue: [], seen: Date.now() }));
    f.queue.push(e);
    f.seen = Date.now();
    void this.derive(e.runId);
  }

  /** Derives a run's deliveries now, or again right after the derivation in flight. */
  derive(runId: string): Promise<void> {
    const current = this.running.get(runId);
    if (current) {
      this.dirty.add(runId);
      return current;
    }
    const p = (async () => {
      try {
        do {
          this.dirty.delete(runId);
          await this.once(runId);
        } while (this.dirty.has(runId) && !this.closed);
      } catch (e) {
        // The durable cursor is where the next attempt (or the sweep) starts again.
        this.followed.delete(runId);
        this.report(e, `hooks: deriving deliveries of run ${runId}`);
      } finally {
        this.running.delete(runId);
      }
    })();
    this.running.set(runId, p);
    return p;
  }

  private async once(runId: string): Promise<void> {
    const f = this.followed.get(runId) ?? { queue: [], seen: Date.now() };
    const handed = f.queue.splice(0).sort((a, b) => a.seq - b.seq);
    // A run whose first event (seq 1) is handed over has no earlier events to derive.
    f.seq ??= handed[0]?.seq === 1 ? 0 : await this.deliveries.cursor(runId);
    const fresh = handed.filter((e) => e.seq > f.seq!);
    if (handed.length > 0 && fresh.length === 0) return;
    if (fresh.length > 0 && fresh.every((e, i) => e.seq === f.seq! + 1 + i)) {
      // The bus path: the cursor is written only with deliveries and where the run stops here.
      await this.record(runId, fresh, fresh.some(stops));
      f.seq = fresh.at(-1)!.seq;
    } else {
      // The log path (a sweep, a gap, a run first seen mid-way): the cursor follows every page.
      for (;;) {
        const page = await this.log.since(runId, f.seq, PAGE);
        if (page.length === 0) break;
        await this.record(runId, page, true);
        f.seq = page.at(-1)!.seq;
        if (page.length < PAGE) break;
      }
    }
    // A run that stopped here is forgotten; a run only swept is never followed (the sweep must keep seeing it).
    if (handed.some(stops) && f.queue.length === 0) this.followed.delete(runId);
  }

  /** Inserts the deliveries `events` call for, in one statement that moves the cursor past them too when it writes anything or `cursor` says so. */
  private async record(runId: string, events: readonly RunEvent[], cursor: boolean): Promise<void> {
    const heard = events.filter((e) => {
      const event = hookEventOf(e);
      return event !== undefined && this.listened(event);
    });
    const upTo = cursor || heard.length > 0 ? events.at(-1)!.seq : undefined;
    if ((await this.deliveries.derive(runId, heard, upTo)) > 0) this.onNew();
  }

  /** Derives every recent run whose log is ahead of its cursor and that is not followed here (one sweep at a time). */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined)));
  }

  private async sweepOnce(): Promise<void> {
    try {
      await this.refresh();
      const now = Date.now();
      for (const [id, f] of this.followed) if (now - f.seen > FORGET_AFTER_MS && !this.running.has(id)) this.followed.delete(id);
      if (!this.listened()) return;
      for (const runId of await this.deliveries.lagging(this.policy.horizonMs, [...this.followed.keys()])) {
        if (this.closed) return;
        await this.derive(runId);
      }
    } catch (e) {
      this.report(e, 'hooks: sweeping the event log');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.off?.();
    clearInterval(this.sweeper);
    await this.sweeping;
    await Promise.all([...this.running.values()]);
  }
}
