/** Decisions across the caller's runs: explanations, feedback, and the preferences feedback teaches. */
import type Router from '@koa/router';
import { routes } from '../contract/routes.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import type { ApiDeps } from './deps.ts';

/** Registered before the run routes: `/api/agent/preferences` would otherwise match `/api/agent/{sessionId}`. */
export function decisionRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { sg } = deps;

  bindRoute(router, routes.explainDecision, bind, async ({ params }, { principal }) => {
    const e = await sg.decisions.explain(params.decisionId, principal.owner);
    return {
      decisionId: e.decisionId, runId: e.runId, point: e.point, chosen: e.chosen, method: e.method, confidence: e.confidence,
      decidingRules: e.decidingRules,
      ...(e.withoutDecidingRules ? { withoutDecidingRules: e.withoutDecidingRules } : {}),
      counterfactuals: e.counterfactuals, text: e.text,
    };
  });

  bindRoute(router, routes.decisionFeedback, bind, async ({ params, body }, { principal }) => {
    const r = await sg.decisions.recordFeedback({ decisionId: params.decisionId, owner: principal.owner, verdict: body.verdict, preferred: body.preferred, reason: body.reason });
    return { feedbackId: r.feedbackId, decisionId: r.decisionId, point: r.point, weights: r.weights, replaced: r.replaced };
  });

  bindRoute(router, routes.preferences, bind, async (_input, { principal }) => ({ preferences: await sg.decisions.preferencesOf(principal.owner) }));

  bindRoute(router, routes.resetPreferences, bind, async ({ query }, { principal }) => ({
    point: query.point ?? null,
    reset: await sg.decisions.resetPreferences(principal.owner, query.point),
  }));
}
