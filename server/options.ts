/**
 * The server's options: typed, each with a documented default, normalised once by
 * `normalizeOptions()`, which rejects a bad configuration with an exact message.
 */
import type { LangGraphApiOptions } from './langgraph/index.ts';
import type { Logger } from 'pino';
import type { Stagegraph } from '../graph/runtime.ts';
import { StagegraphError } from '../nodes/errors.ts';

/**
 * How callers authenticate.
 * - `none`: local use; every caller acts as `owner`.
 * - `token`: `Authorization: Bearer <token>` (or `?token=` on the WebSocket upgrade),
 *   where the token is an API key made by `createApiKey()` and/or an HS256 JWT whose
 *   `sub` is the owner.
 * @default { mode: 'token', apiKeys: true }
 * @example { mode: 'token', jwt: { secret: process.env.JWT_SECRET! } }
 */
export type AuthOptions =
  | { mode: 'none'; /** @default "local" */ owner?: string }
  | {
      mode: 'token';
      /** Accept API keys from the `sg_api_keys` table. @default true */
      apiKeys?: boolean;
      /** Accept HS256 JWTs signed with this secret (at least 32 bytes). */
      jwt?: { secret: string | Uint8Array; issuer?: string; audience?: string };
      /** How long a verified API key is trusted before it is looked up again (revocation delay). @default 10000 */
      keyCacheMs?: number;
    };

/** A token bucket per caller: `burst` tokens, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface Limits {
  /** Largest JSON request body. @default 1048576 (1 MiB) */
  bodyBytes?: number;
  /** Largest WebSocket message from a client; larger ones close the connection with 1009. @default 65536 */
  messageBytes?: number;
  /** Requests and WebSocket messages per caller; `false` disables. @default { perSecond: 50, burst: 200 } */
  rateLimit?: RateLimit | false;
  /** WebSocket ping interval; a connection that missed the previous pong is terminated. @default 30000 */
  heartbeatMs?: number;
  /** Unsent bytes a WebSocket may queue before it is closed with 4008. @default 4194304 (4 MiB) */
  socketBufferBytes?: number;
  /** Open WebSocket connections. @default 10000 */
  maxConnections?: number;
  /** Runs one connection may subscribe to by id. @default 1000 */
  maxSubscriptions?: number;
}

export interface ServerOptions {
  stagegraph: Stagegraph;
  /** @default { mode: 'token', apiKeys: true } */
  auth?: AuthOptions;
  limits?: Limits;
  /** A pino logger; one JSON line per request, each carrying the request id. @default pino() at `info` */
  logger?: Logger;
  /** The workflow of an orchestrate request that names none. @default "h2-tank" if registered, else the first one */
  defaultWorkflow?: string;
  /** Where runs started through the API write artifacts (`<outRoot>/<run id>/`). @default "out" */
  outRoot?: string;
  /** Check every JSON response against its schema and fail loudly on a mismatch (for tests). @default false */
  validateResponses?: boolean;
  /**
   * The LangGraph-API-compatible surface (LangGraph Studio and SDK on stagegraph's runs,
   * see docs/studio.md), or `false` for none. @default { prefix: '/langgraph' }
   */
  langgraph?: LangGraphApiOptions | false;
}

export interface NormalizedLimits {
  bodyBytes: number;
  messageBytes: number;
  rateLimit: RateLimit | false;
  heartbeatMs: number;
  socketBufferBytes: number;
  maxConnections: number;
  maxSubscriptions: number;
}

export const DEFAULT_LIMITS: NormalizedLimits = {
  bodyBytes: 1024 * 1024,
  messageBytes: 64 * 1024,
  rateLimit: { perSecond: 50, burst: 200 },
  heartbeatMs: 30_000,
  socketBufferBytes: 4 * 1024 * 1024,
  maxConnections: 10_000,
  maxSubscriptions: 1000,
};

export type NormalizedAuth =
  | { mode: 'none'; owner: string }
  | { mode: 'token'; apiKeys: boolean; jwt?: { secret: Uint8Array; issuer?: string; audience?: string }; keyCacheMs: number };

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new StagegraphError('invalid_server_options', message, { class: 'fatal', details });
}

const positive = (name: string, v: number) => {
  if (!Number.isFinite(v) || v <= 0) invalid(`limits.${name} must be a positive number, got ${v}`, { name, value: v });
  return v;
};

export function normalizeLimits(l: Limits = {}): NormalizedLimits {
  const out: NormalizedLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) };
  for (const k of ['bodyBytes', 'messageBytes', 'heartbeatMs', 'socketBufferBytes', 'maxConnections', 'maxSubscriptions'] as const) positive(k, out[k]);
  if (out.rateLimit) {
    positive('rateLimit.perSecond', out.rateLimit.perSecond);
    positive('rateLimit.burst', out.rateLimit.burst);
  }
  return out;
}

export function normalizeAuth(a: AuthOptions = { mode: 'token' }): NormalizedAuth {
  if (a.mode === 'none') return { mode: 'none', owner: a.owner ?? 'local' };
  if (a.mode !== 'token') invalid(`auth.mode must be 'none' or 'token', got '${String((a as { mode: unknown }).mode)}'`);
  const apiKeys = a.apiKeys ?? true;
  let jwt: { secret: Uint8Array; issuer?: string; audience?: string } | undefined;
  if (a.jwt) {
    const secret = typeof a.jwt.secret === 'string' ? new TextEncoder().encode(a.jwt.secret) : a.jwt.secret;
    if (secret.byteLength < 32) invalid(`auth.jwt.secret must be at least 32 bytes for HS256, got ${secret.byteLength}`);
    jwt = { secret, issuer: a.jwt.issuer, audience: a.jwt.audience };
  }
  if (!apiKeys && !jwt) invalid("auth.mode 'token' needs apiKeys or jwt; use { mode: 'none' } for an open local server");
  return { mode: 'token', apiKeys, jwt, keyCacheMs: a.keyCacheMs ?? 10_000 };
}

export function defaultWorkflowOf(sg: Stagegraph, requested?: string): string | undefined {
  if (requested !== undefined) {
    if (!sg.workflows.has(requested)) invalid(`defaultWorkflow '${requested}' is not registered (registered: ${[...sg.workflows.keys()].join(', ') || 'none'})`);
    return requested;
  }
  if (sg.workflows.has('h2-tank')) return 'h2-tank';
  return sg.workflows.keys().next().value;
}
