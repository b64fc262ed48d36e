/**
 * Hierarchical delegation: a whole workflow as one stage of another. The child is
 * compiled once and invoked from inside the stage's node, so LangGraph runs it as a
 * subgraph: it inherits the run's checkpointer, thread and context, and checkpoints
 * under its own namespace (`<stage>:<task id>`). What that gives, with no code of ours:
 *
 * - delegation down: the stage's input is the child's request;
 * - escalation up: a child stage that asks a person (`interrupt`) suspends the parent
 *   too, and the run waits for input with the child's question; the answer resumes the
 *   parent, which resumes the child where it stopped;
 * - durability: the child's steps are in the run's step record (its namespace), so a
 *   run recovered after a crash, or resumed after a pause, resumes the child from its
 *   last checkpoint; its completed stages are not run again.
 *
 * A child that fails fails the stage with `subworkflow_failed`, whose details carry the
 * child's workflow, failed stage and error.
 */
import { isGraphBubbleUp } from '@langchain/langgraph';
import { z } from 'zod';
import { StagegraphError, serializeError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import { buildWorkflow, type BuiltWorkflow, type CompiledWorkflow } from '../compile.ts';
import type { WorkflowStateValue } from '../state.ts';
import { END, START, type WorkflowDefinition } from '../workflow.ts';

export interface SubWorkflowOptions {
  /** The stage's name in the parent (kebab-case). */
  name: string;
  /** The child workflow. Its stage names should differ from the parent's: events name stages. */
  workflow: WorkflowDefinition;
  /** @default the child's description */
  description?: string;
  /** @default '1.0.0' */
  version?: string;
  /**
   * The stage's output from the child's final state.
   * @default the output of the child's last stage (the stage(s) with an edge to END, merged)
   */
  output?: (state: WorkflowStateValue) => unknown;
  /**
   * Wall-clock cap of the whole child, per attempt (LangGraph node `timeout`).
   * @default 600000
   */
  timeoutMs?: number;
}

/** The child's stages that lead straight to END. */
function lastStages(built: BuiltWorkflow): string[] {
  return [...built.plan.stages.keys()].filter((s) => built.plan.successors.get(s)?.includes(END));
}

/**
 * A stage that runs a whole workflow as a LangGraph subgraph.
 * @throws StagegraphError `workflow_*` at once for a bad child definition.
 * @example
 * const research = subWorkflow({ name: 'research-team', workflow: researchWorkflow });
 * defineWorkflow({ id: 'report', description: '...', stages: [research, publish],
 *   edges: [{ from: START, to: 'research-team' }, { from: 'research-team', to: 'publish' }, { from: 'publish', to: END }] });
 */
export function subWorkflow(options: SubWorkflowOptions): AnyStagePlugin {
  const built = buildWorkflow(options.workflow);
  const child = built.def.id;
  const firsts = built.plan.successors.get(START) ?? [];
  const lasts = lastStages(built);
  const only = (names: string[]) => (names.length === 1 ? built.plan.stages.get(names[0]!) : undefined);
  const input = !built.def.request && only(firsts)?.input;
  const output = !options.output && only(lasts)?.output;
  const pick = options.output ?? ((s: WorkflowStateValue) => (lasts.length === 1 ? s.outputs[lasts[0]!] : Object.assign({}, ...lasts.map((l) => s.outputs[l]))));
  // Compiled once, without a checkpointer: nested in a run, LangGraph gives it the run's.
  let graph: CompiledWorkflow | undefined;
  return {
    name: options.name,
    version: options.version ?? '1.0.0',
    description: options.description ?? built.def.description,
    capabilities: ['sub-workflow'],
    input: input || z.unknown(),
    output: output || z.unknown(),
    // The child retries its own stages; a retry of the whole would start it over.
    policy: { timeoutMs: options.timeoutMs ?? 600_000, retry: { transient: { maxAttempts: 1 }, degradable: { maxAttempts: 1 } } },
    async run(request, ctx) {
      graph ??= built.compile();
      let failed: string | undefined;
      try {
        // The node's config (thread, namespace, checkpointer, context) reaches the child
        // through LangGraph's async-local config; a resuming parent resumes the child.
        // `tasks` names the child stage that failed; `values` ends with the final state.
        let state: WorkflowStateValue | undefined;
        const stream = await graph.stream({ request }, { signal: ctx.signal, streamMode: ['tasks', 'values'] });
        for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
          if (mode === 'values') state = chunk as unknown as WorkflowStateValue;
          else if (chunk.error !== undefined && typeof chunk.name === 'string') failed = chunk.name;
        }
        return pick(state!);
      } catch (e) {
        if (isGraphBubbleUp(e)) throw e;
        const error = serializeError(e);
        const stage = failed ?? (typeof error.details.stage === 'string' ? error.details.stage : undefined);
        throw new StagegraphError('subworkflow_failed', `sub-workflow '${child}' of stage '${options.name}' failed${stage ? ` in stage '${stage}'` : ''}: ${error.message}`, {
          class: 'fatal',
          details: { stage: options.name, workflow: child, childStage: stage, error },
          cause: e,
        });
      }
    },
  };
}
