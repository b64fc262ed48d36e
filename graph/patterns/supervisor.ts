/**
 * The supervisor: a decision point that dispatches work to worker stages, one at a
 * time, until its rules (or the LLM fallback, or its default) say `done`. Built from
 * stagegraph's own parts, so each dispatch is an ordinary decision: rules with their
 * reasons, a `DecisionRecord` in state, in `sg_decisions` and as a
 * `workflow.decision_made` event; the loop back from every worker is a route edge
 * with `loop.maxIterations`, checked at build time and counted in the run's state.
 *
 * Durable like any step: a crash or a pause between dispatches resumes at the next
 * dispatch (a decision already recorded is recalled from the ledger, not decided
 * again), and a worker that completed is not run again.
 */
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint, DecisionRule } from '../decisions/types.ts';
import type { WorkflowStateValue } from '../state.ts';
import type { RouteEdge } from '../workflow.ts';
import { blackboard, invalidPattern, type PatternParts } from './parts.ts';

/** The option that ends the supervisor's loop. */
export const SUPERVISOR_DONE = 'done';

/** What a supervisor's rules read by default. */
export interface SupervisorView {
  request: unknown;
  /** Dispatches so far. */
  rounds: number;
  /** Times each worker has completed. */
  ran: Record<string, number>;
  /** The worker that completed last, if any. */
  last?: string;
  /** Each worker's latest output. */
  outputs: Record<string, unknown>;
}

export interface SupervisorOptions<I = SupervisorView> {
  /** The decision point's name (kebab-case); the block's entry. */
  name: string;
  description?: string;
  workers: AnyStagePlugin[];
  /** Which worker next, or `done`. Options are the workers' names and `done`. */
  rules: DecisionRule<I>[];
  /** @default the `SupervisorView` of the run */
  inputs?: (view: SupervisorView, state: WorkflowStateValue) => I;
  /** When no rule decides and no LLM answers. @default 'done' */
  default?: string | ((inputs: I) => string);
  /** Guidance for the LLM fallback. */
  prompt?: string;
  /** The most dispatches in a run. */
  maxIterations: number;
  /** Where the block leads once the supervisor says `done` (a node name or END). */
  then: string;
  /** Where to go when `maxIterations` is reached; `fail` fails the run with `loop_exhausted`. @default 'fail' */
  onExhausted?: string;
  /** A worker's input. @default `blackboard(state)`: the request's fields and every completed stage's output */
  workerInput?: (state: WorkflowStateValue, worker: string) => unknown;
}

/** The default view of a supervisor's rules. */
export function supervisorView(state: WorkflowStateValue, point: string, workers: string[]): SupervisorView {
  const ran: Record<string, number> = Object.fromEntries(workers.map((w) => [w, 0]));
  let last: string | undefined;
  for (const name of state.completed) {
    if (name in ran) {
      ran[name]! += 1;
      last = name;
    }
  }
  const outputs = Object.fromEntries(workers.filter((w) => w in state.outputs).map((w) => [w, state.outputs[w]]));
  return { request: state.request, rounds: state.iterations[point] ?? 0, ran, ...(last ? { last } : {}), outputs };
}

/**
 * A supervisor block: `name` decides, the chosen worker runs and hands back, until `done`.
 * @throws StagegraphError `invalid_pattern` for no workers, a bad bound or a worker named `done`.
 * @example
 * const editor = supervisor({ name: 'editor', workers: [research, write, review], maxIterations: 6, then: END,
 *   rules: [{ id: 'research-first', when: (v) => v.ran.research === 0, choose: 'research', because: 'nothing gathered yet', confidence: 0.9 }] });
 */
export function supervisor<I = SupervisorView>(options: SupervisorOptions<I>): PatternParts {
  const { name, workers } = options;
  if (!workers.length) invalidPattern('supervisor', 'workers', name, `supervisor '${name}' has no workers`);
  const names = workers.map((w) => w.name);
  if (names.includes(SUPERVISOR_DONE)) invalidPattern('supervisor', 'workers', SUPERVISOR_DONE, `supervisor '${name}': a worker may not be named '${SUPERVISOR_DONE}'`);
  if (!(Number.isInteger(options.maxIterations) && options.maxIterations >= 1)) {
    invalidPattern('supervisor', 'maxIterations', name, `supervisor '${name}': maxIterations must be an integer >= 1, got ${options.maxIterations}`);
  }
  const view = options.inputs ?? ((v: SupervisorView) => v as unknown as I);
  const point: DecisionPoint<I> = {
    name,
    description: options.description ?? `Supervisor: dispatches to ${names.join(', ')} until done`,
    options: [...names, SUPERVISOR_DONE],
    inputs: (state) => {
      const s = state as WorkflowStateValue;
      return view(supervisorView(s, name, names), s);
    },
    rules: options.rules,
    default: options.default ?? SUPERVISOR_DONE,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    whyNot: (_i, option, chosen) => (option === SUPERVISOR_DONE ? `not done yet: ${chosen} comes next` : `no rule dispatched '${option}' this round`),
  };
  const route: RouteEdge = {
    from: name,
    routes: { ...Object.fromEntries(names.map((n) => [n, n])), [SUPERVISOR_DONE]: options.then },
    loop: { maxIterations: options.maxIterations, onExhausted: options.onExhausted ?? 'fail' },
  };
  const input = options.workerInput ?? ((s: WorkflowStateValue) => blackboard(s));
  return {
    stages: workers,
    decisions: [point],
    edges: [route, ...names.map((n) => ({ from: n, to: name }))],
    inputs: Object.fromEntries(names.map((n) => [n, (s: WorkflowStateValue) => input(s, n)])),
    entry: name,
  };
}
