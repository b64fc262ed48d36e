/**
 * The catalog: registered stage plugins (with their zod schemas as JSON Schema) and
 * workflows (nodes, edges and decision points from each workflow's plan). Computed
 * once per server: workflows do not change while it runs.
 */
import { z } from 'zod';
import type { RegisteredWorkflow } from '../../graph/runs/executor.ts';
import { END, START, isRouteEdge } from '../../graph/workflow.ts';
import { normalizePolicy } from '../../nodes/policy.ts';
import type { PluginInfo, WorkflowInfo } from '../contract/schemas.ts';

type Plugin = z.output<typeof PluginInfo>;
type Workflow = z.output<typeof WorkflowInfo>;

/** A zod schema as JSON Schema; a schema that has no JSON form is described, not fatal. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as Record<string, unknown>;
  } catch (e) {
    return { description: `not representable as JSON Schema: ${(e as Error).message}` };
  }
}

export function describePlugins(workflows: Iterable<RegisteredWorkflow>): Plugin[] {
  const byKey = new Map<string, Plugin>();
  for (const { built } of workflows) {
    for (const plugin of built.plan.stages.values()) {
      const key = `${plugin.name}@${plugin.version}`;
      const known = byKey.get(key);
      if (known) {
        if (!known.workflows.includes(built.id)) known.workflows.push(built.id);
        continue;
      }
      const p = normalizePolicy(plugin.policy);
      byKey.set(key, {
        name: plugin.name,
        version: plugin.version,
        description: plugin.description,
        capabilities: [...plugin.capabilities],
        policy: { timeoutMs: p.timeoutMs, optional: p.optional, estimateMs: p.estimateMs, stepped: p.stepped },
        input: jsonSchemaOf(plugin.input, 'input'),
        output: jsonSchemaOf(plugin.output, 'output'),
        workflows: [built.id],
      });
    }
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

export function describeWorkflow({ built }: RegisteredWorkflow): Workflow {
  const { plan } = built;
  const nodes: Workflow['nodes'] = [
    { id: START, kind: 'start' },
    ...[...plan.stages.values()].map((s) => ({ id: s.name, kind: 'stage' as const, description: s.description })),
    ...[...plan.points.values()].map((p) => ({ id: p.name, kind: 'decision' as const, description: p.description })),
    { id: END, kind: 'end' },
  ];
  const edges: Workflow['edges'] = [];
  for (const edge of plan.def.edges) {
    if (isRouteEdge(edge)) {
      const loops = plan.loopRoutes.get(edge.from);
      for (const [option, to] of Object.entries(edge.routes)) {
        const loop = loops?.has(to) ?? false;
        edges.push({ from: edge.from, to, kind: loop ? 'loop' : 'route', option, ...(loop && edge.loop ? { maxIterations: edge.loop.maxIterations } : {}) });
      }
      if (edge.loop && edge.loop.onExhausted !== 'fail') edges.push({ from: edge.from, to: edge.loop.onExhausted, kind: 'loop_exit' });
      continue;
    }
    for (const from of list(edge.from)) for (const to of list(edge.to)) edges.push({ from, to, kind: 'sequence' });
  }
  return {
    id: built.id,
    description: plan.def.description,
    nodes,
    edges,
    decisionPoints: [...plan.points.values()].map((p) => ({
      name: p.name,
      description: p.description,
      options: Array.isArray(p.options) ? [...p.options] : null,
      default: typeof p.default === 'string' ? p.default : null,
      rules: p.rules.map((r) => ({ id: r.id, confidence: r.confidence, priority: r.priority ?? 0, safety: r.safety ?? false })),
      llmPrompt: p.prompt !== undefined,
    })),
    order: [...plan.order],
  };
}
