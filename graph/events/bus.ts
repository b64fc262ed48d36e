import { EventEmitter } from 'node:events';
import type { RunEvent } from './types.ts';

/**
 * In-process publication of logged events. Subscribers get events after they are
 * durable in the events table, in `seq` order per run.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(events: RunEvent[]): void {
    for (const e of events) {
      this.emitter.emit(e.runId, e);
      this.emitter.emit('*', e);
    }
  }

  /** Listens to one run, or to all runs with `'*'`. Returns the unsubscribe function. */
  subscribe(runId: string | '*', listener: (e: RunEvent) => void): () => void {
    this.emitter.on(runId, listener);
    return () => this.emitter.off(runId, listener);
  }
}
