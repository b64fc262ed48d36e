/**
 * Workflow templates over REST: create one (or its next version), its versions, the
 * format as JSON Schema, and the templates' part of `GET /api/workflows`.
 */
import type Router from '@koa/router';
import type { RegisteredWorkflow } from '../../graph/runs/executor.ts';
import { templateJsonSchema } from '../../graph/templates/schema.ts';
import { PATTERNS } from '../../graph/templates/patterns.ts';
import type { TemplateEntry } from '../../graph/templates/templates.ts';
import { StagegraphError } from '../../nodes/errors.ts';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps, type HandlerContext } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import { describeWorkflow } from '../views/catalog.ts';
import type { ApiDeps } from './deps.ts';

type Described = ReturnType<typeof describeWorkflow>;

/** Each compiled template version described once. */
const described = new WeakMap<RegisteredWorkflow, Described>();
const describe = (wf: RegisteredWorkflow): Described => described.get(wf) ?? described.set(wf, describeWorkflow(wf)).get(wf)!;

/** The templates as `GET /api/workflows` lists them: latest version, all versions; one that no longer compiles is logged and left out. */
export async function listTemplates(deps: ApiDeps, log: HandlerContext['log']): Promise<Described[]> {
  const entries = await deps.sg.templates.list((record, e) => log.warn({ err: e, template: record.id, version: record.version }, 'template no longer fits the registered packs; not listed'));
  return entries.map((e: TemplateEntry) => ({ ...describe(e.workflow), source: 'template' as const, version: e.record.version, versions: e.versions, owner: e.record.owner }));
}

export function templateRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { templates } = deps.sg;
  let schema: Record<string, unknown> | undefined;

  bindRoute(router, routes.templateSchema, bind, async () => (schema ??= { $id: '/api/workflows/template.schema.json', ...templateJsonSchema(PATTERNS) }));

  bindRoute(router, routes.createWorkflow, bind, async ({ body }, { principal }) => {
    const { record, workflow } = await templates.create(body, principal.owner);
    return { id: record.id, version: record.version, owner: record.owner, createdAt: record.createdAt, workflow: { ...describe(workflow), source: 'template' as const, version: record.version } };
  });

  bindRoute(router, routes.workflowVersions, bind, async ({ params }) => {
    const versions = await templates.versions(params.id);
    if (versions.length) {
      return { id: params.id, source: 'template' as const, versions: versions.map((v) => ({ id: v.id, version: v.version, owner: v.owner, createdAt: v.createdAt, template: v.body })) };
    }
    if (deps.sg.workflows.has(params.id)) return { id: params.id, source: 'code' as const, versions: [] };
    throw new StagegraphError('workflow_not_found', `no workflow or template '${params.id}'`, { class: 'validation', details: { workflowId: params.id } });
  });
}
