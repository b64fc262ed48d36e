/**
 * Validates a workflow definition and derives its topology: successors, the stages
 * that feed each stage, loop routes and a topological order. Every problem is a
 * `StagegraphError` with a stable `workflow_*` code and an exact message.
 */
import { normalizeRetention } from './retention/policy.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { normalizePolicy } from '../nodes/policy.ts';
import type { AnyStagePlugin } from '../nodes/types.ts';
import type { DecisionPoint } from './decisions/types.ts';
import { schemaMismatch } from './schema-compat.ts';
import { END, START, isRouteEdge, type RouteEdge, type WorkflowDefinition } from './workflow.ts';

export interface WorkflowPlan {
  def: WorkflowDefinition;
  stages: Map<string, AnyStagePlugin>;
  points: Map<string, DecisionPoint>;
  /** Outgoing targets of every node (and START), over all edges. */
  successors: Map<string, string[]>;
  /** The route edge after each routed decision point. */
  routes: Map<string, RouteEdge>;
  /** `point -> targets` of routes that go back (loops), counted against `loop.maxIterations`. */
  loopRoutes: Map<string, Set<string>>;
  /** The nearest stages upstream of each stage (through decision points); `[START]` for a first stage. */
  feeders: Map<string, string[]>;
  /** Nodes in topological order, loops cut. */
  order: string[];
}

function fail(code: string, message: string, details: Record<string, unknown>): never {
  throw new StagegraphError(code, message, { class: 'fatal', details });
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function reachable(from: string, successors: Map<string, string[]>, skip?: (a: string, b: string) => boolean): Set<string> {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    for (const m of successors.get(n) ?? []) {
      if (skip?.(n, m) || seen.has(m)) continue;
      seen.add(m);
      stack.push(m);
    }
  }
  return seen;
}

export function planWorkflow(def: WorkflowDefinition): WorkflowPlan {
  const wf = def.id;
  // A bad retention policy fails here, at build time, not at the first gc.
  normalizeRetention(wf, def.retention);
  const stages = new Map<string, AnyStagePlugin>();
  const points = new Map<string, DecisionPoint>();
  for (const s of def.stages) {
    if (!KEBAB.test(s.name)) fail('workflow_invalid_name', `stage name '${s.name}' in workflow '${wf}' is not kebab-case`, { wf, name: s.name });
    if (stages.has(s.name)) fail('workflow_duplicate_name', `duplicate name '${s.name}' in workflow '${wf}'`, { wf, name: s.name });
    stages.set(s.name, s);
  }
  for (const p of def.decisions ?? []) {
    if (!KEBAB.test(p.name)) fail('workflow_invalid_name', `decision point name '${p.name}' in workflow '${wf}' is not kebab-case`, { wf, name: p.name });
    if (stages.has(p.name) || points.has(p.name)) fail('workflow_duplicate_name', `duplicate name '${p.name}' in workflow '${wf}'`, { wf, name: p.name });
    points.set(p.name, p);
  }
  const known = (n: string) => stages.has(n) || points.has(n);
  const successors = new Map<string, string[]>();
  const routes = new Map<string, RouteEdge>();
  const link = (a: string, b: string) => successors.set(a, [...(successors.get(a) ?? []), b]);

  for (const edge of def.edges) {
    const froms = list(edge.from);
    const tos = isRouteEdge(edge) ? Object.values(edge.routes) : list(edge.to);
    for (const f of froms) {
      if (f !== START && !known(f)) fail('workflow_unknown_node', `unknown stage '${f}' in edge '${f}' -> '${tos.join("', '")}'`, { wf, node: f });
    }
    for (const t of tos) {
      if (t !== END && !known(t)) fail('workflow_unknown_node', `unknown stage '${t}' in edge '${froms.join("', '")}' -> '${t}'`, { wf, node: t });
    }
    if (isRouteEdge(edge)) {
      const point = points.get(edge.from);
      if (!point) fail('workflow_invalid_route', `routes from '${edge.from}': '${edge.from}' is not a decision point`, { wf, node: edge.from });
      if (routes.has(edge.from)) fail('workflow_invalid_route', `decision point '${edge.from}' has two route edges`, { wf, node: edge.from });
      if (Array.isArray(point.options)) {
        for (const opt of Object.keys(edge.routes)) {
          if (!point.options.includes(opt)) fail('workflow_invalid_route', `route '${opt}' of decision point '${edge.from}' is not one of its options`, { wf, node: edge.from, option: opt });
        }
        for (const opt of point.options) {
          if (!(opt in edge.routes)) fail('workflow_invalid_route', `decision point '${edge.from}' has no route for option '${opt}'`, { wf, node: edge.from, option: opt });
        }
      }
      if (edge.loop && !(edge.loop.maxIterations >= 1)) fail('workflow_unbounded_loop', `loop after '${edge.from}' needs maxIterations >= 1`, { wf, node: edge.from });
      if (edge.loop && edge.loop.onExhausted !== 'fail' && edge.loop.onExhausted !== END && !known(edge.loop.onExhausted)) {
        fail('workflow_unknown_node', `unknown stage '${edge.loop.onExhausted}' in loop exit of '${edge.from}'`, { wf, node: edge.loop.onExhausted });
      }
      routes.set(edge.from, edge);
      for (const t of new Set(tos)) link(edge.from, t);
      if (edge.loop && edge.loop.onExhausted !== 'fail') link(edge.from, edge.loop.onExhausted);
    } else {
      for (const f of froms) for (const t of tos) link(f, t);
    }
  }
  if (!successors.get(START)?.length) fail('workflow_no_start', `workflow '${wf}' has no edge from START`, { wf });

  for (const [name] of [...stages, ...points]) {
    if (!successors.get(name)?.length) fail('workflow_dead_end', `node '${name}' has no outgoing edge (route it to END to finish there)`, { wf, node: name });
  }
  const seen = reachable(START, successors);
  for (const [name] of [...stages, ...points]) {
    if (!seen.has(name)) fail('workflow_unreachable_node', `node '${name}' is unreachable from START`, { wf, node: name });
  }

  // A route is a loop when its target leads back to its decision point.
  const loopRoutes = new Map<string, Set<string>>();
  for (const [p, edge] of routes) {
    const back = new Set(Object.values(edge.routes).filter((t) => t !== END && reachable(t, successors).has(p)));
    if (back.size && !edge.loop) {
      const t = [...back][0]!;
      fail('workflow_unbounded_loop', `loop without a bound: route '${p}' -> '${t}' leads back to '${p}'; give the route edge loop.maxIterations`, { wf, node: p, target: t });
    }
    if (back.size) loopRoutes.set(p, back);
  }
  const isLoop = (a: string, b: string) => loopRoutes.get(a)?.has(b) ?? false;
  const order = topoOrder(successors, isLoop, wf);

  const preds = new Map<string, string[]>();
  for (const [a, bs] of successors) for (const b of bs) if (!isLoop(a, b)) preds.set(b, [...(preds.get(b) ?? []), a]);
  const feeders = new Map<string, string[]>();
  const upstream = (n: string, acc: Set<string>, visited: Set<string>) => {
    for (const p of preds.get(n) ?? []) {
      if (visited.has(p)) continue;
      visited.add(p);
      if (p === START || stages.has(p)) acc.add(p);
      else upstream(p, acc, visited);
    }
    return acc;
  };
  for (const [name, plugin] of stages) {
    const from = [...upstream(name, new Set(), new Set())];
    feeders.set(name, from);
    if (def.inputs?.[name] || from.includes(START)) continue;
    const mismatch = schemaMismatch(from.map((f) => stages.get(f)!.output), plugin.input);
    if (mismatch) {
      fail('workflow_schema_mismatch', `schema mismatch between '${from.join("' + '")}' and '${name}': ${mismatch}`, { wf, from, to: name, mismatch });
    }
    if (from.some((f) => normalizePolicy(stages.get(f)!.policy).stepped) && from.length > 1) {
      fail('workflow_invalid_join', `stepped stage feeds the join at '${name}'; join after a plain stage`, { wf, node: name });
    }
  }
  return { def, stages, points, successors, routes, loopRoutes, feeders, order };
}

function topoOrder(successors: Map<string, string[]>, isLoop: (a: string, b: string) => boolean, wf: string): string[] {
  const indeg = new Map<string, number>();
  for (const [a, bs] of successors) {
    if (!indeg.has(a)) indeg.set(a, 0);
    for (const b of bs) if (!isLoop(a, b)) indeg.set(b, (indeg.get(b) ?? 0) + 1);
  }
  const queue = [...indeg].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  while (queue.length) {
    const n = queue.shift()!;
    order.push(n);
    for (const m of successors.get(n) ?? []) {
      if (isLoop(n, m)) continue;
      const d = indeg.get(m)! - 1;
      indeg.set(m, d);
      if (d === 0) queue.push(m);
    }
  }
  const stuck = [...indeg].filter(([, d]) => d > 0).map(([n]) => n);
  if (stuck.length) {
    // Name the nodes on a cycle, not the ones merely downstream of it (e.g. END).
    const onCycle = stuck.filter((n) => (successors.get(n) ?? []).some((m) => !isLoop(n, m) && reachable(m, successors, isLoop).has(n)));
    fail('workflow_unbounded_loop', `loop without a bound through '${onCycle.join("', '")}': only a decision point's route edge with loop.maxIterations may go back`, { wf, nodes: onCycle });
  }
  return order.filter((n) => n !== START && n !== END);
}
