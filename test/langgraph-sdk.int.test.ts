/**
 * LangGraph's own SDK (`@langchain/langgraph-sdk` Client) pointed at `stagegraph serve`'s
 * LangGraph-compatible surface (`/langgraph`): assistants are the workflows, threads are
 * stagegraph runs (in `sg_runs`, with events and decisions), streamed from Postgres.
 */
import { Client as LangGraphClient } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient, type Client } from '../client/index.ts';
import { defineWorkflow, END, START } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { h2TankWorkflow } from '../plugins/index.ts';
import { stage } from './fixtures/stages.ts';
import { RawClient, startHarness, tenStages, type Harness } from './server-fixtures.ts';

const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';

/** Asks once: throws a validation error with a question until `ok` is in its input. */
const asker = stage('ask', {
  input: z.object({ n: z.number(), ok: z.boolean().optional() }),
  run: async (input: { n: number; ok?: boolean }) => {
    if (!input.ok) throw new StagegraphError('needs_confirmation', 'confirm n', { class: 'validation', details: { question: 'proceed?', answerWith: { ok: true } } });
    return { n: input.n + 100 };
  },
});
const ask = defineWorkflow({ id: 'ask', description: 'asks before it goes on', stages: [asker], edges: [{ from: START, to: 'ask' }, { from: 'ask', to: END }] });

let h: Harness;
let alice: LangGraphClient;
let rest: Client;
let aliceKey: string;

const sdk = (url: string, key: string) => new LangGraphClient({ apiUrl: `${url}/langgraph`, apiKey: key });

beforeAll(async () => {
  h = await startHarness({ workflows: [tenStages('ten'), ask, h2TankWorkflow] });
  const key = (aliceKey = await h.key('alice'));
  alice = sdk(h.url, key);
  rest = createClient({ baseUrl: h.url, token: key });
});
afterAll(async () => h?.close());

describe('assistants are the registered workflows', () => {
  it('lists each with its schemas and graph', async () => {
    const found = await alice.assistants.search({ limit: 100 });
    expect(found.map((a) => a.assistant_id).sort()).toEqual(['ask', 'h2-tank', 'ten']);
    for (const a of found) {
      const schemas = await alice.assistants.getSchemas(a.assistant_id);
      expect(Object.keys((schemas.input_schema as { properties?: object }).properties ?? {})).not.toHaveLength(0);
      expect(Object.keys((schemas.state_schema as { properties?: object }).properties ?? {})).not.toHaveLength(0);
      const graph = await alice.assistants.getGraph(a.assistant_id);
      expect(graph.nodes.length).toBeGreaterThan(2);
      expect(graph.edges.length).toBeGreaterThan(1);
    }
    const h2 = await alice.assistants.getGraph('h2-tank');
    const kinds = Object.fromEntries(h2.nodes.map((n) => [n.id, (n.metadata as { kind?: string } | undefined)?.kind]));
    expect(kinds['parse-requirements']).toBe('stage');
    expect(kinds['design-choice']).toBe('decision');
  });
});

describe('a thread is a stagegraph run', () => {
  it('streams the flagship with the demo request to the end', async () => {
    const thread = await alice.threads.create();
    const seen: Record<string, number> = {};
    let lastValues: Record<string, unknown> | undefined;
    for await (const chunk of alice.runs.stream(thread.thread_id, 'h2-tank', { input: { request: DEMO }, streamMode: ['values', 'updates', 'custom', 'debug'] })) {
      seen[chunk.event] = (seen[chunk.event] ?? 0) + 1;
      if (chunk.event === 'values') lastValues = chunk.data as Record<string, unknown>;
    }
    expect(seen.metadata).toBe(1);
    expect(seen.values).toBeGreaterThan(5);
    expect(seen.updates).toBeGreaterThan(5);
    expect(seen.debug).toBeGreaterThan(5);
    expect(seen.custom).toBeGreaterThan(5);
    expect(Object.keys(lastValues?.outputs as object)).toContain('export-package');
    const run = await rest.getRun(thread.thread_id);
    expect(run.status).toBe('completed');
    const state = await alice.threads.getState(thread.thread_id);
    expect(state.next).toEqual([]);
    expect(Object.keys((state.values as { outputs: object }).outputs)).toContain('export-package');
    const history = await alice.threads.getHistory(thread.thread_id, { limit: 100 });
    expect(history.length).toBeGreaterThan(5);
  });
});

describe('the same run on both surfaces', () => {
  it('a run started through the SDK is in GET /api/agent/runs with its decisions and events, and a WebSocket subscriber receives them', async () => {
    const ws = new RawClient(h.wsUrl, await h.key('alice'));
    await ws.opened;
    ws.send({ type: 'subscribe', runIds: 'all' });
    await ws.until((f) => f.type === 'subscribed');
    const thread = await alice.threads.create({ metadata: { purpose: 'both surfaces' } });
    const final = (await alice.runs.wait(thread.thread_id, 'h2-tank', { input: { request: DEMO } })) as { decisions: Record<string, { chosen: string }> };
    expect(final.decisions['design-choice']?.chosen).toBeTruthy();
    await ws.until((f) => f.type === 'event' && f.event.runId === thread.thread_id && f.event.type === 'workflow.completed');
    const listed = await rest.listRuns({ limit: 100 });
    expect(listed.runs.map((r) => r.sessionId)).toContain(thread.thread_id);
    const decisions = await rest.decisions(thread.thread_id);
    expect(decisions.decisions.map((d) => d.point)).toContain('design-choice');
    const { rows } = await h.database.db.pool.query<{ seq: number; type: string }>('SELECT seq, type FROM sg_events WHERE run_id = $1 ORDER BY seq', [thread.thread_id]);
    expect(ws.events(thread.thread_id).map((e) => e.seq)).toEqual(rows.map((r) => r.seq));
    ws.close();
    expect((await alice.threads.get(thread.thread_id)).metadata).toMatchObject({ purpose: 'both surfaces', graph_id: 'h2-tank' });
  });

  it('a run started over REST is a thread the SDK opens, with its checkpoints as history', async () => {
    const { sessionId } = await rest.orchestrate({ workflow: 'ten', request: { n: 0 } });
    await h.sg.runs.wait(sessionId);
    const thread = await alice.threads.get(sessionId);
    expect(thread.status).toBe('idle');
    const history = await alice.threads.getHistory(sessionId, { limit: 100 });
    const ours = await h.sg.runs.checkpoints(sessionId);
    expect(history.map((s) => s.checkpoint.checkpoint_id)).toEqual(ours.map((c) => c.checkpointId));
    expect((history[0]!.values as { outputs: Record<string, { n: number }> }).outputs.s9).toEqual({ n: 10 });
  });
});

describe('interrupts, forks and errors', () => {
  it('a run that waits for input is answered with a command', async () => {
    const thread = await alice.threads.create();
    const chunks: { event: string; data: any }[] = [];
    for await (const c of alice.runs.stream(thread.thread_id, 'ask', { input: { request: { n: 1 } }, streamMode: ['updates', 'values'] })) chunks.push(c);
    const interrupt = chunks.find((c) => c.event === 'updates' && c.data.__interrupt__);
    expect(interrupt?.data.__interrupt__[0].value).toMatchObject({ question: 'proceed?' });
    expect((await rest.getRun(thread.thread_id)).status).toBe('waiting_input');
    const state = await alice.threads.getState(thread.thread_id);
    expect(state.next).toEqual(['ask']);
    expect((await alice.threads.get(thread.thread_id)).status).toBe('interrupted');
    expect((await alice.threads.search({ status: 'interrupted', limit: 1000 })).map((t) => t.thread_id)).toContain(thread.thread_id);
    expect((await alice.threads.search({ status: 'busy', limit: 1000 })).map((t) => t.thread_id)).not.toContain(thread.thread_id);
    const [asked] = await alice.runs.list(thread.thread_id);
    const after: { event: string; data: any }[] = [];
    for await (const c of alice.runs.stream(thread.thread_id, 'ask', { command: { resume: { ok: true } }, streamMode: ['values'] })) after.push(c);
    expect(after.filter((c) => c.event === 'values').at(-1)!.data.outputs.ask).toEqual({ n: 101 });
    expect((await rest.getRun(thread.thread_id)).status).toBe('completed');
    const runs = await alice.runs.list(thread.thread_id);
    expect(runs.map((r) => r.status)).toEqual(['success', 'interrupted']);
    // Joined later, the first run is still the one that asked: its values, not the answer's.
    const joined = (await alice.runs.join(thread.thread_id, asked!.run_id)) as { outputs: object; __interrupt__: { value: unknown }[] };
    expect(joined.__interrupt__[0]!.value).toMatchObject({ question: 'proceed?' });
    expect(Object.keys(joined.outputs)).not.toContain('ask');
  });

  it('forks from a mid-run checkpoint: only what follows it runs again', async () => {
    const thread = await alice.threads.create();
    await alice.runs.wait(thread.thread_id, 'ten', { input: { request: { n: 0 } } });
    const history = await alice.threads.getHistory(thread.thread_id, { limit: 100 });
    const mid = history.find((s) => s.next[0] === 's5')!;
    expect(mid).toBeDefined();
    const { rows: [{ last_seq: before }] } = await h.database.db.pool.query<{ last_seq: number }>('SELECT last_seq FROM sg_runs WHERE id = $1', [thread.thread_id]);
    const values = (await alice.runs.wait(thread.thread_id, 'ten', { checkpointId: mid.checkpoint.checkpoint_id! })) as { outputs: Record<string, { n: number }> };
    expect(values.outputs.s9).toEqual({ n: 10 });
    const again = (await h.sg.runs.eventsSince(thread.thread_id, before)).filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => (e.payload as { stage: string }).stage);
    expect(again).toEqual(['s5', 's6', 's7', 's8', 's9']);
    const resumed = (await h.sg.runs.eventsSince(thread.thread_id, before)).find((e) => e.type === 'workflow.resumed');
    expect(resumed?.payload).toMatchObject({ from: 'restore', checkpointId: mid.checkpoint.checkpoint_id });
    // A state update on the finished run is a new checkpoint of the thread, in stagegraph's list too.
    // LangGraph's servers answer `{ checkpoint }`; the SDK 1.15 types it as `{ configurable }`.
    const updated = (await alice.threads.updateState(thread.thread_id, { values: { scratch: { note: 'edited in Studio' } } })) as unknown as { checkpoint: { checkpoint_id: string } };
    expect(((await alice.threads.getState(thread.thread_id)).values as { scratch: Record<string, unknown> }).scratch.note).toBe('edited in Studio');
    expect((await h.sg.runs.checkpoints(thread.thread_id)).map((c) => c.checkpointId)).toContain(updated.checkpoint.checkpoint_id);
  });

  it('refuses what a stagegraph run cannot do, with codes, changing nothing', async () => {
    const thread = await alice.threads.create();
    await alice.runs.wait(thread.thread_id, 'ten', { input: { request: { n: 0 } } });
    const post = (path: string, body: unknown) => fetch(`${h.url}/langgraph${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': aliceKey }, body: JSON.stringify(body) });
    const busy = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: 'ten', input: { request: { n: 5 } } });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('thread_busy');
    const other = await post(`/threads/${thread.thread_id}/runs/wait`, { assistant_id: 'ask', input: null });
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const breakpoints = await post('/runs/wait', { assistant_id: 'ten', input: { request: { n: 0 } }, interrupt_before: ['s3'] });
    expect(breakpoints.status).toBe(501);
    expect(((await breakpoints.json()) as { error: { code: string } }).error.code).toBe('not_implemented');
    const unknown = await post('/runs/wait', { assistant_id: 'nope', input: { request: 'x' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('workflow_not_found');
    const bad = await post('/runs/wait', { assistant_id: 'ten', input: { request: 'x' }, stream_mode: 42 });
    expect(bad.status).toBe(400);
    const { rows } = await h.database.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM sg_thread_runs WHERE thread_id = $1', [thread.thread_id]);
    expect(Number(rows[0]!.n)).toBe(1);
    const protocol = await post(`/threads/${thread.thread_id}/commands`, { id: 1, method: 'run.input' });
    expect(protocol.status).toBe(501);
    const noRun = await fetch(`${h.url}/langgraph/threads/${thread.thread_id}/runs/not-a-uuid`, { headers: { 'x-api-key': aliceKey } });
    expect(noRun.status).toBe(404);
    expect(((await noRun.json()) as { error: { code: string } }).error.code).toBe('run_not_found');
    await expect(alice.threads.create({ threadId: thread.thread_id })).rejects.toMatchObject({ status: 409 });
    expect((await alice.threads.create({ threadId: thread.thread_id, ifExists: 'do_nothing' })).thread_id).toBe(thread.thread_id);
  });
});

describe('owners', () => {
  it("owner B's SDK client can neither see nor run owner A's threads", async () => {
    const bob = sdk(h.url, await h.key('bob'));
    const thread = await alice.threads.create();
    await alice.runs.wait(thread.thread_id, 'ten', { input: { request: { n: 0 } } });
    const idle = await alice.threads.create();
    for (const id of [thread.thread_id, idle.thread_id]) {
      await expect(bob.threads.get(id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.threads.getState(id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.threads.getHistory(id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.threads.updateState(id, { values: {} })).rejects.toMatchObject({ status: 404 });
      await expect(bob.runs.wait(id, 'ten', { input: { request: { n: 0 } } })).rejects.toMatchObject({ status: 404 });
      await expect(bob.runs.list(id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.threads.delete(id)).rejects.toMatchObject({ status: 404 });
    }
    await expect(bob.threads.create({ threadId: idle.thread_id })).rejects.toMatchObject({ status: 409 });
    const seen = (await bob.threads.search({ limit: 1000 })).map((t) => t.thread_id);
    expect(seen).not.toContain(thread.thread_id);
    expect(seen).not.toContain(idle.thread_id);
    expect((await alice.threads.search({ limit: 1000 })).map((t) => t.thread_id)).toEqual(expect.arrayContaining([thread.thread_id, idle.thread_id]));
    expect((await alice.threads.get(idle.thread_id)).status).toBe('idle');
    const anonymous = await fetch(`${h.url}/langgraph/assistants/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
  });
});

describe('the surface as a browser and a hostile client reach it', () => {
  it('answers Studio\'s preflight without a token, and only for its origin', async () => {
    const preflight = (origin: string) => fetch(`${h.url}/langgraph/threads/search`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' } });
    const studio = await preflight('https://smith.langchain.com');
    expect(studio.status).toBe(204);
    expect(studio.headers.get('access-control-allow-origin')).toBe('https://smith.langchain.com');
    expect(studio.headers.get('access-control-allow-headers')).toBe('content-type,x-api-key');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const search = await fetch(`${h.url}/langgraph/assistants/search`, { method: 'POST', headers: { origin: 'https://smith.langchain.com', 'content-type': 'application/json', 'x-api-key': aliceKey }, body: '{}' });
    expect(search.status).toBe(200);
    expect(search.headers.get('access-control-allow-origin')).toBe('https://smith.langchain.com');
  });

  it('refuses a body over the limit and a thread id that is not a UUID, with codes', async () => {
    const big = await fetch(`${h.url}/langgraph/threads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': aliceKey }, body: JSON.stringify({ metadata: { x: 'y'.repeat(2 * 1024 * 1024) } }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const bad = await fetch(`${h.url}/langgraph/threads/not-a-uuid`, { headers: { 'x-api-key': aliceKey } });
    expect(bad.status).toBe(400);
    const { rows } = await h.database.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM sg_threads WHERE metadata ? 'x'");
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('templates are assistants too', () => {
  it('lists a template at its latest version; a thread keeps the version its run pinned', async () => {
    const create = async (stages: string[]) => {
      const body = {
        id: 'sdk-template', description: `${stages.length} stages`,
        steps: stages.map((stage) => ({ stage })),
        edges: ['START', ...stages].map((from, i) => ({ from, to: stages[i] ?? 'END' })),
      };
      const res = await fetch(`${h.url}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${aliceKey}` }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    await create(['s0', 's1']);
    const v1 = await alice.threads.create();
    const first = (await alice.runs.wait(v1.thread_id, 'sdk-template', { input: { request: { n: 0 } } })) as { outputs: Record<string, { n: number }> };
    expect(first.outputs.s1).toEqual({ n: 2 });
    await create(['s0', 's1', 's2']);
    const assistant = await alice.assistants.get('sdk-template');
    expect(assistant.version).toBe(2);
    expect(assistant.metadata).toMatchObject({ template: true, versions: [1, 2] });
    expect((await alice.assistants.getGraph('sdk-template')).nodes.map((n) => n.id)).toContain('s2');
    expect((await alice.threads.get(v1.thread_id)).metadata).toMatchObject({ assistant_id: 'sdk-template', graph_id: 'sdk-template@1' });
    const state = await alice.threads.getState(v1.thread_id);
    expect(state.next).toEqual([]);
    expect(Object.keys((state.values as { outputs: object }).outputs)).toEqual(['s0', 's1']);
    const v2 = await alice.threads.create();
    const second = (await alice.runs.wait(v2.thread_id, 'sdk-template', { input: { request: { n: 0 } } })) as { outputs: Record<string, { n: number }> };
    expect(second.outputs.s2).toEqual({ n: 3 });
    expect((await alice.threads.get(v2.thread_id)).metadata).toMatchObject({ graph_id: 'sdk-template@2' });
  });
});
