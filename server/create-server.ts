/**
 * `createServer()`: the Koa app (REST routes), the WebSocket hub on the same http
 * server's `upgrade`, authentication, rate limits, metrics and logs, wired to one
 * stagegraph. The stagegraph is the caller's: `close()` stops the server, not it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import { createAuthenticator } from './auth/authenticator.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { BindDeps } from './http/bind.ts';
import { clientErrorHandler, isClientsFault } from './http/client-error.ts';
import { requestContext } from './http/request-context.ts';
import type { AppState } from './http/state.ts';
import { Hub } from './hub/hub.ts';
import { ServerMetrics } from './metrics.ts';
import { buildOpenApi } from './openapi.ts';
import { defaultWorkflowOf, normalizeAuth, normalizeLimits, type ServerOptions } from './options.ts';
import { RunDirectory } from './run-directory.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { patternRoutes } from './routes/patterns.ts';
import { templateRoutes } from './routes/templates.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { hookRoutes } from './routes/hooks.ts';
import { evaluationRoutes } from './routes/evaluations.ts';
import type { ApiDeps } from './routes/deps.ts';
import { observeRoutes } from './routes/observe.ts';
import { opsRoutes } from './routes/ops.ts';
import { runRoutes } from './routes/runs.ts';
import { clientError } from './errors.ts';
import { PROGRESS_PATH } from './contract/ws.ts';
import { dashboard } from './dashboard/middleware.ts';
import { stagegraphVersion } from '../graph/packs/index.ts';
import { langgraphApi } from './langgraph/index.ts';

export interface StagegraphServer {
  app: Koa<AppState>;
  server: http.Server;
  /** Listens on `port` (0 picks a free one); resolves with the bound port and base URL. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Closes WebSockets (1001) and the http server. The stagegraph stays open. */
  close(): Promise<void>;
}

const VERSION = stagegraphVersion();

/**
 * @example
 * const sg = await createStagegraph({ workflows });
 * const api = createServer({ stagegraph: sg, auth: { mode: 'none' } });
 * const { url } = await api.listen(8080);
 */
export function createServer(options: ServerOptions): StagegraphServer {
  const sg = options.stagegraph;
  const limits = normalizeLimits(options.limits);
  const auth = normalizeAuth(options.auth);
  const logger = options.logger ?? pino({ name: 'stagegraph' });
  const directory = new RunDirectory(sg);
  const metrics = new ServerMetrics(sg, directory);
  const limiter = new RateLimiter(limits.rateLimit);
  const authenticator = createAuthenticator(auth, sg.db);
  let openapi: Record<string, unknown> | undefined;
  const deps: ApiDeps = {
    sg, directory, metrics,
    outRoot: options.outRoot ?? 'out',
    defaultWorkflow: defaultWorkflowOf(sg, options.defaultWorkflow),
    openapi: () => (openapi ??= buildOpenApi({ version: VERSION })),
  };
  const bind: BindDeps = { authenticator, limiter, validateResponses: options.validateResponses ?? false };

  const router = new Router<AppState>();
  opsRoutes(router, bind, deps);
  catalogRoutes(router, bind, deps);
  patternRoutes(router, bind, deps);
  templateRoutes(router, bind, deps);
  // `/api/agent/runs` and `/api/agent/progress` before `/api/agent/{sessionId}`.
  router.get('progress', PROGRESS_PATH, (ctx) => {
    ctx.state.route = PROGRESS_PATH;
    throw clientError('upgrade_required', `${PROGRESS_PATH} is a WebSocket endpoint`, {}, 'connect with a WebSocket client');
  });
  decisionRoutes(router, bind, deps); // `/api/agent/preferences` and `/api/agent/decisions/*` before `/api/agent/{sessionId}`
  runRoutes(router, bind, deps);
  observeRoutes(router, bind, deps);
  hookRoutes(router, bind, deps);
  evaluationRoutes(router, bind, deps);

  const app = new Koa<AppState>();
  app.proxy = false;
  app.silent = true;
  // A client that went away mid-response is the client's doing: logged as such, not as a server error.
  app.on('error', (err: unknown) => (isClientsFault(err) ? logger.info({ err }, 'client error: the client went away or was refused') : logger.error({ err }, 'response failed')));
  app.use(requestContext(logger, metrics));
  app.use(dashboard());
  // Before the body parser: the LangGraph app reads its own bodies (within the same limit).
  if (options.langgraph !== false) app.use(langgraphApi(sg, { authenticator, limiter, bodyBytes: limits.bodyBytes }, options.langgraph));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: limits.bodyBytes, encoding: 'utf-8' }));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));

  const server = http.createServer(app.callback());
  server.on('clientError', clientErrorHandler(logger, metrics));
  const hub = new Hub({ sg, directory, authenticator, limiter, limits, metrics, logger });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));

  let closed: Promise<void> | undefined;
  return {
    app,
    server,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          logger.info({ port: addr.port, host: addr.address }, 'listening');
          resolve({ port: addr.port, url: `http://${shown}:${addr.port}` });
        });
      }),
    close: () =>
      (closed ??= (async () => {
        await hub.close();
        metrics.close();
        await new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2000).unref();
        });
      })()),
  };
}
