/**
 * Bad input, generated: for every endpoint, arbitrary and near-valid params, queries
 * and bodies (fast-check); for the WebSocket, arbitrary and near-valid messages. The
 * server never answers 5xx, never crashes, and every error carries a code the route
 * documents, in the one error format, with the status the one table gives it.
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedCodes, fillPath, routes, schemas, statusOf, WS_ERROR_CODES, type RouteSpec } from '../server/index.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { encodeUrlPart } from './support/hostile.ts';

let h: Harness;
let key: string;
let runId: string;
let checkpointId: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  h = await startHarness({ workflows: [tenStages('ten')], captureLogs: true, limits: { bodyBytes: 64 * 1024 } });
  key = await h.key('fuzzer');
  const res = await fetch(`${h.url}/api/agent/orchestrate`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ workflow: 'ten', request: { n: 0 } }),
  });
  runId = ((await res.json()) as { sessionId: string }).sessionId;
  await h.sg.runs.wait(runId);
  checkpointId = (await h.sg.runs.checkpoints(runId))[3]!.checkpointId;
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
});

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends the request exactly as built (no URL normalisation). */
function send(method: string, path: string, body?: { raw: string; type?: string }, token = key): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const u = new URL(h.url);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body?.type) headers['content-type'] = body.type;
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body?.raw);
  });
}

const nasty = fc.constantFrom('..', '../..', '%00', ' ', '"', "'; DROP TABLE sg_runs; --", '${x}', '<script>', 'null', '-1', '1e309', 'NaN', '0x10', '💥', '\u0000', 'tank \udc8c', '\ud800', 'a'.repeat(3000), '/etc/passwd', 'all');
/** Any UTF-16 code units, lone surrogates and NUL included (what a JSON escape can carry). */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), nasty, codeUnits, fc.integer().map(String), fc.uuid());
const paramValue = (name: string) =>
  fc.oneof(
    { weight: 3, arbitrary: text.filter((s) => s.length > 0) },
    { weight: 2, arbitrary: name === 'sessionId' ? fc.constant(runId) : name === 'checkpointId' ? fc.constant(checkpointId) : fc.constantFrom('report.txt', 'design.json') },
    { weight: 1, arbitrary: fc.uuid() },
  );
const queryKey = fc.oneof(fc.constantFrom('since', 'limit', 'offset', 'status', 'workflow', 'capability', 'from', 'to', 'groupBy', 'token'), fc.string({ minLength: 1, maxLength: 8 }));
const queryValue = fc.oneof(text, fc.constantFrom('running', 'completed', 'day', 'week', '2026-01-01T00:00:00Z', '5', '0', 'ten'));
const query = fc.oneof({ weight: 2, arbitrary: fc.constant([] as [string, string][]) }, { weight: 3, arbitrary: fc.array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 4 }) });

const json = (v: unknown) => ({ raw: JSON.stringify(v), type: 'application/json' });
const nearValid: Record<string, fc.Arbitrary<unknown>> = {
  orchestrate: fc.record({
    workflow: fc.option(fc.oneof(fc.constant('ten'), fc.constant('no-such-flow'), text), { nil: undefined }),
    request: fc.oneof(text, fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 1 })),
    options: fc.option(fc.record({ seed: fc.oneof(fc.integer(), fc.double(), text) }, { requiredKeys: [] }), { nil: undefined }),
  }, { requiredKeys: [] }),
  abort: fc.record({ reason: fc.oneof(text, fc.integer()) }, { requiredKeys: [] }),
  answer: fc.record({ answer: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
};
const body = (id: string) =>
  fc.oneof(
    { weight: 3, arbitrary: (nearValid[id] ?? fc.constant({})).map(json) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((raw) => ({ raw, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map((raw) => ({ raw, type: 'text/plain' })) },
    { weight: 1, arbitrary: fc.constantFrom({ raw: `{"request":"${'x'.repeat(70 * 1024)}"}`, type: 'application/json' }, { raw: '', type: undefined }, { raw: '{', type: 'application/json' }) },
  );

/** What the generated requests got back, by `status code`, so the fuzz cannot pass vacuously. */
const seen = new Map<string, number>();

function expectDocumented(spec: RouteSpec, res: Sent): void {
  const kind = `${res.status} ${res.status >= 400 ? /"code":"(\w+)"/.exec(res.body)?.[1] : ''}`;
  seen.set(kind, (seen.get(kind) ?? 0) + 1);
  expect(res.status, `${spec.id}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
  if (res.status < 400) {
    expect(res.status).toBe(spec.status);
    return;
  }
  const parsed = schemas.ErrorBody.safeParse(JSON.parse(res.body));
  expect(parsed.success, res.body.slice(0, 200)).toBe(true);
  const { code, requestId } = parsed.data!.error;
  expect(documentedCodes(spec), `${spec.id} answered ${code}`).toContain(code);
  expect(res.status).toBe(statusOf(code));
  expect(res.headers['x-request-id']).toBe(requestId);
}

describe('every endpoint under generated bad input', () => {
  for (const spec of Object.values(routes) as RouteSpec[]) {
    it(`${spec.method.toUpperCase()} ${spec.path}`, async () => {
      const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const params = fc.record(Object.fromEntries(names.map((n) => [n, paramValue(n)])) as Record<string, fc.Arbitrary<string>>);
      await fc.assert(
        fc.asyncProperty(params, query, spec.body ? body(spec.id) : fc.constant(undefined), async (p, q, b) => {
          const qs = q.map(([k, v]) => `${encodeUrlPart(k)}=${encodeUrlPart(v)}`).join('&');
          const path = spec.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeUrlPart(p[n]!)) + (qs ? `?${qs}` : '');
          expectDocumented(spec, await send(spec.method.toUpperCase(), path, b));
        }),
        // One valid start among the generated ones, so reaching 202 does not depend on luck.
        { numRuns: spec.id === 'orchestrate' ? 80 : 40, examples: spec.id === 'orchestrate' ? [[{}, [], json({ workflow: 'ten', request: { n: 0 } })]] : [] },
      );
    });
  }

  it('answers wrong methods, unknown routes and missing upgrades in the same format', async () => {
    const cases: [string, string, number, string][] = [
      ['DELETE', `/api/agent/${runId}`, 405, 'method_not_allowed'],
      ['PUT', '/api/agent/orchestrate', 405, 'method_not_allowed'],
      ['GET', '/api/nothing-here', 404, 'route_not_found'],
      ['GET', '/api/agent/progress', 426, 'upgrade_required'],
    ];
    for (const [method, path, status, code] of cases) {
      const res = await send(method, path);
      expect([res.status, JSON.parse(res.body).error.code], `${method} ${path}`).toEqual([status, code]);
    }
  });

  it('reached success and every kind of client error', () => {
    const kinds = [...seen.keys()];
    for (const k of ['200 ', '202 ', '400 invalid_request', '400 invalid_input', '400 invalid_json', '404 run_not_found', '409 invalid_transition', '413 payload_too_large', '415 unsupported_media_type']) {
      expect(kinds, JSON.stringify(Object.fromEntries(seen))).toContain(k);
    }
  });

  it('stayed up, logged no server error, and no promise rejected unhandled', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
    expect(h.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe('every WebSocket message type under generated bad input', () => {
  it('answers each message with an ack or a documented error frame and stays open', async () => {
    const c = new RawClient(h.wsUrl, key);
    await c.opened;
    const ids = fc.oneof(fc.constant('all'), fc.array(fc.oneof(fc.uuid(), fc.constant(runId), text), { maxLength: 3 }), text, fc.integer());
    const since = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.dictionary(fc.oneof(fc.uuid(), fc.constant(runId), text), fc.oneof(fc.integer(), text), { maxKeys: 2 }), text);
    const message = fc.oneof(
      fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe', 'ping', ''), runIds: ids, since, after: fc.oneof(text, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())) }, { requiredKeys: ['type'] }).map((m) => JSON.stringify(m)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 50 }),
    );
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const before = c.frames.length;
        c.send(m);
        await c.until((f) => c.frames.indexOf(f) >= before && f.type !== 'event');
        await new Promise((r) => setTimeout(r, 10));
        for (const f of c.frames.slice(before)) {
          expect(['event', 'subscribed', 'unsubscribed', 'error']).toContain(f.type);
          if (f.type === 'error') expect(WS_ERROR_CODES).toContain(f.code);
        }
        expect(c.ws.readyState).toBe(1);
      }),
      { numRuns: 150 },
    );
    c.frames.length = 0;
    c.send({ type: 'unsubscribe', runIds: 'all' });
    await c.until((f) => f.type === 'unsubscribed');
    c.send({ type: 'subscribe', runIds: [runId], since: 0 });
    await c.until((f) => f.type === 'event' && f.event.type === 'workflow.completed');
    c.close();
  }, 60_000);
});
