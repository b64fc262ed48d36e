/** What a run did: its events, timeline, decisions, partial results and artifacts; and stats over the caller's runs. */
import { extname } from 'node:path';
import type Router from '@koa/router';
import type { RunEvent } from '../../graph/events/types.ts';
import { listArtifacts, openArtifact } from '../artifacts.ts';
import { routes } from '../contract/routes.ts';
import { clientError } from '../errors.ts';
import { bindRoute, type BindDeps } from '../http/bind.ts';
import type { AppState } from '../http/state.ts';
import { runStats } from '../stats.ts';
import { buildTimeline } from '../views/timeline.ts';
import type { ApiDeps } from './deps.ts';

const PAGE = 5000;
const DAY_MS = 86_400_000;
/** The widest `/api/stats` window. */
const MAX_RANGE_DAYS = 3 * 366;

export function observeRoutes(router: Router<AppState>, bind: BindDeps, deps: ApiDeps): void {
  const { sg, directory } = deps;
  const log = sg.runs.events;

  async function allEvents(runId: string): Promise<RunEvent[]> {
    const out: RunEvent[] = [];
    for (;;) {
      const page = await log.since(runId, out.at(-1)?.seq ?? 0, PAGE);
      out.push(...page);
      if (page.length < PAGE) return out;
    }
  }

  bindRoute(router, routes.events, bind, async ({ params, query }, { principal }) => {
    await directory.require(params.sessionId, principal.owner);
    const events = await log.since(params.sessionId, query.since, query.limit + 1);
    const more = events.length > query.limit;
    const page = events.slice(0, query.limit);
    return { events: page, lastSeq: page.at(-1)?.seq ?? query.since, more };
  });

  bindRoute(router, routes.timeline, bind, async ({ params }, { principal }) => {
    const view = await sg.runs.get(params.sessionId, principal.owner);
    return buildTimeline(params.sessionId, view.status, await allEvents(params.sessionId));
  });

  bindRoute(router, routes.decisions, bind, async ({ params }, { principal }) => {
    await directory.require(params.sessionId, principal.owner);
    return { decisions: await sg.ledger.forRun(params.sessionId) };
  });

  bindRoute(router, routes.partialResults, bind, async ({ params }, { principal }) => {
    const v = await sg.runs.get(params.sessionId, principal.owner);
    return { sessionId: v.id, status: v.status, partialResults: v.partialResults, completed: v.completed, skipped: v.skipped, missing: v.missing, warnings: v.warnings };
  });

  bindRoute(router, routes.partialPackage, bind, async ({ params }, { principal }) => {
    const pkg = await sg.runs.partialPackage(params.sessionId, principal.owner);
    return {
      sessionId: pkg.runId,
      status: pkg.status,
      degraded: pkg.degraded,
      generatedAt: pkg.generatedAt,
      error: pkg.error,
      completed: pkg.completed.map((c) => ({ stage: c.stage, compensated: c.compensated })),
      missing: pkg.missing.map((m) => ({ stage: m.stage, why: m.why })),
      warnings: pkg.warnings,
      decisions: pkg.decisions.length,
      artifact: 'partial.json' as const,
      href: `/api/agent/${pkg.runId}/artifacts/partial.json`,
    };
  });

  bindRoute(router, routes.artifacts, bind, async ({ params }, { principal }) => {
    const run = await directory.require(params.sessionId, principal.owner);
    const files = await listArtifacts(run.outRoot, params.sessionId);
    return { artifacts: files.map((f) => ({ ...f, href: `/api/agent/${params.sessionId}/artifacts/${encodeURIComponent(f.name)}` })) };
  });

  bindRoute(router, routes.artifact, bind, async ({ params }, { principal }) => {
    const run = await directory.require(params.sessionId, principal.owner);
    const { stream, size } = await openArtifact(run.outRoot, params.sessionId, params.name);
    return {
      contentType: extname(params.name) || 'application/octet-stream',
      body: stream,
      headers: { 'Content-Length': String(size), 'Content-Disposition': `inline; filename="${params.name}"`, 'X-Content-Type-Options': 'nosniff' },
    };
  });

  bindRoute(router, routes.stats, bind, async ({ query }, { principal }) => {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (!(from < to)) throw clientError('invalid_request', 'query: from must be before to', { where: 'query', from: from.toISOString(), to: to.toISOString() });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw clientError('invalid_request', `query: the range may span at most ${MAX_RANGE_DAYS} days`, { where: 'query' });
    return runStats(sg.db.pool, principal.owner, from, to, query.groupBy);
  });
}
