/**
 * `GET /api/patterns`: the coordination patterns a workflow can be built from (in code
 * or in a template's `patterns` blocks), each described once: what it is, when to use
 * it, its block's JSON Schema, and a diagram drawn from its example's compiled graph.
 */
import type Router from '@koa/router';
import { PATTERNS, describePattern } from '../../graph/patterns/index.ts';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import type { ApiDeps } from './deps.ts';

export function patternRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  // Compiling every example takes a moment: once, on first ask.
  let described: ReturnType<typeof describePattern>[] | undefined;
  bindRoute(router, routes.patterns, bind, async () => {
    described ??= PATTERNS.map(describePattern);
    return { patterns: described.map((p) => ({ ...p, example: { ...p.example, registered: deps.sg.workflows.has(p.example.workflowId) } })) };
  });
}
