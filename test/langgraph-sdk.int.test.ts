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
import { startHarness, tenStages, type Harness } from './server-fixtures.ts';

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

const sdk = (url: string, key: string) => new LangGraphClient({ apiUrl: `${url}/langgraph`, apiKey: key });

beforeAll(async () => {
  h = await startHarness({ workflows: [tenStages('ten'), ask, h2TankWorkflow] });
  const key = await h.key('alice');
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
