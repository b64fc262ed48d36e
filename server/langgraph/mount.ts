/**
 * Mounts the LangGraph-compatible app on stagegraph's Koa server under a prefix, with the
 * same authentication and rate limits as the rest of the API. The app (and LangGraph's
 * API package, about a second to import) loads on the first request under the prefix.
 * Browsers (LangGraph Studio) may call it cross-origin: preflights are answered for the
 * allowed origins without a token.
 */
import { getRequestListener } from '@hono/node-server';
import type Koa from 'koa';
import type { Authenticator } from '../auth/authenticator.ts';
import { bearerToken } from '../auth/authenticator.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { AppState } from '../http/state.ts';
import type { Stagegraph } from '../../graph/runtime.ts';
import { StagegraphError } from '../../nodes/errors.ts';
import { asCall } from './caller.ts';

export interface LangGraphApiOptions {
  /** Where the surface is mounted. @default '/langgraph' */
  prefix?: string;
  /** Origins a browser may call it from. @default ['https://smith.langchain.com'] (LangGraph Studio) */
  corsOrigins?: string[];
}

type Listener = ReturnType<typeof getRequestListener>;

export function langgraphApi(sg: Stagegraph, auth: { authenticator: Authenticator; limiter: RateLimiter; bodyBytes: number }, options: LangGraphApiOptions = {}): Koa.Middleware<AppState> {
  const prefix = (options.prefix ?? '/langgraph').replace(/\/+$/, '');
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(prefix) || prefix === '/api' || prefix.startsWith('/api/')) {
    throw new StagegraphError('invalid_server_options', `langgraph.prefix must be a path of its own such as '/langgraph', got ${JSON.stringify(options.prefix)}`, { class: 'fatal', details: { field: 'langgraph.prefix' } });
  }
  const origins = new Set(options.corsOrigins ?? ['https://smith.langchain.com']);
  let listener: Promise<Listener> | undefined;
  const load = async (): Promise<Listener> => {
    const { langgraphApp } = await import('./app.ts');
    return getRequestListener(langgraphApp(sg, prefix, auth.bodyBytes).fetch, { overrideGlobalObjects: false });
  };
  return async (ctx, next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    ctx.state.route = `${prefix}/*`;
    const origin = ctx.get('origin');
    if (origin && origins.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Vary', 'Origin');
      ctx.set('Access-Control-Expose-Headers', 'Content-Location, X-Pagination-Total, X-Request-Id');
    }
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'authorization, content-type, x-api-key');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    // LangGraph's SDK sends its key as `x-api-key`; our clients send a bearer token.
    const header = ctx.get('x-api-key');
    const principal = await auth.authenticator.authenticate(bearerToken(ctx.req, false) ?? (header || undefined));
    ctx.state.principal = principal;
    auth.limiter.take(principal.subject);
    // A failed load (a broken install) is tried again by the next request, not kept.
    const handle = await (listener ??= load().catch((e: unknown) => {
      listener = undefined;
      throw e;
    }));
    // Headers set so far (request id, CORS) are on `ctx.res` already; the Hono app writes the rest.
    ctx.respond = false;
    await asCall({ principal, requestId: ctx.state.requestId, log: ctx.state.log }, () => handle(ctx.req, ctx.res));
    ctx.body = '';
  };
}
