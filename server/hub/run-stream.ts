/**
 * One run's events to one connection, in seq order, each exactly once. Missed events
 * come from the log (`EventLog.since`); live ones from the bus. While the log is read,
 * live events are held back, then merged by seq. A live event that leaves a gap after
 * the last one sent (its predecessors were published before this stream existed)
 * triggers a read of the log from the last seq sent.
 *
 * Completeness: the bus publishes an event only after it is durable, and a stream
 * holds back live events before it reads the log, so every event is either in what
 * the read returns or among the held-back ones (or both: dropped by seq).
 */
import type { EventLog } from '../../graph/events/log.ts';
import type { RunEvent } from '../../graph/events/types.ts';

const PAGE = 1000;
/** Live events held back during a catch-up; a client this far behind is closed (4008) and resumes. */
const MAX_HELD = 20_000;

export interface StreamSink {
  /**
   * Sends an encoded frame; returns false once the connection cannot take more. A
   * `live` frame that finds the connection's queue over its limit closes it (4008).
   */
  send(frame: Buffer, live: boolean): boolean;
  /** Resolves true when the queue is short enough for more catch-up frames, false if the connection closed. */
  writable(): Promise<boolean>;
  /** An event went out. */
  delivered(runId: string, e: RunEvent): void;
  /**
   * The stream cannot go on: the client fell too far behind (`error` undefined: close
   * with 4008) or the log could not be read (1011). The client resumes from its last seq.
   */
  fail(runId: string, error?: unknown): void;
}

export function eventFrame(e: RunEvent): Buffer {
  return Buffer.from(JSON.stringify({ type: 'event', event: e }));
}

export class RunStream {
  private lastSent: number;
  /** Live events held back while the log is read; `null` when live. */
  private held: { e: RunEvent; frame?: Buffer }[] | null = null;
  private closed = false;

  constructor(readonly runId: string, from: number, private readonly log: Pick<EventLog, 'since'>, private readonly sink: StreamSink) {
    this.lastSent = from;
  }

  /** The seq of the last event sent. */
  get seq(): number {
    return this.lastSent;
  }

  /** Sends what the log has after `from`, then continues live. */
  start(): void {
    if (this.held) return;
    this.held = [];
    void this.catchUp();
  }

  offer(e: RunEvent, frame?: Buffer): void {
    if (this.closed) return;
    if (this.held) {
      if (this.held.length >= MAX_HELD) return this.overflow();
      this.held.push({ e, frame });
      return;
    }
    if (e.seq <= this.lastSent) return;
    if (e.seq === this.lastSent + 1) {
      this.emit(e, frame, true);
      return;
    }
    this.held = [{ e, frame }];
    void this.catchUp();
  }

  close(): void {
    this.closed = true;
    this.held = null;
  }

  private overflow(): void {
    this.close();
    this.sink.fail(this.runId);
  }

  private emit(e: RunEvent, frame: Buffer | undefined, live: boolean): void {
    this.lastSent = e.seq;
    if (this.sink.send(frame ?? eventFrame(e), live)) this.sink.delivered(this.runId, e);
    else this.close();
  }

  /** Catch-up frames wait for the client to read: a slow reader slows its catch-up, not the server. */
  private async paced(e: RunEvent, frame?: Buffer): Promise<boolean> {
    this.emit(e, frame, false);
    return !this.closed && (await this.sink.writable()) && !this.closed;
  }

  private async catchUp(): Promise<void> {
    try {
      for (let round = 0; !this.closed; round++) {
        for (;;) {
          const before = this.lastSent;
          const page = await this.log.since(this.runId, this.lastSent, PAGE);
          if (this.closed) return;
          for (const e of page) if (e.seq === this.lastSent + 1 && !(await this.paced(e))) return;
          if (page.length < PAGE || this.closed || this.lastSent === before) break;
        }
        if (this.closed || !this.held) return;
        const held = this.held.sort((a, b) => a.e.seq - b.e.seq);
        let i = 0;
        for (; i < held.length && !this.closed; i++) {
          const { e, frame } = held[i]!;
          if (e.seq <= this.lastSent) continue;
          if (e.seq !== this.lastSent + 1) break;
          if (!(await this.paced(e, frame))) return;
        }
        if (i >= held.length || this.closed) {
          this.held = null;
          return;
        }
        // A held event is ahead of the log as read: read again (bounded; a gap that
        // persists means the log lost events, which the caller must hear about).
        this.held = held.slice(i);
        if (round >= 3) throw new Error(`run ${this.runId}: events after seq ${this.lastSent} are missing from the log`);
      }
    } catch (err) {
      if (this.closed) return;
      this.close();
      this.sink.fail(this.runId, err);
    }
  }
}
