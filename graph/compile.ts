/**
 * Compiles a validated workflow into a LangGraph `StateGraph`: one node per stage
 * (the stage runtime), one per decision point, static edges for sequence and
 * fan-out/fan-in, conditional edges after decision points and stepped stages.
 */
import { StateGraph, StateSchema, type BaseCheckpointSaver } from '@langchain/langgraph';
import { StagegraphError } from '../nodes/errors.ts';
import { normalizePolicy } from '../nodes/policy.ts';
import { stageNode, stageNodeOptions } from '../nodes/stage.ts';
import { decisionNode, routeAfter } from './decisions/node.ts';
import { planWorkflow, type WorkflowPlan } from './plan.ts';
import { RequestTextSchema } from './schemas.ts';
import { WorkflowStateSchema, type WorkflowStateValue } from './state.ts';
import { END, START, isRouteEdge, type WorkflowDefinition } from './workflow.ts';

/** A node every workflow has: reached when a bounded loop is exhausted or a route is missing. */
export const FAIL_NODE = 'route-failed';

export interface CompileOptions {
  /**
   * What a run's input may set.
   * - `state`: any state channel; stagegraph's runtime starts runs with `{ request, run }`,
   *   the request being text or structured.
   * - `text`: only `request`, as text: the input form LangGraph Studio shows under
   *   `langgraphjs dev` (`{ request: "I need ..." }`); the run is absent there.
   * @default 'state'
   */
  input?: 'state' | 'text';
}

export interface BuiltWorkflow {
  id: string;
  def: WorkflowDefinition;
  plan: WorkflowPlan;
  /** Compiles with a checkpointer (stagegraph runs) or without (LangGraph's server brings its own). */
  compile(checkpointer?: BaseCheckpointSaver, options?: CompileOptions): CompiledWorkflow;
}

/** The input of a `text` graph: the request as a user types it. */
const TextInput = new StateSchema({ request: RequestTextSchema });

// The graph's node names are only known at run time, so its generic types stay loose here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CompiledWorkflow = any;

function inputSelector(plan: WorkflowPlan, name: string): (state: WorkflowStateValue) => unknown {
  const custom = plan.def.inputs?.[name];
  if (custom) return custom;
  const feeders = plan.feeders.get(name) ?? [];
  if (feeders.includes(START)) {
    const fromRequest = plan.def.request;
    return fromRequest ? (s) => fromRequest(s.request) : (s) => s.request;
  }
  if (feeders.length === 1) return (s) => s.outputs[feeders[0]!];
  return (s) => Object.assign({}, ...feeders.map((f) => s.outputs[f]));
}

function failRoute(state: WorkflowStateValue): never {
  const exhausted = Object.entries(state.iterations).map(([point, n]) => ({ point, n }));
  throw new StagegraphError('loop_exhausted', `a bounded loop was exhausted: ${exhausted.map((e) => `'${e.point}' taken ${e.n - 1} times`).join(', ') || 'no route for the decision'}`, {
    class: 'fatal',
    details: { iterations: state.iterations, decisions: Object.fromEntries(Object.entries(state.decisions).map(([k, d]) => [k, d.chosen])) },
  });
}

/**
 * Validates and compiles a workflow definition.
 * @throws StagegraphError `workflow_*` for a bad definition.
 */
export function buildWorkflow(def: WorkflowDefinition): BuiltWorkflow {
  const plan = planWorkflow(def);
  return { id: def.id, def, plan, compile: (checkpointer, options) => compilePlan(plan, checkpointer, options) };
}

function compilePlan(plan: WorkflowPlan, checkpointer?: BaseCheckpointSaver, options: CompileOptions = {}): CompiledWorkflow {
  const input = options.input ?? 'state';
  if (input !== 'state' && input !== 'text') throw new TypeError(`compile(): options.input must be 'state' or 'text', got ${JSON.stringify(input)}`);
  // A StateSchema (not an Annotation) so LangGraph's server can show the state and input schemas.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const g: any = new StateGraph({ state: WorkflowStateSchema, ...(input === 'text' ? { input: TextInput } : {}) });
  const stepped = new Set<string>();
  for (const [name, plugin] of plan.stages) {
    const policy = normalizePolicy(plugin.policy);
    if (policy.stepped) stepped.add(name);
    const next = (plan.successors.get(name) ?? []).filter((n) => n !== END);
    g.addNode(name, stageNode(plugin, { selectInput: inputSelector(plan, name) }, policy), stageNodeOptions(plugin, policy, next));
  }
  for (const [name, point] of plan.points) {
    g.addNode(name, decisionNode(point, plan.routes.get(name), plan.loopRoutes.get(name)));
  }
  const routed = plan.routes.size > 0;
  if (routed) g.addNode(FAIL_NODE, failRoute);

  const steppedTargets = new Map<string, string[]>();
  for (const edge of plan.def.edges) {
    if (isRouteEdge(edge)) {
      const loop = plan.loopRoutes.get(edge.from);
      const ends = new Set([...Object.values(edge.routes), FAIL_NODE]);
      if (edge.loop && edge.loop.onExhausted !== 'fail') ends.add(edge.loop.onExhausted);
      g.addConditionalEdges(edge.from, routeAfter(edge, loop, FAIL_NODE), [...ends]);
      continue;
    }
    const froms = Array.isArray(edge.from) ? edge.from : [edge.from];
    const tos = Array.isArray(edge.to) ? edge.to : [edge.to];
    for (const to of tos) {
      if (froms.length > 1) g.addEdge(froms, to);
      else if (stepped.has(froms[0]!)) steppedTargets.set(froms[0]!, [...(steppedTargets.get(froms[0]!) ?? []), to]);
      else g.addEdge(froms[0], to);
    }
  }
  for (const [name, targets] of steppedTargets) {
    // A stepped stage loops on itself until it returns its output.
    const next = (s: WorkflowStateValue) => (s.scratch[name] != null ? name : targets.length === 1 ? targets[0]! : targets);
    g.addConditionalEdges(name, next, [name, ...targets]);
  }
  if (routed) g.addEdge(FAIL_NODE, END);
  return g.compile({ checkpointer, name: plan.def.id });
}
