/**
 * A raw WebSocket on a server's `/api/agent/progress`, subscribed to every run, that
 * records each event frame as received. Raw on purpose: the client's EventStream drops
 * duplicates itself, so a test of the server's exactly-once delivery must not use it.
 */
import WebSocket from 'ws';
import type { RunEvent } from '../../graph/events/types.ts';

export interface RawEvents {
  /** Every event frame, in arrival order. */
  frames: RunEvent[];
  /** Resolves once `done(frames)` holds (checked at each frame). */
  until(done: (frames: RunEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function watchAll(url: string): Promise<RawEvents> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/agent/progress`);
  const frames: RunEvent[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; event?: RunEvent };
    if (frame.type === 'event') frames.push(frame.event!);
    waiters.forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const subscribed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.send(JSON.stringify({ type: 'subscribe', runIds: 'all' }));
  await subscribed;
  const until = (done: (f: RunEvent[]) => boolean, timeoutMs = 90_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => done(frames) && (clearTimeout(timer), waiters.delete(check), resolve());
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`timed out with ${frames.length} frames`))), timeoutMs);
      waiters.add(check);
      check();
    });
  return { frames, until, close: () => ws.close() };
}
