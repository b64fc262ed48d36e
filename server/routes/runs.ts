/** Starting, listing, reading and controlling runs. Every run is looked up with the caller as owner. */
import type Router from '@koa/router';
import { StagegraphError } from '../../nodes/errors.ts';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import { runLinks, toControl, toDetail, toSummary } from '../views/run.ts';
import type { ApiDeps } from './deps.ts';

export function runRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { sg, directory } = deps;

  bindRoute(router, routes.orchestrate, bind, async ({ body }, { principal, koa }) => {
    const workflowId = body.workflow ?? deps.defaultWorkflow;
    if (!workflowId) throw new StagegraphError('workflow_not_found', 'no workflow is registered', { class: 'validation' });
    const row = await sg.runs.start({ workflowId, request: body.request, owner: principal.owner, options: { ...body.options, outRoot: deps.outRoot } });
    directory.remember(row.id, { owner: row.owner, workflowId: row.workflowId, outRoot: deps.outRoot });
    koa.set('Location', `/api/agent/${row.id}`);
    return { sessionId: row.id, workflow: row.workflowId, status: row.status, createdAt: row.createdAt, links: runLinks(row.id) };
  });

  bindRoute(router, routes.listRuns, bind, async ({ query }, { principal }) => {
    const rows = await sg.runs.list({ owner: principal.owner, status: query.status, workflowId: query.workflow, limit: query.limit + 1, offset: query.offset });
    const more = rows.length > query.limit;
    const now = Date.now();
    let next: string | null = null;
    if (more) {
      const q = new URLSearchParams({ ...(query.status ? { status: query.status } : {}), ...(query.workflow ? { workflow: query.workflow } : {}), limit: String(query.limit), offset: String(query.offset + query.limit) });
      next = `/api/agent/runs?${q}`;
    }
    return { runs: rows.slice(0, query.limit).map((r) => toSummary(r, now)), page: { limit: query.limit, offset: query.offset, next } };
  });

  bindRoute(router, routes.getRun, bind, async ({ params }, { principal }) => toDetail(await sg.runs.get(params.sessionId, principal.owner)));

  bindRoute(router, routes.pause, bind, async ({ params }, { principal }) => {
    const row = await sg.runs.pause(params.sessionId, principal.owner, principal.owner);
    return toControl(row.id, 'pause', row.status);
  });

  bindRoute(router, routes.resume, bind, async ({ params }, { principal }) => {
    const row = await sg.runs.resume(params.sessionId, principal.owner, principal.owner);
    return toControl(row.id, 'resume', row.status);
  });

  bindRoute(router, routes.abort, bind, async ({ params, body }, { principal }) => {
    const row = await sg.runs.abort(params.sessionId, body.reason ?? 'aborted by request', principal.owner, principal.owner);
    return toControl(row.id, 'abort', row.status);
  });

  bindRoute(router, routes.answer, bind, async ({ params, body }, { principal }) => {
    const row = await sg.runs.answer(params.sessionId, body.answer, principal.owner, principal.owner);
    return toControl(row.id, 'answer', row.status);
  });

  bindRoute(router, routes.recover, bind, async ({ params, body }, { principal }) => {
    const row = await sg.runs.recover(params.sessionId, {
      action: body.action,
      by: principal.owner,
      reason: body.reason ?? `${body.action} by request`,
      ...(body.input !== undefined ? { input: body.input } : {}),
      ...(body.checkpointId !== undefined ? { checkpointId: body.checkpointId } : {}),
      ...(body.stage !== undefined ? { stage: body.stage } : {}),
    }, principal.owner);
    return toControl(row.id, 'recover', row.status);
  });

  bindRoute(router, routes.checkpoints, bind, async ({ params }, { principal }) => ({
    checkpoints: await sg.runs.checkpoints(params.sessionId, principal.owner),
  }));

  bindRoute(router, routes.restore, bind, async ({ params }, { principal }) => {
    const row = await sg.runs.restore(params.sessionId, params.checkpointId, principal.owner, principal.owner);
    return toControl(row.id, 'restore', row.status);
  });
}
