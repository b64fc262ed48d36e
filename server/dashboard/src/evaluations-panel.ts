/**
 * The overview's evaluations panel, from `GET /api/evaluations`: each workflow's grades
 * (overall and per metric) over the caller's recent runs, and its check against the
 * latest baseline with every regression's verdict and evidence (links to the runs).
 */
import type { z } from 'zod';
import type { EvaluationsResponse } from '../../contract/evaluations.ts';
import { describeError, type Api } from './api.ts';
import { fmtPct, h, mount, shortId } from './dom.ts';

type Evaluations = z.output<typeof EvaluationsResponse>;
type Evaluation = Evaluations['evaluations'][number];
type Grade = Evaluation['metrics']['grade'];

const GRADED = ['successRate', 'duration', 'retries', 'errors', 'decisions', 'feedback'] as const;
const LABEL: Record<(typeof GRADED)[number], string> = {
  successRate: 'success', duration: 'duration', retries: 'retries', errors: 'errors', decisions: 'decisions', feedback: 'feedback',
};

function gradeBadge(g: Grade, title?: string): HTMLElement {
  return h('span', { class: `badge grade grade-${g ?? 'none'}`, ...(title ? { title } : {}) }, g ?? 'n/a');
}

function checkCell(e: Evaluation): HTMLElement {
  const c = e.check;
  if (c.status === 'no_baseline') return h('span', { class: 'badge' }, 'no baseline');
  if (c.status === 'ok') return h('span', { class: 'badge status-completed', title: `${c.window.runs} runs since the baseline` }, 'no regression');
  return h('span', { class: 'badge status-failed' }, `${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}`);
}

function regressionList(e: Evaluation): HTMLElement | null {
  if (!e.check.regressions.length) return null;
  return h('ul', { class: 'regressions', 'aria-label': `Regressions of ${e.workflowId}` }, e.check.regressions.map((r) =>
    h('li', { 'data-workflow': e.workflowId, 'data-stage': r.stage ?? '', 'data-metric': r.metric },
      h('strong', {}, `${e.workflowId} · ${r.stage ?? 'whole workflow'} · ${r.metric === 'duration' ? 'duration' : 'success rate'}`), ': ', r.verdict,
      h('span', { class: 'evidence' }, ` — ${r.evidence.count} run${r.evidence.count === 1 ? '' : 's'}: `,
        r.evidence.runs.map((run, i) => [i ? ', ' : '', h('a', { href: `#/runs/${run.runId}`, 'aria-label': `Open run ${shortId(run.runId)}` }, shortId(run.runId))])))));
}

/** Loads and shows the evaluations into `el`. */
export async function showEvaluations(api: Api, el: HTMLElement): Promise<void> {
  let body: Evaluations;
  try {
    body = await api.client.call('evaluations', { query: {} });
  } catch (e) {
    return mount(el, h('p', { class: 'empty' }, `Evaluations unavailable: ${describeError(e)}`));
  }
  const rows = body.evaluations;
  mount(el, h('section', { class: 'panel', 'aria-labelledby': 'evaluations-h' },
    h('h2', { id: 'evaluations-h' }, 'Evaluations'),
    h('p', { class: 'hint' }, `Grades over the runs of the last 30 days. Regressions: the runs since the latest baseline (stagegraph eval baseline) against it, threshold ${fmtPct(body.threshold * 100)}.`),
    rows.length === 0 ? h('p', { class: 'empty' }, 'No finished runs to grade yet.') : h('table', { class: 'eval-table' },
      h('thead', {}, h('tr', {}, ['workflow', 'runs', 'grade', ...GRADED.map((g) => LABEL[g]), 'check'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((e) => h('tr', { 'data-workflow': e.workflowId, 'data-grade': e.metrics.grade ?? '', 'data-check': e.check.status },
        h('th', { scope: 'row' }, e.workflowId), h('td', {}, String(e.window.runs)), h('td', {}, gradeBadge(e.metrics.grade)),
        GRADED.map((g) => h('td', { 'data-metric': g }, gradeBadge(e.metrics.grades[g]))),
        h('td', {}, checkCell(e)))))),
    rows.map(regressionList),
  ));
}
