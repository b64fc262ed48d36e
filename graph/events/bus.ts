import type { RunEvent } from './types.ts';

type Listener = (e: RunEvent) => void;

/**
 * In-process publication of logged events. Subscribers get events after they are
 * durable in the events table, in `seq` order per run. A subscriber that throws is
 * isolated: it is reported through `onError` and the others, and the run that
 * published, never notice.
 *
 * Events of runs executing here are `publish`ed; events of runs executing in other
 * processes arrive through `relay` (see `relay.ts`). Subscribers see both the same way;
 * only local publications reach `onLocal` taps (the cross-process notifier), so a
 * relayed event is never announced again.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly taps = new Set<(events: RunEvent[]) => void>();

  /** @param onError told about a subscriber's exception. @default logs it to stderr */
  constructor(private readonly onError: (error: unknown, event: RunEvent) => void = (error, event) => console.error(`stagegraph: an event subscriber threw on ${event.type} of run ${event.runId}:`, error)) {}

  /** Events of a run executing in this process, just made durable. */
  publish(events: RunEvent[]): void {
    this.relay(events);
    for (const tap of this.taps) {
      try {
        tap(events);
      } catch (error) {
        if (events[0]) this.report(error, events[0]);
      }
    }
  }

  /** Events of a run executing in another process, read from the log. */
  relay(events: RunEvent[]): void {
    for (const e of events) {
      this.deliver(this.listeners.get(e.runId), e);
      this.deliver(this.listeners.get('*'), e);
    }
  }

  /** Called with every local publication (not with relayed events). Returns the removal function. */
  onLocal(tap: (events: RunEvent[]) => void): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  private report(error: unknown, e: RunEvent): void {
    try {
      this.onError(error, e);
    } catch {
      // a reporter that throws is not the run's problem either
    }
  }

  private deliver(set: Set<Listener> | undefined, e: RunEvent): void {
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(e);
      } catch (error) {
        this.report(error, e);
      }
    }
  }

  /** Listens to one run, or to all runs with `'*'`. Returns the unsubscribe function. */
  subscribe(runId: string | '*', listener: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    // The same function subscribed twice is two subscriptions, as with an EventEmitter.
    const own: Listener = (e) => listener(e);
    set.add(own);
    return () => {
      set.delete(own);
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }
}
