/**
 * Binds a contract route to a handler: authenticates (unless public), takes a rate
 * limit token, refuses strings Postgres cannot store anywhere in params, query and
 * body (`invalid_input`), validates them with the route's zod schemas, and sends the
 * handler's result with the route's status.
 */
import type { Readable } from 'node:stream';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { z } from 'zod';
import type { Authenticator, Principal } from '../auth/authenticator.ts';
import { bearerToken } from '../auth/authenticator.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { RouteInput, RouteOutput, RouteSpec } from '../contract/route.ts';
import { clientError } from '../errors.ts';
import { assertStorable } from '../../graph/store/storable.ts';
import { StagegraphError } from '../../nodes/errors.ts';
import type { AppState } from './state.ts';

/** A non-JSON response (metrics text, artifact files). */
export interface RawResponse {
  contentType: string;
  body: string | Buffer | Readable;
  headers?: Record<string, string>;
}

export interface HandlerContext {
  /** The caller; on public routes the anonymous principal. */
  principal: Principal;
  requestId: string;
  log: AppState['log'];
  koa: Koa.ParameterizedContext<AppState>;
}

export type Handler<R extends RouteSpec> = (
  input: RouteInput<R>,
  ctx: HandlerContext,
) => Promise<R['response'] extends z.ZodType ? RouteOutput<R> : RawResponse>;

export interface BindDeps {
  authenticator: Authenticator;
  limiter: RateLimiter;
  validateResponses: boolean;
}

const ANONYMOUS: Principal = { owner: '', subject: 'anonymous', via: 'none' };

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** Parses one part of the request; the first issue names the field in the message. */
export function parsePart<S extends z.ZodType>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: fieldOf(i.path), code: i.code, message: i.message }));
  throw clientError('invalid_request', `${where}: ${issues[0]!.path}: ${issues[0]!.message}`, { where, issues });
}

/** Query values arrive as `string | string[]`; a repeated parameter is refused. */
function singleValued(query: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw clientError('invalid_request', `query: ${k}: given more than once`, { where: 'query', issues: [{ path: k, code: 'repeated', message: 'given more than once' }] });
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function hasBody(ctx: Koa.Context): boolean {
  const length = Number(ctx.get('content-length') || 0);
  return length > 0 || ctx.get('transfer-encoding') !== '';
}

export function bindRoute<R extends RouteSpec>(router: Router<AppState>, spec: R, deps: BindDeps, handler: Handler<R>): void {
  const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
  router[spec.method](spec.id, path, async (ctx) => {
    ctx.state.route = spec.path;
    let principal = ANONYMOUS;
    if (!spec.public) {
      principal = await deps.authenticator.authenticate(bearerToken(ctx.req, false));
      ctx.state.principal = principal;
      deps.limiter.take(principal.subject);
    }
    const query = singleValued(ctx.query);
    if (!spec.query && Object.keys(query).length > 0) {
      throw clientError('invalid_request', `query: ${Object.keys(query)[0]}: this route takes no query parameters`, { where: 'query' });
    }
    let body: unknown;
    if (spec.body) {
      if (hasBody(ctx) && !ctx.is('application/json', '+json')) {
        throw clientError('unsupported_media_type', `body must be application/json, got '${ctx.get('content-type') || 'none'}'`, { contentType: ctx.get('content-type') });
      }
      body = (ctx.request as { body?: unknown }).body ?? {};
    }
    // Before any schema: a NUL or lone surrogate is `invalid_input` whichever field holds it.
    if (spec.params) assertStorable(ctx.params, 'params');
    if (spec.query) assertStorable(query, 'query');
    if (spec.body) assertStorable(body, 'body');
    const input = {
      params: spec.params ? parsePart(spec.params, { ...ctx.params }, 'params') : undefined,
      query: spec.query ? parsePart(spec.query, query, 'query') : undefined,
      body: spec.body ? parsePart(spec.body, body, 'body') : undefined,
    } as RouteInput<R>;
    const result = await handler(input, { principal, requestId: ctx.state.requestId, log: ctx.state.log, koa: ctx });
    ctx.status = spec.status;
    if (spec.response) {
      if (deps.validateResponses) {
        const checked = spec.response.safeParse(result);
        if (!checked.success) {
          throw new StagegraphError('response_invalid', `response of ${spec.id} does not match its schema: ${checked.error.issues.map((i) => `${fieldOf(i.path)}: ${i.message}`).join('; ')}`, { class: 'fatal' });
        }
      }
      ctx.body = result;
      return;
    }
    const raw = result as RawResponse;
    for (const [k, v] of Object.entries(raw.headers ?? {})) ctx.set(k, v);
    ctx.type = raw.contentType;
    ctx.body = raw.body;
  });
}
