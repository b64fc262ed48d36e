/**
 * The one error base of stagegraph. Every failure carries a stable `code` and a
 * recovery `class`; code decides behaviour, never the message text.
 */

/**
 * How a failure is recovered from.
 * - `transient`: retry with backoff (network, timeout, rate limit, 5xx).
 * - `validation`: bad or contradictory input; needs a person (`waiting_input`).
 * - `degradable`: an optional stage that cannot run; skip it and continue degraded.
 * - `fatal`: misconfiguration or a bug; fail the run and keep partial results.
 */
export type ErrorClass = 'transient' | 'validation' | 'degradable' | 'fatal';

export const ERROR_CLASSES: readonly ErrorClass[] = ['transient', 'validation', 'degradable', 'fatal'];

export interface StagegraphErrorOptions {
  /** Recovery class. @default "fatal" */
  class?: ErrorClass;
  /** Structured, JSON-serialisable fields that explain the failure. */
  details?: Record<string, unknown>;
  /** A short hint that tells the caller what to do about it. */
  hint?: string;
  cause?: unknown;
}

export class StagegraphError extends Error {
  override readonly name = 'StagegraphError';
  readonly code: string;
  readonly class: ErrorClass;
  readonly details: Record<string, unknown>;
  readonly hint?: string;

  constructor(code: string, message: string, options: StagegraphErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.class = options.class ?? 'fatal';
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  toJSON(): SerializedError {
    return { code: this.code, class: this.class, message: this.message, details: this.details, hint: this.hint };
  }
}

/** The shape an error takes in state, events and the runs table. */
export interface SerializedError {
  code: string;
  class: ErrorClass;
  message: string;
  details: Record<string, unknown>;
  hint?: string;
}

export function isStagegraphError(e: unknown, code?: string): e is StagegraphError {
  return e instanceof StagegraphError && (code === undefined || e.code === code);
}

/** Network failures that Node reports through `error.code` (libuv / undici). */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH',
  'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'ECONNABORTED', 'ESOCKETTIMEDOUT',
]);

/** Error types (by `name`) that mean "try again": timeouts and lost connections of HTTP and LLM clients. */
const TRANSIENT_NAMES = new Set(['NodeTimeoutError', 'TimeoutError', 'APIConnectionError', 'APIConnectionTimeoutError']);

/**
 * Classifies any thrown value by its type and structured fields (never by message
 * text), following `cause` (and the parts of an AggregateError) a few levels deep.
 * Unknown errors are `fatal`: a bug should fail loudly, not be retried.
 */
export function classify(e: unknown): ErrorClass {
  return classifyAt(e, 0);
}

function classifyAt(e: unknown, depth: number): ErrorClass {
  if (e instanceof StagegraphError) return e.class;
  if (typeof e !== 'object' || e === null || depth > 8) return 'fatal';
  const err = e as { name?: unknown; code?: unknown; status?: unknown; response?: { status?: unknown }; cause?: unknown; errors?: unknown };
  if (typeof err.name === 'string' && TRANSIENT_NAMES.has(err.name)) return 'transient';
  if (typeof err.code === 'string' && TRANSIENT_SYSTEM_CODES.has(err.code)) return 'transient';
  const status = typeof err.status === 'number' ? err.status : err.response?.status;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return 'transient';
  if (err.name === 'ZodError') return 'validation';
  // An AggregateError (e.g. every address of a host refused) is transient when all its parts are.
  if (Array.isArray(err.errors) && err.errors.length > 0 && err.errors.every((x) => classifyAt(x, depth + 1) === 'transient')) return 'transient';
  if (err.cause !== undefined && err.cause !== e) return classifyAt(err.cause, depth + 1);
  return 'fatal';
}

/** Turns any thrown value into the serialised form stored with runs and events. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof StagegraphError) return e.toJSON();
  const err = e as { name?: string; code?: unknown; message?: string };
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  return {
    code: typeof err?.code === 'string' ? err.code : name === 'NodeTimeoutError' ? 'stage_timeout' : 'internal',
    class: classify(e),
    message: typeof err?.message === 'string' ? err.message : String(e),
    details: { name },
  };
}
