/**
 * `/api/evaluations`: each workflow's metrics and grades over the caller's runs, and the
 * check of the runs since its latest baseline. Scoped to the caller's runs and
 * baselines, like every read route (graph/evaluation/, docs/evaluation.md).
 */
import type Router from '@koa/router';
import type { z } from 'zod';
import { Evaluator } from '../../graph/evaluation/index.ts';
import type { WorkflowEvaluationSchema } from '../contract/evaluations.ts';
import { routes } from '../contract/routes.ts';
import { clientError } from '../errors.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import type { ApiDeps } from './deps.ts';

type Evaluation = z.output<typeof WorkflowEvaluationSchema>;

export function evaluationRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { sg } = deps;
  const evaluator = new Evaluator(sg.db.pool);

  async function evaluationOf(workflowId: string, owner: string, query: { since?: string; limit: number }): Promise<Evaluation> {
    const [evaluation, check] = await Promise.all([
      evaluator.evaluate(workflowId, { owner, since: query.since, limit: query.limit }),
      evaluator.check(workflowId, { owner, limit: query.limit }),
    ]);
    const { metrics: _current, workflowId: _id, ...rest } = check;
    return { workflowId, ...evaluation, check: rest };
  }

  bindRoute(router, routes.evaluations, bind, async ({ query }, { principal }) => {
    const owner = principal.owner;
    const ids = await evaluator.workflows({ owner, since: query.since });
    const withBaseline = (await evaluator.baselines(owner)).map((b) => b.workflowId);
    const evaluations = [];
    for (const id of [...new Set([...ids, ...withBaseline])].sort()) evaluations.push(await evaluationOf(id, owner, query));
    return { generatedAt: new Date().toISOString(), threshold: evaluator.policy.threshold, evaluations };
  });

  bindRoute(router, routes.evaluation, bind, async ({ params, query }, { principal }) => {
    const id = params.workflowId;
    if (!sg.workflows.has(id)) {
      const { rowCount } = await sg.db.pool.query('SELECT 1 FROM sg_runs WHERE owner = $1 AND workflow_id = $2 LIMIT 1', [principal.owner, id]);
      if (!rowCount) throw clientError('workflow_not_found', `no workflow '${id}' is registered, and the caller has no runs of one`, { workflowId: id });
    }
    return evaluationOf(id, principal.owner, query);
  });
}
