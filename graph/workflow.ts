/**
 * `defineWorkflow()`: a workflow as data — stages (plugins), decision points and the
 * edges between them. `buildWorkflow()` validates it and compiles a LangGraph
 * `StateGraph`; bad definitions fail here, with an exact message, never mid-run.
 */
import type { AnyStagePlugin } from '../nodes/types.ts';
import type { DecisionPoint } from './decisions/types.ts';
import type { RetentionPolicy } from './retention/policy.ts';
import type { WorkflowStateValue } from './state.ts';

/** The entry and exit of every workflow (LangGraph's START and END). */
export const START = '__start__';
export const END = '__end__';

/** `a -> b`, fan-out `a -> [b, c]` (parallel), fan-in `[b, c] -> d` (waits for all). */
export interface StaticEdge {
  from: string | string[];
  to: string | string[];
}

/**
 * Conditional routing after a decision point: the chosen option picks the target.
 * A route back to an earlier node is a loop and needs `loop` (a bound).
 */
export interface RouteEdge {
  from: string;
  routes: Record<string, string>;
  loop?: {
    /** How often the loop may be taken in a run. */
    maxIterations: number;
    /** Where to go once the bound is reached; `fail` fails the run with its partial results. */
    onExhausted: string | 'fail';
  };
}

export type Edge = StaticEdge | RouteEdge;

export interface WorkflowDefinition {
  /** kebab-case id, e.g. `h2-tank`. */
  id: string;
  description: string;
  stages: AnyStagePlugin[];
  decisions?: DecisionPoint[];
  edges: Edge[];
  /**
   * How a stage's input is built from run state, by stage name. Without one, a stage
   * takes the output of the stage(s) before it (merged at a fan-in), or the request
   * when it is first; that default is checked against the schemas at build time.
   */
  inputs?: Record<string, (state: WorkflowStateValue) => unknown>;
  /** Turns the caller's request into the first stage's input. @default identity */
  request?: (request: unknown) => unknown;
  /** A few lines that sum up a finished run, for the CLI and dashboards. */
  summarize?: (state: WorkflowStateValue) => string[];
  /**
   * How long finished runs keep their whole checkpoint history before `stagegraph gc`
   * reduces it to what restore and audit need (events and decisions are always kept).
   * @default { afterDays: 7, statuses: ['completed', 'aborted'] }
   */
  retention?: RetentionPolicy;
}

export function isRouteEdge(e: Edge): e is RouteEdge {
  return 'routes' in e;
}

/**
 * Declares a workflow. Returns the definition unchanged (typed); validation runs in
 * `buildWorkflow()`.
 * @example
 * defineWorkflow({ id: 'greet', description: 'Says hello', stages: [hello],
 *   edges: [{ from: START, to: 'hello' }, { from: 'hello', to: END }] });
 */
export function defineWorkflow(definition: WorkflowDefinition): WorkflowDefinition {
  return definition;
}
