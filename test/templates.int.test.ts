/**
 * Workflow templates end to end on real Postgres: created over REST (checked against the
 * registry at once, a bad one refused with 422 naming the step and field), listed for
 * the dashboard, run and streamed over a real WebSocket; runs pin their version across a
 * new version, another stagegraph instance and a queue worker; the CLI runs a template
 * in a process of its own.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type Client } from '../client/index.ts';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/index.ts';
import { createServer, type StagegraphServer } from '../server/index.ts';
import { templateKit } from './fixtures/template-pack.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraph, stagegraphDone } from './support/processes.ts';
import { watchAll } from './support/raw-events.ts';

const PROJECT = fileURLToPath(new URL('./fixtures/projects/templates/', import.meta.url));

let database: TestDatabase;
let sg: Stagegraph;
let server: StagegraphServer;
let api: Client;
let url: string;

beforeAll(async () => {
  database = await testDatabase({ max: 20 });
  sg = await createStagegraph({ packs: [templateKit], database: database.db, recover: false });
  server = createServer({ stagegraph: sg, auth: { mode: 'none' }, limits: { rateLimit: false }, logger: pino({ level: 'silent' }), validateResponses: true });
  url = (await server.listen(0)).url;
  api = createClient({ baseUrl: url });
});

afterAll(async () => {
  await server?.close();
  await sg?.close();
  await database?.drop();
});

/** `count -> scale (factor fixed) -> label`. */
const scaled = (id: string, factor: number) => ({
  id, description: `count, times ${factor}, label`,
  steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor } }, { stage: 'label' }],
  edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'scale' }, { from: 'scale', to: 'label' }, { from: 'label', to: 'END' }],
});

const create = (body: Record<string, unknown>) => api.call('createWorkflow', { body });

async function refused(body: Record<string, unknown>): Promise<ApiError> {
  const e = await create(body).then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('a template created over REST', () => {
  it('runs, streams over the WebSocket and is listed for the dashboard', async () => {
    const created = await create(scaled('scaled', 3));
    expect(created).toMatchObject({ id: 'scaled', version: 1, owner: expect.any(String), workflow: { id: 'scaled', source: 'template', version: 1, order: ['count', 'scale', 'label'] } });

    // The dashboard's run form lists what GET /api/workflows answers: the coded workflow, then the template.
    const { workflows } = await api.call('workflows', {});
    expect(workflows.map((w) => [w.id, w.source, w.version ?? null, w.versions ?? null])).toEqual([
      ['count-once', 'code', null, null],
      ['scaled', 'template', 1, [1]],
    ]);

    const watch = await watchAll(url);
    try {
      const run = await api.orchestrate({ workflow: 'scaled', request: { n: 1 } });
      const mine = (f: RunEvent[]) => f.filter((e) => e.runId === run.sessionId);
      await watch.until((f) => mine(f).some((e) => e.type === 'workflow.completed'));
      const done = mine(watch.frames).filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed');
      expect(done.map((e) => (e.payload as { stage: string }).stage)).toEqual(['count', 'scale', 'label']);
      expect(mine(watch.frames)[0]).toMatchObject({ type: 'workflow.started', payload: { workflowId: 'scaled' } });
      const results = await api.partialResults(run.sessionId);
      expect(results.partialResults).toEqual({ count: { n: 2 }, scale: { n: 6 }, label: { label: 'n=6' } });
    } finally {
      watch.close();
    }
  });

  it('expands a pattern block; an edge to the block goes to its entry, the block leads on through its then', async () => {
    await create({
      id: 'blocky', description: 'a sequential block, then a step',
      steps: [{ stage: 'scale', parameters: { factor: 3 } }],
      patterns: [{ pattern: 'sequential', name: 'pipe', stages: ['count'], then: 'scale' }],
      edges: [{ from: 'START', to: 'pipe' }, { from: 'scale', to: 'END' }],
    });
    const run = await sg.runs.start({ workflowId: 'blocky', request: { n: 1 } });
    expect((await sg.runs.wait(run.id)).status).toBe('completed');
    expect((await sg.runs.get(run.id)).partialResults).toEqual({ count: { n: 2 }, scale: { n: 6 } });
  });

  it('serves its format as JSON Schema, without a token', async () => {
    const res = await fetch(`${url}/api/workflows/template.schema.json`);
    expect(res.status).toBe(200);
    const schema = (await res.json()) as { $id: string; required: string[] };
    expect(schema).toMatchObject({ $id: '/api/workflows/template.schema.json', required: ['id', 'description', 'edges'] });
  });

  const base = scaled('bad', 2);
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an unknown stage', { steps: [{ stage: 'count' }, { stage: 'scael', parameters: { factor: 2 } }, { stage: 'label' }] }, 'steps[1].stage', 'unknown_stage'],
    ['a schema that does not fit', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 2 } }, { id: 'label', stage: 'shout' }] }, 'steps[2].id', 'workflow_schema_mismatch'],
    ['a missing parameter', { steps: [{ stage: 'count' }, { stage: 'scale' }, { stage: 'label' }] }, 'steps[1].stage', 'workflow_schema_mismatch'],
    ['a bad parameter', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 0 } }, { stage: 'label' }] }, 'steps[1].parameters.factor', 'invalid_parameter'],
    ['an unknown decision point', { decisions: [{ point: 'enuf' }] }, 'decisions[0].point', 'unknown_decision_point'],
    ['an unbounded loop', {
      steps: [{ stage: 'count' }], decisions: [{ point: 'enough' }],
      edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'enough' }, { from: 'enough', routes: { again: 'count', done: 'END' } }],
    }, 'edges[2].loop', 'workflow_unbounded_loop'],
    ['an unreachable step', { edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'label' }, { from: 'scale', to: 'label' }, { from: 'label', to: 'END' }] }, 'steps[1].stage', 'workflow_unreachable_node'],
    ['a body that is not a template', { edges: 'count -> END' }, 'edges', 'invalid_format'],
  ];

  it.each(cases)('refuses %s with 422 naming the step and field; nothing is stored', async (_, over, path, reason) => {
    const e = await refused({ ...base, ...over });
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid_template');
    expect(e.details).toMatchObject({ path, reason, template: 'bad' });
    expect(e.message).toContain(`template 'bad': ${path}: `);
    const gone = await api.call('workflowVersions', { params: { id: 'bad' } }).then(() => undefined, (err: ApiError) => err.code);
    expect(gone).toBe('workflow_not_found');
  });

  it('refuses the id of a workflow registered in code', async () => {
    const e = await refused(scaled('count-once', 2));
    expect([e.status, e.code, e.details.path, e.details.reason]).toEqual([422, 'invalid_template', 'id', 'workflow_exists']);
  });
});

describe('versions', () => {
  /** v1: `count -> label`; v2: `count -> scale x10 -> label`. */
  const v1 = {
    id: 'pinned', description: 'count, label',
    steps: [{ stage: 'count' }, { stage: 'label' }],
    edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'label' }, { from: 'label', to: 'END' }],
  };

  it('a run keeps the version it started on after a new version, answered by another instance', async () => {
    expect((await create(v1)).version).toBe(1);
    // `{}` lacks `n`: the first stage asks for it and the run waits, durable, on version 1.
    const started = await api.orchestrate({ workflow: 'pinned', request: {} });
    const waiting = await sg.runs.wait(started.sessionId);
    expect([waiting.status, waiting.options.templateVersion]).toEqual(['waiting_input', 1]);

    expect((await create({ ...scaled('pinned', 10), description: 'count, times 10, label' })).version).toBe(2);
    const { versions } = await api.call('workflowVersions', { params: { id: 'pinned' } });
    expect(versions.map((v) => [v.version, (v.template as { steps: unknown[] }).steps.length])).toEqual([[1, 2], [2, 3]]);

    // Another instance on the same database (its own cache, lease and graphs) answers it.
    const other = await createStagegraph({ packs: [templateKit], database: database.db, recover: false });
    try {
      await other.runs.answer(started.sessionId, { n: 1 });
      const row = await other.runs.wait(started.sessionId);
      expect(row.status).toBe('completed');
      const view = await other.runs.get(started.sessionId);
      expect(view.completed).toEqual(['count', 'label']);
      expect(view.partialResults).toEqual({ count: { n: 2 }, label: { label: 'n=2' } });
    } finally {
      await other.close();
    }

    // A new run takes the latest version unless it names one.
    const latest = await sg.runs.start({ workflowId: 'pinned', request: { n: 1 } });
    expect(latest.options.templateVersion).toBe(2);
    expect((await sg.runs.get((await sg.runs.wait(latest.id)).id)).partialResults.label).toEqual({ label: 'n=20' });
    const named = await api.orchestrate({ workflow: 'pinned', request: { n: 1 }, options: { templateVersion: 1 } });
    await sg.runs.wait(named.sessionId);
    expect((await api.partialResults(named.sessionId)).partialResults).toEqual({ count: { n: 2 }, label: { label: 'n=2' } });

    const missing = await api.orchestrate({ workflow: 'pinned', request: { n: 1 }, options: { templateVersion: 3 } }).then(() => undefined, (e: ApiError) => e);
    expect([missing?.status, missing?.code]).toEqual([404, 'workflow_not_found']);
  });

  it('a run killed with its process mid-stage on v1 is recovered on v1 by this process after v2 exists', async () => {
    await sg.templates.create({
      id: 'crashy', description: 'count, hold, label',
      steps: [{ stage: 'count' }, { stage: 'hold' }, { stage: 'label' }],
      edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'hold' }, { from: 'hold', to: 'label' }, { from: 'label', to: 'END' }],
    }, 'local');
    const child = stagegraph(['run', '--workflow', 'crashy', '--json', '{"n": 1}'], { ...database.childEnv, TEMPLATE_HOLD: '1' }, { cwd: PROJECT });
    const started = await child.line(/run [0-9a-f-]{36} started \(crashy\)/);
    const runId = /run ([0-9a-f-]{36})/.exec(started)![1]!;
    await child.line(/✓ count/);
    process.kill(child.pid, 'SIGKILL');
    await child.exited;
    expect((await sg.runs.wait(runId)).status).toBe('running');

    await sg.templates.create(scaled('crashy', 10), 'local');
    // The dead process's lease lock frees once Postgres sees its connections gone.
    let taken: string[] = [];
    for (let i = 0; i < 100 && !taken.includes(runId); i++) {
      taken = await sg.runs.recover();
      if (!taken.includes(runId)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(taken).toContain(runId);
    const row = await sg.runs.wait(runId);
    expect([row.status, row.options.templateVersion]).toEqual(['completed', 1]);
    const view = await sg.runs.get(runId);
    expect(view.completed).toEqual(['count', 'hold', 'label']);
    expect(view.partialResults.label).toEqual({ label: 'n=2' });
  });

  it('a queue worker started before the template was created executes its runs at the pinned version', async () => {
    const api0 = await createStagegraph({ packs: [templateKit], database: database.db, recover: false, queue: { concurrency: 0 } });
    const worker = await createStagegraph({ packs: [templateKit], database: database.db, recover: false, queue: { concurrency: 1 } });
    try {
      await api0.templates.create(scaled('queued', 5), 'alice');
      const id = randomUUID();
      const completed = new Promise<void>((resolve) => worker.bus.subscribe(id, (e) => e.type === 'workflow.completed' && resolve()));
      const row = await api0.runs.start({ id, workflowId: 'queued', request: { n: 1 }, owner: 'alice' });
      expect([row.status, row.options.templateVersion]).toEqual(['queued', 1]);
      await completed;
      expect((await api0.runs.get(id)).partialResults.label).toEqual({ label: 'n=10' });
    } finally {
      await worker.close();
      await api0.close();
    }
  });
});

describe('the CLI', () => {
  it('stagegraph run --workflow <template> runs the latest version in a process of its own', async () => {
    await sg.templates.create(scaled('cli-tpl', 7), 'local');
    const r = await stagegraphDone(['run', '--workflow', 'cli-tpl', '--json', '{"n": 2}'], database.childEnv, { cwd: PROJECT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('status: completed');
    const [run] = await sg.runs.list({ workflowId: 'cli-tpl' });
    expect([run!.status, run!.options.templateVersion]).toEqual(['completed', 1]);
    expect((await sg.runs.get(run!.id)).partialResults.label).toEqual({ label: 'n=21' });
  });
});
