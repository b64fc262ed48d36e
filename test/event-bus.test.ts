/** The in-process event bus: a subscriber that throws is isolated from the others and from the publisher. */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../graph/events/bus.ts';
import type { RunEvent } from '../graph/events/types.ts';

const event = (runId: string, seq: number): RunEvent => ({ runId, seq, at: new Date(0).toISOString(), type: 'workflow.custom', payload: { stage: 's', name: 'n', data: {} } });

describe('EventBus', () => {
  it('delivers to every subscriber of the run and of all runs, in order, even when one throws', () => {
    const errors: [unknown, number][] = [];
    const bus = new EventBus((error, e) => errors.push([error, e.seq]));
    const seen: string[] = [];
    bus.subscribe('r1', (e) => seen.push(`first:${e.seq}`));
    bus.subscribe('r1', (e) => {
      if (e.seq === 2) throw new Error('subscriber bug');
      seen.push(`second:${e.seq}`);
    });
    bus.subscribe('*', (e) => seen.push(`all:${e.runId}:${e.seq}`));
    expect(() => bus.publish([event('r1', 1), event('r1', 2), event('r2', 1)])).not.toThrow();
    expect(seen).toEqual(['first:1', 'second:1', 'all:r1:1', 'first:2', 'all:r1:2', 'all:r2:1']);
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('subscriber bug');
    expect(errors[0]![1]).toBe(2);
  });

  it('a reporter that throws is swallowed too; unsubscribing stops delivery, also for the same function subscribed twice', () => {
    const bus = new EventBus(() => {
      throw new Error('reporter bug');
    });
    const seen: number[] = [];
    const listener = (e: RunEvent) => seen.push(e.seq);
    const off1 = bus.subscribe('r', listener);
    const off2 = bus.subscribe('r', listener);
    bus.subscribe('r', () => {
      throw new Error('boom');
    });
    expect(() => bus.publish([event('r', 1)])).not.toThrow();
    expect(seen).toEqual([1, 1]);
    off1();
    bus.publish([event('r', 2)]);
    expect(seen).toEqual([1, 1, 2]);
    off2();
    bus.publish([event('r', 3)]);
    expect(seen).toEqual([1, 1, 2]);
  });
});
