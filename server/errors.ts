/**
 * The one place where an error becomes an HTTP status and a response body. Every
 * failure, REST or WebSocket, is first a `StagegraphError` with a stable code; the
 * status follows from the code (or, for codes not listed, from its class).
 */
import { StagegraphError, classify } from '../nodes/errors.ts';

/** HTTP status by error code. Codes not listed fall back to their class (see `statusOf`). */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_request: 400,
  invalid_input: 400,
  queue_required: 400,
  malformed_request: 400,
  invalid_json: 400,
  invalid_feedback: 400,
  input_required: 400,
  stage_not_reached: 400,
  invalid_recovery_action: 400,
  invalid_message: 400,
  unauthenticated: 401,
  invalid_token: 401,
  forbidden: 403,
  route_not_found: 404,
  run_not_found: 404,
  thread_not_found: 404,
  workflow_not_found: 404,
  checkpoint_not_found: 404,
  artifact_not_found: 404,
  decision_not_found: 404,
  hook_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  invalid_transition: 409,
  transition_conflict: 409,
  skip_not_allowed: 409,
  run_locked: 409,
  template_unavailable: 409,
  run_exists: 409,
  run_retained: 409,
  thread_exists: 409,
  thread_busy: 409,
  payload_too_large: 413,
  invalid_hook: 422,
  unsupported_media_type: 415,
  invalid_template: 422,
  upgrade_required: 426,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  not_implemented: 501,
  not_ready: 503,
  unavailable: 503,
  circuit_open: 503,
  too_many_connections: 503,
};

/** The codes every authenticated route may answer with. */
export const COMMON_CODES = ['invalid_request', 'unauthenticated', 'invalid_token', 'rate_limited', 'internal'] as const;

export function statusOf(code: string, cls?: StagegraphError['class']): number {
  const known = STATUS_BY_CODE[code];
  if (known) return known;
  if (cls === 'validation') return 400;
  if (cls === 'transient') return 503;
  return 500;
}

export interface ErrorBodyValue {
  error: { code: string; message: string; details: Record<string, unknown>; hint?: string; requestId: string };
}

/** http-errors (thrown by body parsing and the router) carry `status` and `type`. */
interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  headers?: Record<string, string>;
}

const HTTP_CODES: Record<number, string> = {
  400: 'invalid_json',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  501: 'method_not_allowed',
};

/**
 * Turns anything thrown into a StagegraphError with a code: our own errors as they are,
 * http-errors by status and type, everything else `internal` with its message hidden.
 */
export function toStagegraphError(e: unknown): StagegraphError {
  if (e instanceof StagegraphError) return e;
  const h = (typeof e === 'object' && e !== null ? e : {}) as HttpErrorLike & { message?: string };
  const status = h.status ?? h.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && h.expose !== false) {
    const code = h.type === 'entity.too.large' ? 'payload_too_large' : h.type === 'entity.parse.failed' ? 'invalid_json' : HTTP_CODES[status] ?? 'invalid_request';
    return new StagegraphError(code, String(h.message ?? code), { class: 'validation', details: h.type ? { type: h.type } : {}, cause: e });
  }
  if (typeof status === 'number' && status === 501) return new StagegraphError('method_not_allowed', 'method not implemented', { class: 'validation', cause: e });
  if (classify(e) === 'transient') return new StagegraphError('unavailable', 'a dependency is unavailable; try again', { class: 'transient', cause: e });
  return new StagegraphError('internal', 'internal error', { class: 'fatal', cause: e });
}

/** The response body and status for an error. `internal` errors never show their cause. */
export function errorResponse(e: unknown, requestId: string): { status: number; body: ErrorBodyValue; error: StagegraphError } {
  const error = toStagegraphError(e);
  const status = statusOf(error.code, error.class);
  const hidden = error.code === 'internal' || error.code === 'unavailable';
  return {
    status,
    error,
    body: {
      error: {
        code: error.code,
        message: hidden ? 'internal error' : error.message,
        details: hidden ? {} : error.details,
        ...(error.hint ? { hint: error.hint } : {}),
        requestId,
      },
    },
  };
}

/** A `validation`-class error with one of the 4xx codes above. */
export function clientError(code: string, message: string, details: Record<string, unknown> = {}, hint?: string): StagegraphError {
  return new StagegraphError(code, message, { class: 'validation', details, hint });
}
