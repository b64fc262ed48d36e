/** Operations: liveness, readiness (the database answers), Prometheus metrics and the OpenAPI document. */
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
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.sg.db.pool.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS))),
      ]);
    } catch (e) {
      throw new StagegraphError('not_ready', `database not ready: ${(e as Error).message}`, { class: 'transient', cause: e });
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ready' as const, database: 'ok' as const };
  });

  bindRoute(router, routes.metrics, bind, async () => {
    const { contentType, body } = await deps.metrics.text();
    return { contentType, body };
  });

  bindRoute(router, routes.openapi, bind, async () => deps.openapi());
}
