/**
 * The server end to end through its public entry points: runs started over REST,
 * followed over a real WebSocket to `workflow.completed`, then read back (events,
 * timeline, decisions, partial results, checkpoints, artifacts); control actions;
 * request ids in responses and logs; the flagship h2-tank workflow.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type Client, type RunEvent } from '../client/index.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { h2TankWorkflow } from '../plugins/index.ts';
import { N, stage } from './fixtures/stages.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';
import { stageStarted, waitForEvent } from './support/runs.ts';

const outRoot = mkdtempSync(join(tmpdir(), 'sg-art-'));

/** Writes two artifacts (and a symlink that must not be served) into `<outRoot>/<runId>/`. */
const writer = stage('write', {
  run: async ({ n }: { n: number }, ctx) => {
    const dir = join(outRoot, ctx.runId);
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'report.txt'), `n=${n}\n`);
    await writeFile(join(dir, 'design.json'), JSON.stringify({ n }));
    await symlink('/etc/hostname', join(dir, 'link.txt')).catch(() => undefined);
    return { n };
  },
});

/** Asks a person once: `ask` throws a validation error with a question until `ok` is in its input. */
const asker = stage('ask', {
  input: N.extend({ ok: z.boolean().optional() }),
  run: async (input: { n: number; ok?: boolean }) => {
    if (!input.ok) throw new StagegraphError('needs_confirmation', 'confirm n', { class: 'validation', details: { question: 'proceed?', answerWith: { ok: true } } });
    return { n: input.n };
  },
});

const workflows = [
  tenStages('ten'),
  tenStages('slow', 150),
  defineWorkflow({ id: 'files', description: 'writes files', stages: [writer], edges: [{ from: START, to: 'write' }, { from: 'write', to: END }] }),
  defineWorkflow({ id: 'ask', description: 'asks', stages: [asker], edges: [{ from: START, to: 'ask' }, { from: 'ask', to: END }] }),
  h2TankWorkflow,
];

let h: Harness;
let api: Client;

beforeAll(async () => {
  h = await startHarness({ workflows, outRoot, captureLogs: true });
  api = createClient({ baseUrl: h.url, token: await h.key('alice') });
});
afterAll(async () => h?.close());

/** A GET that sends the path exactly as written. */
function rawGet(url: string, token: string): Promise<{ status: number; body: string }> {
  const u = new URL(url.replace(/\/artifacts\/.*$/, ''));
  const path = url.slice(url.indexOf(u.host) + u.host.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Follows runs over the WebSocket until each has a terminal or waiting event. */
async function follow(client: Client, runIds: string[], until: (e: RunEvent) => boolean = (e) => e.type === 'workflow.completed' || e.type === 'workflow.failed'): Promise<RunEvent[]> {
  const got: RunEvent[] = [];
  const open = new Set(runIds);
  const stream = client.events(runIds);
  for await (const e of stream) {
    got.push(e);
    if (until(e)) open.delete(e.runId);
    if (open.size === 0) break;
  }
  // The terminal event is published before the run row records the status: let it settle.
  await Promise.all(runIds.map((id) => h.sg.runs.wait(id)));
  return got;
}

describe('a run through REST and WebSocket', () => {
  it('starts, streams every event once in order, and reads back', async () => {
    const started = await api.orchestrate({ workflow: 'ten', request: { n: 0 } });
    expect(started.links.self).toBe(`/api/agent/${started.sessionId}`);
    const live = await follow(api, [started.sessionId]);
    expect(live.at(-1)!.type).toBe('workflow.completed');
    expect(live.map((e) => e.seq)).toEqual(live.map((_, i) => i + 1));

    const logged = await api.eventsSince(started.sessionId, { since: 0, limit: 10_000 });
    expect(logged.events).toEqual(live);
    expect(logged.more).toBe(false);
    const page = await api.eventsSince(started.sessionId, { since: 2, limit: 3 });
    expect(page.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page).toMatchObject({ lastSeq: 5, more: true });

    const run = await api.getRun(started.sessionId);
    expect(run).toMatchObject({ status: 'completed', workflow: 'ten', progress: { percent: 100, etaMs: 0, eta: null }, missing: [], decisions: [] });
    expect(run.completed).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    expect(run.partialResults.stages).toHaveLength(10);

    const timeline = await api.timeline(started.sessionId);
    expect(timeline.stages.map((s) => [s.stage, s.status, s.attempts.length])).toEqual(Array.from({ length: 10 }, (_, i) => [`s${i}`, 'completed', 1]));
    expect(timeline.handoffs.map((x) => `${x.from}>${x.to}`)).toEqual(Array.from({ length: 9 }, (_, i) => `s${i}>s${i + 1}`));
    expect(timeline.durationMs).toBeGreaterThanOrEqual(0);
    expect(timeline.stages.every((s) => s.durationMs !== null && s.durationMs >= 0)).toBe(true);

    const partial = await api.partialResults(started.sessionId);
    expect(partial.partialResults['s9']).toEqual({ n: 10 });
    expect((await api.decisions(started.sessionId)).decisions).toEqual([]);
    const cps = await api.checkpoints(started.sessionId);
    expect(cps.checkpoints.length).toBeGreaterThanOrEqual(11);

    const listed = await api.listRuns({ workflow: 'ten', status: 'completed' });
    expect(listed.runs.map((r) => r.sessionId)).toContain(started.sessionId);
  });

  it('pauses, resumes, aborts and restores; refuses invalid transitions with 409', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'slow', request: { n: 0 } });
    const stream = api.events([sessionId]);
    await stream.ready;
    // Pause while s1 runs: the stage in flight finishes (s1, or a later one on a slow machine), the run stops before the next.
    await waitForEvent(h.sg, sessionId, stageStarted('s1'));
    expect((await api.pause(sessionId)).status).toBe('paused');
    const paused = await waitForEvent(h.sg, sessionId, (e) => e.type === 'workflow.paused');
    const next = paused.type === 'workflow.paused' ? paused.payload.next : [];
    expect(next).toHaveLength(1);
    const k = Number(next[0]!.slice(1));
    expect(k).toBeGreaterThanOrEqual(2);
    const again = await api.pause(sessionId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect(again).toMatchObject({ status: 409, code: 'invalid_transition' });
    expect((await api.resume(sessionId)).status).toBe('running');
    // Abort while the next stage runs: it is cut short.
    await waitForEvent(h.sg, sessionId, stageStarted(`s${k}`));
    expect((await api.abort(sessionId, 'changed my mind')).status).toBe('aborted');
    await expect(api.resume(sessionId)).rejects.toMatchObject({ status: 409, code: 'invalid_transition' });

    const cps = (await api.checkpoints(sessionId)).checkpoints;
    const cp = cps.find((c) => c.next[0] === 's1')!;
    expect(cp).toBeDefined();
    await expect(api.restore(sessionId, 'no-such-checkpoint')).rejects.toMatchObject({ status: 404, code: 'checkpoint_not_found' });
    expect((await api.restore(sessionId, cp.checkpointId)).status).toBe('running');
    const seen: RunEvent[] = [];
    for await (const e of stream) {
      seen.push(e);
      if (e.type === 'workflow.completed') break;
    }
    // Each stage of 'slow' logs: started, progress 50 %, completed, progress 100 %.
    const ran = (from: number, to: number) => Array.from({ length: to - from }, (_, j) => from + j)
      .flatMap((i) => [`started s${i}`, `progress s${i}`, `completed s${i}`, `progress s${i}`]);
    const key = (e: RunEvent) =>
      e.type === 'workflow.stage_changed' ? `${e.payload.change} ${e.payload.stage}`
        : e.type === 'workflow.progress_updated' ? `progress ${e.payload.stage}`
          : e.type === 'workflow.resumed' ? `resumed from ${e.payload.from}`
            : e.type === 'workflow.paused' ? `paused (${e.payload.reason}) before ${e.payload.next.join(',')}`
              : e.type.replace('workflow.', '');
    expect(seen.map(key)).toEqual([
      'started',
      ...ran(0, k),
      `paused (pause) before s${k}`,
      'resumed from paused',
      // The stage in flight is cut short by the abort: no completion; the done ones have nothing to compensate.
      `started s${k}`, `progress s${k}`,
      'aborted',
      'resumed from restore',
      ...ran(1, 10),
      'completed',
    ]);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect([...stream.lastSeq.entries()]).toEqual([[sessionId, seen.length]]);
    const all = (await api.eventsSince(sessionId, { limit: 10_000 })).events;
    expect(all).toEqual(seen);
    const timeline = await api.timeline(sessionId);
    expect(timeline.interruptions.map((i) => i.reason)).toEqual(['pause']);
    expect(timeline.stages.filter((s) => s.stage === 's1').length).toBeGreaterThanOrEqual(1);
  });

  it('answers a run waiting for input', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'ask', request: { n: 1 } });
    await follow(api, [sessionId], (e) => e.type === 'workflow.paused' && e.payload.reason === 'input');
    const waiting = await api.getRun(sessionId);
    expect(waiting.status).toBe('waiting_input');
    expect(waiting.question).toMatchObject({ question: 'proceed?' });
    await expect(api.resume(sessionId)).rejects.toMatchObject({ status: 409, code: 'invalid_transition' });
    expect((await api.answer(sessionId, { ok: true })).status).toBe('running');
    const done = await createClient({ baseUrl: h.url, token: await h.key('alice') }).events([sessionId], { since: 0 });
    for await (const e of done) if (e.type === 'workflow.completed') break;
    await h.sg.runs.wait(sessionId);
    expect((await api.getRun(sessionId)).status).toBe('completed');
  });

  it('serves listed artifacts only', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'files', request: { n: 7 } });
    await follow(api, [sessionId]);
    const { artifacts } = await api.artifacts(sessionId);
    expect(artifacts.map((a) => a.name)).toEqual(['design.json', 'report.txt']);
    const res = await api.artifact(sessionId, 'report.txt');
    expect(await res.text()).toBe('n=7\n');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await (await api.artifact(sessionId, 'design.json')).json()).toEqual({ n: 7 });
    await expect(api.artifact(sessionId, 'link.txt')).rejects.toMatchObject({ status: 404, code: 'artifact_not_found' });
    await expect(api.artifact(sessionId, 'sub')).rejects.toMatchObject({ status: 404, code: 'artifact_not_found' });
    await expect(api.artifact(sessionId, 'missing.txt')).rejects.toMatchObject({ status: 404, code: 'artifact_not_found' });
    // Raw paths (fetch would normalise `..` away before the server sees it).
    const key = await h.key('alice');
    for (const name of ['..%2F..%2F..%2Fetc%2Fpasswd', '..', '../../../etc/passwd', '.%2Freport.txt', '%2Fetc%2Fpasswd', 'sub%2F..%2Freport.txt', '..%5Creport.txt', '%2e%2e', 'report.txt%00.json']) {
      const { status, body } = await rawGet(`${h.url}/api/agent/${sessionId}/artifacts/${name}`, key);
      expect([400, 404]).toContain(status);
      expect(['invalid_request', 'invalid_input', 'route_not_found', 'artifact_not_found']).toContain((JSON.parse(body) as { error: { code: string } }).error.code);
    }
  });
});

describe('request ids and logs', () => {
  it('echoes a caller id, generates one otherwise, and puts it on every log line of the request', async () => {
    const key = await h.key('alice');
    const mine = await fetch(`${h.url}/api/agent/runs`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'trace-abc.123' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = await fetch(`${h.url}/nope`, { headers: { 'x-request-id': 'bad id with spaces' } });
    const gid = generated.headers.get('x-request-id')!;
    expect(gid).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await generated.json()) as { error: { requestId: string } }).error.requestId).toBe(gid);
    const failing = await fetch(`${h.url}/api/agent/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'trace-404' } });
    expect(failing.status).toBe(404);

    const lines = (id: string) => h.logs.filter((l) => l.requestId === id);
    expect(lines('trace-abc.123').some((l) => l.msg === 'request' && l.status === 200)).toBe(true);
    expect(lines(gid).some((l) => l.msg === 'request' && l.status === 404)).toBe(true);
    expect(lines('trace-404').map((l) => l.msg)).toContain('request rejected');
    // Every line a request writes carries its id: the access line and the rejection line.
    expect(lines('trace-404').length).toBeGreaterThanOrEqual(2);
    const requestLines = h.logs.filter((l) => l.msg === 'request' || l.msg === 'request rejected' || l.msg === 'request failed');
    expect(requestLines.every((l) => typeof l.requestId === 'string')).toBe(true);
    expect(h.logs.some((l) => JSON.stringify(l).includes(key))).toBe(false);
  });
});

describe('catalog, stats and operations', () => {
  it('lists plugins with JSON Schemas, filters by capability, and describes workflows', async () => {
    const all = await api.plugins();
    expect(all.plugins.some((p) => p.name === 'optimize')).toBe(true);
    const s0 = all.plugins.find((p) => p.name === 's0')!;
    expect(s0.input).toMatchObject({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] });
    expect(s0.workflows.sort()).toEqual(['slow', 'ten']);
    const test = await api.plugins({ capability: 'test' });
    expect(test.plugins.every((p) => p.capabilities.includes('test'))).toBe(true);
    expect(test.plugins.some((p) => p.name === 'optimize')).toBe(false);
    expect((await api.plugins({ capability: 'no-such-capability' })).plugins).toEqual([]);

    const { workflows: wfs } = await api.workflows();
    const h2 = wfs.find((w) => w.id === 'h2-tank')!;
    expect(h2.decisionPoints.map((d) => d.name)).toContain('tank-type');
    expect(h2.edges.some((e) => e.kind === 'loop' && e.maxIterations !== undefined)).toBe(true);
    const ten = wfs.find((w) => w.id === 'ten')!;
    expect(ten.edges.map((e) => `${e.from}>${e.to}`)).toContain('s0>s1');
  });

  it('reports stats of the caller only', async () => {
    const stats = await api.stats({ groupBy: 'month' });
    const s1 = stats.stages.filter((s) => s.workflow === 'ten' && s.stage === 's1');
    expect(s1.reduce((a, s) => a + s.executions, 0)).toBeGreaterThanOrEqual(1);
    expect(s1[0]!.successRate).toBe(1);
    expect(s1[0]!.p50Ms).not.toBeNull();
    expect(stats.workflows.some((w) => w.workflow === 'ten' && (w.byStatus.completed ?? 0) >= 1)).toBe(true);
    expect(stats.handoffs.some((x) => x.workflow === 'ten' && x.from === 's0' && x.to === 's1' && x.count >= 1)).toBe(true);
    const bob = createClient({ baseUrl: h.url, token: await h.key('bob') });
    const empty = await bob.stats({});
    expect(empty).toMatchObject({ stages: [], workflows: [], handoffs: [] });
  });

  it('answers health, readiness and metrics', async () => {
    expect(await api.health()).toEqual({ status: 'ok' });
    expect(await api.ready()).toEqual({ status: 'ready', database: 'ok', role: 'single' });
    const text = await api.metrics();
    expect(text).toMatch(/stagegraph_runs\{status="completed"\} \d+/);
    expect(text).toMatch(/stagegraph_stage_duration_seconds_bucket\{.*workflow="ten".*stage="s0"/);
    expect(text).toMatch(/stagegraph_events_total\{type="workflow.completed"\} \d+/);
    expect(text).toMatch(/stagegraph_ws_connections \d+/);
    expect(text).toMatch(/stagegraph_decisions_total/);
  });
});

describe('the flagship workflow over the API', () => {
  it('designs a 70 MPa tank from plain English, with explained decisions and a design package', async () => {
    const { sessionId } = await api.orchestrate({ request: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' });
    const events = await follow(api, [sessionId]);
    expect(events.at(-1)!.type).toBe('workflow.completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const decided = events.filter((e) => e.type === 'workflow.decision_made');
    expect(decided.length).toBeGreaterThanOrEqual(6);

    const { decisions } = await api.decisions(sessionId);
    const tankType = decisions.find((d) => d.point === 'tank-type')!;
    expect(tankType).toMatchObject({ chosen: 'IV', method: 'rule' });
    expect(tankType.explanation.length).toBeGreaterThan(10);
    expect(tankType.alternatives.length).toBeGreaterThan(0);

    const timeline = await api.timeline(sessionId);
    expect(timeline.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['parse-requirements', 'optimize', 'check-compliance', 'export-package']));
    expect(timeline.stages.find((s) => s.stage === 'optimize')!.steps).toBeGreaterThan(0);

    const names = (await api.artifacts(sessionId)).artifacts.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['design.json', 'report.pdf', 'tank.step']));
    const pdf = await api.artifact(sessionId, 'report.pdf');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
  }, 120_000);
});
