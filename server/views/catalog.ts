/**
 * The catalog: registered stage plugins (from the pack registry, with the pack that
 * offers each and their zod schemas as JSON Schema) and workflows (nodes, edges and
 * decision points from each workflow's plan). Computed once per server: packs and
 * workflows do not change while it runs.
 */
import { z } from 'zod';
import type { RegisteredStage } from '../../graph/packs/index.ts';
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

/** One registered stage plugin with its pack, policy and JSON Schemas. */
export function describePlugin(stage: RegisteredStage): Plugin {
  const { plugin } = stage;
  const p = normalizePolicy(plugin.policy);
  return {
    name: stage.name,
    version: stage.version,
    description: stage.description,
    pack: stage.pack && { id: stage.pack.id, version: stage.pack.version },
    capabilities: [...stage.capabilities],
    policy: { timeoutMs: p.timeoutMs, optional: p.optional, estimateMs: p.estimateMs, stepped: p.stepped },
    input: jsonSchemaOf(plugin.input, 'input'),
    output: jsonSchemaOf(plugin.output, 'output'),
    workflows: [...stage.workflows],
  };
}

/** Registered stage plugins (all, or those of one capability) by name and version; `memo` keeps each description across calls. */
export function describePlugins(stages: readonly RegisteredStage[], memo = new Map<RegisteredStage, Plugin>()): Plugin[] {
  const described = stages.map((s) => memo.get(s) ?? memo.set(s, describePlugin(s)).get(s)!);
  return described.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
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
