/** What this server can run: stage plugins (from the pack registry) and workflows. */
import type Router from '@koa/router';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import { describePlugins, describeWorkflow } from '../views/catalog.ts';
import type { ApiDeps } from './deps.ts';
import { listTemplates } from './templates.ts';

export function catalogRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { registry } = deps.sg;
  const workflows = [...deps.sg.workflows.values()];
  // Each plugin's JSON Schemas are converted once, on first ask.
  const plugins: Parameters<typeof describePlugins>[1] = new Map();
  let described: ReturnType<typeof describeWorkflow>[] | undefined;

  bindRoute(router, routes.plugins, bind, async ({ query }) => {
    const cap = query.capability;
    return { plugins: describePlugins(cap ? registry.byCapability(cap) : registry.stages, plugins) };
  });

  // Coded workflows do not change while the server runs; templates are read from the database each time.
  bindRoute(router, routes.workflows, bind, async (_, { log }) => ({
    workflows: [...(described ??= workflows.map((w) => ({ ...describeWorkflow(w), source: 'code' as const }))), ...(await listTemplates(deps, log))],
  }));
}
