/**
 * The server under hostile input, from the outside (issue 10): strings Postgres cannot
 * store (NUL, lone surrogates) in every string field of every route and of every
 * WebSocket message, generated from the contract; requests Node's HTTP parser refuses;
 * bad WebSocket upgrades; concurrent pause/resume/abort/answer/recover on one run; and
 * a WebSocket whose send throws. Every answer is a success or an error in the one
 * format with a request id, never a 5xx; the server stays up; no promise rejects
 * unhandled; client-caused errors are logged as such, not as server errors.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientMessage, PROGRESS_PATH, documentedCodes, fillPath, routes, schemas, statusOf, type RouteSpec } from '../server/index.ts';
import { askWorkflow, Journal } from './fixtures/journal.ts';
import { flakyWorkflow } from './fixtures/workflows.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { expectErrorFormat, fieldOf, inputSlots, place, rawExchange, type RawResponse } from './support/hostile.ts';
import { until } from './support/runs.ts';

const JWT_SECRET = 'a-hostile-test-secret-of-32-bytes-or-more';
let h: Harness;
let key: string;
let runId: string;
let checkpointId: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  h = await startHarness({
    workflows: [tenStages('ten'), tenStages('slow', 30), askWorkflow(new Journal()), flakyWorkflow()],
    auth: { mode: 'token', jwt: { secret: JWT_SECRET } },
    captureLogs: true,
  });
  key = await h.key('hostile');
  runId = (await post('/api/agent/orchestrate', { workflow: 'ten', request: { n: 0 } })).json.sessionId;
  await h.sg.runs.wait(runId);
  checkpointId = (await h.sg.runs.checkpoints(runId))[2]!.checkpointId;
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
}

async function request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const got: Record<string, string> = {};
  res.headers.forEach((value, name) => (got[name] = value));
  return { status: res.status, headers: got, body: text, json };
}

const post = (path: string, body: unknown) => request('POST', path, JSON.stringify(body));
const start = async (workflow: string, req: unknown) => (await post('/api/agent/orchestrate', { workflow, request: req })).json.sessionId as string;

/** A documented answer of `spec`: its success status, or an error in the one format with a code it documents. */
function expectDocumented(spec: RouteSpec, res: Answer | RawResponse, what: string): string | undefined {
  expect(res.status, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.status < 400) {
    expect(res.status, what).toBe(spec.status);
    return undefined;
  }
  const error = expectErrorFormat(res, what);
  expect(documentedCodes(spec), `${what} answered ${error.code}`).toContain(error.code);
  expect(res.status, what).toBe(statusOf(error.code));
  return error.code;
}

/** Strings Postgres cannot store, as JSON carries them (escapes in the request text). */
const UNSTORABLE = ['\u0000', 'tank\u0000', '\ud800', 'tank \udc8c', '\udfff\ud800x'];

/** Valid path values, so the hostile part is the only thing wrong with a request. */
function validParams(spec: RouteSpec): Record<string, string> {
  const values: Record<string, string> = { sessionId: runId, checkpointId: checkpointId, name: 'report.txt', decisionId: '00000000-0000-4000-8000-000000000000' };
  return Object.fromEntries([...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, values[m[1]!] ?? 'x']));
}

const ALL = Object.values(routes) as RouteSpec[];

describe('strings Postgres cannot store, in every field of every route', () => {
  it('the issue\'s request is refused with 400 invalid_input and starts no run', async () => {
    const before = (await h.sg.runs.list({ owner: 'hostile', limit: 1000 })).length;
    for (const raw of ['{"request":"tank \\udc8c"}', '{"request":"\\u0000"}', '{"request":{"text":"a\\ud800b"}}', '{"request":{"a\\u0000":1}}']) {
      const res = await request('POST', '/api/agent/orchestrate', raw);
      const error = expectErrorFormat(res, raw);
      expect([res.status, error.code], raw).toEqual([400, 'invalid_input']);
      expect(error.details.field, raw).toMatch(/^body\.request/);
      expect(error.message).toMatch(/cannot be stored/);
    }
    expect((await h.sg.runs.list({ owner: 'hostile', limit: 1000 })).length).toBe(before);
  });

  const bodied = ALL.filter((s) => s.body);
  it.each(bodied.map((s) => [s.id, s] as const))('body of %s: every field, key and value', async (_, spec) => {
    const slots = inputSlots(spec.body!);
    expect(slots.length).toBeGreaterThan(0);
    const path = fillPath(spec.path, validParams(spec));
    for (const slot of slots) {
      for (const s of UNSTORABLE) {
        const body = place({}, slot, s);
        const what = `${spec.id} ${JSON.stringify(body)}`;
        const res = await request(spec.method.toUpperCase(), path, JSON.stringify(body));
        expect(expectDocumented(spec, res, what), what).toBe('invalid_input');
        expect(res.json.error.details.field, what).toBe(fieldOf('body', slot, s));
      }
    }
  });

  it('every body slot of the contract is covered (the walk finds nested and open fields)', () => {
    const orchestrate = inputSlots(routes.orchestrate.body).map((s) => `${s.path.join('.')}${s.key ? ' (key)' : ''}`);
    expect(orchestrate).toEqual(expect.arrayContaining(['workflow', 'request', 'request.field', 'request (key)', 'options', 'options.seed']));
    const recover = inputSlots(routes.recover.body).map((s) => `${s.path.join('.')}${s.key ? ' (key)' : ''}`);
    expect(recover).toEqual(expect.arrayContaining(['action', 'reason', 'input', 'input.field', 'input (key)', 'checkpointId', 'stage']));
  });

  const withParams = ALL.filter((s) => s.params);
  it.each(withParams.map((s) => [s.id, s] as const))('path parameters of %s', async (_, spec) => {
    for (const name of Object.keys(spec.params!.shape)) {
      const params = validParams(spec);
      // NUL arrives percent-encoded; a lone surrogate has no UTF-8 form, so its CESU-8 bytes are the nearest a URL gets.
      const nul = await request(spec.method.toUpperCase(), fillPath(spec.path, { ...params, [name]: 'x\u0000y' }), spec.body ? '{}' : undefined);
      expect(expectDocumented(spec, nul, `${spec.id} ${name}=NUL`)).toBe('invalid_input');
      expect(nul.json.error.details.field).toBe(`params.${name}`);
      const url = fillPath(spec.path, params).replace(encodeURIComponent(params[name]!), 'x%ED%B2%8Cy');
      expectDocumented(spec, await request(spec.method.toUpperCase(), url, spec.body ? '{}' : undefined), `${spec.id} ${name}=CESU-8 surrogate`);
    }
  });

  const withQuery = ALL.filter((s) => s.query);
  it.each(withQuery.map((s) => [s.id, s] as const))('query parameters of %s, names and values', async (_, spec) => {
    const path = fillPath(spec.path, validParams(spec));
    for (const name of Object.keys(spec.query!.shape)) {
      const res = await request(spec.method.toUpperCase(), `${path}?${name}=a%00b`, spec.body ? '{}' : undefined);
      expect(expectDocumented(spec, res, `${spec.id} ?${name}=NUL`)).toBe('invalid_input');
      expect(res.json.error.details.field).toBe(`query.${name}`);
      expectDocumented(spec, await request(spec.method.toUpperCase(), `${path}?${name}=%ED%B2%8C`, spec.body ? '{}' : undefined), `${spec.id} ?${name}=CESU-8`);
    }
    const res = await request(spec.method.toUpperCase(), `${path}?a%00=1`, spec.body ? '{}' : undefined);
    expect(expectDocumented(spec, res, `${spec.id} NUL in a query name`)).toBe('invalid_input');
    expect(res.json.error.details.field).toBe('query["a\\u0000"]');
  });

  it('a JWT whose subject Postgres cannot store is an invalid token, not a server error', async () => {
    for (const sub of ['ali\u0000ce', 'tank \udc8c']) {
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));
      const res = await request('GET', '/api/agent/runs', undefined, { authorization: `Bearer ${jwt}` });
      expect([res.status, expectErrorFormat(res, JSON.stringify(sub)).code]).toEqual([401, 'invalid_token']);
    }
  });

  it('every WebSocket message field: an invalid_input error frame, and the connection stays open', async () => {
    const c = new RawClient(h.wsUrl, key);
    await c.opened;
    let checked = 0;
    for (const schema of ClientMessage.options) {
      const type = schema.shape.type.value;
      for (const slot of inputSlots(schema)) {
        for (const s of UNSTORABLE) {
          const message = place({ type, runIds: [runId] }, slot, s);
          const before = c.frames.length;
          c.send(message);
          const frame = await c.until((f) => c.frames.indexOf(f) >= before && f.type === 'error');
          expect(frame, JSON.stringify(message)).toMatchObject({ code: 'invalid_input', details: { field: fieldOf('message', slot, s) } });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(UNSTORABLE.length * 8);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.send({ type: 'subscribe', runIds: [runId], since: 0 });
    await c.until((f) => f.type === 'event' && f.event.type === 'workflow.completed');
    c.close();
  });
});

describe('requests the HTTP parser refuses', () => {
  const cases: [string, string[], number, string][] = [
    ['a malformed request line', ['GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n'], 400, 'malformed_request'],
    ['an invalid method', ['G\u0001T /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], 400, 'malformed_request'],
    ['a bare line of junk', ['\u0016\u0003\u0001junk\r\n\r\n'], 400, 'malformed_request'],
    ['a duplicate Content-Length', ['POST /api/agent/orchestrate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'], 400, 'malformed_request'],
    ['Content-Length and Transfer-Encoding together', ['POST /api/agent/orchestrate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}'], 400, 'malformed_request'],
    ['headers over 16 KiB', [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], 431, 'headers_too_large'],
  ];
  it.each(cases)('%s: the documented error, a request id, and the connection closed', async (what, chunks, status, code) => {
    const res = await rawExchange(h.url, chunks);
    const error = expectErrorFormat(res, what);
    expect([res.status, error.code], what).toEqual([status, code]);
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
  });

  it('a bad chunk size in a body the route is reading: the documented error and the connection closed', async () => {
    const res = await rawExchange(h.url, [
      `POST /api/agent/orchestrate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      'ZZ\r\n{}\r\n0\r\n\r\n',
    ]);
    const error = expectErrorFormat(res, 'bad chunk size');
    expect(res.status).toBe(statusOf(error.code));
    expect(error.code).toBe('malformed_request');
    expect(res.closed).toBe(true);
  });

  it('keeps the caller\'s X-Request-Id when the parser got that far', async () => {
    const res = await rawExchange(h.url, ['POST /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: hostile-42\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n']);
    expect(expectErrorFormat(res).requestId).toBe('hostile-42');
  });

  it('logs them as client errors, with the request id, never as server errors', () => {
    const lines = h.logs.filter((l) => String(l.msg).startsWith('client error'));
    expect(lines.length).toBeGreaterThanOrEqual(cases.length + 1);
    for (const l of lines) {
      expect(l.level).toBe(30);
      expect(typeof l.requestId).toBe('string');
    }
  });
});

describe('bad WebSocket upgrades', () => {
  const handshake = (over: Record<string, string | undefined> = {}, line = `GET ${PROGRESS_PATH} HTTP/1.1`) => {
    const headers: Record<string, string | undefined> = {
      Host: 'x', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', Authorization: `Bearer ${key}`, ...over,
    };
    return `${line}\r\n${Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  };
  const cases: [string, string, number, string][] = [
    ['a POST', handshake({ 'Content-Length': '0' }, `POST ${PROGRESS_PATH} HTTP/1.1`), 405, 'method_not_allowed'],
    ['no Sec-WebSocket-Key', handshake({ 'Sec-WebSocket-Key': undefined }), 400, 'invalid_request'],
    ['a malformed Sec-WebSocket-Key', handshake({ 'Sec-WebSocket-Key': 'not-a-key' }), 400, 'invalid_request'],
    ['no Sec-WebSocket-Version', handshake({ 'Sec-WebSocket-Version': undefined }), 426, 'upgrade_required'],
    ['Sec-WebSocket-Version 12', handshake({ 'Sec-WebSocket-Version': '12' }), 426, 'upgrade_required'],
    ['Upgrade: h2c', handshake({ Upgrade: 'h2c' }), 400, 'invalid_request'],
    ['a malformed Sec-WebSocket-Protocol', handshake({ 'Sec-WebSocket-Protocol': 'a,,b' }), 400, 'invalid_request'],
    ['a repeated subprotocol', handshake({ 'Sec-WebSocket-Protocol': 'chat, chat' }), 400, 'invalid_request'],
    ['no token', handshake({ Authorization: undefined }), 401, 'unauthenticated'],
    ['a bad token', handshake({ Authorization: 'Bearer sgk_nope' }), 401, 'invalid_token'],
    ['a NUL in the query token', handshake({ Authorization: undefined }, `GET ${PROGRESS_PATH}?token=a%00b HTTP/1.1`), 401, 'invalid_token'],
    ['an unknown path', handshake({}, 'GET /api/agent/elsewhere HTTP/1.1'), 404, 'route_not_found'],
    ['a path below the endpoint', handshake({}, `GET ${PROGRESS_PATH}/more HTTP/1.1`), 404, 'route_not_found'],
  ];
  it.each(cases)('%s: the documented error with a request id', async (what, text, status, code) => {
    const res = await rawExchange(h.url, [text]);
    const error = expectErrorFormat(res, what);
    expect([res.status, error.code], what).toEqual([status, code]);
    if (code === 'method_not_allowed') expect(res.headers.allow).toBe('GET');
    if (code === 'upgrade_required') expect(res.headers['sec-websocket-version']).toBe('13, 8');
    if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('a real ws client with a bad token reads a JSON 401', async () => {
    const ws = new WebSocket(h.wsUrl, { headers: { authorization: 'Bearer sgk_wrong', 'x-request-id': 'upgrade-7' } });
    ws.on('error', () => undefined); // the aborted handshake, after the answer is read
    const res = await new Promise<RawResponse>((resolve, reject) => {
      ws.once('open', () => reject(new Error('opened with a bad token')));
      ws.once('unexpected-response', (req, r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (body += d));
        r.on('end', () => {
          req.destroy();
          resolve({ status: r.statusCode!, headers: r.headers as Record<string, string>, body, raw: body, closed: true });
        });
      });
    });
    const error = expectErrorFormat(res);
    expect([res.status, error.code, error.requestId]).toEqual([401, 'invalid_token', 'upgrade-7']);
  });

  it('a valid handshake still opens, with its request id', async () => {
    const res = await rawExchange(h.url, [handshake({ 'X-Request-Id': 'upgrade-ok' })], { untilResponse: true });
    expect([res.status, res.headers['x-request-id'], res.headers.upgrade]).toEqual([101, 'upgrade-ok', 'websocket']);
    const c = new RawClient(h.wsUrl, key);
    await c.opened;
    c.send({ type: 'subscribe', runIds: [runId], since: 0 });
    await c.until((f) => f.type === 'event' && f.event.type === 'workflow.completed');
    c.close();
  });
});

describe('concurrent control requests on one run', () => {
  const CONTROL = { pause: routes.pause, resume: routes.resume, abort: routes.abort, answer: routes.answer, recover: routes.recover } as const;
  type Action = keyof typeof CONTROL;
  const bodies: Record<Action, unknown> = {
    pause: {}, resume: {}, abort: { reason: 'race' },
    answer: { answer: { n: 5, label: 'five' } },
    recover: { action: 'retry', reason: 'race' },
  };

  async function fire(id: string, action: Action, body: unknown = bodies[action]): Promise<{ action: Action; code?: string; status: number }> {
    const res = await post(`/api/agent/${id}/${action}`, body);
    const code = expectDocumented(CONTROL[action], res, `${action} ${id}`);
    if (!code) expect(schemas.ControlResponse.safeParse(res.json).success, res.body).toBe(true);
    return { action, code, status: res.status };
  }
  const statusOf_ = async (id: string) => (await request('GET', `/api/agent/${id}`)).json.status as string;
  const settled = (id: string, statuses: string[]) => until(async () => ((s) => (statuses.includes(s) ? s : undefined))(await statusOf_(id)), 30_000, `run ${id} in ${statuses.join('|')}`);

  it('pause, resume and abort fired at once, many times: every answer documented, and every run ends', async () => {
    const ids = await Promise.all([0, 1, 2].map(() => start('slow', { n: 0 })));
    const actions = fc.constantFrom<Action>('pause', 'pause', 'resume', 'resume', 'answer', 'recover');
    // Aborts join in the later rounds only, so the earlier ones race pause and resume on live runs.
    const rounds = [
      ...fc.sample(fc.array(actions, { minLength: 3, maxLength: 8 }), { numRuns: 10, seed: 10 }),
      ...fc.sample(fc.array(fc.oneof(actions, fc.constant<Action>('abort')), { minLength: 3, maxLength: 8 }), { numRuns: 4, seed: 11 }),
    ];
    const seen = new Map<string, number>();
    for (const round of rounds) {
      const answers = await Promise.all(ids.flatMap((id) => round.map((a) => fire(id, a))));
      for (const a of answers) seen.set(`${a.action} ${a.code ?? a.status}`, (seen.get(`${a.action} ${a.code ?? a.status}`) ?? 0) + 1);
    }
    expect([...seen.keys()], JSON.stringify(Object.fromEntries(seen))).toEqual(expect.arrayContaining(['pause 202', 'resume 202']));
    for (const id of ids) {
      if (!['completed', 'aborted'].includes(await statusOf_(id))) await fire(id, 'abort');
      expect(['completed', 'aborted']).toContain(await settled(id, ['completed', 'aborted']));
    }
  });

  it('a paused run resumed five times at once resumes once and completes', async () => {
    const id = await start('slow', { n: 0 });
    await fire(id, 'pause');
    await settled(id, ['paused', 'completed']);
    const answers = await Promise.all(Array.from({ length: 5 }, () => fire(id, 'resume')));
    if ((await statusOf_(id)) !== 'completed') expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(await settled(id, ['completed'])).toBe('completed');
  });

  it('a run waiting for input answered and recovered at once takes exactly one answer', async () => {
    const id = await start('ask', { n: 0, label: 'x' });
    await settled(id, ['waiting_input']);
    const answers = await Promise.all([
      fire(id, 'answer'), fire(id, 'answer', { answer: { n: 6, label: 'six' } }),
      fire(id, 'recover', { action: 'provide_input', input: { n: 7, label: 'seven' } }), fire(id, 'recover', { action: 'provide_input', input: { n: 8, label: 'eight' } }),
      fire(id, 'pause'), fire(id, 'resume'),
    ]);
    const accepted = answers.filter((a) => (a.action === 'answer' || a.action === 'recover') && a.status === 202);
    expect(accepted.length, JSON.stringify(answers)).toBe(1);
    expect(await settled(id, ['completed'])).toBe('completed');
  });

  it('a failed run retried three times, resumed and aborted at once: one retry is taken', async () => {
    const id = await start('flaky', { n: 0 });
    await settled(id, ['failed']);
    const answers = await Promise.all([fire(id, 'recover'), fire(id, 'recover'), fire(id, 'recover'), fire(id, 'resume'), fire(id, 'abort')]);
    const retries = answers.filter((a) => a.action === 'recover' && a.status === 202);
    const aborted = answers.some((a) => a.action === 'abort' && a.status === 202);
    // Retry-then-abort is a valid order, so both may succeed; two retries may not.
    expect(retries.length, JSON.stringify(answers)).toBeLessThanOrEqual(1);
    expect(retries.length + (aborted ? 1 : 0), JSON.stringify(answers)).toBeGreaterThanOrEqual(1);
    expect(await settled(id, ['completed', 'aborted'])).toBe(aborted ? 'aborted' : 'completed');
  });
});

describe('a WebSocket whose send throws', () => {
  it('is closed (1011) alone; the other connections get every event', async () => {
    const victim = new RawClient(h.wsUrl, key);
    const other = new RawClient(h.wsUrl, key);
    await Promise.all([victim.opened, other.opened]);
    for (const c of [victim, other]) {
      c.send({ type: 'subscribe', runIds: 'all' });
      await c.until((f) => f.type === 'subscribed');
    }
    // Fault injection: the server's socket for `victim` (found by its peer port) throws on send.
    const port = (victim.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket & { _socket?: { remotePort?: number } }, ...args: Parameters<typeof send>) {
      if (this._socket?.remotePort === port) throw new Error('injected send failure');
      return send.apply(this, args);
    } as typeof send;
    try {
      const id = await start('ten', { n: 0 });
      await other.until((f) => f.type === 'event' && f.event.runId === id && f.event.type === 'workflow.completed');
      expect((await victim.closed).code).toBe(1011);
      const seqs = other.events(id).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      WebSocket.prototype.send = send;
    }
    other.close();
    expect(h.logs.some((l) => l.msg === 'websocket send failed: connection closed' && l.level === 50)).toBe(true);
  });
});

describe('after all of it', () => {
  it('the server still answers', async () => {
    const health = await request('GET', '/healthz');
    expect([health.status, health.json]).toEqual([200, { status: 'ok' }]);
  });

  it('no promise rejected unhandled', () => {
    expect(unhandled).toEqual([]);
  });

  it('the server logged no error of its own (only the injected send failure)', () => {
    const serverErrors = h.logs.filter((l) => Number(l.level) >= 50 && l.msg !== 'websocket send failed: connection closed');
    expect(serverErrors.map((l) => ({ msg: l.msg, code: l.code, err: (l.err as { message?: string } | undefined)?.message }))).toEqual([]);
  });
});
