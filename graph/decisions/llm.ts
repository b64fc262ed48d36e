/**
 * The LLM fallback of the decision engine: asked only when no rule decides or rules
 * tie, through `@langchain/openai` structured output, time-boxed, never retried. Any
 * failure (timeout, HTTP error, malformed answer, an option that does not exist) comes
 * back as `{ failed: reason }`, and `decide()` then applies the deterministic default
 * with low confidence and records the reason in `notes`. It never throws and never
 * holds a run longer than its time box.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { StagegraphError } from '../../nodes/errors.ts';
import type { DecisionFallback, FallbackAnswer } from './decide.ts';
import type { FiredRule } from './evaluate.ts';
import type { DecisionPoint } from './types.ts';

/** What the model must answer (structured output). */
export const LlmAnswerSchema = z.object({
  choice: z.string().describe('Exactly one of the options, spelled as given'),
  confidence: z.number().min(0).max(1).describe('How likely the choice is right, 0 to 1'),
  reasoning: z.string().describe('One or two sentences: why this option, citing the inputs'),
  alternatives: z.array(z.object({
    option: z.string().describe('An option not chosen'),
    reason: z.string().describe('Why it lost'),
  })).describe('Every other option, each with the reason it lost'),
}).describe('A decision between fixed options');

export type LlmAnswer = z.infer<typeof LlmAnswerSchema>;

/** Default time box of one LLM decision, ms. */
export const LLM_TIMEOUT_MS = 2000;
/** Model used when `STAGEGRAPH_LLM_MODEL` is not set. */
export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';

export type StructuredMethod = 'functionCalling' | 'jsonSchema';

export interface LlmFallbackOptions {
  /** Time box per decision; past it the default applies. @default 2000 */
  timeoutMs?: number;
  /**
   * How structured output is requested: tool calling or `response_format: json_schema`.
   * @default "functionCalling" (the form most OpenAI-compatible servers implement)
   */
  method?: StructuredMethod;
}

function invalidConfig(message: string, details: Record<string, unknown>): StagegraphError {
  return new StagegraphError('invalid_config', message, { class: 'fatal', details });
}

function normalize(options: LlmFallbackOptions): Required<LlmFallbackOptions> {
  const timeoutMs = options.timeoutMs ?? LLM_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw invalidConfig(`LLM fallback timeoutMs must be a positive number of ms, got ${timeoutMs}`, { timeoutMs });
  const method = options.method ?? 'functionCalling';
  if (method !== 'functionCalling' && method !== 'jsonSchema') throw invalidConfig(`LLM fallback method must be 'functionCalling' or 'jsonSchema', got '${String(method)}'`, { method });
  return { timeoutMs, method };
}

function messages(point: DecisionPoint, inputs: Record<string, unknown>, options: string[], conflict: FiredRule[]): [string, string][] {
  const system =
    'You decide one decision point of an engineering workflow. Choose exactly one of the given options, spelled exactly as given. ' +
    'Base the choice on the inputs; give a calibrated confidence between 0 and 1, a short reasoning, and for every other option the reason it lost.' +
    (point.prompt ? `\n\n${point.prompt}` : '');
  const situation = conflict.length
    ? { conflictingRules: conflict.map((f) => ({ rule: f.id, chooses: f.choose, because: f.because, priority: f.priority, confidence: f.confidence })) }
    : { rules: 'no rule applied to these inputs' };
  const human = JSON.stringify({ decisionPoint: point.name, description: point.description, options, inputs, ...situation }, null, 2);
  return [['system', system], ['human', human]];
}

/** Why a call failed, from the error's type and fields (never its message text). */
function failure(e: unknown): string {
  const err = (e ?? {}) as { name?: unknown; status?: unknown; lc_error_code?: unknown; message?: unknown };
  if (typeof err.status === 'number') return `HTTP ${err.status}${err.status === 429 ? ' (rate limited)' : ''}`;
  const detail = typeof err.message === 'string' ? `: ${err.message.replace(/\s+/g, ' ').trim().slice(0, 160)}` : '';
  if (err.lc_error_code === 'OUTPUT_PARSING_FAILURE' || err.name === 'OutputParserException' || err.name === 'ZodError') return `malformed answer${detail}`;
  return `${typeof err.name === 'string' ? err.name : 'error'}${detail}`;
}

function check(answer: LlmAnswer, options: string[]): FallbackAnswer | { failed: string } {
  if (!options.includes(answer.choice)) {
    return { failed: `answered '${answer.choice}', which is not one of ${options.map((o) => `'${o}'`).join(', ')}` };
  }
  const alternatives = answer.alternatives
    .filter((a) => a.option !== answer.choice && options.includes(a.option))
    .map((a) => ({ option: a.option, reason: a.reason }));
  return { chosen: answer.choice, confidence: answer.confidence, reasoning: answer.reasoning, alternatives };
}

/**
 * A decision fallback on any LangChain chat model with structured output. Give the
 * model `maxRetries: 0` (as `chatModelFromEnv` does): the time box is the whole budget.
 * @example deps: { fallback: llmFallback(new ChatOpenAI({ model: 'gpt-4o-mini', maxRetries: 0 }), { timeoutMs: 1500 }) }
 */
export function llmFallback(model: BaseChatModel, options: LlmFallbackOptions = {}): DecisionFallback {
  const { timeoutMs, method } = normalize(options);
  const structured = model.withStructuredOutput(LlmAnswerSchema, { name: 'decide', method });
  return async (point, inputs, opts, conflict, signal) => {
    if (signal?.aborted) return { failed: 'run aborted before the LLM was asked' };
    const controller = new AbortController();
    let settle!: (r: { failed: string }) => void;
    const stopped = new Promise<{ failed: string }>((resolve) => (settle = resolve));
    const timer = setTimeout(() => {
      settle({ failed: `timed out after ${timeoutMs} ms` });
      controller.abort();
    }, timeoutMs);
    const onAbort = () => {
      settle({ failed: 'run aborted while the LLM was asked' });
      controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const call = structured
      .invoke(messages(point, inputs, opts, conflict), { signal: controller.signal })
      .then((answer) => check(answer as LlmAnswer, opts), (e: unknown) => ({ failed: failure(e) }));
    try {
      return await Promise.race([call, stopped]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/**
 * The chat model the environment configures, or undefined when none is:
 * `OPENAI_API_KEY` (OpenAI) and/or `STAGEGRAPH_LLM_BASE_URL` (any OpenAI-compatible
 * server, e.g. `http://127.0.0.1:11434/v1`), `STAGEGRAPH_LLM_MODEL` (@default "gpt-4o-mini").
 * Never retries: `maxRetries: 0`.
 * @throws StagegraphError `invalid_config` for a base URL that is not a URL.
 */
export function chatModelFromEnv(env: Record<string, string | undefined>): ChatOpenAI | undefined {
  const apiKey = env.OPENAI_API_KEY || undefined;
  const baseURL = env.STAGEGRAPH_LLM_BASE_URL || undefined;
  if (!apiKey && !baseURL) return undefined;
  if (baseURL && !URL.canParse(baseURL)) throw invalidConfig(`STAGEGRAPH_LLM_BASE_URL is not a URL: '${baseURL}'`, { baseURL });
  return new ChatOpenAI({
    model: env.STAGEGRAPH_LLM_MODEL || DEFAULT_LLM_MODEL,
    // A local OpenAI-compatible server usually takes any key; the client requires one.
    apiKey: apiKey ?? 'not-needed',
    maxRetries: 0,
    ...(baseURL ? { configuration: { baseURL } } : {}),
  });
}

/**
 * The LLM fallback the environment configures, or undefined (then `decide()` applies
 * the default and notes "no LLM configured"). Besides `chatModelFromEnv`'s variables:
 * `STAGEGRAPH_LLM_TIMEOUT_MS` (@default 2000) and `STAGEGRAPH_LLM_METHOD`
 * (`functionCalling` | `jsonSchema`, @default "functionCalling").
 * @example const sg = await createStagegraph({ workflows, deps: { fallback: llmFallbackFromEnv(process.env) } });
 * @throws StagegraphError `invalid_config` for a malformed variable.
 */
export function llmFallbackFromEnv(env: Record<string, string | undefined>): DecisionFallback | undefined {
  const model = chatModelFromEnv(env);
  if (!model) return undefined;
  const timeout = env.STAGEGRAPH_LLM_TIMEOUT_MS;
  if (timeout !== undefined && timeout !== '' && !/^\d+$/.test(timeout)) {
    throw invalidConfig(`STAGEGRAPH_LLM_TIMEOUT_MS must be a whole number of ms, got '${timeout}'`, { timeout });
  }
  return llmFallback(model, {
    timeoutMs: timeout ? Number(timeout) : undefined,
    method: (env.STAGEGRAPH_LLM_METHOD || undefined) as StructuredMethod | undefined,
  });
}
