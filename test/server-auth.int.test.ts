/**
 * Authentication and ownership: every protected route refuses a missing or bad
 * token; no route or event stream shows one owner's runs to another; API keys are
 * stored hashed and can be revoked; JWTs are verified; callers are rate limited;
 * `auth: { mode: 'none' }` serves a local user.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../client/index.ts';
import { fillPath, revokeApiKey, routes, type RouteSpec } from '../server/index.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { until } from './support/runs.ts';

const SECRET = 'another-test-secret-of-at-least-32-bytes';
const jwtFor = (sub: string | undefined, secret = SECRET, exp: string | number = '5m') => {
  const t = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp);
  if (sub !== undefined) t.setSubject(sub);
  return t.sign(new TextEncoder().encode(secret));
};

let h: Harness;
let alice: Client;
let bob: Client;
let aliceKey: string;
let bobKey: string;
let aliceRun: string;
let checkpointId: string;

beforeAll(async () => {
  h = await startHarness({ workflows: [tenStages('ten')], auth: { mode: 'token', jwt: { secret: SECRET }, keyCacheMs: 50 } });
  aliceKey = await h.key('alice');
  bobKey = await h.key('bob');
  alice = createClient({ baseUrl: h.url, token: aliceKey });
  bob = createClient({ baseUrl: h.url, token: bobKey });
  aliceRun = (await alice.orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
  await h.sg.runs.wait(aliceRun);
  checkpointId = (await alice.checkpoints(aliceRun)).checkpoints.at(-1)!.checkpointId;
});
afterAll(async () => h?.close());

/** A request for a route with Alice's run in its params. */
function requestFor(spec: RouteSpec, token?: string): Promise<Response> {
  const path = fillPath(spec.path, { sessionId: aliceRun, checkpointId, name: 'report.txt', decisionId: crypto.randomUUID(), id: 'ten', workflowId: 'ten', hookId: crypto.randomUUID() });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (spec.body) headers['content-type'] = 'application/json';
  const body = spec.body ? JSON.stringify(spec.id === 'orchestrate' ? { request: 'x', workflow: 'ten' } : validBody(spec)) : undefined;
  return fetch(h.url + path, { method: spec.method.toUpperCase(), headers, body });
}

/** A body that passes validation, so the request reaches the owner check. */
function validBody(spec: RouteSpec): unknown {
  if (spec.id === 'answer') return { answer: {} };
  if (spec.id === 'recover') return { action: 'retry' };
  if (spec.id === 'decisionFeedback') return { verdict: 'agree' };
  return {};
}

const protectedRoutes = (Object.values(routes) as RouteSpec[]).filter((r) => !r.public);

describe('authentication', () => {
  it('refuses every protected route without a token (401 unauthenticated) or with a bad one (401 invalid_token)', async () => {
    for (const spec of protectedRoutes) {
      const none = await requestFor(spec);
      expect(none.status, spec.id).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await none.json()) as any).error.code).toBe('unauthenticated');
      for (const bad of ['sgk_forged', 'garbage', await jwtFor('alice', 'a-different-secret-of-32-bytes-or-more'), await jwtFor('alice', SECRET, Math.floor(Date.now() / 1000) - 60), await jwtFor(undefined)]) {
        const res = await requestFor(spec, bad);
        expect(res.status, `${spec.id} with ${bad.slice(0, 12)}`).toBe(401);
        expect(((await res.json()) as any).error.code).toBe('invalid_token');
      }
    }
    const basic = await fetch(`${h.url}/api/agent/runs`, { headers: { authorization: 'Basic YTpi' } });
    expect(((await basic.json()) as any).error.code).toBe('invalid_token');
  });

  it('serves health, readiness, metrics and the OpenAPI document without a token', async () => {
    for (const spec of (Object.values(routes) as RouteSpec[]).filter((r) => r.public)) {
      expect((await fetch(h.url + spec.path)).status, spec.id).toBe(200);
    }
  });

  it('accepts a JWT whose subject is the owner', async () => {
    const viaJwt = createClient({ baseUrl: h.url, token: await jwtFor('alice') });
    expect((await viaJwt.getRun(aliceRun)).sessionId).toBe(aliceRun);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.`;
    const res = await fetch(`${h.url}/api/agent/${aliceRun}`, { headers: { authorization: `Bearer ${unsigned}` } });
    expect(res.status).toBe(401);
  });

  it('stores API keys only as sha-256 hashes, and refuses a revoked key', async () => {
    const { rows } = await h.sg.db.pool.query<{ id: string; owner: string; hash: Buffer }>('SELECT id, owner, hash FROM sg_api_keys');
    expect(JSON.stringify(rows)).not.toContain(aliceKey);
    const mine = rows.find((r) => r.hash.equals(createHash('sha256').update(aliceKey).digest()))!;
    expect(mine.owner).toBe('alice');
    const temp = await h.key('alice');
    const tempId = (await h.sg.db.pool.query<{ id: string }>('SELECT id FROM sg_api_keys WHERE hash = $1', [createHash('sha256').update(temp).digest()])).rows[0]!.id;
    const c = createClient({ baseUrl: h.url, token: temp });
    expect((await c.listRuns()).runs.length).toBeGreaterThan(0);
    expect(await revokeApiKey(h.sg.db, tempId)).toBe(true);
    // Refused once the server's key cache (50 ms here) lapses.
    const refused = await until(() => c.listRuns().then(() => undefined, (e: unknown) => e), 5_000, 'the revoked key to be refused');
    expect(refused).toMatchObject({ status: 401, code: 'invalid_token' });
  });
});

describe('ownership', () => {
  it("answers 404 run_not_found for another owner's run on every run route", async () => {
    const runRoutes = protectedRoutes.filter((r) => r.path.includes('{sessionId}'));
    expect(runRoutes.length).toBeGreaterThanOrEqual(13);
    for (const spec of runRoutes) {
      const res = await requestFor(spec, bobKey);
      const body = (await res.json()) as any;
      expect([res.status, body.error.code], spec.id).toEqual([404, 'run_not_found']);
      expect(JSON.stringify(body)).not.toContain('alice');
      // The same as a run that does not exist at all.
      const missing = await fetch(h.url + fillPath(spec.path, { sessionId: crypto.randomUUID(), checkpointId, name: 'x' }), {
        method: spec.method.toUpperCase(), headers: { authorization: `Bearer ${bobKey}`, 'content-type': 'application/json' },
        body: spec.body ? JSON.stringify(validBody(spec)) : undefined,
      });
      expect([missing.status, ((await missing.json()) as any).error.code]).toEqual([404, 'run_not_found']);
    }
  });

  it('lists, counts and streams only the caller\'s runs', async () => {
    expect((await bob.listRuns()).runs).toEqual([]);
    expect((await alice.listRuns()).runs.map((r) => r.sessionId)).toContain(aliceRun);
    expect(await bob.stats()).toMatchObject({ stages: [], workflows: [], handoffs: [] });

    const bobWatch = new RawClient(h.wsUrl, bobKey);
    await bobWatch.opened;
    bobWatch.send({ type: 'subscribe', runIds: 'all', since: { [aliceRun]: 0 } });
    await bobWatch.until((f) => f.type === 'subscribed');
    bobWatch.send({ type: 'subscribe', runIds: [aliceRun], since: 0 });
    expect((await bobWatch.until((f) => f.type === 'error')).code).toBe('run_not_found');
    const aliceWatch = new RawClient(h.wsUrl, aliceKey);
    await aliceWatch.opened;
    aliceWatch.send({ type: 'subscribe', runIds: 'all' });
    await aliceWatch.until((f) => f.type === 'subscribed');
    const second = (await alice.orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
    await aliceWatch.until((f) => f.type === 'event' && f.event.runId === second && f.event.type === 'workflow.completed');
    // A run of Bob's own, started after Alice's ended, reaches his connection after anything of hers would have.
    const bobs = (await bob.orchestrate({ workflow: 'ten', request: { n: 0 } })).sessionId;
    await bobWatch.until((f) => f.type === 'event' && f.event.runId === bobs && f.event.type === 'workflow.completed');
    expect(new Set(bobWatch.events().map((e) => e.runId))).toEqual(new Set([bobs]));
    // Bob's frames hold nothing of Alice's but the id Bob himself sent (echoed in his error frame).
    expect(bobWatch.frames.every((f) => !JSON.stringify(f).includes(second))).toBe(true);
    bobWatch.close();
    aliceWatch.close();
  });
});

describe('rate limits and local mode', () => {
  it('limits each caller with a token bucket and answers 429 rate_limited with Retry-After', async () => {
    const limited = await startHarness({ workflows: [tenStages('ten')], limits: { rateLimit: { perSecond: 2, burst: 5 } } });
    try {
      const k1 = await limited.key('alice');
      const k2 = await limited.key('bob');
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 8; i++) {
        last = await fetch(`${limited.url}/api/agent/runs`, { headers: { authorization: `Bearer ${k1}` } });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await last!.json()) as any).error).toMatchObject({ code: 'rate_limited', details: { perSecond: 2, burst: 5 } });
      expect((await fetch(`${limited.url}/api/agent/runs`, { headers: { authorization: `Bearer ${k2}` } })).status).toBe(200);
      // The bucket refills (2 a second): a later request goes through.
      await until(async () => ((await fetch(`${limited.url}/api/agent/runs`, { headers: { authorization: `Bearer ${k1}` } })).status === 200 ? true : undefined), 5_000, 'a refilled token');
      // The WebSocket upgrade and its messages draw from the same bucket as HTTP: with 3 of a
      // fresh caller's 5 tokens spent over HTTP and 1 on the upgrade, 1 subscription goes
      // through (2 if a token refilled meanwhile), not the 4 of a bucket of its own.
      const k3 = await limited.key('carol');
      for (let i = 0; i < 3; i++) expect((await fetch(`${limited.url}/api/agent/runs`, { headers: { authorization: `Bearer ${k3}` } })).status).toBe(200);
      const ws = new RawClient(limited.wsUrl, k3);
      await ws.opened;
      for (let i = 0; i < 8; i++) ws.send({ type: 'subscribe', runIds: 'all' });
      const limitedFrame = await ws.until((f) => f.type === 'error' && f.code === 'rate_limited');
      expect(ws.frames.slice(0, ws.frames.indexOf(limitedFrame)).filter((f) => f.type === 'subscribed').length).toBeLessThanOrEqual(2);
      ws.close();
    } finally {
      await limited.close();
    }
  });

  it("serves everyone as 'local' with auth: { mode: 'none' }", async () => {
    const open = await startHarness({ workflows: [tenStages('ten')], auth: { mode: 'none' } });
    try {
      const c = createClient({ baseUrl: open.url });
      const { sessionId } = await c.orchestrate({ workflow: 'ten', request: { n: 0 } });
      expect((await open.sg.runs.wait(sessionId)).owner).toBe('local');
      expect((await c.getRun(sessionId)).status).toBe('completed');
      const ws = new RawClient(open.wsUrl);
      await ws.opened;
      ws.send({ type: 'subscribe', runIds: [sessionId] });
      await ws.until((f) => f.type === 'event' && f.event.type === 'workflow.completed');
      ws.close();
    } finally {
      await open.close();
    }
  });
});
