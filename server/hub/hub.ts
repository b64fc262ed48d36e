/**
 * The WebSocket hub of `GET /api/agent/progress`: authenticates the upgrade, keeps the
 * connections, pings them (a connection that missed the previous pong is terminated)
 * and fans every event of the bus out to the connections that follow its run — by id,
 * or through an `'all'` subscription of the run's owner.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RunEvent } from '../../graph/events/types.ts';
import type { Stagegraph } from '../../graph/runtime.ts';
import { TERMINAL_STATUSES } from '../../graph/runs/status.ts';
import { bearerToken, type Authenticator, type Principal } from '../auth/authenticator.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import { clientError, errorResponse } from '../errors.ts';
import { requestId } from '../http/request-context.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { NormalizedLimits } from '../options.ts';
import type { RunDirectory } from '../run-directory.ts';
import { Connection, type HubCore } from './connection.ts';
import { eventFrame } from './run-stream.ts';
import { checkUpgrade, WS_VERSIONS } from './upgrade.ts';

export interface HubDeps {
  sg: Pick<Stagegraph, 'bus' | 'db' | 'runs'>;
  directory: RunDirectory;
  authenticator: Authenticator;
  limiter: RateLimiter;
  limits: NormalizedLimits;
  metrics: ServerMetrics;
  logger: Logger;
}


export class Hub implements HubCore {
  readonly directory: RunDirectory;
  readonly log: HubCore['log'];
  readonly limiter: RateLimiter;
  readonly limits: NormalizedLimits;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly byRun = new Map<string, Set<Connection>>();
  private readonly allByOwner = new Map<string, Set<Connection>>();
  /** Events of runs whose owner is being looked up, for `'all'` subscribers, in order. */
  private readonly awaitingOwner = new Map<string, RunEvent[]>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private closing = false;
  /** The request id of each upgrade in flight, echoed on the 101 response. */
  private readonly upgradeIds = new WeakMap<IncomingMessage, string>();

  constructor(private readonly deps: HubDeps) {
    this.directory = deps.directory;
    this.log = deps.sg.runs.events;
    this.limiter = deps.limiter;
    this.limits = deps.limits;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.messageBytes, clientTracking: false, perMessageDeflate: false });
    this.wss.on('headers', (headers, req) => {
      const id = this.upgradeIds.get(req);
      if (id) headers.push(`X-Request-Id: ${id}`);
    });
    // A handshake `checkUpgrade` let through and `ws` still refuses: the same JSON answer, not ws's plain text.
    this.wss.on('wsClientError', (err, socket, req) => {
      this.reject(socket, clientError('invalid_request', `WebSocket handshake refused: ${err.message}`, { where: 'headers' }), this.upgradeIds.get(req) ?? requestId(undefined));
    });
    this.unsubscribe = deps.sg.bus.subscribe('*', (e) => this.publish(e));
    this.heartbeat = setInterval(() => this.beat(), deps.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  // ---- upgrade ------------------------------------------------------------

  /**
   * The http server's `upgrade` listener. The handshake is checked here (see
   * `checkUpgrade`) before `ws` takes the socket, so every refusal is a JSON error
   * with a request id; nothing it does rejects unhandled.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const id = requestId(req.headers['x-request-id']);
    this.upgradeIds.set(req, id);
    this.authorize(req)
      .then((principal) => {
        if (socket.destroyed) return;
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          try {
            this.accept(ws, principal, id);
          } catch (err) {
            this.deps.logger.error({ requestId: id, err }, 'websocket accept failed');
            ws.terminate();
          }
        });
      })
      .catch((e: unknown) => this.reject(socket, e, id));
  }

  private async authorize(req: IncomingMessage): Promise<Principal> {
    checkUpgrade(req);
    if (this.closing) throw clientError('too_many_connections', 'server is shutting down');
    if (this.connections.size >= this.limits.maxConnections) throw clientError('too_many_connections', `at most ${this.limits.maxConnections} connections`);
    const principal = await this.deps.authenticator.authenticate(bearerToken(req, true));
    this.limiter.take(principal.subject);
    return principal;
  }

  /** Answers a refused upgrade in the one error format and closes the socket. */
  private reject(socket: Duplex, e: unknown, id: string): void {
    const { status, body, error } = errorResponse(e, id);
    if (status >= 500 && error.code !== 'too_many_connections') this.deps.logger.error({ requestId: id, err: error.cause ?? error }, 'upgrade failed');
    else this.deps.logger.info({ requestId: id, status, code: error.code }, 'upgrade refused');
    if (socket.destroyed || !socket.writable) return void socket.destroy();
    const extra = [
      ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
      ...(error.code === 'method_not_allowed' ? ['Allow: GET'] : []),
      ...(error.code === 'upgrade_required' ? [`Sec-WebSocket-Version: ${WS_VERSIONS}`] : []),
      ...(error.code === 'rate_limited' ? [`Retry-After: ${Math.max(1, Math.ceil(Number(error.details.retryAfterMs ?? 1000) / 1000))}`] : []),
    ];
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `X-Request-Id: ${id}\r\n${extra.map((h) => `${h}\r\n`).join('')}Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
    );
  }

  private accept(ws: WebSocket, principal: Principal, id: string): void {
    const log = this.deps.logger.child({ requestId: id, owner: principal.owner });
    const c = new Connection(ws, principal, this, log);
    this.connections.add(c);
    this.deps.metrics.wsConnections.inc();
    log.info({ connection: c.id }, 'websocket open');
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data, isBinary) => c.onMessage(data as Buffer, isBinary));
    ws.on('error', (err) => log.debug({ err }, 'websocket error'));
    ws.on('close', (code) => {
      c.release();
      log.info({ connection: c.id, code }, 'websocket closed');
    });
  }

  private beat(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        c.log.info({ connection: c.id }, 'websocket missed a pong: terminated');
        c.release();
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        // A socket closing under us; its close event releases it.
      }
    }
  }

  // ---- fan-out ------------------------------------------------------------

  /** A bus subscriber: never throws, so the bus and the run never see a client's failure. */
  private publish(e: RunEvent): void {
    try {
      this.fanOut(e);
    } catch (err) {
      this.deps.logger.error({ err, runId: e.runId, seq: e.seq }, 'websocket fan-out failed');
    }
  }

  private fanOut(e: RunEvent): void {
    let frame: Buffer | undefined;
    const encoded = () => (frame ??= eventFrame(e));
    const followers = this.byRun.get(e.runId);
    if (followers) for (const c of followers) this.isolated(c, () => c.deliver(e.runId, e, encoded()));
    if (this.allByOwner.size === 0) return;
    const waiting = this.awaitingOwner.get(e.runId);
    if (waiting) {
      waiting.push(e);
      return;
    }
    const info = this.directory.peek(e.runId);
    if (info) {
      this.discover(info.owner, e, encoded());
      return;
    }
    this.awaitingOwner.set(e.runId, [e]);
    const flush = (owner: string | undefined) => {
      const queued = this.awaitingOwner.get(e.runId) ?? [];
      this.awaitingOwner.delete(e.runId);
      try {
        if (owner) for (const q of queued) this.discover(owner, q, eventFrame(q));
      } catch (err) {
        this.deps.logger.error({ err, runId: e.runId }, 'websocket fan-out failed');
      }
    };
    this.directory.lookup(e.runId).then((i) => flush(i?.owner), () => flush(undefined));
  }

  private discover(owner: string, e: RunEvent, frame: Buffer): void {
    const watchers = this.allByOwner.get(owner);
    if (watchers) for (const c of watchers) this.isolated(c, () => c.discover(e, frame));
  }

  /**
   * Runs one connection's part of a fan-out. If it throws, that connection is closed
   * (1011; the client resumes from its last seq) and the others still get the event.
   */
  private isolated(c: Connection, deliver: () => void): void {
    try {
      deliver();
    } catch (err) {
      c.log.error({ err, connection: c.id }, 'websocket send failed: connection closed');
      c.release();
      try {
        c.ws.close(1011, 'internal error');
      } catch {
        c.ws.terminate();
      }
    }
  }

  // ---- HubCore ------------------------------------------------------------

  sent(): void {
    this.deps.metrics.framesSent += 1;
  }

  track(runId: string, c: Connection): void {
    let set = this.byRun.get(runId);
    if (!set) this.byRun.set(runId, (set = new Set()));
    set.add(c);
  }

  untrack(runId: string, c: Connection): void {
    const set = this.byRun.get(runId);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.byRun.delete(runId);
  }

  watchAll(c: Connection): void {
    let set = this.allByOwner.get(c.owner);
    if (!set) this.allByOwner.set(c.owner, (set = new Set()));
    set.add(c);
  }

  unwatchAll(c: Connection): void {
    const set = this.allByOwner.get(c.owner);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.allByOwner.delete(c.owner);
  }

  async runsForAll(owner: string, named: string[], after: Date | undefined, limit: number): Promise<string[]> {
    const { rows } = await this.deps.sg.db.pool.query<{ id: string; owner: string; workflow_id: string; out_root: string | null }>(
      `SELECT id, owner, workflow_id, options->>'outRoot' AS out_root FROM sg_runs
        WHERE owner = $1 AND (status <> ALL($2::text[]) OR id = ANY($3::uuid[]) OR ($4::timestamptz IS NOT NULL AND updated_at >= $4))
        ORDER BY created_at DESC LIMIT $5`,
      [owner, [...TERMINAL_STATUSES], named, after ?? null, limit],
    );
    for (const r of rows) this.directory.remember(r.id, { owner: r.owner, workflowId: r.workflow_id, outRoot: r.out_root ?? 'out' });
    return rows.map((r) => r.id);
  }

  detach(c: Connection): void {
    if (!this.connections.delete(c)) return;
    this.unwatchAll(c);
    this.deps.metrics.wsConnections.dec();
  }

  /** Closes every connection with 1001 (going away) and stops listening to the bus. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    const sockets = [...this.connections].map((c) => c.ws);
    for (const c of [...this.connections]) c.shutdown(1001, 'server shutting down');
    await Promise.all(
      sockets.map((ws) => new Promise<void>((done) => {
        if (ws.readyState === ws.CLOSED) return done();
        const t = setTimeout(() => (ws.terminate(), done()), 1000);
        ws.once('close', () => (clearTimeout(t), done()));
      })),
    );
    await new Promise<void>((done) => this.wss.close(() => done()));
  }
}
