/**
 * Hooks end to end, on real Postgres, a real server on port 0 and a real loopback
 * receiver: webhooks registered over REST are delivered signed (the receiver checks the
 * HMAC), a receiver that keeps failing sees retries with growing gaps (from the recorded
 * attempt times) and then a dead letter, a flaky one is delivered on its third attempt,
 * the run itself is unaffected; packs' code hooks run the same way; a blocking hook fails
 * its stage; deliveries come from the event log, so a process that never published a
 * run's events to its hooks loses none of them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { definePack } from '../graph/packs/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { SIGNATURE_HEADER, verifySignature, type DeliveryInfo, type HookDelivery } from '../graph/hooks/index.ts';
import { createApiKey, createServer, type StagegraphServer } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { until } from './support/runs.ts';

/** Long enough that scheduling noise on a loaded machine (measured up to ~170 ms) cannot reorder the gaps. */
const BACKOFF_MS = 400;

/** What the loopback receiver got on one path. */
interface Received {
  body: string;
  signature: string | undefined;
  delivery: HookDelivery;
}

/** A loopback HTTP receiver: `/ok` answers 204, `/fail` 500, `/flaky` 500 twice per delivery then 204, `/gate` 204 once `gate.open`, else 500. */
async function startReceiver() {
  const got = new Map<string, Received[]>();
  const gate = { open: false };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = JSON.parse(body) as HookDelivery;
      const path = req.url ?? '/';
      const list = got.get(path) ?? [];
      list.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined, delivery });
      got.set(path, list);
      const tries = list.filter((r) => r.delivery.id === delivery.id).length;
      const fail = path === '/fail' || (path === '/flaky' && tries <= 2) || (path === '/gate' && !gate.open);
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, gate, got: (path: string) => got.get(path) ?? [], close: () => new Promise<void>((r) => server.close(() => r())) };
}

const audited: HookDelivery[] = [];
const flakyCode = new Map<string, number>();
const pack = definePack({
  id: 'hooked', version: '1.0.0', stagegraph: '^0.1',
  workflows: [sequence('three', [stage('a'), stage('b'), stage('c')]), sequence('guarded', [stage('g1'), stage('g2')])],
  hooks: [
    { name: 'audit', events: ['run.started', 'run.completed'], workflows: ['three'], run: (d) => void audited.push(d) },
    {
      name: 'flaky', events: ['run.completed'], workflows: ['three'],
      run: (d) => {
        const n = (flakyCode.get(d.id) ?? 0) + 1;
        flakyCode.set(d.id, n);
        if (n <= 2) throw Object.assign(new Error('not yet'), { code: 'busy' });
      },
    },
    {
      name: 'gate', events: ['stage.before'], workflows: ['guarded'], blocking: true,
      run: (d) => {
        if ((d.data as { stage: string }).stage === 'g2') throw new Error('g2 is closed');
      },
    },
  ],
});

let t: TestDatabase;
let sg: Stagegraph;
let api: StagegraphServer;
let url: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alice: string;
let bob: string;

beforeAll(async () => {
  t = await testDatabase({ max: 20 });
  sg = await createStagegraph({ packs: [pack], database: t.db, recover: false, hooks: { backoffMs: BACKOFF_MS, pollMs: 50, sweepMs: 100 } });
  api = createServer({ stagegraph: sg, auth: { mode: 'token' }, limits: { rateLimit: false }, validateResponses: true, logger: (await import('pino')).pino({ level: 'silent' }) });
  url = (await api.listen(0)).url;
  receiver = await startReceiver();
  alice = (await createApiKey(sg.db, 'alice')).key;
  bob = (await createApiKey(sg.db, 'bob')).key;
});
afterAll(async () => {
  await api?.close();
  await sg?.close();
  await receiver?.close();
  await t?.drop();
});

async function call(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function runToEnd(key: string, workflow: string): Promise<string> {
  const started = await call(key, 'POST', '/api/agent/orchestrate', { workflow, request: { n: 0 } });
  expect(started.status).toBe(202);
  await sg.runs.wait(started.json.sessionId);
  return started.json.sessionId as string;
}

/** The run's deliveries once none is waiting for an attempt. */
function settled(runId: string, count: number): Promise<DeliveryInfo[]> {
  return until(async () => {
    const all = await sg.hooks.forRun(runId);
    return all.length >= count && all.every((d) => d.status === 'delivered' || d.status === 'dead') ? all : undefined;
  }, 30_000, `${count} settled deliveries of run ${runId}`);
}

const eventsOf = async (runId: string) => (await sg.runs.events.since(runId)).map((e) => (e.type === 'workflow.stage_changed' ? `${e.payload.stage}:${e.payload.change}` : e.type));

describe('registering webhooks', () => {
  it('refuses bad input with a stable code and stores nothing', async () => {
    const bad: [unknown, number, string][] = [
      [{ url: 'ftp://127.0.0.1/x', events: ['run.completed'] }, 400, 'invalid_request'],
      [{ url: 'not a url', events: ['run.completed'] }, 400, 'invalid_request'],
      [{ url: `${receiver.base}/ok`, events: ['run.finished'] }, 400, 'invalid_request'],
      [{ url: `${receiver.base}/ok`, events: [] }, 400, 'invalid_request'],
      [{ url: `${receiver.base}/ok`, events: ['run.completed'], retries: 11 }, 400, 'invalid_request'],
      [{ url: `${receiver.base}/ok`, events: ['run.completed'], extra: 1 }, 400, 'invalid_request'],
      [{ url: `${receiver.base}/ok`, events: ['run.completed'], blocking: true }, 422, 'invalid_hook'],
      [{ url: `${receiver.base}/ok`, events: ['run.completed', 'run.completed'] }, 422, 'invalid_hook'],
    ];
    for (const [body, status, code] of bad) {
      const r = await call(alice, 'POST', '/api/hooks', body);
      expect({ status: r.status, code: r.json.error.code }, JSON.stringify(body)).toEqual({ status, code });
    }
    const listed = await call(alice, 'GET', '/api/hooks');
    expect(listed.json.hooks.filter((h: { kind: string }) => h.kind === 'webhook')).toEqual([]);
    expect(listed.json.hooks.map((h: { key: string }) => h.key)).toEqual(['hooked/audit', 'hooked/flaky', 'hooked/gate']);
  });
});

describe('webhooks on a run', () => {
  let runId: string;
  let baseline: string;
  let secret: string;
  let hooks: Record<string, string>;

  beforeAll(async () => {
    baseline = await runToEnd(alice, 'three');
    const ok = await call(alice, 'POST', '/api/hooks', { url: `${receiver.base}/ok`, events: ['run.started', 'stage.before', 'stage.after', 'run.completed'] });
    expect(ok.status).toBe(200);
    secret = ok.json.secret;
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const fail = await call(alice, 'POST', '/api/hooks', { url: `${receiver.base}/fail`, events: ['run.completed'], secret: 'fail-secret-0123456789' });
    const flaky = await call(alice, 'POST', '/api/hooks', { url: `${receiver.base}/flaky`, events: ['run.completed'], secret: 'flaky-secret-0123456789' });
    hooks = { ok: ok.json.hook.id, fail: fail.json.hook.id, flaky: flaky.json.hook.id };
    runId = await runToEnd(alice, 'three');
  });

  it('delivers every event the hook listens to, signed with its secret', async () => {
    const deliveries = await settled(runId, 8 + 1 + 1 + 3);
    const got = receiver.got('/ok').filter((r) => r.delivery.run.id === runId);
    expect(got.map((r) => verifySignature(secret, r.body, r.signature))).toEqual(got.map(() => true));
    expect(verifySignature(secret, got[0]!.body.replace('"attempt":1', '"attempt":2'), got[0]!.signature)).toBe(false);
    expect(verifySignature('whsec_other', got[0]!.body, got[0]!.signature)).toBe(false);
    const seen = got.map((r) => r.delivery).sort((x, y) => (x.data as { seq: number }).seq - (y.data as { seq: number }).seq);
    const stageOf = (e: RunEvent) => (e.type === 'workflow.stage_changed' ? e.payload.stage : null);
    expect(seen.map((d) => [d.event, stageOf(d.data as RunEvent)])).toEqual([
      ['run.started', null], ['stage.before', 'a'], ['stage.after', 'a'], ['stage.before', 'b'], ['stage.after', 'b'],
      ['stage.before', 'c'], ['stage.after', 'c'], ['run.completed', null],
    ]);
    expect(seen.every((d) => d.run.id === runId && d.run.workflowId === 'three' && d.hook === hooks.ok && d.attempt === 1)).toBe(true);
    const mine = deliveries.filter((d) => d.hookId === hooks.ok);
    expect(mine.map((d) => [d.status, d.attempts])).toEqual(mine.map(() => ['delivered', 1]));
  });

  it('retries a failing receiver with growing gaps, then dead-letters it', async () => {
    const deliveries = await settled(runId, 13);
    const dead = deliveries.find((d) => d.hookId === hooks.fail)!;
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, lastError: 'HTTP 500', event: 'run.completed', nextAt: null, target: `${receiver.base}/fail` });
    expect(dead.history.map((a) => [a.attempt, a.ok, a.status])).toEqual([[1, false, 500], [2, false, 500], [3, false, 500], [4, false, 500]]);
    const at = dead.history.map((a) => Date.parse(a.at));
    const gaps = at.slice(1).map((x, i) => x - at[i]!);
    // Retry n waits at least backoff * 2^(n-1) after attempt n failed (database clock, recorded).
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1} of ${gaps}`).toBeGreaterThanOrEqual(BACKOFF_MS * 2 ** i));
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    // The receiver saw the same delivery, signed, four times.
    const tries = receiver.got('/fail').filter((r) => r.delivery.run.id === runId);
    expect(tries.map((r) => [r.delivery.id, r.delivery.attempt])).toEqual([1, 2, 3, 4].map((n) => [dead.id, n]));
    expect(tries.every((r) => verifySignature('fail-secret-0123456789', r.body, r.signature))).toBe(true);
    // Nothing is retried after the dead letter.
    await sg.hooks.flush(runId);
    expect((await sg.hooks.forRun(runId)).find((d) => d.id === dead.id)!.attempts).toBe(4);
  });

  it('delivers to a receiver that recovers, on the attempt it answers', async () => {
    const deliveries = await settled(runId, 13);
    const flaky = deliveries.find((d) => d.hookId === hooks.flaky)!;
    expect(flaky).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(flaky.history.map((a) => [a.ok, a.status ?? null])).toEqual([[false, 500], [false, 500], [true, 204]]);
  });

  it('leaves the run as it would be without hooks', async () => {
    const [row, base] = await Promise.all([sg.runs.get(runId, 'alice'), sg.runs.get(baseline, 'alice')]);
    expect(row.status).toBe('completed');
    expect(row.error).toBeNull();
    expect(await eventsOf(runId)).toEqual(await eventsOf(baseline));
    expect(base.status).toBe('completed');
    // The baseline ran before any webhook existed: only the packs' code hooks heard it.
    expect((await sg.hooks.forRun(baseline)).map((d) => d.hookKind)).toEqual(['code', 'code', 'code']);
  });

  it("shows the run's deliveries over REST, to its owner only", async () => {
    const mine = await call(alice, 'GET', `/api/agent/${runId}/hooks`);
    expect(mine.status).toBe(200);
    expect(mine.json.deliveries).toHaveLength(13);
    expect(mine.json.deliveries.filter((d: DeliveryInfo) => d.status === 'dead').map((d: DeliveryInfo) => d.hookId)).toEqual([hooks.fail]);
    const theirs = await call(bob, 'GET', `/api/agent/${runId}/hooks`);
    expect([theirs.status, theirs.json.error.code]).toEqual([404, 'run_not_found']);
    const bobs = await call(bob, 'GET', '/api/hooks');
    expect(bobs.json.hooks.filter((h: { kind: string }) => h.kind === 'webhook')).toEqual([]);
    const listed = await call(alice, 'GET', '/api/hooks');
    expect(listed.json.hooks.filter((h: { kind: string }) => h.kind === 'webhook').map((h: { id: string }) => h.id)).toEqual([hooks.ok, hooks.fail, hooks.flaky]);
    expect(JSON.stringify(listed.json)).not.toContain('secret');
  });

  it('deletes a webhook only for its owner; a deleted one hears nothing more', async () => {
    const refused = await call(bob, 'DELETE', `/api/hooks/${hooks.fail}`);
    expect([refused.status, refused.json.error.code]).toEqual([404, 'hook_not_found']);
    for (const id of [hooks.fail, hooks.flaky]) expect((await call(alice, 'DELETE', `/api/hooks/${id}`)).status).toBe(200);
    expect((await call(alice, 'DELETE', `/api/hooks/${hooks.fail}`)).json.error.code).toBe('hook_not_found');
    const next = await runToEnd(alice, 'three');
    const deliveries = await settled(next, 8 + 3);
    expect(new Set(deliveries.map((d) => d.hookId)).has(hooks.fail)).toBe(false);
    expect(deliveries.filter((d) => d.hookKind === 'webhook')).toHaveLength(8);
  });
});

describe('code hooks declared in a pack', () => {
  it('run after their events with the same retries, and show in the run', async () => {
    const runId = await runToEnd(alice, 'three');
    const deliveries = await settled(runId, 3);
    const code = deliveries.filter((d) => d.hookKind === 'code');
    expect(code.map((d) => [d.target, d.event, d.status, d.attempts])).toEqual([
      ['hooked/audit', 'run.started', 'delivered', 1], ['hooked/audit', 'run.completed', 'delivered', 1], ['hooked/flaky', 'run.completed', 'delivered', 3],
    ]);
    expect(code[2]!.history.map((a) => a.error ?? null)).toEqual(['busy: not yet', 'busy: not yet', null]);
    const heard = audited.filter((d) => d.run.id === runId);
    expect(heard.map((d) => [d.event, (d.data as RunEvent).type])).toEqual([['run.started', 'workflow.started'], ['run.completed', 'workflow.completed']]);
  });

  it('a blocking hook that fails before a stage fails the stage and the run, recorded', async () => {
    const runId = await runToEnd(alice, 'guarded');
    const row = await sg.runs.get(runId, 'alice');
    expect(row.status).toBe('failed');
    expect(row.error).toMatchObject({ code: 'hook_failed', details: { hook: 'hooked/gate', stage: 'g2', error: 'g2 is closed' } });
    expect(row.completed).toEqual(['g1']);
    const blocking = (await sg.hooks.forRun(runId)).filter((d) => d.blocking);
    expect(blocking.map((d) => [d.stage, d.status, d.seq, d.lastError])).toEqual([['g1', 'delivered', null, null], ['g2', 'dead', null, 'g2 is closed']]);
  });
});

describe('a blocking webhook', () => {
  it("that asks: its failure before a stage waits for a person, whose answer runs the stage and the hook again", async () => {
    const gate = await call(bob, 'POST', '/api/hooks', {
      url: `${receiver.base}/gate`, events: ['stage.before'], blocking: true, onFailure: 'ask', workflows: ['three'], secret: 'gate-secret-0123456789',
    });
    expect(gate.status).toBe(200);
    const runId = await runToEnd(bob, 'three');
    const waiting = await sg.runs.get(runId, 'bob');
    expect(waiting.status).toBe('waiting_input');
    expect(waiting.question).toMatchObject({ stage: 'a', code: 'hook_failed', details: { hookId: gate.json.hook.id, stage: 'a', error: 'HTTP 500' } });
    receiver.gate.open = true;
    expect((await call(bob, 'POST', `/api/agent/${runId}/answer`, { answer: {} })).status).toBe(202);
    const done = await sg.runs.wait(runId);
    expect(done.status).toBe('completed');
    const blocking = (await sg.hooks.forRun(runId)).filter((d) => d.blocking);
    expect(blocking.map((d) => [d.stage, d.status, d.lastError])).toEqual([['a', 'dead', 'HTTP 500'], ['a', 'delivered', null], ['b', 'delivered', null], ['c', 'delivered', null]]);
    const got = receiver.got('/gate').filter((r) => r.delivery.run.id === runId);
    expect(got.map((r) => [(r.delivery.data as { stage: string }).stage, verifySignature('gate-secret-0123456789', r.body, r.signature)])).toEqual([['a', true], ['a', true], ['b', true], ['c', true]]);
    // Alice's runs do not pass through Bob's gate.
    const alices = await runToEnd(alice, 'three');
    expect((await sg.hooks.forRun(alices)).filter((d) => d.blocking)).toEqual([]);
    expect((await call(bob, 'DELETE', `/api/hooks/${gate.json.hook.id}`)).status).toBe(200);
  });
});

describe('deliveries come from the event log', () => {
  it('events of a run whose process never derived them are delivered by another process', async () => {
    // A second instance on the same database that neither derives nor delivers: as if it died after every commit.
    const other = await createStagegraph({ packs: [pack], database: t.db, recover: false, notifyEvents: false, hooks: { deliver: false } });
    let runId: string;
    try {
      const row = await other.runs.start({ workflowId: 'three', request: { n: 0 }, owner: 'alice' });
      runId = row.id;
      await other.runs.wait(runId);
    } finally {
      await other.close();
    }
    const deliveries = await settled(runId, 8 + 3);
    expect(deliveries.filter((d) => d.hookId && d.hookKind === 'webhook').map((d) => d.status)).toEqual(Array(8).fill('delivered'));
    expect(receiver.got('/ok').filter((r) => r.delivery.run.id === runId).map((r) => r.delivery.event).sort()).toEqual(
      ['run.completed', 'run.started', 'stage.after', 'stage.after', 'stage.after', 'stage.before', 'stage.before', 'stage.before'],
    );
  });
});
