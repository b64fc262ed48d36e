/**
 * Assistants are the registered workflows: `/assistants/search`, `/assistants/{id}`,
 * `/assistants/{id}/schemas` (JSON Schemas of the workflow's input and state, from its
 * zod `StateSchema`, derived as LangGraph's own server derives them), `/assistants/{id}/graph`
 * (the compiled graph, with each node marked a stage or a decision point) and `/info`.
 * An assistant's id is its workflow's id. A coded workflow has one version; a template
 * (`docs/templates.md`) is listed at its latest, and a run of it keeps the version it pinned.
 */
import { getRuntimeGraphSchema } from '@langchain/langgraph-api/schema';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { BuiltWorkflow } from '../../graph/compile.ts';
import type { RegisteredWorkflow } from '../../graph/runs/executor.ts';
import type { TemplateEntry } from '../../graph/templates/index.ts';
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

/**
 * The workflow `id`: a registered one, or a template (its latest version, or the version a
 * graph id `<id>@<version>` names: a template run's threads carry the version they pinned).
 * @throws StagegraphError `workflow_not_found`
 */
export async function workflowOf(sg: Stagegraph, id: string): Promise<RegisteredWorkflow> {
  const coded = sg.workflows.get(id);
  if (coded) return coded;
  const at = /^(.+)@(\d+)$/.exec(id);
  const template = await sg.templates.resolve(at ? at[1]! : id, at ? Number(at[2]) : undefined);
  if (template) return template.workflow;
  throw clientError('workflow_not_found', `no workflow (assistant) '${id}'`, { assistantId: id, known: [...sg.workflows.keys(), ...sg.templates.ids()] });
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
  const assistantOf = (id: string, built: BuiltWorkflow): Assistant => {
    const pack = sg.registry.packOf(id);
    return {
      assistant_id: id, graph_id: id, name: id, description: built.plan.def.description ?? null,
      config: {}, context: {}, metadata: { created_by: 'system', ...(pack ? { pack: pack.id, pack_version: pack.version } : {}) },
      version: 1, created_at: since, updated_at: since,
    };
  };
  /** A template's latest version, as an assistant whose version is the template's. */
  const templateAssistant = (t: TemplateEntry): Assistant => ({
    ...assistantOf(t.record.id, t.workflow.built),
    metadata: { created_by: t.record.owner, template: true, versions: t.versions },
    version: t.record.version, created_at: t.record.createdAt, updated_at: t.record.createdAt,
  });
  const one = async (id: string): Promise<Assistant> => {
    const coded = sg.workflows.get(id);
    if (coded) return assistantOf(id, coded.built);
    const t = (await sg.templates.list()).find((e) => e.record.id === id);
    if (!t) throw clientError('workflow_not_found', `no workflow (assistant) '${id}'`, { assistantId: id });
    return templateAssistant(t);
  };
  const all = async (): Promise<Assistant[]> => [
    ...[...sg.workflows.values()].map((w) => assistantOf(w.built.id, w.built)),
    ...(await sg.templates.list()).map(templateAssistant),
  ];

  api.post('/assistants/search', async (c) => {
    const q = parseJson(SearchBody, await c.req.json().catch(() => ({})));
    const found = (await all()).filter((a) =>
      (!q.graph_id || a.graph_id === q.graph_id) && (!q.name || a.name.includes(q.name)) &&
      Object.entries(q.metadata ?? {}).every(([k, v]) => a.metadata[k] === v));
    c.header('X-Pagination-Total', String(found.length));
    return c.json(found.slice(q.offset, q.offset + q.limit));
  });
  api.post('/assistants/count', async (c) => c.json((await all()).length));
  api.get('/assistants/:assistant_id', async (c) => c.json(await one(c.req.param('assistant_id'))));
  api.get('/assistants/:assistant_id/schemas', async (c) => {
    const id = c.req.param('assistant_id');
    const { graph } = await workflowOf(sg, id);
    const schema = await getRuntimeGraphSchema(graph);
    if (!schema) throw clientError('internal', `no schema could be derived for '${id}'`);
    return c.json({ graph_id: id, input_schema: schema.input, output_schema: schema.output, state_schema: schema.state, config_schema: schema.config, context_schema: schema.config });
  });
  api.get('/assistants/:assistant_id/graph', async (c) => {
    const id = c.req.param('assistant_id');
    const { graph, built } = await workflowOf(sg, id);
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
  api.get('/assistants/:assistant_id/subgraphs/:namespace?', async (c) => {
    await workflowOf(sg, c.req.param('assistant_id'));
    return c.json({});
  });
  api.post('/assistants/:assistant_id/versions', async (c) => c.json([await one(c.req.param('assistant_id'))]));
  api.get('/info', (c) => c.json({ version: stagegraphVersion(), server: 'stagegraph', flags: { assistants: true, crons: false, langsmith: false, langsmith_tracing_replicas: false } }));
  api.get('/ok', (c) => c.json({ ok: true }));
}
