/**
 * What every pattern builds: a block of workflow parts (stages, decision points, edges,
 * input selectors) with an entry, wired to what follows it through its `then`. A
 * workflow is blocks put together (`assemble`); `buildWorkflow()` checks the result as
 * it checks any workflow.
 */
import { StagegraphError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { WorkflowStateValue } from '../state.ts';
import { defineWorkflow, type Edge, type WorkflowDefinition } from '../workflow.ts';

/** The parts of one pattern block. */
export interface PatternParts {
  stages: AnyStagePlugin[];
  decisions: DecisionPoint[];
  /** The block's own edges, including the one(s) from its exit to its `then`. */
  edges: Edge[];
  /** Input selectors of the block's stages (and of its `then` stage, for a swarm and a handoff). */
  inputs?: WorkflowDefinition['inputs'];
  /** Where edges into the block go: `{ from: X, to: block.entry }`. */
  entry: string | string[];
}

export interface AssembleOptions extends Omit<WorkflowDefinition, 'stages' | 'decisions' | 'edges' | 'inputs'> {
  blocks: PatternParts[];
  /** Stages outside any block. @default [] */
  stages?: AnyStagePlugin[];
  decisions?: DecisionPoint[];
  /** Edges between blocks and other stages, e.g. `{ from: START, to: block.entry }`. */
  edges?: Edge[];
  inputs?: WorkflowDefinition['inputs'];
}

const distinct = <T>(items: T[]): T[] => [...new Set(items)];

/**
 * A workflow made of pattern blocks (and plain stages). Stages and decision points a
 * block shares with another (the same object) are listed once.
 * @example
 * const review = supervisor({ ... , then: END });
 * assemble({ id: 'report', description: 'Writes a report', blocks: [review], edges: [{ from: START, to: review.entry }] });
 */
export function assemble(options: AssembleOptions): WorkflowDefinition {
  const { blocks, stages = [], decisions = [], edges = [], inputs = {}, ...rest } = options;
  return defineWorkflow({
    ...rest,
    stages: distinct([...stages, ...blocks.flatMap((b) => b.stages)]),
    decisions: distinct([...decisions, ...blocks.flatMap((b) => b.decisions)]),
    edges: [...edges, ...blocks.flatMap((b) => b.edges)],
    inputs: Object.assign({}, ...blocks.map((b) => b.inputs ?? {}), inputs),
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Everything the run knows so far as one object: the request's fields (or `{ request }`
 * for a request that is not an object), then each completed stage's output, in
 * completion order (a later output's fields win). A stage's zod input schema keeps the
 * fields it declares. The default input of supervisor workers.
 */
export function blackboard(state: Pick<WorkflowStateValue, 'request' | 'outputs' | 'completed'>): Record<string, unknown> {
  const base = isObject(state.request) ? state.request : { request: state.request };
  return Object.assign({}, base, ...state.completed.map((n) => (isObject(state.outputs[n]) ? state.outputs[n] : {})));
}

/** The one of `names` that completed last in the run, if any did. */
export function lastCompleted(state: Pick<WorkflowStateValue, 'completed'>, names: string[]): string | undefined {
  for (let i = state.completed.length - 1; i >= 0; i--) if (names.includes(state.completed[i]!)) return state.completed[i];
  return undefined;
}

/**
 * A block that cannot be built, named by pattern, field and name.
 * @throws StagegraphError `invalid_pattern` (fatal) with details `{ pattern, field, name }`.
 */
export function invalidPattern(pattern: string, field: string, name: string, message: string): never {
  throw new StagegraphError('invalid_pattern', message, { class: 'fatal', details: { pattern, field, name } });
}
