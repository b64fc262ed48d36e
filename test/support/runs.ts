/** Helpers for tests that drive runs through `createStagegraph()`. */
import { expect } from 'vitest';
import { TERMINAL_EVENTS, type RunEvent } from '../../graph/events/types.ts';
import type { Stagegraph } from '../../graph/runtime.ts';
import { StagegraphError } from '../../nodes/errors.ts';

export { TERMINAL_EVENTS };

/** Resolves with the first logged event of `runId` that matches (already logged or still to come). */
export function waitForEvent(sg: Stagegraph, runId: string, match: (e: RunEvent) => boolean, timeoutMs = 10_000): Promise<RunEvent> {
  return new Promise((done, fail) => {
    let settled = false;
    const finish = (e?: RunEvent, err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      off();
      if (e) done(e);
      else fail(err);
    };
    const timer = setTimeout(() => finish(undefined, new Error(`no matching event for run ${runId} within ${timeoutMs} ms`)), timeoutMs);
    const off = sg.bus.subscribe(runId, (e) => {
      if (match(e)) finish(e);
    });
    void sg.runs.eventsSince(runId).then(
      (events) => {
        const hit = events.find(match);
        if (hit) finish(hit);
      },
      () => undefined, // the log cannot be read now (a database fault): live events still arrive
    );
  });
}

export const stageStarted = (stage: string) => (e: RunEvent) =>
  e.type === 'workflow.stage_changed' && e.payload.stage === stage && e.payload.change === 'started';

/** Polls until `check` returns a value other than undefined. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The StagegraphError a call rejects with. */
export async function rejectionOf(p: Promise<unknown>): Promise<StagegraphError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(StagegraphError);
  return e as StagegraphError;
}

/**
 * The event log of a run is gap-free (`seq` 1..N) and every execution line ends with
 * exactly one terminal event, as its last event. A restore starts a new line.
 */
export function expectWellFormedLog(events: RunEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events[0]?.type).toBe('workflow.started');
  const lines: RunEvent[][] = [[]];
  for (const e of events) {
    if (e.type === 'workflow.resumed' && e.payload.from === 'restore') lines.push([]);
    lines[lines.length - 1]!.push(e);
  }
  for (const line of lines) {
    const terminal = line.filter((e) => TERMINAL_EVENTS.has(e.type));
    expect(terminal).toHaveLength(1);
    expect(line[line.length - 1]).toBe(terminal[0]);
  }
}
