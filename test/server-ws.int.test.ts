/**
 * The WebSocket hub with real `ws` clients: exactly-once delivery across ten forced
 * disconnects, 100 clients on 20 concurrent runs, slow consumers (4008), heartbeats,
 * malformed and unauthorised messages, authentication at the upgrade.
 */
import type { Duplex } from 'node:stream';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RunEvent } from '../client/index.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { CLOSE } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { until } from './support/runs.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long!';

/** One stage that emits `count` custom events of `bytes` each. */
function chatty(count: number, bytes: number) {
  return defineWorkflow({
    id: 'chatty',
    description: 'many large events',
    stages: [stage('talk', {
      run: async ({ n }: { n: number }, ctx) => {
        for (let i = 0; i < count; i++) ctx.emit('blob', { i, pad: 'x'.repeat(bytes) });
        return { n };
      },
    })],
    edges: [{ from: START, to: 'talk' }, { from: 'talk', to: END }],
  });
}

let h: Harness;
let tight: Harness;
let beat: Harness;
let alice: string;

beforeAll(async () => {
  h = await startHarness({ workflows: [tenStages('ten', 5), tenStages('slow', 120)], auth: { mode: 'token', jwt: { secret: SECRET } } });
  tight = await startHarness({ workflows: [chatty(300, 32 * 1024)], limits: { socketBufferBytes: 256 * 1024 }, captureLogs: true });
  beat = await startHarness({ limits: { heartbeatMs: 150 } });
  alice = await h.key('alice');
});
afterAll(async () => {
  await h?.close();
  await tight?.close();
  await beat?.close();
});

async function logOf(hh: Harness, runId: string): Promise<RunEvent[]> {
  return hh.sg.runs.events.since(runId, 0, 100_000);
}

function expectExactlyOnce(got: RunEvent[], log: RunEvent[]): void {
  expect(got.map((e) => e.seq)).toEqual(log.map((e) => e.seq));
  expect(got).toEqual(log);
}

describe('exactly once across reconnects', () => {
  for (const mode of ['by id', 'all'] as const) {
    it(`a client cut 10 times during a run gets every seq once (${mode})`, async () => {
      const sockets: Duplex[] = [];
      const track = (_req: unknown, socket: Duplex) => sockets.push(socket);
      h.api.server.on('upgrade', track);
      const api = createClient({ baseUrl: h.url, token: alice });
      try {
        let runId: string;
        let stream;
        if (mode === 'all') {
          stream = api.events('all', { backoff: { initialMs: 5, maxMs: 40 } });
          await stream.ready;
          runId = (await api.orchestrate({ workflow: 'slow', request: { n: 0 } })).sessionId;
        } else {
          runId = (await api.orchestrate({ workflow: 'slow', request: { n: 0 } })).sessionId;
          stream = api.events([runId], { backoff: { initialMs: 5, maxMs: 40 } });
        }
        let cuts = 0;
        const cutter = setInterval(() => {
          if (cuts >= 10) return;
          const live = sockets.filter((s) => !s.destroyed);
          if (live.length === 0) return;
          for (const s of live) s.destroy();
          cuts += 1;
        }, 90);
        const got: RunEvent[] = [];
        try {
          for await (const e of stream) {
            if (e.runId !== runId) continue;
            got.push(e);
            if (e.type === 'workflow.completed' && cuts >= 10) break;
            if (e.type === 'workflow.completed') {
              // The run finished before ten cuts: keep cutting an idle stream, then stop.
              await until(async () => (cuts >= 10 ? true : undefined), 10_000, 'ten cuts');
              break;
            }
          }
        } finally {
          clearInterval(cutter);
        }
        expect(cuts).toBe(10);
        expect(stream.reconnects).toBeGreaterThanOrEqual(10);
        expectExactlyOnce(got, await logOf(h, runId));
      } finally {
        h.api.server.off('upgrade', track);
      }
    });
  }
});

describe('fan-out', () => {
  it('100 clients on 20 concurrent runs each receive their runs in order, once', async () => {
    const watchers = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = new RawClient(h.wsUrl, alice);
      await c.opened;
      c.send({ type: 'subscribe', runIds: 'all' });
      await c.until((f) => f.type === 'subscribed');
      return c;
    }));
    const runs = await Promise.all(Array.from({ length: 20 }, () => createClient({ baseUrl: h.url, token: alice }).orchestrate({ workflow: 'ten', request: { n: 0 } })));
    const ids = runs.map((r) => r.sessionId);
    // The others join while the runs execute: missed events come from the log, then live ones.
    const byId = await Promise.all(Array.from({ length: 80 }, async (_, i) => {
      const c = new RawClient(h.wsUrl, alice, i % 2 === 0);
      await c.opened;
      c.send({ type: 'subscribe', runIds: [ids[i % 20]] });
      return c;
    }));
    const done = (c: RawClient, id: string) => c.until((f) => f.type === 'event' && f.event.runId === id && f.event.type === 'workflow.completed', 60_000);
    await Promise.all(byId.map((c, i) => done(c, ids[i % 20]!)));
    await Promise.all(watchers.flatMap((c) => ids.map((id) => done(c, id))));
    const logs = new Map(await Promise.all(ids.map(async (id) => [id, await logOf(h, id)] as const)));
    byId.forEach((c, i) => {
      const id = ids[i % 20]!;
      expect(c.events().every((e) => e.runId === id)).toBe(true);
      expectExactlyOnce(c.events(id), logs.get(id)!);
    });
    for (const c of watchers) for (const id of ids) expectExactlyOnce(c.events(id), logs.get(id)!);
    for (const c of [...watchers, ...byId]) c.close();
  });

  it('an "all" subscription with since and after catches up on runs that started and ended while away', async () => {
    const api = createClient({ baseUrl: h.url, token: alice });
    const first = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    const c1 = new RawClient(h.wsUrl, alice);
    await c1.opened;
    c1.send({ type: 'subscribe', runIds: 'all' });
    const ack = await c1.until((f) => f.type === 'subscribed');
    await c1.until((f) => f.type === 'event' && f.event.runId === first.sessionId && f.event.type === 'workflow.completed');
    const seen = c1.events(first.sessionId).at(-1)!.seq;
    c1.close();
    const missed = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    await h.sg.runs.wait(missed.sessionId);
    const c2 = new RawClient(h.wsUrl, alice);
    await c2.opened;
    c2.send({ type: 'subscribe', runIds: 'all', since: { [first.sessionId]: seen }, after: ack.at });
    await c2.until((f) => f.type === 'event' && f.event.runId === missed.sessionId && f.event.type === 'workflow.completed');
    expectExactlyOnce(c2.events(missed.sessionId), await logOf(h, missed.sessionId));
    expect(c2.events(first.sessionId)).toEqual([]);
    c2.close();
  });

  it("under 'all', a finished run met again (restored) continues from the last seq sent", async () => {
    const api = createClient({ baseUrl: h.url, token: alice });
    const c = new RawClient(h.wsUrl, alice);
    await c.opened;
    c.send({ type: 'subscribe', runIds: 'all' });
    await c.until((f) => f.type === 'subscribed');
    const { sessionId } = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    await c.until((f) => f.type === 'event' && f.event.runId === sessionId && f.event.type === 'workflow.completed');
    await h.sg.runs.wait(sessionId);
    const cp = (await api.checkpoints(sessionId)).checkpoints.find((x) => x.next[0] === 's5')!;
    await api.restore(sessionId, cp.checkpointId);
    await c.until(() => c.events(sessionId).filter((e) => e.type === 'workflow.completed').length === 2);
    expectExactlyOnce(c.events(sessionId), await logOf(h, sessionId));
    c.close();
  });
});

describe('slow consumers and heartbeats', () => {
  it('closes a client that does not read with 4008, and it resumes from its last seq', async () => {
    const key = await tight.key('carol');
    const api = createClient({ baseUrl: tight.url, token: key });
    const slow = new RawClient(tight.wsUrl, key);
    await slow.opened;
    slow.send({ type: 'subscribe', runIds: 'all' });
    await slow.until((f) => f.type === 'subscribed');
    // Stop reading: the kernel buffers fill, then the server's queue grows past the limit.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const { sessionId } = await api.orchestrate({ workflow: 'chatty', request: { n: 0 } });
    await tight.sg.runs.wait(sessionId);
    // Read again only once the server has given up on this client.
    await until(async () => (tight.logs.some((l) => l.msg === 'slow consumer closed') ? true : undefined), 10_000, 'the server to close the slow consumer');
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    expect(closed).toEqual({ code: CLOSE.SLOW_CONSUMER, reason: 'resume from last seq' });
    const got = slow.events(sessionId);
    const log = await logOf(tight, sessionId);
    expect(got.length).toBeLessThan(log.length);
    expect(got).toEqual(log.slice(0, got.length));
    const again = new RawClient(tight.wsUrl, key);
    await again.opened;
    again.send({ type: 'subscribe', runIds: [sessionId], since: { [sessionId]: got.at(-1)?.seq ?? 0 } });
    await again.until((f) => f.type === 'event' && f.event.type === 'workflow.completed');
    expectExactlyOnce([...got, ...again.events(sessionId)], log);
    again.close();
  });

  it('terminates a connection that stops answering pings; keeps one that answers', async () => {
    const key = await beat.key('dave');
    const mute = new WebSocket(beat.wsUrl, { headers: { authorization: `Bearer ${key}` }, autoPong: false });
    const polite = new RawClient(beat.wsUrl, key);
    let pings = 0;
    polite.ws.on('ping', () => pings++);
    await new Promise((r) => mute.once('open', r));
    await polite.opened;
    const code = await new Promise<number>((resolve) => mute.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    // The polite one answers three more heartbeats and stays.
    const seen = pings;
    await until(async () => (pings >= seen + 3 ? true : undefined), 10_000, 'three more pings');
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    polite.send({ type: 'subscribe', runIds: 'all' });
    await polite.until((f) => f.type === 'subscribed');
    polite.close();
  });
});

describe('bad and unauthorised messages', () => {
  it('answers each with an error frame and keeps the connection and server up', async () => {
    const c = new RawClient(h.wsUrl, alice);
    await c.opened;
    const bob = createClient({ baseUrl: h.url, token: await h.key('bob') });
    const bobs = (await bob.orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
    const cases: [unknown, string][] = [
      ['not json', 'invalid_json'],
      [{ type: 'dance' }, 'invalid_message'],
      [{ type: 'subscribe', runIds: ['not-a-uuid'] }, 'invalid_message'],
      [{ type: 'subscribe', runIds: [] }, 'invalid_message'],
      [{ type: 'subscribe', runIds: 'all', since: -1 }, 'invalid_message'],
      [{ type: 'subscribe', runIds: 'all', extra: 1 }, 'invalid_message'],
      [{ type: 'unsubscribe' }, 'invalid_message'],
      [[1, 2, 3], 'invalid_message'],
      [null, 'invalid_message'],
      [{ type: 'subscribe', runIds: [bobs] }, 'run_not_found'],
      [{ type: 'subscribe', runIds: [crypto.randomUUID()] }, 'run_not_found'],
    ];
    for (const [msg, code] of cases) {
      const before = c.frames.length;
      c.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
      const frame = await c.until((f) => c.frames.indexOf(f) >= before && f.type === 'error');
      expect(frame.code).toBe(code);
      c.frames.length = 0;
    }
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await c.until((f) => f.type === 'error')).code).toBe('invalid_message');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    // Bob's run never reaches Alice, not even under 'all'.
    c.send({ type: 'subscribe', runIds: 'all' });
    await c.until((f) => f.type === 'subscribed');
    const bobsSecond = (await bob.orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
    await h.sg.runs.wait(bobsSecond);
    // A run of Alice's started after Bob's ended reaches her after anything of his would have.
    const hers = (await createClient({ baseUrl: h.url, token: alice }).orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
    await c.until((f) => f.type === 'event' && f.event.runId === hers && f.event.type === 'workflow.completed');
    expect(c.events().filter((e) => e.runId === bobs || e.runId === bobsSecond || e.payload?.owner === 'bob')).toEqual([]);
    expect(c.events(hers).at(-1).type).toBe('workflow.completed');
    c.close();
  });

  it('closes a connection whose message exceeds the size limit with 1009', async () => {
    const c = new RawClient(tight.wsUrl, await tight.key('erin'));
    await c.opened;
    c.send(JSON.stringify({ type: 'subscribe', runIds: 'all', pad: 'x'.repeat(70 * 1024) }));
    expect((await c.closed).code).toBe(1009);
  });
});

describe('authentication at the upgrade', () => {
  it('refuses a missing or bad token with 401 and accepts API keys, ?token= and JWTs', async () => {
    await expect(new RawClient(h.wsUrl).opened).rejects.toMatchObject({ status: 401 });
    await expect(new RawClient(h.wsUrl, 'sgk_nope').opened).rejects.toMatchObject({ status: 401 });
    await expect(new RawClient(h.wsUrl, 'a.b.c').opened).rejects.toMatchObject({ status: 401 });
    const viaQuery = new RawClient(h.wsUrl, alice, true);
    const upgrade = new Promise<string | undefined>((resolve) => viaQuery.ws.once('upgrade', (res) => resolve(res.headers['x-request-id'] as string | undefined)));
    await viaQuery.opened;
    expect(await upgrade).toMatch(/^[0-9a-f-]{36}$/);
    viaQuery.close();
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
    const viaJwt = new RawClient(h.wsUrl, jwt);
    await viaJwt.opened;
    viaJwt.close();
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(SECRET));
    await expect(new RawClient(h.wsUrl, expired).opened).rejects.toMatchObject({ status: 401 });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    await expect(new RawClient(h.wsUrl, forged).opened).rejects.toMatchObject({ status: 401 });
    await expect(new RawClient(h.wsUrl.replace('/api/agent/progress', '/elsewhere'), alice).opened).rejects.toMatchObject({ status: 404 });
  });
});
