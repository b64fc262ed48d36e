/**
 * Shared by the server and client tests: a real server on port 0 over a fresh
 * database, and a small workflow of ten trivial stages.
 */
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { createApiKey, createServer, type AuthOptions, type Limits, type StagegraphServer } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

/** `s0 -> s1 -> ... -> s9`, each adding 1 to `n` after `ms` (honouring the signal) and reporting progress. */
export function tenStages(id = 'ten', ms = 0): WorkflowDefinition {
  return sequence(id, Array.from({ length: 10 }, (_, i) => stage(`s${i}`, {
    run: async ({ n }: { n: number }, ctx) => {
      if (ms) {
        ctx.progress(50, 'half');
        await new Promise<void>((done, fail) => {
          const t = setTimeout(done, ms);
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), fail(ctx.signal.reason)), { once: true });
        });
      }
      return { n: n + 1 };
    },
    policy: { estimateMs: ms || 1 },
  })));
}

export interface Harness {
  sg: Stagegraph;
  api: StagegraphServer;
  url: string;
  wsUrl: string;
  database: TestDatabase;
  /** JSON log lines the server wrote. */
  logs: Record<string, unknown>[];
  /** A fresh API key for `owner`. */
  key(owner: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  workflows?: WorkflowDefinition[];
  auth?: AuthOptions;
  limits?: Limits;
  outRoot?: string;
  /** Keep the log lines (`logs`). @default false */
  captureLogs?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await testDatabase({ max: 20 });
  const sg = await createStagegraph({ workflows: options.workflows ?? [tenStages()], database: database.db, recover: false });
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = options.captureLogs
    ? pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) })
    : pino({ level: 'silent' });
  const api = createServer({
    stagegraph: sg,
    auth: options.auth ?? { mode: 'token' },
    limits: { rateLimit: false, ...options.limits },
    logger,
    outRoot: options.outRoot,
    validateResponses: true,
  });
  const { url } = await api.listen(0);
  return {
    sg, api, url, wsUrl: `${url.replace(/^http/, 'ws')}/api/agent/progress`, database, logs,
    key: async (owner) => (await createApiKey(sg.db, owner)).key,
    close: async () => {
      await api.close();
      await sg.close();
      await database.drop();
    },
  };
}

/** A raw `ws` client that records every frame. */
export class RawClient {
  readonly frames: Record<string, any>[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, token?: string, viaQuery = false) {
    const u = viaQuery && token ? `${url}?token=${encodeURIComponent(token)}` : url;
    this.ws = new WebSocket(u, token && !viaQuery ? { headers: { authorization: `Bearer ${token}` } } : {});
    this.ws.on('message', (d) => this.frames.push(JSON.parse(String(d))));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  events(runId?: string): any[] {
    return this.frames.filter((f) => f.type === 'event' && (!runId || f.event.runId === runId)).map((f) => f.event);
  }

  /** Resolves once a frame matching `pred` has arrived (checked as frames arrive). */
  until(pred: (f: Record<string, any>) => boolean, timeoutMs = 20_000): Promise<Record<string, any>> {
    const hit = this.frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const onFrame = (d: WebSocket.RawData) => {
        // The recording listener runs first, so the frame is the last one recorded.
        void d;
        const f = this.frames.at(-1)!;
        if (!pred(f)) return;
        clearTimeout(timer);
        this.ws.off('message', onFrame);
        resolve(f);
      };
      const timer = setTimeout(() => {
        this.ws.off('message', onFrame);
        reject(new Error(`timed out waiting for a frame; ${this.frames.length} frames, last: ${JSON.stringify(this.frames.at(-1)).slice(0, 300)}`));
      }, timeoutMs);
      this.ws.on('message', onFrame);
    });
  }

  close(): void {
    this.ws.close();
  }
}

export function json(res: Response): Promise<any> {
  return res.json();
}
