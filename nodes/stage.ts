/**
 * The stage runtime: turns a StagePlugin into a LangGraph node. Validates input and
 * output with the plugin's zod schemas, streams progress and timeout warnings through
 * LangGraph's custom stream, runs the plugin through its circuit breaker, and asks a
 * person (LangGraph `interrupt()`) when its input does not fit or a validation error
 * carries a question. Retry and timeout are LangGraph's own (see `stageNodeOptions`).
 */
import { Command, interrupt, isGraphBubbleUp, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { z } from 'zod';
import { StagegraphError, classify, serializeError, type SerializedError } from './errors.ts';
import { ATTEMPT, normalizePolicy, toRetryPolicy, type NormalizedPolicy } from './policy.ts';
import { signalWriter } from './signals.ts';
import { isContinue, type AnyStagePlugin } from './types.ts';
import { breakerSignal, stageContext } from './context.ts';
import type { StageRuntimeDeps } from './deps.ts';
import type { StageWarning, WorkflowStateUpdate, WorkflowStateValue } from '../graph/state.ts';

export interface StageNodeOptions {
  /** Builds the stage's input from run state. */
  selectInput: (state: WorkflowStateValue) => unknown;
}

/** `a.b[2]` from a zod issue path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '') || '(root)';
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, stage: string, side: 'input' | 'output'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = fieldOf(issue.path);
  throw new StagegraphError(`stage_${side}_invalid`, `stage '${stage}' ${side}: field '${field}': ${issue.message}`, {
    class: 'validation',
    details: { stage, side, field, issues: parsed.error.issues.map((i) => ({ field: fieldOf(i.path), message: i.message, code: i.code })) },
  });
}

/**
 * The question a validation error puts to a person, or `undefined` if it needs none:
 * an error carrying `details.question`, or a stage input that does not fit its schema
 * (asked about field by field). `stage_output_invalid` is a plugin bug: never asked.
 */
export function questionOf(e: unknown): string | undefined {
  if (!(e instanceof StagegraphError) || e.class !== 'validation') return undefined;
  if (typeof e.details.question === 'string') return e.details.question;
  if (e.code !== 'stage_input_invalid') return undefined;
  const issues = (e.details.issues as { field: string; message: string }[] | undefined) ?? [];
  const listed = issues.map((i) => `'${i.field}' (${i.message})`).join(', ');
  return `Stage '${String(e.details.stage)}' cannot use its input: ${listed || e.message}. Which value${issues.length > 1 ? 's' : ''} should ${issues.length > 1 ? 'these fields' : 'it'} have? Answer with an object of the corrected fields.`;
}

function mergePatch(input: unknown, patch: unknown): unknown {
  if (typeof input === 'object' && input !== null && typeof patch === 'object' && patch !== null && !Array.isArray(patch)) {
    return { ...(input as object), ...(patch as object) };
  }
  return patch;
}

/** The LangGraph node function for a plugin. */
export function stageNode(plugin: AnyStagePlugin, options: StageNodeOptions, policy = normalizePolicy(plugin.policy)) {
  const name = plugin.name;
  return async (state: WorkflowStateValue, config: LangGraphRunnableConfig): Promise<WorkflowStateUpdate> => {
    const write = signalWriter(config);
    const deps = (config.context as { stagegraph?: StageRuntimeDeps } | undefined)?.stagegraph;
    const attempt = config.executionInfo?.nodeAttempt ?? 1;
    const started = performance.now();
    const signal = config.signal ?? new AbortController().signal;
    const runId = String(config.configurable?.thread_id ?? 'local');
    write({ sg: 'stage_started', stage: name, attempt });

    const warnAt = policy.timeoutMs * 0.8;
    const warning = setTimeout(() => write({ sg: 'timeout_warning', stage: name, elapsedMs: Math.round(warnAt), timeoutMs: policy.timeoutMs }), warnAt);
    warning.unref?.();
    const ctx = stageContext({ runId, stage: name, attempt, signal, deps, write, resume: state.scratch?.[name] ?? undefined });
    const breakers = deps?.breakers;
    // The plugin's own breaker: while open, the stage fails fast without calling the plugin.
    const call = (input: unknown) =>
      breakers ? breakers.run('plugin', name, () => plugin.run(input, ctx), (c) => write(breakerSignal(name, c))) : plugin.run(input, ctx);

    try {
      let candidate: unknown = options.selectInput(state);
      for (;;) {
        try {
          const input = parseOrThrow(plugin.input, candidate, name, 'input');
          candidate = input;
          await deps?.beforeStage?.({ runId, stage: name, attempt, signal });
          const result = await call(input);
          const durationMs = performance.now() - started;
          if (isContinue(result)) {
            if (!policy.stepped) {
              throw new StagegraphError('stage_not_stepped', `stage '${name}' returned continueLater() but its policy does not set stepped: true`, { class: 'fatal', details: { stage: name } });
            }
            write({ sg: 'stage_finished', stage: name, attempt, durationMs, step: true });
            return { scratch: { [name]: result.scratch } };
          }
          const output = parseOrThrow(plugin.output, result, name, 'output');
          write({ sg: 'stage_finished', stage: name, attempt, durationMs });
          return { outputs: { [name]: output }, completed: [name], ...(policy.stepped ? { scratch: { [name]: null } } : {}) };
        } catch (e) {
          const question = questionOf(e);
          if (question === undefined) throw e;
          const err = e as StagegraphError;
          let answer: unknown;
          try {
            // Resumes with the person's answer: a patch merged into this stage's input.
            answer = interrupt({ stage: name, code: err.code, question, details: err.details });
          } catch (x) {
            if (isGraphBubbleUp(x)) throw x;
            throw e; // no checkpointer: nobody can answer, so the validation error stands
          }
          candidate = mergePatch(candidate, answer);
        }
      }
    } catch (e) {
      if (isGraphBubbleUp(e)) throw e;
      const error = serializeError(e);
      const retry = policy.retry[classify(e)];
      const willRetry = retry !== undefined && attempt < retry.maxAttempts;
      write({ sg: 'stage_failed', stage: name, attempt, durationMs: performance.now() - started, error, willRetry });
      if (typeof e === 'object' && e !== null) (e as Record<symbol, number>)[ATTEMPT] = attempt;
      throw e;
    } finally {
      clearTimeout(warning);
    }
  };
}

/** The warning a run carries for an optional stage it skipped. */
export function skipWarning(stage: string, error: SerializedError): StageWarning {
  return { stage, code: error.code, class: error.class, message: `optional stage '${stage}' skipped: ${error.message}` };
}

/**
 * The LangGraph `addNode` options for a plugin: its policy mapped onto LangGraph's
 * own `retryPolicy` and `timeout`, and for optional stages an `errorHandler` that
 * skips the stage once retries are exhausted, marks the run degraded and goes on to
 * `next` (the stage's successors): the error handler is a node of its own, so the
 * failed stage's edges do not fire and the handler routes with `Command({ goto })`.
 */
export function stageNodeOptions(plugin: AnyStagePlugin, policy: NormalizedPolicy = normalizePolicy(plugin.policy), next: string[] = []) {
  const name = plugin.name;
  return {
    retryPolicy: toRetryPolicy(policy),
    timeout: policy.timeoutMs,
    ...(policy.optional
      ? {
          errorHandler: (_state: unknown, err: { error: unknown }, config?: LangGraphRunnableConfig): Command => {
            const error = serializeError(err.error);
            signalWriter(config)({ sg: 'stage_skipped', stage: name, error });
            const update: WorkflowStateUpdate = { skipped: [name], warnings: [skipWarning(name, error)] };
            return new Command({ update, ...(next.length ? { goto: next } : {}) });
          },
        }
      : {}),
  };
}
