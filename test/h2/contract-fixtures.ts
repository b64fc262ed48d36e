/**
 * Fixtures for the stage-contract suite, derived rather than written: the flagship
 * request is walked through a workflow definition in-process, in its topological
 * order, with the workflow's own input wiring (`inputs`, or the feeder default the
 * compiler uses), its decision points decided by `decide()` (rules, no LLM) and every
 * stage run to its end by the stage harness (stepped stages through JSON-round-tripped
 * `continueLater` scratch). What each stage received and returned is recorded, so a
 * stage added to the workflow gets a realistic fixture without a new literal.
 *
 * No LangGraph, no database: this is the wiring and the plugins only.
 */
import { decide } from '../../graph/decisions/decide.ts';
import type { DecisionRecord, DecisionStateView } from '../../graph/decisions/types.ts';
import { planWorkflow, type WorkflowPlan } from '../../graph/plan.ts';
import type { RunInfo, WorkflowStateValue } from '../../graph/state.ts';
import { END, START, type WorkflowDefinition } from '../../graph/workflow.ts';
import { runToEnd } from './stage-harness.ts';

/** The demo request of the flagship workflow (70 MPa, 5 kg, automotive). */
export const FLAGSHIP_REQUEST = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';

/** The clock decisions are stamped with, so the decision log (and the export's time stamp) is fixed. */
export const FIXTURE_NOW = new Date('2026-01-15T09:00:00.000Z');

export interface WorkflowTrace {
  plan: WorkflowPlan;
  /** What each stage was given (before its input schema parsed it), by stage name. */
  inputs: Map<string, unknown>;
  /** What each stage returned (parsed by its output schema), by stage name. */
  outputs: Map<string, unknown>;
  /** Number of `run()` calls per stage (more than 1 for a stepped stage). */
  steps: Map<string, number>;
  /** Stages and decision points in the order they ran. */
  visited: string[];
  /** The run state at the end, as the runtime would hold it. */
  state: WorkflowStateValue;
}

export interface TraceOptions {
  /** Where an exporting stage writes (`<outRoot>/<runId>`). */
  outRoot: string;
  /** @default "contract-run" */
  runId?: string;
  /** @default 1 */
  seed?: number;
}

/** The input a stage gets from run state: the workflow's own selector, else the compiler's default. */
function selectInput(plan: WorkflowPlan, name: string, state: WorkflowStateValue): unknown {
  const custom = plan.def.inputs?.[name];
  if (custom) return custom(state);
  const feeders = plan.feeders.get(name) ?? [];
  if (feeders.includes(START)) return plan.def.request ? plan.def.request(state.request) : state.request;
  if (feeders.length === 1) return state.outputs[feeders[0]!];
  return Object.assign({}, ...feeders.map((f) => state.outputs[f]));
}

/**
 * Runs `request` through `def` in-process and records every stage's input and output.
 * Throws when a routed decision would take a loop back (a fixture case must be the
 * straight path) or when a stage fails.
 * @example const trace = await traceWorkflow(h2TankWorkflow, FLAGSHIP_REQUEST, { outRoot: tmp });
 */
export async function traceWorkflow(def: WorkflowDefinition, request: unknown, options: TraceOptions): Promise<WorkflowTrace> {
  const plan = planWorkflow(def);
  const run: RunInfo = { id: options.runId ?? 'contract-run', workflowId: def.id, owner: 'local', outRoot: options.outRoot, seed: options.seed ?? 1 };
  const state: WorkflowStateValue = {
    request, run, outputs: {}, decisions: {}, decisionLog: [], completed: [], scratch: {}, iterations: {}, warnings: [], skipped: [],
  };
  const trace: WorkflowTrace = { plan, inputs: new Map(), outputs: new Map(), steps: new Map(), visited: [], state };
  const reached = new Set(plan.successors.get(START) ?? []);

  for (const node of plan.order) {
    if (!reached.has(node)) continue;
    trace.visited.push(node);
    const point = plan.points.get(node);
    if (point) {
      const view: DecisionStateView = state;
      const inputs = JSON.parse(JSON.stringify(point.inputs(view) ?? {})) as Record<string, unknown>;
      const iteration = state.decisionLog.filter((d) => d.point === node).length;
      const record: DecisionRecord = await decide(point, inputs, { iteration, now: () => FIXTURE_NOW });
      state.decisions[node] = record;
      state.decisionLog.push(record);
      const route = plan.routes.get(node);
      if (route) {
        const target = route.routes[record.chosen];
        if (target === undefined || plan.loopRoutes.get(node)?.has(target)) {
          throw new Error(`traceWorkflow: '${node}' chose '${record.chosen}', which is not the straight path; pick a request that passes`);
        }
        reached.add(target);
        continue;
      }
    } else {
      const plugin = plan.stages.get(node)!;
      const input = selectInput(plan, node, state);
      trace.inputs.set(node, input);
      const result = await runToEnd(plugin, input);
      trace.outputs.set(node, result.output);
      trace.steps.set(node, result.steps);
      state.outputs[node] = result.output;
      state.completed.push(node);
    }
    for (const next of plan.successors.get(node) ?? []) if (next !== END) reached.add(next);
  }
  return trace;
}
