/**
 * One REST call of the contract: builds the URL from the route's path and query,
 * sends JSON, and turns an error response into an `ApiError` carrying the server's
 * `code` (callers branch on the code, never on the message).
 */
import { fillPath, type CallInput, type RouteSpec } from '../server/contract/index.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly hint?: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export interface Transport {
  baseUrl: string;
  token?: string | (() => string | undefined);
  fetch: FetchLike;
  /** Sent as `X-Request-Id` when set (one id per call). */
  requestId?: () => string;
}

function tokenOf(t: Transport): string | undefined {
  return typeof t.token === 'function' ? t.token() : t.token;
}

export function urlOf(t: Transport, spec: RouteSpec, input: { params?: unknown; query?: unknown }): string {
  let url = t.baseUrl.replace(/\/+$/, '') + fillPath(spec.path, input.params as Record<string, unknown>);
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) q.set(k, String(v));
  const qs = q.toString();
  if (qs) url += `?${qs}`;
  return url;
}

/** Sends the call; resolves with the raw Response on success. @throws ApiError */
export async function send<R extends RouteSpec>(t: Transport, spec: R, input: CallInput<R>): Promise<Response> {
  const headers: Record<string, string> = { accept: spec.response ? 'application/json' : '*/*' };
  const token = tokenOf(t);
  if (token) headers.authorization = `Bearer ${token}`;
  if (t.requestId) headers['x-request-id'] = t.requestId();
  let body: string | undefined;
  if (spec.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify((input as { body?: unknown }).body ?? {});
  }
  const res = await t.fetch(urlOf(t, spec, input), { method: spec.method.toUpperCase(), headers, body });
  if (res.ok) return res;
  let error: { code?: string; message?: string; details?: Record<string, unknown>; hint?: string; requestId?: string } = {};
  try {
    error = ((await res.json()) as { error?: typeof error }).error ?? {};
  } catch {
    // Not our error format (a proxy in between): the status speaks for itself.
  }
  throw new ApiError(res.status, error.code ?? `http_${res.status}`, error.message ?? res.statusText, error.details ?? {}, error.hint, error.requestId ?? res.headers.get('x-request-id') ?? undefined);
}
