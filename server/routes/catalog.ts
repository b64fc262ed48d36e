/** What this server can run: stage plugins and workflows. */
import type Router from '@koa/router';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import { describePlugins, describeWorkflow } from '../views/catalog.ts';
import type { ApiDeps } from './deps.ts';

export function catalogRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const workflows = [...deps.sg.workflows.values()];
  let plugins: ReturnType<typeof describePlugins> | undefined;
  let described: ReturnType<typeof describeWorkflow>[] | undefined;

  bindRoute(router, routes.plugins, bind, async ({ query }) => {
    plugins ??= describePlugins(workflows);
    const cap = query.capability;
    return { plugins: cap ? plugins.filter((p) => p.capabilities.includes(cap)) : plugins };
  });

  bindRoute(router, routes.workflows, bind, async () => ({ workflows: (described ??= workflows.map(describeWorkflow)) }));
}
