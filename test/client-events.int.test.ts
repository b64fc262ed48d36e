/**
 * The typed client against a real server: inferred types, errors by code, the event
 * stream across a server restart, `since` handling, callbacks and iteration, the
 * browser path (global WebSocket, token in the query).
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { ApiError, createClient, type Client, type RunDetail, type RunEvent } from '../client/index.ts';
import { createServer } from '../server/index.ts';
import { pino } from 'pino';
import { startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { stageStarted, waitForEvent } from './support/runs.ts';

let h: Harness;
let token: string;
let api: Client;

beforeAll(async () => {
  h = await startHarness({ workflows: [tenStages('ten'), tenStages('slow', 100)] });
  token = await h.key('alice');
  api = createClient({ baseUrl: h.url, token });
});
afterAll(async () => h?.close());

async function collect(stream: AsyncIterable<RunEvent>, runId: string): Promise<RunEvent[]> {
  const got: RunEvent[] = [];
  for await (const e of stream) {
    if (e.runId !== runId) continue;
    got.push(e);
    if (e.type === 'workflow.completed') break;
  }
  return got;
}

describe('REST', () => {
  it('is typed by the contract and throws ApiError with the server code', async () => {
    const started = await api.orchestrate({ workflow: 'ten', request: 'plain text works too' });
    expectTypeOf(started.sessionId).toBeString();
    expectTypeOf(api.getRun).returns.resolves.toEqualTypeOf<RunDetail>();
    expectTypeOf(api.orchestrate).parameter(0).toHaveProperty('request');
    // @ts-expect-error: `request` is required by the contract
    void (() => api.orchestrate({ workflow: 'ten' }));
    // @ts-expect-error: unknown status values do not type-check
    void (() => api.listRuns({ status: 'sleeping' }));

    const err = await api.getRun(crypto.randomUUID()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'run_not_found' });
    expect((err as ApiError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await api.call('listRuns', { query: { limit: 0 } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request', details: { where: 'query' } });
    await h.sg.runs.wait(started.sessionId);
  });

  it('pages through runs with next links', async () => {
    for (const r of await Promise.all([1, 2].map(() => api.orchestrate({ workflow: 'ten', request: { n: 0 } })))) await h.sg.runs.wait(r.sessionId);
    const first = await api.listRuns({ limit: 1 });
    expect(first.runs).toHaveLength(1);
    expect(first.page.next).toMatch(/offset=1/);
  });
});

describe('event stream', () => {
  it('delivers through onEvent and iteration alike, and close() ends the iteration', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    const seen: number[] = [];
    const stream = api.events([sessionId], { onEvent: (e) => seen.push(e.seq) });
    const iterated = await collect(stream, sessionId);
    stream.close();
    expect(iterated.map((e) => e.seq)).toEqual(seen.slice(0, iterated.length));
    const after = await stream[Symbol.asyncIterator]().next();
    expect(after.done).toBe(true);
  });

  it('skips what `since` says was seen, per run or as one number', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    await h.sg.runs.wait(sessionId);
    const fromRecord = await collect(api.events([sessionId], { since: { [sessionId]: 5 } }), sessionId);
    expect(fromRecord[0]!.seq).toBe(6);
    const fromNumber = await collect(api.events([sessionId], { since: 7 }), sessionId);
    expect(fromNumber[0]!.seq).toBe(8);
    const log = await h.sg.runs.eventsSince(sessionId);
    expect(fromRecord).toEqual(log.filter((e) => e.seq > 5));
    expect(fromNumber).toEqual(log.filter((e) => e.seq > 7));
    // Under 'all', a run named in `since` is caught up from there, even though it has finished.
    const controller = new AbortController();
    const all = api.events('all', { since: { [sessionId]: 9 }, signal: controller.signal });
    const got = await collect(all, sessionId);
    expect(got).toEqual(log.filter((e) => e.seq > 9));
    expect(got.at(-1)!.type).toBe('workflow.completed');
    controller.abort();
    expect((await all[Symbol.asyncIterator]().next()).done).toBe(true);
  });

  it('follows a run across a server restart (1001) without losing or repeating an event', async () => {
    const server = createServer({ stagegraph: h.sg, logger: pino({ level: 'silent' }), limits: { rateLimit: false } });
    const { port, url } = await server.listen(0);
    const client = createClient({ baseUrl: url, token });
    const { sessionId } = await client.orchestrate({ workflow: 'slow', request: { n: 0 } });
    const statuses: string[] = [];
    let lost!: () => void;
    const reconnecting = new Promise<void>((r) => (lost = r));
    const stream = client.events([sessionId], {
      backoff: { initialMs: 20, maxMs: 100 },
      onStatus: (s) => {
        statuses.push(s);
        if (s === 'reconnecting') lost();
      },
    });
    const done = collect(stream, sessionId);
    await stream.ready;
    // Mid-run (s2 of ten running): the server goes away while the run goes on logging.
    await waitForEvent(h.sg, sessionId, stageStarted('s2'));
    await server.close();
    await reconnecting;
    const again = createServer({ stagegraph: h.sg, logger: pino({ level: 'silent' }), limits: { rateLimit: false } });
    await again.listen(port);
    try {
      const got = await done;
      const log = await h.sg.runs.events.since(sessionId, 0, 10_000);
      expect(got).toEqual(log);
      expect(log.at(-1)!.type).toBe('workflow.completed');
      expect(stream.reconnects).toBeGreaterThanOrEqual(1);
      expect(statuses).toContain('reconnecting');
    } finally {
      stream.close();
      await again.close();
    }
  });

  it('works with a browser-style global WebSocket (token in ?token=)', async () => {
    const urls: string[] = [];
    class BrowserSocket extends WebSocket {
      constructor(url: string) {
        urls.push(url);
        super(url); // a browser cannot set headers
      }
    }
    const g = globalThis as { WebSocket?: unknown };
    const before = g.WebSocket;
    g.WebSocket = BrowserSocket;
    try {
      const { sessionId } = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
      const got = await collect(api.events([sessionId]), sessionId);
      expect(got.at(-1)!.type).toBe('workflow.completed');
      expect(new URL(urls[0]!).searchParams.get('token')).toBe(token);
    } finally {
      g.WebSocket = before;
    }
  });
});
