/**
 * A run event stream over the WebSocket endpoint that survives disconnects: it
 * reconnects with exponential backoff and full jitter, resubscribes with the last
 * seq it saw of each run (the server sends what was missed), and drops anything at
 * or below that seq, so each event is delivered once, in order per run. Consume it
 * with `for await`, with `onEvent`, or both.
 */
import type { RunEvent } from '../graph/events/types.ts';
import { PROGRESS_PATH, type ClientMessage, type ServerFrame } from '../server/contract/index.ts';
import { ApiError } from './http.ts';
import { defaultSocketFactory, type SocketFactory, type SocketLike } from './socket.ts';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Backoff {
  /** @default 250 */
  initialMs?: number;
  /** @default 15000 */
  maxMs?: number;
  /** @default 2 */
  factor?: number;
}

export interface EventStreamOptions {
  /** The last seq already seen, per run or one number for all; events up to it are not delivered. */
  since?: Record<string, number> | number;
  onEvent?: (event: RunEvent) => void;
  /** Error frames from the server (`code`) and connection failures. */
  onError?: (error: ApiError | Error) => void;
  onStatus?: (status: StreamStatus) => void;
  backoff?: Backoff;
  /** Closes the stream when aborted. */
  signal?: AbortSignal;
  /** @default the global WebSocket, else the `ws` package */
  socket?: SocketFactory;
}

export class EventStream implements AsyncIterable<RunEvent> {
  /** The last seq delivered, per run. */
  readonly lastSeq = new Map<string, number>();
  /** Connections made after the first. */
  reconnects = 0;
  /** Resolves when the first subscription is confirmed. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private socket?: SocketLike;
  private status: StreamStatus = 'connecting';
  private attempt = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private after?: string;
  private readonly queue: RunEvent[] = [];
  private readonly waiters: ((r: IteratorResult<RunEvent>) => void)[] = [];
  private buffering: boolean;
  private readonly backoff: Required<Backoff>;

  constructor(
    private readonly url: string,
    private readonly token: () => string | undefined,
    private readonly runIds: string[] | 'all',
    private readonly options: EventStreamOptions = {},
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.buffering = !options.onEvent;
    this.backoff = { initialMs: 250, maxMs: 15_000, factor: 2, ...options.backoff };
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted) this.close();
    else void this.connect();
  }

  /** Stops reconnecting, closes the socket and ends iteration (events not yet iterated are dropped). */
  close(): void {
    if (this.status === 'closed') return;
    this.setStatus('closed');
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'client closed');
    this.markReady();
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    this.buffering = true;
    return {
      next: () => {
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        const e = this.queue.shift();
        if (e) return Promise.resolve({ value: e, done: false });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private get closed(): boolean {
    return this.status === 'closed';
  }

  private setStatus(s: StreamStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.options.onStatus?.(s);
  }

  /** The seq below which a run's events are not delivered. */
  private floor(runId: string): number {
    const seen = this.lastSeq.get(runId);
    if (seen !== undefined) return seen;
    const s = this.options.since;
    return typeof s === 'number' ? s : s?.[runId] ?? 0;
  }

  private subscription(): ClientMessage {
    const initial = this.options.since;
    if (this.runIds === 'all') {
      if (this.reconnects === 0 && this.lastSeq.size === 0) return { type: 'subscribe', runIds: 'all', ...(initial !== undefined ? { since: initial } : {}) };
      const since: Record<string, number> = typeof initial === 'object' ? { ...initial } : {};
      for (const [id, seq] of this.lastSeq) since[id] = seq;
      return { type: 'subscribe', runIds: 'all', since, ...(this.after ? { after: this.after } : {}) };
    }
    return { type: 'subscribe', runIds: this.runIds, since: Object.fromEntries(this.runIds.map((id) => [id, this.floor(id)])) };
  }

  private async connect(): Promise<void> {
    if (this.status === 'closed') return;
    let socket: SocketLike;
    try {
      socket = await (this.options.socket ?? defaultSocketFactory)(this.url, this.token());
    } catch (e) {
      this.options.onError?.(e as Error);
      return this.retry();
    }
    if (this.closed) {
      socket.close(1000, 'client closed');
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.setStatus('open');
      socket.send(JSON.stringify(this.subscription()));
    });
    socket.addEventListener('message', (ev) => this.onFrame(ev.data));
    socket.addEventListener('error', () => this.options.onError?.(new Error(`WebSocket error on ${this.url}`)));
    socket.addEventListener('close', (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.status !== 'closed') this.retry(ev.code);
    });
  }

  private retry(code?: number): void {
    if (this.status === 'closed') return;
    this.setStatus('reconnecting');
    const { initialMs, maxMs, factor } = this.backoff;
    // Full jitter: a uniform delay up to the exponential cap spreads a crowd of clients.
    const cap = Math.min(maxMs, initialMs * factor ** this.attempt);
    const delay = code === 4008 && this.attempt === 0 ? 0 : Math.random() * cap;
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.reconnects += 1;
      void this.connect();
    }, delay);
  }

  private onFrame(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer)) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'event': {
        const e = frame.event as RunEvent;
        if (e.seq <= this.floor(e.runId)) return;
        this.lastSeq.set(e.runId, e.seq);
        this.options.onEvent?.(e);
        const w = this.waiters.shift();
        if (w) w({ value: e, done: false });
        else if (this.buffering) this.queue.push(e);
        return;
      }
      case 'subscribed':
        this.attempt = 0;
        if (frame.runIds === 'all') this.after ??= frame.at;
        this.markReady();
        return;
      case 'error':
        this.options.onError?.(new ApiError(0, frame.code, frame.message, frame.details ?? {}));
        return;
      default:
        return;
    }
  }
}

/** The WebSocket URL of the events endpoint for a REST base URL. */
export function progressUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws') + PROGRESS_PATH;
}
