/**
 * Turns the event log into deliveries. Hooks are sourced from the log, never from the
 * step record path: when this process's bus has a run's event that a hook could hear,
 * the run's log after its cursor is read and its deliveries inserted (one per hook and
 * event, idempotent), then the cursor moves. The bus only says when to look; the log
 * says what happened, so a process that dies between a step's commit and its
 * publication loses nothing: every `sweepMs` a sweep finds runs (updated within
 * `horizonMs`) whose log is ahead of their cursor and derives them.
 */
import type { EventBus } from '../events/bus.ts';
import type { EventLog } from '../events/log.ts';
import type { RunEvent } from '../events/types.ts';
import type { DeliveryStore } from './deliveries.ts';
import { hookEventOf } from './types.ts';

export interface DerivePolicy {
  /** How often to look for runs whose log is ahead of their deliveries. @default 5000 */
  sweepMs: number;
  /** How far back (by the run's last update) the sweep looks. @default 86400000 (a day) */
  horizonMs: number;
}

const PAGE = 1000;

export class HookDeriver {
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
    /** Whether any asynchronous hook is enabled (the process's directory, refreshed before each sweep). */
    private readonly anyHooks: () => boolean,
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
    if (this.closed || !hookEventOf(e) || !this.anyHooks()) return;
    this.derive(e.runId);
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
        this.report(e, `hooks: deriving deliveries of run ${runId}`);
      } finally {
        this.running.delete(runId);
      }
    })();
    this.running.set(runId, p);
    return p;
  }

  private async once(runId: string): Promise<void> {
    let seq = await this.deliveries.cursor(runId);
    for (;;) {
      const events = await this.log.since(runId, seq, PAGE);
      if (events.length === 0) return;
      if ((await this.deliveries.derive(runId, events)) > 0) this.onNew();
      seq = events.at(-1)!.seq;
      if (events.length < PAGE) return;
    }
  }

  /** Derives every recent run whose log is ahead of its cursor (one sweep at a time). */
  sweep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined)));
  }

  private async sweepOnce(): Promise<void> {
    try {
      await this.refresh();
      if (!this.anyHooks()) return;
      for (const runId of await this.deliveries.lagging(this.policy.horizonMs)) {
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
