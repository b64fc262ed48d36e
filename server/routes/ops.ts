/** Operations: liveness, readiness (the database, and the queue where used, answer; the process's role), Prometheus metrics and the OpenAPI document. */
import type Router from '@koa/router';
import { StagegraphError } from '../../nodes/errors.ts';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import type { ApiDeps } from './deps.ts';

const READY_TIMEOUT_MS = 2000;

export function opsRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  bindRoute(router, routes.health, bind, async () => ({ status: 'ok' as const }));

  bindRoute(router, routes.ready, bind, async () => {
    const role = deps.sg.role ?? 'single';
    const queued = role !== 'single';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        // With the queue, its job table must answer too: a server that cannot queue is not ready.
        deps.sg.db.pool.query(queued ? 'SELECT 1 FROM pgboss.version LIMIT 1' : 'SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS))),
      ]);
    } catch (e) {
      throw new StagegraphError('not_ready', `${queued ? 'database or queue' : 'database'} not ready: ${(e as Error).message}`, { class: 'transient', cause: e });
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ready' as const, database: 'ok' as const, role, ...(queued ? { queue: 'ok' as const } : {}) };
  });

  bindRoute(router, routes.metrics, bind, async () => {
    const { contentType, body } = await deps.metrics.text();
    return { contentType, body };
  });

  bindRoute(router, routes.openapi, bind, async () => deps.openapi());
}
