/**
 * One WebSocket client: its owner, its subscriptions (one RunStream per run) and the
 * messages it sends. Messages are handled one at a time, in order. A malformed or
 * unauthorised message (or one holding a string Postgres cannot store) gets an error
 * frame; the connection stays up.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { EventLog } from '../../graph/events/log.ts';
import { TERMINAL_EVENTS, type RunEvent } from '../../graph/events/types.ts';
import { assertStorable } from '../../graph/store/storable.ts';
import { StagegraphError } from '../../nodes/errors.ts';
import type { Principal } from '../auth/authenticator.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import { ClientMessage, CLOSE, SLOW_CONSUMER_REASON, type SubscribeMessage, type UnsubscribeMessage } from '../contract/ws.ts';
import { toStagegraphError } from '../errors.ts';
import type { NormalizedLimits } from '../options.ts';
import type { RunDirectory } from '../run-directory.ts';
import { RunStream, type StreamSink } from './run-stream.ts';

/** What a connection needs from the hub. */
export interface HubCore {
  directory: RunDirectory;
  log: Pick<EventLog, 'since'>;
  limiter: RateLimiter;
  limits: NormalizedLimits;
  /** Counts a frame sent. */
  sent(): void;
  track(runId: string, c: Connection): void;
  untrack(runId: string, c: Connection): void;
  watchAll(c: Connection): void;
  unwatchAll(c: Connection): void;
  /** Runs of `owner` a fresh `'all'` subscription catches up on: executing ones, those named, those updated since `after`. */
  runsForAll(owner: string, named: string[], after: Date | undefined, limit: number): Promise<string[]>;
  detach(c: Connection): void;
}

const OPEN = 1;
const TEXT = { binary: false } as const;
const MAX_REMEMBERED = 100_000;

export class Connection implements StreamSink {
  readonly id = randomUUID();
  alive = true;
  private readonly streams = new Map<string, RunStream>();
  private all = false;
  /** Runs unsubscribed by id while subscribed to 'all'. */
  private readonly excluded = new Set<string>();
  /** Runs subscribed by id (kept until unsubscribed); other streams come from 'all'. */
  private readonly named = new Set<string>();
  /**
   * Under 'all': the last seq sent (or named by the client) of runs without a stream,
   * so a run met again (a restore) continues from there instead of from its start.
   */
  private readonly allSince = new Map<string, number>();
  /** Events met under 'all' while its first catch-up query runs. */
  private allPending: { e: RunEvent; frame: Buffer }[] | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly ws: WebSocket, readonly principal: Principal, private readonly hub: HubCore, readonly log: Logger) {}

  get owner(): string {
    return this.principal.owner;
  }

  // ---- from the hub -------------------------------------------------------

  /** An event of a run this connection has a stream for. */
  deliver(runId: string, e: RunEvent, frame: Buffer): void {
    this.streams.get(runId)?.offer(e, frame);
  }

  /** An event of one of the owner's runs, for an `'all'` subscription. */
  discover(e: RunEvent, frame: Buffer): void {
    if (!this.all || this.closed || this.excluded.has(e.runId)) return;
    if (this.allPending) {
      this.allPending.push({ e, frame });
      return;
    }
    let s = this.streams.get(e.runId);
    if (!s) s = this.open(e.runId, this.allSince.get(e.runId) ?? 0, false);
    s?.offer(e, frame);
  }

  // ---- StreamSink ---------------------------------------------------------

  send(frame: Buffer, live: boolean): boolean {
    if (this.closed || this.ws.readyState !== OPEN) return false;
    // A text frame (browsers hand binary frames over as Blobs); the bytes are encoded once per event.
    this.ws.send(frame, TEXT);
    this.hub.sent();
    if (live && this.ws.bufferedAmount > this.hub.limits.socketBufferBytes) {
      this.log.warn({ bufferedAmount: this.ws.bufferedAmount }, 'slow consumer closed');
      this.shutdown(CLOSE.SLOW_CONSUMER, SLOW_CONSUMER_REASON);
      return false;
    }
    return true;
  }

  async writable(): Promise<boolean> {
    const low = this.hub.limits.socketBufferBytes / 4;
    while (!this.closed && this.ws.readyState === OPEN && this.ws.bufferedAmount > low) await new Promise((r) => setTimeout(r, 5));
    return !this.closed && this.ws.readyState === OPEN;
  }

  delivered(runId: string, e: RunEvent): void {
    if (!TERMINAL_EVENTS.has(e.type) || this.named.has(runId)) return;
    // A finished run's stream under 'all' is retired (its seq kept), so a long-lived
    // connection does not pile up streams; a restore meets it again from that seq.
    queueMicrotask(() => {
      const s = this.streams.get(runId);
      if (!s || s.seq !== e.seq || this.named.has(runId)) return;
      this.remember(runId, s.seq);
      this.drop(runId);
    });
  }

  private remember(runId: string, seq: number): void {
    if (this.allSince.size >= MAX_REMEMBERED) this.allSince.delete(this.allSince.keys().next().value!);
    this.allSince.set(runId, seq);
  }

  fail(runId: string, error?: unknown): void {
    if (error === undefined) {
      this.log.warn({ runId }, 'slow consumer closed: too far behind during catch-up');
      this.shutdown(CLOSE.SLOW_CONSUMER, SLOW_CONSUMER_REASON);
      return;
    }
    this.log.error({ err: error, runId }, 'event log read failed');
    this.shutdown(1011, SLOW_CONSUMER_REASON);
  }

  // ---- from the client ----------------------------------------------------

  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.closed) return;
    try {
      this.hub.limiter.take(this.principal.subject);
      if (isBinary) throw new StagegraphError('invalid_message', 'binary frames are not accepted; send JSON text', { class: 'validation' });
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new StagegraphError('invalid_json', 'message is not valid JSON', { class: 'validation' });
      }
      assertStorable(json, 'message');
      const parsed = ClientMessage.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', code: i.code, message: i.message }));
        throw new StagegraphError('invalid_message', `${issues[0]!.path}: ${issues[0]!.message}`, { class: 'validation', details: { issues } });
      }
      const msg = parsed.data;
      this.queue = this.queue
        .then(() => (msg.type === 'subscribe' ? this.subscribe(msg) : this.unsubscribe(msg)))
        .catch((e) => this.error(e));
    } catch (e) {
      this.error(e);
    }
  }

  private error(e: unknown): void {
    const err = toStagegraphError(e);
    if (err.code === 'internal' || err.code === 'unavailable') this.log.error({ err: err.cause ?? err }, 'message failed');
    const hidden = err.code === 'internal' || err.code === 'unavailable';
    this.frame({ type: 'error', code: err.code, message: hidden ? err.code : err.message, ...(hidden || !Object.keys(err.details).length ? {} : { details: err.details }) });
  }

  /** Sends a control frame; a socket that cannot take it is terminated, and nothing throws into the message queue. */
  private frame(value: unknown): void {
    if (this.closed || this.ws.readyState !== OPEN) return;
    try {
      this.ws.send(JSON.stringify(value));
    } catch (err) {
      this.log.error({ err }, 'websocket send failed: connection closed');
      this.release();
      this.ws.terminate();
    }
  }

  private open(runId: string, from: number, catchUp: boolean): RunStream | undefined {
    if (this.streams.size >= this.hub.limits.maxSubscriptions) return undefined;
    const s = new RunStream(runId, from, this.hub.log, this);
    this.streams.set(runId, s);
    this.hub.track(runId, this);
    if (catchUp) s.start();
    return s;
  }

  private drop(runId: string): void {
    const s = this.streams.get(runId);
    if (!s) return;
    s.close();
    this.streams.delete(runId);
    this.hub.untrack(runId, this);
  }

  private async subscribe(msg: z.output<typeof SubscribeMessage>): Promise<void> {
    const record = typeof msg.since === 'object' ? msg.since : {};
    const every = typeof msg.since === 'number' ? msg.since : 0;
    if (msg.runIds === 'all') return this.subscribeAll(record, every, msg.after ? new Date(msg.after) : undefined);

    const ids = [...new Set(msg.runIds)];
    const infos = await Promise.all(ids.map((id) => this.hub.directory.lookup(id)));
    const accepted: string[] = [];
    const refused: string[] = [];
    ids.forEach((id, i) => (infos[i]?.owner === this.owner ? accepted : refused).push(id));
    if (refused.length) this.frame({ type: 'error', code: 'run_not_found', message: `run ${refused.join(', ')} not found`, details: { runIds: refused } });
    const fresh = accepted.filter((id) => !this.streams.has(id));
    if (this.streams.size + fresh.length > this.hub.limits.maxSubscriptions) {
      this.frame({ type: 'error', code: 'too_many_subscriptions', message: `at most ${this.hub.limits.maxSubscriptions} runs per connection`, details: { limit: this.hub.limits.maxSubscriptions } });
      return;
    }
    for (const id of accepted) {
      this.excluded.delete(id);
      this.named.add(id);
    }
    this.frame({ type: 'subscribed', runIds: accepted, at: new Date().toISOString() });
    for (const id of fresh) this.open(id, record[id] ?? every, true);
  }

  private async subscribeAll(record: Record<string, number>, every: number, after: Date | undefined): Promise<void> {
    const first = !this.all;
    this.all = true;
    this.excluded.clear();
    for (const [id, seq] of Object.entries(record)) this.remember(id, seq);
    const at = new Date().toISOString();
    if (!first) {
      this.frame({ type: 'subscribed', runIds: 'all', at });
      return;
    }
    this.allPending = [];
    this.hub.watchAll(this);
    try {
      const ids = await this.hub.runsForAll(this.owner, Object.keys(record), after, this.hub.limits.maxSubscriptions);
      this.frame({ type: 'subscribed', runIds: 'all', at });
      for (const id of ids) if (!this.streams.has(id)) this.open(id, record[id] ?? every, true);
    } finally {
      const pending = this.allPending ?? [];
      this.allPending = null;
      for (const { e, frame } of pending) this.discover(e, frame);
    }
  }

  private async unsubscribe(msg: z.output<typeof UnsubscribeMessage>): Promise<void> {
    if (msg.runIds === 'all') {
      this.all = false;
      this.allSince.clear();
      this.excluded.clear();
      this.named.clear();
      this.hub.unwatchAll(this);
      for (const id of [...this.streams.keys()]) this.drop(id);
    } else {
      for (const id of msg.runIds) {
        this.drop(id);
        this.named.delete(id);
        if (this.all) this.excluded.add(id);
      }
    }
    this.frame({ type: 'unsubscribed', runIds: msg.runIds });
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Stops streaming and closes the socket with `code`. */
  shutdown(code: number, reason: string): void {
    if (this.closed) return;
    this.release();
    this.ws.close(code, reason);
  }

  /** Forgets every subscription (the socket closed or is closing). */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, s] of this.streams) {
      s.close();
      this.hub.untrack(id, this);
    }
    this.streams.clear();
    this.hub.detach(this);
  }
}
