/**
 * The workload of the overhead and throughput benchmarks: N trivial sequential steps,
 * each returning `{ n: n + 1 }`, built twice from the same description:
 * - as a stagegraph workflow (stage plugins with zod schemas, no decision points), run
 *   through the public API (`createStagegraph`, `runs.start`, `runs.wait`);
 * - as a bare LangGraph `StateGraph` of N nodes with one `n` channel, compiled with the
 *   checkpointer it is given (the benchmarks pass the stock `PostgresSaver`).
 */
import { Annotation, END as LG_END, START as LG_START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { z } from 'zod';
import { END, START, defineWorkflow, type WorkflowDefinition } from '../../graph/index.ts';
import type { AnyStagePlugin } from '../../nodes/index.ts';

/** Called inside each step body right before it returns. */
export type StepHook = () => void;

const stepNames = (steps: number) => Array.from({ length: steps }, (_, i) => `step-${i + 1}`);

/**
 * A stagegraph workflow of `steps` trivial stages in a line. A fresh `id` per
 * invocation keeps stage-duration history of earlier invocations out of the run.
 */
export function trivialWorkflow(id: string, steps: number, onStepEnd: StepHook): WorkflowDefinition {
  const names = stepNames(steps);
  const Count = z.object({ n: z.number() });
  const stages: AnyStagePlugin[] = names.map((name, i) => ({
    name, version: '1.0.0', description: `trivial step ${i + 1}`, capabilities: [],
    input: Count, output: Count, policy: { estimateMs: 1 },
    async run({ n }: { n: number }) {
      onStepEnd();
      return { n: n + 1 };
    },
  }));
  return defineWorkflow({
    id, description: `${steps} trivial sequential steps (benchmark)`, stages,
    edges: [{ from: START, to: names[0]! }, ...names.slice(1).map((to, i) => ({ from: names[i]!, to })), { from: names.at(-1)!, to: END }],
  });
}

const BareState = Annotation.Root({ n: Annotation<number>() });

/** The same line as a bare `StateGraph`, compiled with `checkpointer`. Input `{ n: 0 }`, output `{ n: steps }`. */
export function bareGraph(steps: number, checkpointer: BaseCheckpointSaver, onStepEnd: StepHook) {
  const names = stepNames(steps);
  // Node names are dynamic, so the builder's generics stay loose (as in graph/compile.ts).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const builder: any = new StateGraph(BareState);
  for (const name of names) {
    builder.addNode(name, (s: typeof BareState.State) => {
      onStepEnd();
      return { n: s.n + 1 };
    });
  }
  builder.addEdge(LG_START, names[0]);
  names.slice(1).forEach((to, i) => builder.addEdge(names[i], to));
  builder.addEdge(names.at(-1), LG_END);
  return builder.compile({ checkpointer }) as {
    invoke(input: { n: number }, config: { configurable: { thread_id: string }; durability?: 'sync' | 'async' | 'exit' }): Promise<{ n: number }>;
  };
}
