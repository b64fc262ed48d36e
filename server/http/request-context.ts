/**
 * The outermost middleware: request id (accepted from `X-Request-Id` or generated,
 * echoed on every response), a per-request pino logger, one access-log line per
 * request, metrics, and the one channel errors go out through: every error, unknown
 * route included, becomes `{ error: { code, message, details, hint, requestId } }`
 * with the status `errorResponse()` decides.
 */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { clientError, errorResponse } from '../errors.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { AppState } from './state.ts';

/** A caller's request id is kept if it is this safe to log and echo. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function requestContext(logger: Logger, metrics: ServerMetrics): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const started = performance.now();
    const id = requestId(ctx.get('x-request-id') || undefined);
    const log = logger.child({ requestId: id });
    ctx.state.requestId = id;
    ctx.state.log = log;
    ctx.set('X-Request-Id', id);
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) {
        throw clientError('route_not_found', `no route for ${ctx.method} ${ctx.path}`, { method: ctx.method, path: ctx.path }, 'see /openapi.json');
      }
    } catch (e) {
      const { status, body, error } = errorResponse(e, id);
      ctx.status = status;
      ctx.body = body;
      ctx.set('X-Request-Id', id);
      const headers = (error.cause as { headers?: Record<string, string> } | undefined)?.headers;
      if (headers?.allow) ctx.set('Allow', headers.allow);
      if (status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      if (error.code === 'rate_limited') ctx.set('Retry-After', String(Math.max(1, Math.ceil(Number(error.details.retryAfterMs ?? 1000) / 1000))));
      if (status >= 500) log.error({ err: error.cause ?? error, code: error.code }, 'request failed');
      else log.debug({ code: error.code }, 'request rejected');
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = ctx.state.route ?? 'unmatched';
      metrics.observeHttp(ctx.method, route, ctx.status, seconds);
      log.info({ method: ctx.method, path: ctx.path, route, status: ctx.status, ms: Math.round(seconds * 10_000) / 10, owner: ctx.state.principal?.owner }, 'request');
    }
  };
}
