import type { z } from 'zod';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ErrorClass } from './errors.ts';

/** Backoff for one error class, mapped onto LangGraph's own `RetryPolicy`. */
export interface RetrySpec {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** @default 1000 */
  initialIntervalMs?: number;
  /** @default 2 */
  backoffFactor?: number;
  /** @default 16000 */
  maxIntervalMs?: number;
  /** @default true */
  jitter?: boolean;
}

/**
 * What the runtime does around a stage. Normalised once by `normalizePolicy()`.
 * @example { timeoutMs: 30_000, retry: { transient: { maxAttempts: 3 } }, optional: true, estimateMs: 400 }
 */
export interface StagePolicy {
  /** Wall-clock cap per attempt (LangGraph node `timeout`). @default 60000 */
  timeoutMs?: number;
  /** Retries by error class. @default transient: 5 attempts, 1 s doubling to 16 s; degradable: 2 attempts */
  retry?: Partial<Record<ErrorClass, RetrySpec>>;
  /** An optional stage that fails is skipped and the run continues degraded. @default false */
  optional?: boolean;
  /** Prior for ETA before any duration has been recorded. @default 1000 */
  estimateMs?: number;
  /**
   * `run()` may return `continueLater(scratch)`: the node then loops on itself, one
   * checkpoint per step, so pause lands between steps. @default false
   */
  stepped?: boolean;
}

export interface StageLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What a plugin may use while it runs. A plugin never touches the database, the server or another plugin. */
export interface StageContext {
  runId: string;
  stage: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on pause, abort and timeout: honour it. */
  signal: AbortSignal;
  /** A seed for deterministic randomness, stable for a run. */
  seed: number;
  /** Reports progress of this stage, 0-100. */
  progress(pct: number, note?: string): void;
  /** A custom event for subscribers (streamed through LangGraph's custom stream). */
  emit(name: string, data: Record<string, unknown>): void;
  log: StageLogger;
  /** The chat model, when one is configured. */
  llm?: BaseChatModel;
  /**
   * For a long stage split into steps: the scratch the previous step returned with
   * `continueLater(scratch)`, or `undefined` on the first step. Each step ends in a
   * checkpoint, so pause lands between steps and a resumed run does not redo them.
   */
  resume?: unknown;
  /**
   * Runs a call to the external service `dependency` through that dependency's circuit
   * breaker (shared by every run of the process): after 5 consecutive transient
   * failures the breaker opens and calls fail fast with `circuit_open` (transient)
   * until a probe succeeds. Always set by the stage runtime; a hand-made context may
   * leave it out (see `guarded()`).
   * @example const rows = await ctx.guard!('materials-db', () => db.query(sql));
   */
  guard?<T>(dependency: string, fn: () => Promise<T>): Promise<T>;
}

/** `ctx.guard(dependency, fn)`, or plain `fn()` for a context without breakers. */
export function guarded<T>(ctx: Pick<StageContext, 'guard'>, dependency: string, fn: () => Promise<T>): Promise<T> {
  return ctx.guard ? ctx.guard(dependency, fn) : fn();
}

const CONTINUE = Symbol.for('stagegraph.continue');

/** Returned by `run()` to end this step and be called again with `ctx.resume = scratch`. */
export interface Continue {
  readonly [CONTINUE]: true;
  readonly scratch: unknown;
}

/** Ends the current step of a long stage; `run()` is called again with `ctx.resume = scratch`. */
export function continueLater(scratch: unknown): Continue {
  return { [CONTINUE]: true, scratch };
}

export function isContinue(v: unknown): v is Continue {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[CONTINUE] === true;
}

/**
 * A stage of a workflow. `name` is the node name (kebab-case).
 * @example
 * const upper: StagePlugin<typeof In, typeof Out> = {
 *   name: 'upper', version: '1.0.0', description: 'Upper-cases text', capabilities: ['text'],
 *   input: In, output: Out, policy: { estimateMs: 5 },
 *   async run({ text }) { return { text: text.toUpperCase() }; },
 * };
 */
export interface StagePlugin<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  version: string;
  description: string;
  capabilities: string[];
  input: I;
  output: O;
  policy?: StagePolicy;
  run(input: z.output<I>, ctx: StageContext): Promise<z.input<O> | Continue>;
  /** Saga rollback: undoes the effect of a completed run of this stage. Must be idempotent. */
  compensate?(output: z.output<O>, ctx: StageContext): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStagePlugin = StagePlugin<any, any>;
