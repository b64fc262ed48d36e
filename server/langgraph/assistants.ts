/**
 * Assistants are the registered workflows: `/assistants/search`, `/assistants/{id}`,
 * `/assistants/{id}/schemas` (JSON Schemas of the workflow's input and state, from its
 * zod `StateSchema`, derived as LangGraph's own server derives them), `/assistants/{id}/graph`
 * (the compiled graph, with each node marked a stage or a decision point) and `/info`.
 * An assistant's id is its workflow's id; there is one version, the registered one.
 */
import { getRuntimeGraphSchema } from '@langchain/langgraph-api/schema';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { RegisteredWorkflow } from '../../graph/runs/executor.ts';
import type { Stagegraph } from '../../graph/runtime.ts';
import { stagegraphVersion } from '../../graph/packs/index.ts';
import { clientError } from '../errors.ts';
import { parseJson } from './json.ts';

export interface Assistant {
  assistant_id: string;
  graph_id: string;
  name: string;
  description: string | null;
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  metadata: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
}

/** The registered workflow `id`. @throws StagegraphError `workflow_not_found` */
export function workflowOf(sg: Stagegraph, id: string): RegisteredWorkflow {
  const wf = sg.workflows.get(id);
  if (!wf) throw clientError('workflow_not_found', `no workflow (assistant) '${id}'`, { assistantId: id, known: [...sg.workflows.keys()] });
  return wf;
}

const SearchBody = z.object({
  graph_id: z.string().optional(),
  name: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
}).loose();

export function assistantRoutes(api: Hono, sg: Stagegraph): void {
  const since = new Date().toISOString();
  const assistantOf = (id: string): Assistant => {
    const { built } = workflowOf(sg, id);
    const pack = sg.registry.packOf(id);
    return {
      assistant_id: id, graph_id: id, name: id, description: built.plan.def.description ?? null,
      config: {}, context: {}, metadata: { created_by: 'system', ...(pack ? { pack: pack.id, pack_version: pack.version } : {}) },
      version: 1, created_at: since, updated_at: since,
    };
  };
  const all = (): Assistant[] => [...sg.workflows.keys()].map(assistantOf);

  api.post('/assistants/search', async (c) => {
    const q = parseJson(SearchBody, await c.req.json().catch(() => ({})));
    const found = all().filter((a) =>
      (!q.graph_id || a.graph_id === q.graph_id) && (!q.name || a.name.includes(q.name)) &&
      Object.entries(q.metadata ?? {}).every(([k, v]) => a.metadata[k] === v));
    c.header('X-Pagination-Total', String(found.length));
    return c.json(found.slice(q.offset, q.offset + q.limit));
  });
  api.post('/assistants/count', async (c) => c.json(all().length));
  api.get('/assistants/:assistant_id', (c) => c.json(assistantOf(c.req.param('assistant_id'))));
  api.get('/assistants/:assistant_id/schemas', async (c) => {
    const id = c.req.param('assistant_id');
    const { graph } = workflowOf(sg, id);
    const schema = await getRuntimeGraphSchema(graph);
    if (!schema) throw clientError('internal', `no schema could be derived for '${id}'`);
    return c.json({ graph_id: id, input_schema: schema.input, output_schema: schema.output, state_schema: schema.state, config_schema: schema.config, context_schema: schema.config });
  });
  api.get('/assistants/:assistant_id/graph', async (c) => {
    const id = c.req.param('assistant_id');
    const { graph, built } = workflowOf(sg, id);
    const xray = c.req.query('xray');
    const drawable = (await graph.getGraphAsync({ xray: xray === 'true' || /^\d+$/.test(xray ?? '') ? Number(xray === 'true' ? 1 : xray) : undefined })).toJSON() as { nodes: { id: string; metadata?: Record<string, unknown> }[] };
    for (const node of drawable.nodes) {
      const point = built.plan.points.get(node.id);
      const stage = built.plan.def.stages.find((s) => s.name === node.id);
      if (point) node.metadata = { ...node.metadata, kind: 'decision', description: point.description, options: typeof point.options === 'function' ? 'computed' : [...point.options] };
      else if (stage) node.metadata = { ...node.metadata, kind: 'stage', description: stage.description, version: stage.version };
    }
    return c.json(drawable);
  });
  api.get('/assistants/:assistant_id/subgraphs/:namespace?', (c) => {
    workflowOf(sg, c.req.param('assistant_id'));
    return c.json({});
  });
  api.post('/assistants/:assistant_id/versions', (c) => c.json([assistantOf(c.req.param('assistant_id'))]));
  api.get('/info', (c) => c.json({ version: stagegraphVersion(), server: 'stagegraph', flags: { assistants: true, crons: false, langsmith: false, langsmith_tracing_replicas: false } }));
  api.get('/ok', (c) => c.json({ ok: true }));
}
