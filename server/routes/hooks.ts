/** Webhooks of the caller (register, list, delete) and the hook deliveries of one of the caller's runs. */
import type Router from '@koa/router';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import type { ApiDeps } from './deps.ts';

export function hookRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { sg, directory } = deps;

  bindRoute(router, routes.createHook, bind, async ({ body }, { principal }) => sg.hooks.create({ ...body, owner: principal.owner }));

  bindRoute(router, routes.listHooks, bind, async (_input, { principal }) => ({ hooks: await sg.hooks.list(principal.owner) }));

  bindRoute(router, routes.deleteHook, bind, async ({ params }, { principal }) => ({ hook: await sg.hooks.remove(params.hookId, principal.owner) }));

  bindRoute(router, routes.runHooks, bind, async ({ params }, { principal }) => {
    await directory.require(params.sessionId, principal.owner);
    return { sessionId: params.sessionId, deliveries: await sg.hooks.forRun(params.sessionId) };
  });
}
