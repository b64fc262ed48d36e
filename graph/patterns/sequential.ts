/**
 * The trivial patterns, as blocks like the others so that templates and code compose
 * them the same way.
 *
 * - sequential: `a -> b -> c -> then`. Each stage takes the previous stage's output
 *   (checked against its input schema at build time). One checkpoint per stage.
 * - parallel: `[a, b, c]` in one superstep (LangGraph fan-out), then `then` once all
 *   have finished (fan-in), taking their outputs merged. Each branch is a task with its
 *   own checkpointed writes: after a crash only the branches that had not finished run.
 */
import type { AnyStagePlugin } from '../../nodes/types.ts';
import { invalidPattern, type PatternParts } from './parts.ts';

export interface SequentialOptions {
  /** The block's name (for messages). */
  name: string;
  /** In order. */
  stages: AnyStagePlugin[];
  /** Where the block leads after its last stage (a node name or END). */
  then: string;
}

export interface ParallelOptions {
  /** The block's name (for messages). */
  name: string;
  /** Run at once; at least two. */
  stages: AnyStagePlugin[];
  /** Where the block leads once every branch has finished (a node name or END). */
  then: string;
}

/**
 * A sequential block.
 * @throws StagegraphError `invalid_pattern` for no stages.
 * @example sequential({ name: 'pipeline', stages: [extract, transform, load], then: END })
 */
export function sequential(options: SequentialOptions): PatternParts {
  const { name, stages } = options;
  if (!stages.length) invalidPattern('sequential', 'stages', name, `sequential block '${name}' has no stages`);
  const names = stages.map((s) => s.name);
  return {
    stages,
    decisions: [],
    edges: names.map((n, i) => ({ from: n, to: names[i + 1] ?? options.then })),
    entry: names[0]!,
  };
}

/**
 * A parallel block: fan-out to `stages`, fan-in to `then`.
 * @throws StagegraphError `invalid_pattern` for fewer than two stages.
 * @example parallel({ name: 'checks', stages: [lint, test, audit], then: 'report' })
 */
export function parallel(options: ParallelOptions): PatternParts {
  const { name, stages } = options;
  if (stages.length < 2) invalidPattern('parallel', 'stages', name, `parallel block '${name}' needs at least two stages, got ${stages.length}`);
  const names = stages.map((s) => s.name);
  return { stages, decisions: [], edges: [{ from: names, to: options.then }], entry: names };
}
